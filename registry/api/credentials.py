"""Credentials of practitioners and clinics, with their documents."""

from pathlib import Path

from flask import current_app, send_file
from flask.views import MethodView
from flask_smorest import Blueprint, abort
from flask_smorest.fields import Upload
from marshmallow import fields

from registry.api.access import readers_only, refuse, require_reader
from registry.api.results import page, saved
from registry.auth.principal import Principal
from registry.auth.tenancy import (
    clinic_to_edit,
    get_or_404,
    may_edit_clinic,
    practitioner_clinics,
    scoped,
)
from registry.models import Affiliation, Credential, Practitioner
from registry.models.credentials import CREDENTIAL_KINDS
from registry.schemas.common import BaseSchema, QuerySchema, RecordId, UtcDateTime, choice
from registry.schemas.practitioners import CredentialSchema, RenewalSchema
from registry.services import documents, practitioners, uploads
from registry.services.records import InvalidInput

PREFIX = "/credentials"
blp = Blueprint("credentials", __name__, description="Licences, certifications and training.")
blp.before_request(readers_only)
# Whether a credential was checked against its source is set by verification, not by hand.
VERIFICATION_FIELDS = ("verification_state", "verification_source", "verified_at")
WRITABLE = tuple(name for name, field in CredentialSchema().fields.items()
                 if not field.dump_only and name not in VERIFICATION_FIELDS + ("document_path",
                                                                           "document_sha256"))


class CredentialQuerySchema(QuerySchema):
    practitioner_id = RecordId()
    clinic_id = RecordId(metadata={
        "description": "Held by the clinic or by a practitioner working there."})
    kind = choice(CREDENTIAL_KINDS)
    expires_before = fields.Date(metadata={"description": "Expiring before this date."})


class CredentialOutSchema(CredentialSchema):
    class Meta:
        dump_only = VERIFICATION_FIELDS + ("document_path", "document_sha256")


class CredentialUpdateSchema(CredentialOutSchema):
    reason = fields.String(required=True, load_only=True)


class DocumentSchema(BaseSchema):
    file = Upload(required=True)


@blp.route("")
class Credentials(MethodView):
    @blp.arguments(CredentialQuerySchema, location="query")
    @blp.response(200, CredentialOutSchema(many=True))
    @blp.paginate()
    def get(self, filters, pagination_parameters):
        """Credentials the caller may see."""
        query = scoped(Credential, require_reader()).order_by(Credential.id)
        if filters.get("practitioner_id"):
            query = query.where(Credential.practitioner == filters["practitioner_id"])
        if filters.get("clinic_id"):
            query = query.where((Credential.clinic == filters["clinic_id"])
                                | Credential.practitioner.in_(
                                    Affiliation.select(Affiliation.practitioner)
                                    .where(Affiliation.clinic == filters["clinic_id"])))
        if filters.get("kind"):
            query = query.where(Credential.kind == filters["kind"])
        if filters.get("expires_before"):
            query = query.where(Credential.expires_on < filters["expires_before"])
        return page(query, pagination_parameters)

    @blp.arguments(CredentialOutSchema)
    @blp.response(201, CredentialOutSchema)
    def post(self, data):
        """Add a credential held by a practitioner or a clinic the caller edits."""
        principal = require_reader()

        def add():
            chain = _holder_clinic(principal, data)
            return practitioners.add_credential(_input(data), principal.actor, clinic_id=chain)

        return saved(add)


@blp.route("/<int:credential_id>")
class CredentialById(MethodView):
    @blp.response(200, CredentialOutSchema)
    def get(self, credential_id):
        """One credential."""
        return get_or_404(Credential, credential_id, require_reader())

    @blp.arguments(CredentialUpdateSchema(partial=True))
    @blp.response(200, CredentialOutSchema)
    def patch(self, data, credential_id):
        """Correct the credential's current period; a reason is required, and the version it
        replaces is kept. A renewal is a new period: POST to /renewals."""
        principal = require_reader()
        credential = get_or_404(Credential, credential_id, principal)
        chain = _editable(principal, credential)
        reason = data.pop("reason", None)

        def update():
            practitioners.update_credential(credential, _input(data), principal.actor,
                                            reason=reason, clinic_id=chain)
            return credential

        return saved(update)


