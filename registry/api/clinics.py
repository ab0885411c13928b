"""Clinics, and each clinic's checklist as of a date."""

from datetime import date

from flask.views import MethodView
from flask_smorest import Blueprint, abort
from marshmallow import fields

from registry.api.access import require_reader
from registry.auth.principal import current
from registry.auth.tenancy import get_or_404, may_edit_clinic, scoped
from registry.clock import today
from registry.models import Clinic
from registry.schemas.clinics import ClinicSchema
from registry.schemas.common import BaseSchema
from registry.services import clinics, compliance
from registry.services.records import InvalidInput

PREFIX = "/clinics"
blp = Blueprint("clinics", __name__, description="Clinics and their checklists.")


class ClinicQuerySchema(BaseSchema):
    class Meta:
        unknown = "exclude"

    state = fields.String()
    name = fields.String()


class ClinicUpdateSchema(ClinicSchema):
    reason = fields.String(load_only=True, required=True)


class AsOfSchema(BaseSchema):
    class Meta:
        unknown = "exclude"

    as_of = fields.Date(load_default=None)


class ChecklistSchema(BaseSchema):
    class Meta:
        unknown = "exclude"

    clinic = fields.Dict()
    as_of = fields.String()
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
        require_reader()
        query = scoped(Clinic, current()).order_by(Clinic.id)
        if filters.get("state"):
            query = query.where(Clinic.state == filters["state"].upper())
        if filters.get("name"):
            query = query.where(Clinic.name.contains(filters["name"]))
        pagination_parameters.item_count = query.count()
        return query.paginate(pagination_parameters.page, pagination_parameters.page_size)

    @blp.arguments(ClinicSchema)
    @blp.response(201, ClinicSchema)
    def post(self, data):
        """Register a clinic (administrators)."""
        principal = require_reader()
        if not principal.is_admin or not principal.may_use_token_scope("write"):
            abort(403)
        return _saved(lambda: clinics.create_clinic(ClinicSchema().dump(data), principal.actor))


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
            abort(403)
        reason = data.pop("reason", None)
        changes = ClinicSchema().dump(data)

        def update():
            clinics.update_clinic(clinic, changes, principal.actor, reason=reason)
            return clinic

        return _saved(update)


@blp.route("/<int:clinic_id>/checklist")
class ClinicChecklist(MethodView):
    @blp.arguments(AsOfSchema, location="query")
    @blp.response(200, ChecklistSchema)
    def get(self, query, clinic_id):
        """The clinic's checklist as of a date (today by default)."""
        clinic = get_or_404(Clinic, clinic_id, require_reader())
        day: date = query.get("as_of") or today()
        return compliance.checklist(clinic.id, day).to_dict()


def _saved(write):
    try:
        return write()
    except InvalidInput as invalid:
        abort(422, message="Invalid input.", errors={"json": invalid.errors})
