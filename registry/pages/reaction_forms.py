"""The adverse-reaction forms, laid out like MedWatch Form 3500 in plain words."""

from wtforms import (
    BooleanField,
    DateField,
    IntegerField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Optional

from registry.pages.dashboard import MultiCheckboxField
from registry.pages.forms import Form, options
from registry.pages.procedures import SEX_CHOICES
from registry.schemas.clients import AGE_UNITS

# MoCRA's serious outcomes, asked as plain questions (MedWatch section B2).
OUTCOME_LABELS = {
    "outcome_death": "Death",
    "outcome_life_threatening": "A life-threatening condition",
    "outcome_hospitalization": "Hospitalization (admitted, or a longer stay)",
    "outcome_disability": "Lasting or significant disability or incapacity",
    "outcome_congenital_anomaly": "A birth defect",
    "outcome_infection": "An infection",
    "outcome_disfigurement": ("Significant disfigurement (scarring, serious or lasting rashes, "
                              "second- or third-degree burns, significant hair loss, or a "
                              "lasting change of appearance)"),
    "outcome_intervention_required": ("Medical or surgical treatment needed to prevent one "
                                      "of these"),
    "outcome_other_serious": "Another serious medical outcome",
}
OUTCOMES_LEGEND = "Did the reaction result in any of these?"
REPORTED_FIELDS = ("reported_to_manufacturer_on", "reported_to_fda_on", "reported_to_state_on",
                   "fda_report_number")
SERIOUSNESS = ((OUTCOMES_LEGEND, tuple(OUTCOME_LABELS)), "death_on")
# The report form's sections: a heading, then field names or (legend, names) for a fieldset.
SECTIONS = (
    ("The client", ("client_id", "procedure_id", "patient_age", "patient_age_unit",
                    "patient_sex")),
    ("The reaction", ("event_on", "aware_on", "description", "body_site", "relevant_tests",
                      "relevant_history")),
    ("How serious it was", SERIOUSNESS),
    ("Suspect products", ("lot_ids", "product_available")),
    ("Reports made", REPORTED_FIELDS),
)
UPDATE_SECTIONS = (
    ("How serious it was", SERIOUSNESS),
    ("Reports made", REPORTED_FIELDS),
    ("Why", ("reason",)),
)

Outcomes = type("Outcomes", (Form,), {
    **{name: BooleanField(label) for name, label in OUTCOME_LABELS.items()},
    "death_on": DateField("Date of death", validators=[Optional()],
                          description="Only when the outcome was death."),
})


class Reporting(Outcomes):
    reported_to_manufacturer_on = DateField("Reported to the manufacturer on",
                                            validators=[Optional()])
    reported_to_fda_on = DateField("Reported to FDA on", validators=[Optional()],
                                   description="The date the MedWatch report was sent.")
    reported_to_state_on = DateField("Reported to the state on", validators=[Optional()])
    fda_report_number = StringField("FDA report number")


class ReactionForm(Reporting):
    client_id = SelectField("Client", validators=[InputRequired("Choose the client.")])
    procedure_id = SelectField("Procedure", default="",
                               description="The procedure before the reaction.")
    patient_age = IntegerField("Client's age at the time", validators=[Optional()])
    patient_age_unit = SelectField("Age given in", choices=options(
        (unit, unit.capitalize()) for unit in AGE_UNITS), default="years")
    patient_sex = SelectField("Sex", choices=options(SEX_CHOICES), default="")
    event_on = DateField("Date of the reaction",
                         validators=[InputRequired("Enter the date of the reaction.")])
    aware_on = DateField(
        "Date the clinic learned of it",
        validators=[InputRequired("Enter the date the clinic learned of the reaction.")],
        description="For a serious reaction, the 15 business days to report it to FDA "
                    "start on this date.")
    description = TextAreaField("What happened",
                                validators=[DataRequired("Describe what happened.")])
    body_site = StringField("Body site")
    relevant_tests = TextAreaField("Tests or lab results")
    relevant_history = TextAreaField(
        "Relevant history", description="Allergies, conditions, other products used.")
    product_available = SelectField(
        "Product available for evaluation",
        choices=options((("", "Not known"), ("true", "Yes"), ("false", "No"))), default="")
    lot_ids = MultiCheckboxField("Suspect lots", description="The lots that may have caused it.")


class ReactionUpdateForm(Reporting):
    reason = TextAreaField("Reason for the change",
                           validators=[DataRequired("Say why the report changes.")],
                           description="Kept in the clinic's audit trail.")

    def clearable(self) -> tuple[str, ...]:
        """Fields that a blank answer clears."""
        return ("death_on", *REPORTED_FIELDS)
