"""A clinic's procedure log and its clients: each procedure with the pigment lots it used."""

from collections import defaultdict
from dataclasses import dataclass
from math import ceil

from flask import Blueprint, flash, redirect, render_template, request, url_for
from wtforms import BooleanField, DateField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Optional

from registry.auth.tenancy import may_edit_clinic, may_see_contacts
from registry.clock import today
from registry.models import (
    Affiliation,
    Client,
    PigmentLot,
    PigmentProduct,
    Practitioner,
    Procedure,
    ProcedureLot,
)
from registry.models.clinics import DISCIPLINES
from registry.pages.dashboard import DISCIPLINE_LABELS, MultiCheckboxField
from registry.pages.forms import Form, options, render_form
from registry.pages.guard import clinic_to_edit, clinic_to_read
from registry.services import procedures
from registry.services.records import InvalidInput

bp = Blueprint("procedures", __name__, url_prefix="/clinics")

PAGE_SIZE = 50
SEX_CHOICES = (("", "Not recorded"), ("female", "Female"), ("male", "Male"),
               ("undifferentiated", "Undifferentiated"), ("declined", "Declined to say"))


@dataclass(frozen=True)
class Pager:
    """One page of a long list, numbered from 1."""

    rows: list
    number: int
    pages: int
    total: int


def paginate(query) -> Pager:
    """The page of the query named by ?page= (clamped to the pages there are)."""
    total = query.count()
    pages = max(1, ceil(total / PAGE_SIZE))
    number = min(max(request.args.get("page", 1, type=int), 1), pages)
    return Pager(list(query.paginate(number, PAGE_SIZE)), number, pages, total)


def lot_label(lot: PigmentLot) -> str:
    """"Brand Name (shade), lot NUMBER — status"; the lot's product must be loaded with it."""
    product = lot.product
    shade = f" ({product.shade})" if product.shade else ""
    return (f"{product.brand} {product.name}{shade}, lot {lot.lot_number} — "
            f"{lot.status.replace('_', ' ')}")


def lot_choices(clinic, *, with_disposed: bool) -> list:
    query = (PigmentLot.select(PigmentLot, PigmentProduct).join(PigmentProduct)
             .where(PigmentLot.clinic == clinic.id)
             .order_by(PigmentProduct.brand, PigmentProduct.name, PigmentLot.lot_number))
    if not with_disposed:
        query = query.where(PigmentLot.status != "disposed")
    return options((lot.id, lot_label(lot)) for lot in query)


def client_choices(clinic) -> list:
    query = (Client.select(Client.id, Client.reference).where(Client.clinic == clinic.id)
             .order_by(Client.reference))
    return options([("", "Choose a client")] + [(c.id, c.reference) for c in query])


def staff_choices(clinic) -> list:
    """Practitioners working at the clinic today."""
    day = today()
    query = (Practitioner.select(Practitioner.id, Practitioner.first_name, Practitioner.last_name)
             .join(Affiliation)
             .where((Affiliation.clinic == clinic.id) & (Affiliation.starts_on <= day)
                    & (Affiliation.ends_on.is_null() | (Affiliation.ends_on >= day)))
             .distinct().order_by(Practitioner.last_name, Practitioner.first_name))
    return options([("", "Choose a practitioner")]
                   + [(p.id, f"{p.last_name}, {p.first_name}") for p in query])


class ProcedureForm(Form):
    practitioner_id = SelectField("Practitioner",
                                  validators=[InputRequired("Choose the practitioner.")])
    client_id = SelectField("Client", validators=[InputRequired("Choose the client.")])
    performed_on = DateField("Performed on",
                             validators=[InputRequired("Enter the date of the procedure.")])
    discipline = SelectField("Discipline", choices=options(
        (d, DISCIPLINE_LABELS.get(d, d)) for d in DISCIPLINES), default=DISCIPLINES[0])
    body_area = StringField("Body area", validators=[DataRequired("Enter the body area.")],
                            description="For example scalp, eyebrows, lips, forearm.")
    session_number = IntegerField("Session number", default=1, validators=[Optional()],
                                  description="1 for a first session, 2 for the next, …")
    consent_on_file = BooleanField("Consent form on file")
    parental_consent_on_file = BooleanField("Parental consent on file",
                                            description="For a client under 18.")
    aftercare_given = BooleanField("Aftercare instructions given")
    is_cover_up = BooleanField("Covers an existing tattoo")
    notes = TextAreaField("Notes")
    lot_ids = MultiCheckboxField("Lots used", description="Every pigment lot used.")


