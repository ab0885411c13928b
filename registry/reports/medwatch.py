"""An adverse reaction laid out like FDA MedWatch Form 3500 (voluntary), as JSON and as PDF.

The registry cannot file the report: FDA takes it online, by fax or by phone. This is the
clinic's record arranged box by box as the form asks for it, so it can be transcribed or sent
along. Only this reaction, its client, its procedure and its suspect lots appear in it.
"""

import json
from datetime import date

from flask import Response, current_app, render_template

from registry.clock import today
from registry.models import (
    AdverseReaction,
    Manufacturer,
    PigmentLot,
    PigmentProduct,
    Procedure,
    ProcedureLot,
    ReactionLot,
)
from registry.reports import render
from registry.services.reporting_clock import SERIOUS_REPORT_BUSINESS_DAYS, due_on

FORM = "FDA 3500 (voluntary)"
FORM_INSTRUCTIONS = "https://www.fda.gov/safety/download-forms/instructions-completing-form-fda-3500"
# MoCRA's definition of a serious adverse event and the 15-business-day deadline.
MOCRA_SOURCE = "https://open.fda.gov/apis/cosmetic/event"
SUBMIT_TO = {"online": "www.fda.gov/medwatch", "fax": "1-800-332-0178",
             "phone": "1-800-FDA-1088"}
NOTE = ("Laid out like FDA Form 3500 (voluntary) from the clinic's record. Fields the record "
        "does not hold are left blank (null or empty): fill them in before submitting. This "
        "file is not a submission; send the report to FDA online, by fax or by phone.")
ROUTE = "topical/intradermal (tattoo)"
OCCUPATION = "tattoo/permanent-makeup clinic"
ATTACHMENT = "medwatch-3500.json"
# Box A3 of the form, for the sexes the registry records.
SEX_LABELS = {"female": "Female", "male": "Male", "undifferentiated": "Undifferentiated",
              "declined": "Decline to answer"}
# MoCRA's serious outcomes (FD&C Act 604(5)) as the reasons a reaction is serious.
MOCRA_REASONS = {
    "outcome_death": "death",
    "outcome_life_threatening": "life-threatening experience",
    "outcome_hospitalization": "inpatient hospitalization",
    "outcome_disability": "persistent or significant disability or incapacity",
    "outcome_congenital_anomaly": "congenital anomaly or birth defect",
    "outcome_infection": "infection",
    "outcome_disfigurement": "significant disfigurement",
    "outcome_intervention_required":
        "medical or surgical intervention needed to prevent one of these",
    "outcome_other_serious": "other serious medical event",
}
# MoCRA outcomes with no box of their own on the form go under "other serious".
OTHER_SERIOUS = ("outcome_infection", "outcome_disfigurement", "outcome_other_serious")
REASONS_FOR_USE = {"smp": "scalp micropigmentation", "pmu": "permanent makeup",
                   "tattoo": "tattoo", "piercing": "body piercing"}


def _iso(value: date | None) -> str | None:
    return value.isoformat() if value else None


def _age(reaction: AdverseReaction) -> tuple[int | None, str | None]:
    """The age recorded on the report, else the client's age in years on the day of the event."""
    if reaction.patient_age is not None:
        return reaction.patient_age, reaction.patient_age_unit
    born = reaction.client.birth_date
    if born is None or born > reaction.event_on:
        return None, None
    event = reaction.event_on
    return event.year - born.year - ((event.month, event.day) < (born.month, born.day)), "years"


def _procedure(reaction: AdverseReaction) -> Procedure | None:
    procedure = reaction.procedure if reaction.procedure_id else None
    if procedure is None or procedure.clinic_id != reaction.clinic_id \
            or procedure.client_id != reaction.client_id:
        return None
    return procedure


def _suspects(reaction: AdverseReaction, procedure: Procedure | None) -> list[dict]:
    lots = (PigmentLot.select(PigmentLot, PigmentProduct, Manufacturer)
            .join(PigmentProduct).join(Manufacturer)
            .join_from(PigmentLot, ReactionLot)
            .where((ReactionLot.reaction == reaction.id)
                   & (PigmentLot.clinic == reaction.clinic_id))
            .order_by(PigmentLot.lot_number, PigmentLot.id))
    used = set()
    if procedure is not None:
        used = {use.lot_id for use in
                ProcedureLot.select(ProcedureLot.lot).where(ProcedureLot.procedure == procedure)}
    site = reaction.body_site or (procedure.body_area if procedure else None)
    reason = REASONS_FOR_USE.get(procedure.discipline) if procedure else None
    products = []
    for number, lot in enumerate(lots, start=1):
        product, maker = lot.product, lot.product.manufacturer
        day = _iso(procedure.performed_on) if lot.id in used else None
        products.append({
            "number": number, "name": product.name, "brand": product.brand,
            "shade": product.shade, "manufacturer": maker.name,
            "manufacturer_address": maker.address, "manufacturer_country": maker.country,
            "lot_number": lot.lot_number, "expiration_date": _iso(lot.expires_on),
            "unique_id": product.sku, "use_from": day, "use_to": day, "route": ROUTE,
            "body_site": site, "reason_for_use": reason,
        })
    return products


