"""Practitioners: who works at the caller's clinics."""

from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import fields

from registry.api.access import readers_only, refuse, require_reader
from registry.api.results import page, saved
from registry.auth.tenancy import clinic_to_edit, get_or_404, practitioner_clinics, scoped
from registry.models import Affiliation, Practitioner
from registry.schemas.common import QuerySchema, RecordId, text
from registry.schemas.practitioners import AffiliationSchema, PractitionerSchema
from registry.services import practitioners

PREFIX = "/practitioners"
blp = Blueprint("practitioners", __name__, description="Practitioners and where they work.")
blp.before_request(readers_only)


class PractitionerQuerySchema(QuerySchema):
    clinic_id = RecordId()
    name = fields.String(metadata={"description": "Part of the first or last name."})


class NewPractitionerSchema(PractitionerSchema):
    clinic_id = RecordId(required=True, load_only=True)
    starts_on = fields.Date(required=True, load_only=True)
    title = text(load_default="practitioner", load_only=True)


class PractitionerDetailSchema(PractitionerSchema):
    affiliations = fields.List(fields.Nested(AffiliationSchema), dump_only=True)


class PractitionerUpdateSchema(PractitionerSchema):
    reason = fields.String(load_only=True)


@blp.route("")
class Practitioners(MethodView):
    @blp.arguments(PractitionerQuerySchema, location="query")
    @blp.response(200, PractitionerSchema(many=True))
    @blp.paginate()
    def get(self, filters, pagination_parameters):
        """Practitioners of the clinics the caller may see."""
        query = scoped(Practitioner, require_reader()).order_by(Practitioner.id)
        if filters.get("clinic_id"):
            query = query.where(Practitioner.id.in_(
                Affiliation.select(Affiliation.practitioner)
                .where(Affiliation.clinic == filters["clinic_id"])))
        if filters.get("name"):
            query = query.where(Practitioner.first_name.contains(filters["name"])
                                | Practitioner.last_name.contains(filters["name"]))
        return page(query, pagination_parameters)

    @blp.arguments(NewPractitionerSchema)
    @blp.response(201, PractitionerDetailSchema)
    def post(self, data):
        """Register a practitioner working at one of the caller's clinics."""
        principal = require_reader()
        affiliation = {name: data.pop(name) for name in ("clinic_id", "starts_on", "title")}

        def register():
            clinic_to_edit(principal, affiliation["clinic_id"])
            return practitioners.register_practitioner(
                PractitionerSchema().dump(data),
                AffiliationSchema(only=("clinic_id", "starts_on", "title")).dump(affiliation),
                principal.actor)

        return saved(register)


@blp.route("/<int:practitioner_id>")
class PractitionerById(MethodView):
    @blp.response(200, PractitionerDetailSchema)
    def get(self, practitioner_id):
        """One practitioner, with their affiliations."""
        return get_or_404(Practitioner, practitioner_id, require_reader())

    @blp.arguments(PractitionerUpdateSchema(partial=True))
    @blp.response(200, PractitionerDetailSchema)
    def patch(self, data, practitioner_id):
        """Change a practitioner's name or contact details (officers of a clinic they work at)."""
        principal = require_reader()
        practitioner = get_or_404(Practitioner, practitioner_id, principal)
        clinics = practitioner_clinics(principal, practitioner.id)
        if not clinics:
            refuse()
        reason = data.pop("reason", None)

        def update():
            practitioners.update_practitioner(practitioner, PractitionerSchema().dump(data),
                                              principal.actor, clinic_id=clinics[0],
                                              reason=reason)
            return practitioner

        return saved(update)
