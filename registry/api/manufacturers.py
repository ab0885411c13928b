"""Manufacturers in the shared pigment catalogue."""

from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import fields

from registry.api.access import readers_only, refuse, require_reader
from registry.api.results import page, saved
from registry.auth.tenancy import get_or_404, may_edit_catalogue, scoped
from registry.models import Manufacturer
from registry.schemas.common import QuerySchema
from registry.schemas.pigments import ManufacturerSchema
from registry.services import pigments

PREFIX = "/manufacturers"
blp = Blueprint("manufacturers", __name__, description="Pigment manufacturers.")
blp.before_request(readers_only)


class ManufacturerQuerySchema(QuerySchema):
    name = fields.String(metadata={"description": "Part of the name."})


@blp.route("")
class Manufacturers(MethodView):
    @blp.arguments(ManufacturerQuerySchema, location="query")
    @blp.response(200, ManufacturerSchema(many=True))
    @blp.paginate()
    def get(self, filters, pagination_parameters):
        """Manufacturers in the catalogue."""
        query = scoped(Manufacturer, require_reader()).order_by(Manufacturer.name, Manufacturer.id)
        if filters.get("name"):
            query = query.where(Manufacturer.name.contains(filters["name"]))
        return page(query, pagination_parameters)

    @blp.arguments(ManufacturerSchema)
    @blp.response(201, ManufacturerSchema)
    def post(self, data):
        """Add a manufacturer (officers, administrators)."""
        principal = require_reader()
        if not may_edit_catalogue(principal):
            refuse()
        return saved(lambda: pigments.create_manufacturer(ManufacturerSchema().dump(data),
                                                          principal.actor))


@blp.route("/<int:manufacturer_id>")
class ManufacturerById(MethodView):
    @blp.response(200, ManufacturerSchema)
    def get(self, manufacturer_id):
        """One manufacturer."""
        return get_or_404(Manufacturer, manufacturer_id, require_reader())
