"""FDA recall records as imported (read only)."""

from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import fields

from registry.api.access import readers_only, require_reader
from registry.api.results import page
from registry.auth.tenancy import get_or_404, scoped
from registry.models import Recall
from registry.schemas.common import QuerySchema
from registry.schemas.recalls import RecallSchema

PREFIX = "/recalls"
blp = Blueprint("recalls", __name__, description="Recalls of cosmetics and tattoo inks.")
blp.before_request(readers_only)


class RecallQuerySchema(QuerySchema):
    firm = fields.String(metadata={"description": "Part of the recalling firm's name."})
    classification = fields.String(metadata={"description": "Class I, Class II or Class III."})
    status = fields.String(metadata={"description": "Ongoing, Completed or Terminated."})
    text = fields.String(metadata={"description": "Part of the product description or codes."})


class RecallOutSchema(RecallSchema):
    class Meta:
        exclude = ("raw",)


@blp.route("")
class Recalls(MethodView):
    @blp.arguments(RecallQuerySchema, location="query")
    @blp.response(200, RecallOutSchema(many=True))
    @blp.paginate()
    def get(self, filters, pagination_parameters):
        """Recalls on record, newest report first."""
        query = scoped(Recall, require_reader()).order_by(Recall.report_date.desc(nulls="LAST"),
                                                          Recall.id.desc())
        if filters.get("firm"):
            query = query.where(Recall.recalling_firm.contains(filters["firm"]))
        if filters.get("classification"):
            query = query.where(Recall.classification == filters["classification"])
        if filters.get("status"):
            query = query.where(Recall.status == filters["status"])
        if filters.get("text"):
            query = query.where(Recall.product_description.contains(filters["text"])
                                | Recall.code_info.contains(filters["text"]))
        return page(query, pagination_parameters)


@blp.route("/<int:recall_id>")
class RecallById(MethodView):
    @blp.response(200, RecallOutSchema)
    def get(self, recall_id):
        """One recall."""
        return get_or_404(Recall, recall_id, require_reader())
