"""Clinics, and each clinic's checklist as of a date."""

from datetime import date

from flask.views import MethodView
from flask_smorest import Blueprint, abort
from marshmallow import fields

from registry.api.access import readers_only, refuse, require_reader
from registry.api.results import page, saved
from registry.auth.tenancy import get_or_404, may_edit_clinic, scoped
from registry.clock import today
from registry.db import read_snapshot
from registry.models import Clinic
from registry.schemas.clinics import ClinicSchema
from registry.schemas.common import BaseSchema, QuerySchema
from registry.services import clinics, compliance

PREFIX = "/clinics"
blp = Blueprint("clinics", __name__, description="Clinics and their checklists.")
blp.before_request(readers_only)


class ClinicQuerySchema(QuerySchema):
    state = fields.String()
    name = fields.String()


class ClinicUpdateSchema(ClinicSchema):
    reason = fields.String(load_only=True, required=True)


class AsOfSchema(QuerySchema):
    as_of = fields.Date(load_default=None)
    known_on = fields.Date(load_default=None, metadata={
        "description": "As the registry would have said it at the end of this day (not a "
                       "later day than today); everything on record now when left out."})


class ChecklistSchema(BaseSchema):
    class Meta:
        unknown = "exclude"

    clinic = fields.Dict()
    as_of = fields.String()
    known_on = fields.String(allow_none=True)
    overall = fields.String()
    counts = fields.Dict(keys=fields.String(), values=fields.Integer())
    packs = fields.List(fields.Dict())
    items = fields.List(fields.Dict())


@blp.route("")
class Clinics(MethodView):
    @blp.arguments(ClinicQuerySchema, location="query")
    @blp.response(200, ClinicSchema(many=True))
    @blp.paginate()
    def get(self, filters, pagination_parameters):
        """Clinics the caller may see."""
        query = scoped(Clinic, require_reader()).order_by(Clinic.id)
        if filters.get("state"):
            query = query.where(Clinic.state == filters["state"].upper())
        if filters.get("name"):
            query = query.where(Clinic.name.contains(filters["name"]))
        # The total and the page's rows from one snapshot, so that they agree.
        with read_snapshot():
            return list(page(query, pagination_parameters))

    @blp.arguments(ClinicSchema)
    @blp.response(201, ClinicSchema)
    def post(self, data):
        """Register a clinic (administrators)."""
        principal = require_reader()
        if not principal.is_admin or not principal.may_use_token_scope("write"):
            refuse()
        return saved(lambda: clinics.create_clinic(ClinicSchema().dump(data), principal.actor))


@blp.route("/<int:clinic_id>")
class ClinicById(MethodView):
    @blp.response(200, ClinicSchema)
    def get(self, clinic_id):
        """One clinic."""
        return get_or_404(Clinic, clinic_id, require_reader())

    @blp.arguments(ClinicUpdateSchema(partial=True))
    @blp.response(200, ClinicSchema)
    def patch(self, data, clinic_id):
        """Change a clinic's details (its officers, administrators); a reason is required."""
        principal = require_reader()
        clinic = get_or_404(Clinic, clinic_id, principal)
        if not may_edit_clinic(principal, clinic.id):
            refuse()
        reason = data.pop("reason", None)
        changes = ClinicSchema().dump(data)

        def update():
            clinics.update_clinic(clinic, changes, principal.actor, reason=reason)
            return clinic

        return saved(update)


@blp.route("/<int:clinic_id>/checklist")
class ClinicChecklist(MethodView):
    @blp.arguments(AsOfSchema, location="query")
    @blp.response(200, ChecklistSchema)
    def get(self, query, clinic_id):
        """The clinic's checklist as of a date (today by default), as known now or on a
        past day."""
        principal = require_reader()
        day: date = query.get("as_of") or today()
        known_on = query.get("known_on")
        if known_on is not None and known_on > today():
            abort(422, message="Invalid input.",
                  errors={"query": {"known_on": ["Not a day to come."]}})
        with read_snapshot():
            clinic = get_or_404(Clinic, clinic_id, principal)
            return compliance.checklist(clinic.id, day, known_on).to_dict()

