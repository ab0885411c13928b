"""Inspections of clinics, their findings and the corrective actions that answer them."""

from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import fields

from registry.api.access import readers_only, refuse, require_reader
from registry.api.results import page, saved
from registry.auth.principal import Principal
from registry.auth.tenancy import (
    get_or_404,
    may_edit_clinic,
    may_inspect,
    may_waive_action,
    scoped,
)
from registry.models import Clinic, CorrectiveAction, Finding, Inspection
from registry.schemas.common import QuerySchema, RecordId
from registry.schemas.inspections import (
    CorrectiveActionSchema,
    FindingSchema,
    InspectionSchema,
)
from registry.services import inspections
from registry.services.records import InvalidInput

PREFIX = ""
blp = Blueprint("inspections", __name__,
                description="Inspections, findings and corrective actions.")
blp.before_request(readers_only)


class InspectionQuerySchema(QuerySchema):
    clinic_id = RecordId()
    inspected_from = fields.Date()
    inspected_to = fields.Date()


class NewInspectionSchema(InspectionSchema):
    class Meta:
        dump_only = ("inspector_id",)


class NewFindingSchema(FindingSchema):
    class Meta:
        exclude = ("inspection_id",)


class NewActionSchema(CorrectiveActionSchema):
    class Meta:
        exclude = ("finding_id",)


class ActionUpdateSchema(NewActionSchema):
    reason = fields.String(required=True, load_only=True)


class FindingOutSchema(FindingSchema):
    actions = fields.List(fields.Nested(CorrectiveActionSchema), dump_only=True)


class InspectionOutSchema(InspectionSchema):
    findings = fields.List(fields.Nested(FindingOutSchema), dump_only=True)


@blp.route("/inspections")
class Inspections(MethodView):
    @blp.arguments(InspectionQuerySchema, location="query")
    @blp.response(200, InspectionSchema(many=True))
    @blp.paginate()
    def get(self, filters, pagination_parameters):
        """Inspections of the clinics the caller may see, newest first."""
        query = scoped(Inspection, require_reader()).order_by(Inspection.inspected_on.desc(),
                                                              Inspection.id.desc())
        if filters.get("clinic_id"):
            query = query.where(Inspection.clinic == filters["clinic_id"])
        if filters.get("inspected_from"):
            query = query.where(Inspection.inspected_on >= filters["inspected_from"])
        if filters.get("inspected_to"):
            query = query.where(Inspection.inspected_on <= filters["inspected_to"])
        return page(query, pagination_parameters)

    @blp.arguments(NewInspectionSchema)
    @blp.response(201, InspectionOutSchema)
    def post(self, data):
        """Record an inspection (inspectors of the clinic's state, administrators)."""
        principal = require_reader()

        def record():
            clinic = scoped(Clinic, principal).where(Clinic.id == data["clinic_id"]).first()
            if clinic is None:
                raise InvalidInput({"clinic_id": [f"No clinic with id {data['clinic_id']}."]})
            if not may_inspect(principal, clinic):
                refuse("Only inspectors of the clinic's state record its inspections.")
            values = {**InspectionSchema().dump(data), "inspector_id": principal.user.id}
            return inspections.record_inspection(values, principal.actor)

        return saved(record)


@blp.route("/inspections/<int:inspection_id>")
class InspectionById(MethodView):
    @blp.response(200, InspectionOutSchema)
    def get(self, inspection_id):
        """One inspection with its findings and their corrective actions."""
        return get_or_404(Inspection, inspection_id, require_reader())


@blp.route("/inspections/<int:inspection_id>/findings")
class InspectionFindings(MethodView):
    @blp.arguments(NewFindingSchema)
    @blp.response(201, FindingOutSchema)
    def post(self, data, inspection_id):
        """Add a finding to an inspection (inspectors of the clinic's state)."""
        principal = require_reader()
        inspection = get_or_404(Inspection, inspection_id, principal)
        if not may_inspect(principal, inspection.clinic):
            refuse("Only inspectors of the clinic's state record findings.")
        values = {**FindingSchema().dump(data), "inspection_id": inspection.id}
        return saved(lambda: inspections.add_finding(values, principal.actor))


@blp.route("/findings/<int:finding_id>/corrective-actions")
class FindingActions(MethodView):
    @blp.arguments(NewActionSchema)
    @blp.response(201, CorrectiveActionSchema)
    def post(self, data, finding_id):
        """Add a corrective action with its due date (the inspector, or the clinic's officers)."""
        principal = require_reader()
        finding = get_or_404(Finding, finding_id, principal)
        _require_party(principal, finding.inspection.clinic)
        values = {**CorrectiveActionSchema().dump(data), "finding_id": finding.id}
        return saved(lambda: inspections.add_corrective_action(values, principal.actor))


@blp.route("/corrective-actions/<int:action_id>")
class CorrectiveActionById(MethodView):
    @blp.response(200, CorrectiveActionSchema)
    def get(self, action_id):
        """One corrective action."""
        return get_or_404(CorrectiveAction, action_id, require_reader())

    @blp.arguments(ActionUpdateSchema(partial=True))
    @blp.response(200, CorrectiveActionSchema)
    def patch(self, data, action_id):
        """Mark an action done, or change it; a reason is required."""
        principal = require_reader()
        action = get_or_404(CorrectiveAction, action_id, principal)
        _require_party(principal, action.finding.inspection.clinic)
        if data.get("status") == "overdue_waived" and not may_waive_action(
                principal, action.finding.inspection.clinic):
            refuse("Only an inspector waives a corrective action.")
        reason = data.pop("reason", None)

        def update():
            inspections.update_corrective_action(action, CorrectiveActionSchema().dump(data),
                                                 principal.actor, reason=reason)
            return action

        return saved(update)


def _require_party(principal: Principal, clinic: Clinic) -> None:
    """Corrective actions concern both sides: the inspectors and the clinic's officers."""
    if not (may_inspect(principal, clinic) or may_edit_clinic(principal, clinic.id)):
        refuse()
