"""Procedures performed at a clinic, with the lots each one used."""

from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import fields

from registry.api.access import readers_only, require_reader
from registry.api.results import page, saved
from registry.auth.tenancy import clinic_to_edit, get_or_404, scoped
from registry.models import Procedure, ProcedureLot
from registry.schemas.clients import ProcedureSchema
from registry.schemas.common import QuerySchema, RecordId
from registry.services import procedures

PREFIX = "/procedures"
blp = Blueprint("procedures", __name__, description="Procedures and the lots they used.")
blp.before_request(readers_only)


class ProcedureQuerySchema(QuerySchema):
    clinic_id = RecordId()
    practitioner_id = RecordId()
    client_id = RecordId()
    lot_id = RecordId(metadata={"description": "Procedures that used this lot."})
    performed_from = fields.Date()
    performed_to = fields.Date()


class ProcedureOutSchema(ProcedureSchema):
    status = fields.String(dump_only=True)
    lot_ids = fields.Method("_lot_ids", dump_only=True)

    def _lot_ids(self, procedure):
        return [use.lot_id for use in procedure.lot_uses]


@blp.route("")
class Procedures(MethodView):
    @blp.arguments(ProcedureQuerySchema, location="query")
    @blp.response(200, ProcedureOutSchema(many=True))
    @blp.paginate()
    def get(self, filters, pagination_parameters):
        """Procedures at the clinics the caller may see, newest first."""
        query = scoped(Procedure, require_reader()).order_by(Procedure.performed_on.desc(),
                                                             Procedure.id.desc())
        for name in ("clinic_id", "practitioner_id", "client_id"):
            if filters.get(name):
                query = query.where(getattr(Procedure, name) == filters[name])
        if filters.get("lot_id"):
            query = query.where(Procedure.id.in_(
                ProcedureLot.select(ProcedureLot.procedure)
                .where(ProcedureLot.lot == filters["lot_id"])))
        if filters.get("performed_from"):
            query = query.where(Procedure.performed_on >= filters["performed_from"])
        if filters.get("performed_to"):
            query = query.where(Procedure.performed_on <= filters["performed_to"])
        return page(query, pagination_parameters)

    @blp.arguments(ProcedureSchema)
    @blp.response(201, ProcedureOutSchema)
    def post(self, data):
        """Record a procedure; refused when a lot was unusable or the practitioner's
        credentials fell short of the clinic's critical rules that day."""
        principal = require_reader()

        def record():
            clinic_to_edit(principal, data["clinic_id"])
            return procedures.record_procedure(ProcedureSchema().dump(data), principal.actor)

        return saved(record)


@blp.route("/<int:procedure_id>")
class ProcedureById(MethodView):
    @blp.response(200, ProcedureOutSchema)
    def get(self, procedure_id):
        """One procedure."""
        return get_or_404(Procedure, procedure_id, require_reader())