class ClientForm(Form):
    reference = StringField(
        "Client reference", validators=[DataRequired("Enter the clinic's reference.")],
        description="The clinic's own reference for the client, shown instead of a name.")
    initials = StringField("Initials")
    birth_date = DateField("Date of birth", validators=[Optional()],
                           description="Needed for the rules about minors.")
    sex = SelectField("Sex", choices=options(SEX_CHOICES), default="")


def lots_by_procedure(procedure_ids: list[int]) -> dict[int, list[str]]:
    used = defaultdict(list)
    query = (ProcedureLot.select(ProcedureLot.procedure, PigmentLot, PigmentProduct)
             .join(PigmentLot).join(PigmentProduct)
             .where(ProcedureLot.procedure.in_(procedure_ids or [0]))
             .order_by(PigmentLot.lot_number))
    for use in query:
        used[use.procedure_id].append(lot_label(use.lot))
    return used


@bp.get("/<int:clinic_id>/procedures")
def index(clinic_id):
    principal, clinic = clinic_to_read(clinic_id)
    query = (Procedure.select(Procedure, Practitioner, Client).join(Practitioner)
             .switch(Procedure).join(Client).where(Procedure.clinic == clinic.id)
             .order_by(Procedure.performed_on.desc(), Procedure.id.desc()))
    pager = paginate(query)
    return render_template("procedures/index.html", clinic=clinic, pager=pager,
                           lots=lots_by_procedure([p.id for p in pager.rows]),
                           disciplines=DISCIPLINE_LABELS,
                           editable=may_edit_clinic(principal, clinic.id))


@bp.route("/<int:clinic_id>/procedures/new", methods=["GET", "POST"])
def new(clinic_id):
    principal, clinic = clinic_to_edit(clinic_id)
    form = ProcedureForm()
    form.practitioner_id.choices = staff_choices(clinic)
    form.client_id.choices = client_choices(clinic)
    form.lot_ids.choices = lot_choices(clinic, with_disposed=False)
    if not form.is_submitted():
        form.discipline.data = (clinic.disciplines or "smp").split(",")[0].strip()
        form.client_id.data = request.args.get("client_id", "")
    saved = form.save(lambda: procedures.record_procedure(
        {**form.values(), "clinic_id": clinic.id}, principal.actor))
    if saved:
        flash(f"The procedure of {saved.performed_on.isoformat()} is recorded.")
        return redirect(url_for("pages.procedures.index", clinic_id=clinic.id))
    return render_form("procedures/new.html", form, clinic=clinic)


@bp.get("/<int:clinic_id>/clients")
def clients(clinic_id):
    principal, clinic = clinic_to_read(clinic_id)
    query = Client.select().where(Client.clinic == clinic.id).order_by(Client.reference)
    return render_template("procedures/clients.html", clinic=clinic, pager=paginate(query),
                           sexes=dict(SEX_CHOICES), editable=may_edit_clinic(principal, clinic.id),
                           contacts_shown=may_see_contacts(principal, clinic.id))


@bp.route("/<int:clinic_id>/clients/new", methods=["GET", "POST"])
def new_client(clinic_id):
    principal, clinic = clinic_to_edit(clinic_id)
    form = ClientForm()

    def create():
        try:
            return procedures.create_client({**form.values(), "clinic_id": clinic.id},
                                            principal.actor)
        except InvalidInput as invalid:
            # The only uniqueness rule for a client is its reference within the clinic.
            if "_schema" in invalid.errors:
                raise InvalidInput({"reference": ["This clinic already has a client with "
                                                  "this reference."]}) from invalid
            raise

    client = form.save(create)
    if client:
        flash(f"Client {client.reference} is added.")
        if request.args.get("then") == "procedure":
            return redirect(url_for("pages.procedures.new", clinic_id=clinic.id,
                                    client_id=client.id))
        return redirect(url_for("pages.procedures.clients", clinic_id=clinic.id))
    return render_form("procedures/new_client.html", form, clinic=clinic)
