"""Input for clients, procedures and adverse reactions."""

from marshmallow import ValidationError, fields, validate, validates_schema

from registry.clock import today
from registry.models.clinics import DISCIPLINES
from registry.schemas.common import BaseSchema, RecordId, choice, require_order, text

SEXES = ("female", "male", "undifferentiated", "declined")
AGE_UNITS = ("years", "months", "weeks", "days")


class ClientSchema(BaseSchema):
    id = fields.Integer(dump_only=True)
    clinic_id = RecordId(required=True)
    reference = text(max_length=64, required=True)
    initials = text(max_length=8, load_default=None)
    birth_date = fields.Date(load_default=None)
    sex = choice(SEXES, load_default=None)
    email = fields.Email(load_default=None, validate=validate.Length(max=254))
    phone = text(max_length=40, load_default=None)


class ProcedureSchema(BaseSchema):
    id = fields.Integer(dump_only=True)
    clinic_id = RecordId(required=True)
    practitioner_id = RecordId(required=True)
    client_id = RecordId(required=True)
    performed_on = fields.Date(required=True)
    discipline = choice(DISCIPLINES, load_default="smp")
    body_area = text(required=True)
    session_number = fields.Integer(load_default=1, validate=validate.Range(min=1, max=100))
    consent_on_file = fields.Boolean(load_default=False)
    parental_consent_on_file = fields.Boolean(load_default=False)
    aftercare_given = fields.Boolean(load_default=False)
    is_cover_up = fields.Boolean(load_default=False)
    notes = text(max_length=4000, load_default=None)
    lot_ids = fields.List(RecordId(), load_default=list, validate=validate.Length(max=50))


class AdverseReactionSchema(BaseSchema):
    id = fields.Integer(dump_only=True)
    clinic_id = RecordId(required=True)
    client_id = RecordId(required=True)
    procedure_id = RecordId(load_default=None)
    patient_age = fields.Integer(load_default=None, validate=validate.Range(min=0, max=130))
    patient_age_unit = choice(AGE_UNITS, load_default="years")
    patient_sex = choice(SEXES, load_default=None)
    event_on = fields.Date(required=True)
    aware_on = fields.Date(required=True)
    description = text(max_length=8000, required=True)
    body_site = text(load_default=None)
    relevant_tests = text(max_length=8000, load_default=None)
    relevant_history = text(max_length=8000, load_default=None)
    outcome_death = fields.Boolean(load_default=False)
    death_on = fields.Date(load_default=None)
    outcome_life_threatening = fields.Boolean(load_default=False)
    outcome_hospitalization = fields.Boolean(load_default=False)
    outcome_disability = fields.Boolean(load_default=False)
    outcome_congenital_anomaly = fields.Boolean(load_default=False)
    outcome_infection = fields.Boolean(load_default=False)
    outcome_disfigurement = fields.Boolean(load_default=False)
    outcome_intervention_required = fields.Boolean(load_default=False)
    outcome_other_serious = fields.Boolean(load_default=False)
    product_available = fields.Boolean(load_default=None)
    reported_to_manufacturer_on = fields.Date(load_default=None)
    reported_to_fda_on = fields.Date(load_default=None)
    reported_to_state_on = fields.Date(load_default=None)
    fda_report_number = text(max_length=64, load_default=None)
    lot_ids = fields.List(RecordId(), load_default=list, validate=validate.Length(max=10))

    @validates_schema
    def _clock(self, data, **_kwargs):
        for name in ("event_on", "aware_on"):
            if data.get(name) and data[name] > today():
                raise ValidationError("A date in the future.", name)
        require_order(data, "event_on", "aware_on", "Became aware before the event happened.")
        require_order(data, "event_on", "reported_to_fda_on", "Reported before the event.")
        if data.get("death_on") and not data.get("outcome_death"):
            raise ValidationError("A date of death goes with the death outcome.", "death_on")
