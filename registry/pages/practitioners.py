"""A clinic's practitioners and their credentials: the lists, and the forms that keep them."""

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    send_file,
    url_for,
)

from registry.auth.tenancy import may_edit_clinic, practitioner_clinics
from registry.clock import today
from registry.models import Affiliation, Clinic, Credential, CredentialVerification, Practitioner
from registry.models.credentials import CREDENTIAL_KINDS, KIND_LABELS
from registry.pages.forms import render_form
from registry.pages.guard import clinic_to_edit, clinic_to_read
from registry.pages.practitioner_forms import (
    CHANGEABLE,
    CLINIC_KINDS,
    PERSONAL_KINDS,
    CertificateForm,
    EditCredentialForm,
    EditPractitionerForm,
    NewCredentialForm,
    NewPractitionerForm,
    RenewalForm,
    kind_label,
)
from registry.services import documents, practitioners, uploads

bp = Blueprint("practitioners", __name__, url_prefix="/clinics")
bp.add_app_template_filter(kind_label, "credential_kind")


@dataclass
class Member:
    """Someone who works or worked at the clinic, with their affiliations and credentials."""

    practitioner: Practitioner
    affiliations: list = field(default_factory=list)
    credentials: list = field(default_factory=list)
    current: bool = False

    @property
    def since(self) -> date:
        return self.affiliations[0].starts_on

    @property
    def until(self) -> date | None:
        """The last day worked here, for someone who no longer does."""
        return None if self.current else max(a.ends_on for a in self.affiliations)


def _staff(clinic: Clinic):
    """Everyone who works or worked at the clinic, as a subquery."""
    return Affiliation.select(Affiliation.practitioner).where(Affiliation.clinic == clinic.id)


def _in_order(credentials) -> list:
    rank = {kind: n for n, kind in enumerate(CREDENTIAL_KINDS)}
    return sorted(credentials, key=lambda c: (rank.get(c.kind, len(rank)),
                                              -(c.issued_on or date.min).toordinal(), c.id))


def _roster(clinic: Clinic, day: date) -> list[Member]:
    """The clinic's practitioners, current ones first, each with their credentials."""
    members: dict[int, Member] = {}
    rows = (Affiliation.select(Affiliation, Practitioner).join(Practitioner)
            .where(Affiliation.clinic == clinic.id).order_by(Affiliation.starts_on))
    for row in rows:
        member = members.setdefault(row.practitioner_id, Member(row.practitioner))
        member.affiliations.append(row)
        member.current |= row.ends_on is None or row.ends_on >= day
    for credential in Credential.select().where(Credential.practitioner.in_(_staff(clinic))):
        members[credential.practitioner_id].credentials.append(credential)
    for member in members.values():
        member.credentials = _in_order(member.credentials)
    return sorted(members.values(), key=lambda m: (
        not m.current, m.practitioner.last_name.lower(), m.practitioner.first_name.lower()))


def _practitioner(clinic: Clinic, practitioner_id: int) -> Practitioner:
    """Someone who works or worked at the clinic, or 404."""
    row = Practitioner.get_or_none((Practitioner.id == practitioner_id)
                                   & Practitioner.id.in_(_staff(clinic)))
    if row is None:
        abort(404)
    return row


def _changeable(principal, clinic: Clinic, practitioner_id: int | None) -> None:
    """Only a clinic the practitioner works at today changes their records (403 otherwise)."""
    if practitioner_id is not None and clinic.id not in practitioner_clinics(
            principal, practitioner_id):
        abort(403)


def _credential(clinic: Clinic, credential_id: int) -> Credential:
    """A credential held by the clinic or by someone who works or worked there, or 404."""
    row = Credential.get_or_none((Credential.id == credential_id) & (
        (Credential.clinic == clinic.id) | Credential.practitioner.in_(_staff(clinic))))
    if row is None:
        abort(404)
    return row


def _holder_page(clinic: Clinic, credential: Credential) -> str:
    if credential.practitioner_id is None:
        return url_for("pages.practitioners.index", clinic_id=clinic.id)
    return url_for("pages.practitioners.show", clinic_id=clinic.id,
                   practitioner_id=credential.practitioner_id)


