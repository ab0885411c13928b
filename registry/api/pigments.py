"""Pigment products in the shared catalogue, with their colorants."""

from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import fields

from registry.api.access import readers_only, refuse, require_reader
from registry.api.results import page, saved
from registry.auth.tenancy import get_or_404, may_edit_catalogue, scoped
from registry.models import Colorant, PigmentProduct
from registry.schemas.common import QuerySchema, RecordId
from registry.schemas.pigments import ColorantSchema, PigmentProductSchema
from registry.services import pigments

PREFIX = "/pigments"
blp = Blueprint("pigments", __name__, description="Pigment products and their colorants.")
blp.before_request(readers_only)


class PigmentQuerySchema(QuerySchema):
    manufacturer_id = RecordId()
    name = fields.String(metadata={"description": "Part of the brand or product name."})
    ci_number = fields.String(metadata={"description": "Containing this colorant, e.g. CI 77266."})


class NewColorantSchema(ColorantSchema):
    class Meta:
        exclude = ("product_id",)


class PigmentSchema(PigmentProductSchema):
    colorants = fields.List(fields.Nested(NewColorantSchema), load_default=list)


@blp.route("")
class Pigments(MethodView):
    @blp.arguments(PigmentQuerySchema, location="query")
    @blp.response(200, PigmentSchema(many=True))
    @blp.paginate()
    def get(self, filters, pagination_parameters):
        """Products in the catalogue."""
        query = scoped(PigmentProduct, require_reader()).order_by(PigmentProduct.id)
        if filters.get("manufacturer_id"):
            query = query.where(PigmentProduct.manufacturer == filters["manufacturer_id"])
        if filters.get("name"):
            query = query.where(PigmentProduct.brand.contains(filters["name"])
                                | PigmentProduct.name.contains(filters["name"]))
        if filters.get("ci_number"):
            number = filters["ci_number"].upper().replace("CI", "").strip()
            query = query.where(PigmentProduct.id.in_(
                Colorant.select(Colorant.product).where(Colorant.ci_number == f"CI {number}")))
        return page(query, pagination_parameters)

    @blp.arguments(PigmentSchema)
    @blp.response(201, PigmentSchema)
    def post(self, data):
        """Add a product with its colorants (officers, administrators)."""
        principal = require_reader()
        if not may_edit_catalogue(principal):
            refuse()
        return saved(lambda: pigments.create_product(PigmentSchema().dump(data), principal.actor))


@blp.route("/<int:pigment_id>")
class PigmentById(MethodView):
    @blp.response(200, PigmentSchema)
    def get(self, pigment_id):
        """One product with its colorants."""
        return get_or_404(PigmentProduct, pigment_id, require_reader())
