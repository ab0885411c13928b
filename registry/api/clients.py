"""Clients of a clinic: the people procedures are performed on."""

from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import fields, post_dump

from registry.api.access import readers_only, refuse, require_reader
from registry.api.results import page, saved
from registry.auth.principal import current
from registry.auth.tenancy import (
    clinic_to_edit,
    get_or_404,
    may_edit_clinic,
    may_see_contacts,
    scoped,
    without_contacts,
)
from registry.models import Client
from registry.schemas.clients import ClientSchema
from registry.schemas.common import QuerySchema, RecordId
from registry.services import procedures

PREFIX = "/clients"
blp = Blueprint("clients", __name__, description="Clients of the caller's clinics.")
blp.before_request(readers_only)


class ClientQuerySchema(QuerySchema):
    clinic_id = RecordId()
    reference = fields.String(metadata={"description": "The clinic's own reference, exactly."})


class ClientOutSchema(ClientSchema):
    """A client as the caller may see it: initials, email and phone are null unless the caller
    is an officer of the client's clinic."""

    @post_dump(pass_original=True)
    def _contacts(self, data, original, **_kwargs):
        if may_see_contacts(current(), original.clinic_id):
            return data
        return without_contacts(data)


class ClientUpdateSchema(ClientSchema):
    class Meta:
        dump_only = ("clinic_id",)

    reason = fields.String(required=True, load_only=True)


@blp.route("")
class Clients(MethodView):
    @blp.arguments(ClientQuerySchema, location="query")
    @blp.response(200, ClientOutSchema(many=True))
    @blp.paginate()
    def get(self, filters, pagination_parameters):
        """Clients of the clinics the caller may see; initials, email and phone only for the
        officers of the client's clinic."""
        query = scoped(Client, require_reader()).order_by(Client.id)
        if filters.get("clinic_id"):
            query = query.where(Client.clinic == filters["clinic_id"])
        if filters.get("reference"):
            query = query.where(Client.reference == filters["reference"])
        return page(query, pagination_parameters)

    @blp.arguments(ClientSchema)
    @blp.response(201, ClientOutSchema)
    def post(self, data):
        """Add a client to one of the caller's clinics."""
        principal = require_reader()

        def create():
            clinic_to_edit(principal, data["clinic_id"])
            return procedures.create_client(ClientSchema().dump(data), principal.actor)

        return saved(create)


@blp.route("/<int:client_id>")
class ClientById(MethodView):
    @blp.response(200, ClientOutSchema)
    def get(self, client_id):
        """One client; initials, email and phone only for the officers of its clinic."""
        return get_or_404(Client, client_id, require_reader())

    @blp.arguments(ClientUpdateSchema(partial=True))
    @blp.response(200, ClientOutSchema)
    def patch(self, data, client_id):
        """Correct a client's details; a reason is required."""
        principal = require_reader()
        client = get_or_404(Client, client_id, principal)
        if not may_edit_clinic(principal, client.clinic_id):
            refuse()
        reason = data.pop("reason", None)

        def update():
            procedures.update_client(client, ClientSchema().dump(data), principal.actor,
                                     reason=reason)
            return client

        return saved(update)