def _documents() -> Path:
    return Path(current_app.config["DOCUMENTS_PATH"])


@bp.get("/<int:clinic_id>/practitioners")
def index(clinic_id):
    principal, clinic = clinic_to_read(clinic_id)
    day = today()
    held = _in_order(Credential.select().where(Credential.clinic == clinic.id))
    return render_template("practitioners/index.html", clinic=clinic, day=day,
                           roster=_roster(clinic, day), held=held,
                           editable=may_edit_clinic(principal, clinic.id))


@bp.route("/<int:clinic_id>/practitioners/new", methods=["GET", "POST"])
def new(clinic_id):
    principal, clinic = clinic_to_edit(clinic_id)
    form = NewPractitionerForm()

    def register():
        values = form.values()
        affiliation = {name: values.pop(name) for name in ("title", "starts_on")
                       if name in values}
        return practitioners.register_practitioner(
            values, {**affiliation, "clinic_id": clinic.id}, principal.actor)

    person = form.save(register)
    if person is not None:
        flash("The practitioner is registered.")
        return redirect(url_for("pages.practitioners.show", clinic_id=clinic.id,
                                practitioner_id=person.id))
    return render_form("practitioners/new.html", form, clinic=clinic)


@bp.get("/<int:clinic_id>/practitioners/<int:practitioner_id>")
def show(clinic_id, practitioner_id):
    principal, clinic = clinic_to_read(clinic_id)
    person = _practitioner(clinic, practitioner_id)
    affiliations = (Affiliation.select().where((Affiliation.practitioner == person.id)
                                               & (Affiliation.clinic == clinic.id))
                    .order_by(Affiliation.starts_on))
    checks = (CredentialVerification.select(CredentialVerification, Credential).join(Credential)
              .where(Credential.practitioner == person.id)
              .order_by(CredentialVerification.checked_at.desc(), CredentialVerification.id))
    return render_template(
        "practitioners/show.html", clinic=clinic, person=person, day=today(),
        affiliations=list(affiliations), checks=list(checks),
        credentials=_in_order(Credential.select().where(Credential.practitioner == person.id)),
        editable=may_edit_clinic(principal, clinic.id))


@bp.route("/<int:clinic_id>/practitioners/<int:practitioner_id>/edit", methods=["GET", "POST"])
def edit(clinic_id, practitioner_id):
    principal, clinic = clinic_to_edit(clinic_id)
    person = _practitioner(clinic, practitioner_id)
    _changeable(principal, clinic, person.id)
    form = EditPractitionerForm(obj=person)

    def change():
        values = {"email": None, "phone": None, **form.values(skip=("reason",))}
        return practitioners.update_practitioner(person, values, principal.actor,
                                                 clinic_id=clinic.id,
                                                 reason=form.reason.data or None)

    if form.save(change) is not None:
        flash("The practitioner's details are saved.")
        return redirect(url_for("pages.practitioners.show", clinic_id=clinic.id,
                                practitioner_id=person.id))
    return render_form("practitioners/edit.html", form, clinic=clinic, person=person)


def _add_credential(principal, clinic: Clinic, form: NewCredentialForm, holder: dict,
                    back: str, **context):
    """Add a credential for the given holder, recorded in the clinic's audit trail."""
    added = form.save(lambda: practitioners.add_credential(
        {**form.values(), **holder}, principal.actor, clinic_id=clinic.id))
    if added is not None:
        flash(f"The {KIND_LABELS.get(added.kind, 'credential')} is added.")
        return redirect(back)
    return render_form("practitioners/new_credential.html", form, clinic=clinic, **context)


@bp.route("/<int:clinic_id>/practitioners/<int:practitioner_id>/credentials/new",
          methods=["GET", "POST"])
def new_credential(clinic_id, practitioner_id):
    principal, clinic = clinic_to_edit(clinic_id)
    person = _practitioner(clinic, practitioner_id)
    _changeable(principal, clinic, person.id)
    back = url_for("pages.practitioners.show", clinic_id=clinic.id, practitioner_id=person.id)
    return _add_credential(principal, clinic, NewCredentialForm(PERSONAL_KINDS),
                           {"practitioner_id": person.id}, back, person=person)