class PeriodSchema(BaseSchema):
    id = fields.Integer()
    replaces_id = fields.Integer(allow_none=True, metadata={
        "description": "The version this one corrects (or revokes, or adds a document to)."})
    action = fields.String(metadata={"description": "record, renew, correct, revoke, document"})
    number = fields.String(allow_none=True)
    issuer = fields.String()
    state = fields.String(allow_none=True)
    issued_on = fields.Date(allow_none=True)
    expires_on = fields.Date(allow_none=True)
    revoked_on = fields.Date(allow_none=True)
    reason = fields.String(allow_none=True)
    recorded_at = UtcDateTime()
    recorded_by = fields.String()
    current = fields.Boolean(metadata={"description": "Not replaced by a later version."})


@blp.route("/<int:credential_id>/periods")
class CredentialPeriods(MethodView):
    @blp.response(200, PeriodSchema(many=True))
    def get(self, credential_id):
        """Every version of every validity period, oldest first: renewals add periods,
        corrections add versions; nothing recorded is changed."""
        credential = get_or_404(Credential, credential_id, require_reader())
        versions = practitioners.periods(credential)
        replaced = {v.replaces_id for v in versions if v.replaces_id}
        for version in versions:
            version.current = version.id not in replaced
        return versions


@blp.route("/<int:credential_id>/renewals")
class CredentialRenewals(MethodView):
    @blp.arguments(RenewalSchema)
    @blp.response(201, PeriodSchema)
    def post(self, data, credential_id):
        """Renew: a new validity period after the current one, which stays as recorded."""
        principal = require_reader()
        credential = get_or_404(Credential, credential_id, principal)
        chain = _editable(principal, credential)

        def renew():
            period = practitioners.renew_credential(credential, RenewalSchema().dump(data),
                                                    principal.actor, clinic_id=chain)
            period.current = True
            return period

        return saved(renew)


@blp.route("/<int:credential_id>/document")
class CredentialDocument(MethodView):
    @blp.doc(responses={"200": {
        "description": "The document as uploaded (PDF, PNG or JPEG).",
        "content": {media_type: {"schema": {"type": "string", "format": "binary"}}
                    for media_type, _extension in documents.SIGNATURES.values()}}})
    @blp.alt_response(404, description="No such credential, or no document on it.")
    def get(self, credential_id):
        """Download the credential's document."""
        credential = get_or_404(Credential, credential_id, require_reader())
        directory = _documents_directory()
        path = documents.path_of(credential.document_path, directory) \
            if credential.document_path else None
        if path is None:
            abort(404, message="This credential has no document.")
        return send_file(path, mimetype=documents.media_type(path.name), as_attachment=True,
                         download_name=f"credential-{credential.id}{path.suffix}")

    @blp.arguments(DocumentSchema, location="files")
    @blp.response(200, CredentialOutSchema)
    def put(self, files, credential_id):
        """Upload the credential's document: PDF, PNG or JPEG, up to the configured size and
        pixel count, within the clinic's storage quota; a PDF with JavaScript, a launch action
        or embedded files is refused."""
        principal = require_reader()
        credential = get_or_404(Credential, credential_id, principal)
        chain = _editable(principal, credential)

        def attach():
            content = files["file"].read(current_app.config["MAX_DOCUMENT_BYTES"] + 1)
            uploads.upload(credential, content, principal.actor, clinic_id=chain)
            return credential

        return saved(attach)


def _input(data: dict) -> dict:
    dumped = CredentialSchema(only=WRITABLE).dump(data)
    return {name: value for name, value in dumped.items() if name in data}


def _holder_clinic(principal: Principal, data: dict) -> int | None:
    """The clinic whose audit chain records a new credential, once the caller may add it."""
    if data.get("clinic_id") is not None:
        return clinic_to_edit(principal, data["clinic_id"]).id
    practitioner_id = data.get("practitioner_id")
    if practitioner_id is None:
        return None  # the schema reports the missing holder
    if scoped(Practitioner, principal).where(Practitioner.id == practitioner_id).first() is None:
        raise InvalidInput({"practitioner_id": [f"No practitioner with id {practitioner_id}."]})
    clinics = practitioner_clinics(principal, practitioner_id)
    if not clinics:
        refuse()
    return clinics[0]


def _editable(principal: Principal, credential: Credential) -> int:
    if credential.clinic_id is not None:
        if not may_edit_clinic(principal, credential.clinic_id):
            refuse()
        return credential.clinic_id
    clinics = practitioner_clinics(principal, credential.practitioner_id)
    if not clinics:
        refuse()
    return clinics[0]


def _documents_directory() -> Path:
    return Path(current_app.config["DOCUMENTS_PATH"])