def _seriousness(reaction: AdverseReaction) -> dict:
    reasons = [label for name, label in MOCRA_REASONS.items() if getattr(reaction, name)]
    due = due_on(reaction.aware_on) if reaction.serious else None
    return {
        "serious": bool(reaction.serious),
        "classification": "serious" if reaction.serious else "not serious",
        "basis": "MoCRA: FD&C Act 604(5) (21 U.S.C. 364(5))",
        "reasons": reasons,
        "aware_on": _iso(reaction.aware_on),
        "report_due_on": _iso(due),
        "business_days": SERIOUS_REPORT_BUSINESS_DAYS if reaction.serious else None,
        "deadline_rule": ("FD&C Act 605 (21 U.S.C. 364a): the responsible person reports a "
                          "serious adverse event to FDA within 15 business days")
        if reaction.serious else None,
        "source": MOCRA_SOURCE,
    }


def medwatch_form(reaction: AdverseReaction) -> dict:
    """The reaction as a MedWatch 3500-shaped dict, sections keyed as on the form."""
    client = reaction.client
    clinic = reaction.clinic
    procedure = _procedure(reaction)
    age, age_unit = _age(reaction)
    sex = reaction.patient_sex or client.sex
    return {
        "form": FORM,
        "form_instructions": FORM_INSTRUCTIONS,
        "reaction_id": reaction.id,
        "note": NOTE,
        "submit_to": dict(SUBMIT_TO),
        "seriousness": _seriousness(reaction),
        "A": {
            "patient_identifier": client.reference,
            "in_confidence": True,
            "age": age,
            "age_unit": age_unit,
            "sex": SEX_LABELS.get(sex, sex) if sex else None,
            "weight": None,
            "weight_unit": None,
        },
        "B": {
            "type_of_report": ["adverse event"],
            "outcomes": {
                "death": bool(reaction.outcome_death),
                "death_date": _iso(reaction.death_on),
                "life_threatening": bool(reaction.outcome_life_threatening),
                "hospitalization": bool(reaction.outcome_hospitalization),
                "disability": bool(reaction.outcome_disability),
                "congenital_anomaly": bool(reaction.outcome_congenital_anomaly),
                "required_intervention": bool(reaction.outcome_intervention_required),
                "other_serious": any(getattr(reaction, name) for name in OTHER_SERIOUS),
                "other_serious_detail": [MOCRA_REASONS[name] for name in OTHER_SERIOUS
                                         if getattr(reaction, name)],
            },
            "event_date": _iso(reaction.event_on),
            "report_date": _iso(today()),
            "description": reaction.description,
            "relevant_tests": reaction.relevant_tests,
            "relevant_history": reaction.relevant_history,
        },
        "C": {
            "product_available": None if reaction.product_available is None
            else ("yes" if reaction.product_available else "no"),
        },
        "D": {"products": _suspects(reaction, procedure)},
        "E": None,
        "F": {"products": []},
        "G": {
            "name": clinic.name,
            "address": clinic.address,
            "city": clinic.city,
            "county": clinic.county,
            "state": clinic.state,
            "country": "United States",
            "phone": None,
            "email": None,
            "occupation": OCCUPATION,
            "also_reported_to": {
                "manufacturer_on": _iso(reaction.reported_to_manufacturer_on),
                "fda_on": _iso(reaction.reported_to_fda_on),
                "fda_report_number": reaction.fda_report_number,
                "state_on": _iso(reaction.reported_to_state_on),
            },
        },
    }


def medwatch_json(form: dict) -> str:
    return json.dumps(form, indent=2, ensure_ascii=False)


def medwatch_html(form: dict) -> str:
    """The form as HTML from templates/pdf/ (user text is escaped by Jinja)."""
    return render_template("pdf/medwatch.html", f=form, attachment=ATTACHMENT)


def medwatch_pdf(reaction: AdverseReaction, form: dict | None = None) -> bytes:
    """PDF/A-3b of the form, rendered like the audit report, with the JSON attached.

    Raises render.RenderError when the renderer fails or runs out of time or memory."""
    form = form if form is not None else medwatch_form(reaction)
    settings = current_app.config["REGISTRY_SETTINGS"]
    return render.render_pdf(
        medwatch_html(form),
        [{"name": ATTACHMENT, "text": medwatch_json(form),
          "description": "This adverse-event report laid out like FDA Form 3500, "
                         "machine-readable"}],
        timeout=settings.report_timeout, memory_bytes=settings.report_memory_mb * 1024 * 1024)


def file_name(reaction: AdverseReaction, suffix: str) -> str:
    return f"medwatch-3500-reaction-{reaction.id}.{suffix}"


def _download(body, mimetype: str, name: str) -> Response:
    """An attachment that no cache keeps: it holds personal health data."""
    response = Response(body, mimetype=mimetype)
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    response.headers["Cache-Control"] = "no-store"
    return response


def json_download(reaction: AdverseReaction) -> Response:
    return _download(medwatch_json(medwatch_form(reaction)), "application/json",
                     file_name(reaction, "json"))


def pdf_download(reaction: AdverseReaction) -> Response:
    """Raises render.RenderError when the PDF could not be made."""
    return _download(medwatch_pdf(reaction), "application/pdf", file_name(reaction, "pdf"))


def log_render_failure(reaction: AdverseReaction) -> None:
    """For operators, by record ids only: the renderer's message could quote the report."""
    current_app.logger.warning("MedWatch PDF not rendered for reaction %s of clinic %s",
                               reaction.id, reaction.clinic_id)
