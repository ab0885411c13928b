"""Adverse reactions, with fields laid out like MedWatch Form 3500."""

from peewee import (
    BooleanField,
    CharField,
    DateField,
    DateTimeField,
    ForeignKeyField,
    IntegerField,
    TextField,
)

from registry.clock import utcnow
from registry.db import BaseModel
from registry.models.clients import Client
from registry.models.clinics import Clinic
from registry.models.pigments import PigmentLot
from registry.models.procedures import Procedure

# MoCRA's serious outcomes (FD&C Act 604(5)), one flag each; "other" is MedWatch B2's last box.
SERIOUS_OUTCOMES = (
    "outcome_death",
    "outcome_life_threatening",
    "outcome_hospitalization",
    "outcome_disability",
    "outcome_congenital_anomaly",
    "outcome_infection",
    "outcome_disfigurement",
    "outcome_intervention_required",
)
REACTION_STATUSES = ("open", "reported", "closed")


class AdverseReaction(BaseModel):
    # Editing a regulated record requires a reason in its audit event.
    regulated = True

    clinic = ForeignKeyField(Clinic, backref="reactions")
    client = ForeignKeyField(Client, backref="reactions")
    procedure = ForeignKeyField(Procedure, null=True, backref="reactions")
    # A1-A3: patient, in confidence.
    patient_age = IntegerField(null=True)
    patient_age_unit = CharField(default="years")
    patient_sex = CharField(null=True)
    # B: the event.
    event_on = DateField()
    aware_on = DateField()
    description = TextField()
    body_site = CharField(null=True)
    relevant_tests = TextField(null=True)
    relevant_history = TextField(null=True)
    outcome_death = BooleanField(default=False)
    death_on = DateField(null=True)
    outcome_life_threatening = BooleanField(default=False)
    outcome_hospitalization = BooleanField(default=False)
    outcome_disability = BooleanField(default=False)
    outcome_congenital_anomaly = BooleanField(default=False)
    outcome_infection = BooleanField(default=False)
    outcome_disfigurement = BooleanField(default=False)
    outcome_intervention_required = BooleanField(default=False)
    outcome_other_serious = BooleanField(default=False)
    serious = BooleanField(default=False, index=True)
    # C: product available for evaluation.
    product_available = BooleanField(null=True)
    # Reporting clock.
    reported_to_manufacturer_on = DateField(null=True)
    reported_to_fda_on = DateField(null=True)
    reported_to_state_on = DateField(null=True)
    fda_report_number = CharField(null=True)
    status = CharField(default="open")
    created_at = DateTimeField(default=utcnow)


class ReactionLot(BaseModel):
    """A suspect product (MedWatch section D): the lot the reaction is linked to."""

    reaction = ForeignKeyField(AdverseReaction, backref="suspect_lots", on_delete="CASCADE")
    lot = ForeignKeyField(PigmentLot, backref="reactions")

    class Meta:
        indexes = ((("reaction", "lot"), True),)