@bp.route("/<int:clinic_id>/credentials/new", methods=["GET", "POST"])
def new_clinic_credential(clinic_id):
    principal, clinic = clinic_to_edit(clinic_id)
    back = url_for("pages.practitioners.index", clinic_id=clinic.id)
    return _add_credential(principal, clinic, NewCredentialForm(CLINIC_KINDS, state=clinic.state),
                           {"clinic_id": clinic.id}, back, person=None)


@bp.route("/<int:clinic_id>/credentials/<int:credential_id>/edit", methods=["GET", "POST"])
def edit_credential(clinic_id, credential_id):
    principal, clinic = clinic_to_edit(clinic_id)
    credential = _credential(clinic, credential_id)
    _changeable(principal, clinic, credential.practitioner_id)
    form = EditCredentialForm(obj=credential)

    def change():
        values = {**dict.fromkeys(CHANGEABLE), **form.values(skip=("reason",))}
        return practitioners.update_credential(credential, values, principal.actor,
                                               reason=form.reason.data, clinic_id=clinic.id)

    if form.save(change) is not None:
        flash(f"The correction of the {KIND_LABELS.get(credential.kind, 'credential')} is "
              "saved; the version it corrects is kept in its history.")
        return redirect(_holder_page(clinic, credential))
    return render_form("practitioners/edit_credential.html", form, clinic=clinic,
                       credential=credential)


@bp.route("/<int:clinic_id>/credentials/<int:credential_id>/renew", methods=["GET", "POST"])
def renew_credential(clinic_id, credential_id):
    """A new validity period; the earlier one stays as it was recorded."""
    principal, clinic = clinic_to_edit(clinic_id)
    credential = _credential(clinic, credential_id)
    _changeable(principal, clinic, credential.practitioner_id)
    form = RenewalForm()
    renewed = form.save(lambda: practitioners.renew_credential(
        credential, form.values(), principal.actor, clinic_id=clinic.id))
    if renewed is not None:
        flash(f"The {KIND_LABELS.get(credential.kind, 'credential')} is renewed until "
              f"{renewed.expires_on.isoformat() if renewed.expires_on else 'further notice'}."
              " The earlier period is kept as it was.")
        return redirect(_holder_page(clinic, credential))
    return render_form("practitioners/renew_credential.html", form, clinic=clinic,
                       credential=credential)


@bp.get("/<int:clinic_id>/credentials/<int:credential_id>/history")
def credential_history(clinic_id, credential_id):
    """Every period and every correction of a credential, as recorded."""
    _principal, clinic = clinic_to_read(clinic_id)
    credential = _credential(clinic, credential_id)
    versions = practitioners.periods(credential)
    replaced = {v.replaces_id: v for v in versions if v.replaces_id}
    return render_template("practitioners/credential_history.html", clinic=clinic,
                           credential=credential, versions=versions, replaced=replaced)


@bp.route("/<int:clinic_id>/credentials/<int:credential_id>/document", methods=["GET", "POST"])
def upload(clinic_id, credential_id):
    principal, clinic = clinic_to_edit(clinic_id)
    credential = _credential(clinic, credential_id)
    _changeable(principal, clinic, credential.practitioner_id)
    limit = current_app.config["MAX_DOCUMENT_BYTES"]
    form = CertificateForm()
    form.file.description = f"A PDF, PNG or JPEG file of at most {limit // 1024 ** 2} MiB."

    def attach():
        return uploads.upload(credential, form.file.data.read(limit + 1), principal.actor,
                              clinic_id=clinic.id)

    if form.save(attach) is not None:
        flash("The certificate is uploaded.")
        return redirect(_holder_page(clinic, credential))
    return render_form("practitioners/upload.html", form, clinic=clinic, credential=credential)


@bp.get("/<int:clinic_id>/credentials/<int:credential_id>/document/file")
def document(clinic_id, credential_id):
    _principal, clinic = clinic_to_read(clinic_id)
    credential = _credential(clinic, credential_id)
    stored = credential.document_path and documents.path_of(credential.document_path,
                                                            _documents())
    if not stored:
        abort(404)
    return send_file(stored, mimetype=documents.media_type(stored.name), as_attachment=True,
                     download_name=f"credential-{credential.id}{stored.suffix}")
