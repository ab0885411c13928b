"""A clinic's audit trail: every change to its records, who made it and why (read only)."""

from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import Schema, fields

from registry.api.access import readers_only, require_reader
from registry.api.results import page
from registry.auth.tenancy import HIDDEN, get_or_404, may_see_contacts, without_contacts
from registry.models import AuditEvent, Client, Clinic
from registry.schemas.common import QuerySchema, UtcDateTime
from registry.services.audit import chain_for

PREFIX = "/clinics"
blp = Blueprint("audit_events", __name__, description="Each clinic's audit trail.")
blp.before_request(readers_only)


class AuditQuerySchema(QuerySchema):
    entity = fields.String(metadata={"description": "A record type, e.g. pigment_lot."})
    entity_id = fields.String()
    action = fields.String()
    since = UtcDateTime(metadata={"description": "Events at or after this time (UTC)."})


class AuditEventSchema(Schema):
    seq = fields.Integer()
    occurred_at = UtcDateTime()
    actor = fields.String()
    action = fields.String()
    entity = fields.String()
    entity_id = fields.String()
    changes = fields.Raw(metadata={
        "description": "{field: [old, new]}. A client's initials, email and phone read "
                       f"\"{HIDDEN}\" unless the caller is an officer of the clinic; the "
                       "MAC covers the values as recorded."})
    reason = fields.String(allow_none=True)
    mac = fields.String()


@blp.route("/<int:clinic_id>/audit-events")
class ClinicAuditEvents(MethodView):
    @blp.arguments(AuditQuerySchema, location="query")
    @blp.response(200, AuditEventSchema(many=True))
    @blp.paginate()
    def get(self, filters, clinic_id, pagination_parameters):
        """The clinic's audit events in order, oldest first."""
        principal = require_reader()
        clinic = get_or_404(Clinic, clinic_id, principal)
        query = AuditEvent.select().where(AuditEvent.chain == chain_for(clinic.id)) \
            .order_by(AuditEvent.seq)
        for name in ("entity", "entity_id", "action"):
            if filters.get(name):
                query = query.where(getattr(AuditEvent, name) == filters[name])
        if filters.get("since"):
            query = query.where(AuditEvent.occurred_at >= filters["since"])
        events = page(query, pagination_parameters)
        if may_see_contacts(principal, clinic.id):
            return events
        return [_without_contacts(event) for event in events]


def _without_contacts(event: AuditEvent) -> dict:
    """The event with a client's contact values, old and new, hidden."""
    if event.entity != Client._meta.table_name:
        return event.__data__
    return {**event.__data__, "changes": without_contacts(event.changes, [HIDDEN, HIDDEN])}
