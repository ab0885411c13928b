"""The shape of an adverse reaction laid out like FDA MedWatch Form 3500 (voluntary).

Output only. Boxes the registry does not record are null or empty."""

from marshmallow import Schema, fields


def _date(description: str, **kwargs):
    return fields.String(allow_none=True, metadata={"format": "date",
                                                    "description": description}, **kwargs)


def _text(description: str):
    return fields.String(allow_none=True, metadata={"description": description})


def _flag(description: str):
    return fields.Boolean(metadata={"description": description})


class MedWatchSubmitToSchema(Schema):
    online = fields.String()
    fax = fields.String()
    phone = fields.String()


class MedWatchSeriousnessSchema(Schema):
    serious = _flag("Serious under MoCRA's definition.")
    classification = fields.String(metadata={"description": "'serious' or 'not serious'."})
    basis = fields.String()
    reasons = fields.List(fields.String(), metadata={
        "description": "The MoCRA serious outcomes that apply."})
    aware_on = _date("The day the clinic learned of the reaction.")
    report_due_on = _date("Serious reactions: report to FDA by this day (15 business days "
                          "after aware_on).")
    business_days = fields.Integer(allow_none=True)
    deadline_rule = _text("The statute the deadline comes from.")
    source = fields.String()


class MedWatchPatientSchema(Schema):
    patient_identifier = fields.String(metadata={
        "description": "A1: the client's reference at the clinic, never a name."})
    in_confidence = fields.Boolean()
    age = fields.Integer(allow_none=True, metadata={"description": "A2"})
    age_unit = _text("A2: years, months, weeks or days.")
    sex = _text("A3")
    weight = fields.Float(allow_none=True, metadata={"description": "A4 (not recorded)."})
    weight_unit = _text("A4")


class MedWatchOutcomesSchema(Schema):
    death = fields.Boolean()
    death_date = _date("Date of death.")
    life_threatening = fields.Boolean()
    hospitalization = fields.Boolean()
    disability = fields.Boolean()
    congenital_anomaly = fields.Boolean()
    required_intervention = fields.Boolean()
    other_serious = fields.Boolean()
    other_serious_detail = fields.List(fields.String(), metadata={
        "description": "MoCRA outcomes without a box of their own (infection, "
                       "disfigurement, other)."})


class MedWatchEventSchema(Schema):
    type_of_report = fields.List(fields.String(), metadata={"description": "B1"})
    outcomes = fields.Nested(MedWatchOutcomesSchema, metadata={"description": "B2"})
    event_date = _date("B3")
    report_date = _date("B4: the day this was produced.")
    description = fields.String(metadata={"description": "B5"})
    relevant_tests = _text("B6")
    relevant_history = _text("B7")


class MedWatchAvailabilitySchema(Schema):
    product_available = _text("C1: 'yes', 'no', or null when not known.")


class MedWatchSuspectProductSchema(Schema):
    number = fields.Integer()
    name = fields.String()
    brand = fields.String()
    shade = _text("Shade or colour, as catalogued.")
    manufacturer = fields.String(metadata={"description": "Manufacturer or labeler."})
    manufacturer_address = _text("As catalogued.")
    manufacturer_country = _text("As catalogued.")
    lot_number = fields.String()
    expiration_date = _date("The lot's expiry date.")
    unique_id = _text("The product's SKU, if catalogued.")
    use_from = _date("Date of use: the linked procedure, when it used this lot.")
    use_to = _date("Date of use: the linked procedure, when it used this lot.")
    route = fields.String()
    body_site = _text("Where on the body.")
    reason_for_use = _text("The procedure's discipline.")


class MedWatchProductsSchema(Schema):
    products = fields.List(fields.Nested(MedWatchSuspectProductSchema))


class MedWatchAlsoReportedSchema(Schema):
    manufacturer_on = _date("Reported to the manufacturer on.")
    fda_on = _date("Reported to FDA on.")
    fda_report_number = _text("FDA's report number.")
    state_on = _date("Reported to the state on.")


class MedWatchReporterSchema(Schema):
    name = fields.String(metadata={"description": "The clinic."})
    address = _text("As recorded.")
    city = _text("As recorded.")
    county = _text("As recorded.")
    state = fields.String()
    country = fields.String()
    phone = _text("Not recorded for clinics.")
    email = _text("Not recorded for clinics.")
    occupation = fields.String()
    also_reported_to = fields.Nested(MedWatchAlsoReportedSchema)


def _section(schema, description: str):
    return fields.Nested(schema, metadata={"description": description})


class MedWatchSchema(Schema):
    form = fields.String(metadata={"description": "FDA 3500 (voluntary)."})
    form_instructions = fields.String(metadata={"description": "FDA's instructions for the "
                                                               "form."})
    reaction_id = fields.Integer()
    note = fields.String()
    submit_to = fields.Nested(MedWatchSubmitToSchema)
    seriousness = fields.Nested(MedWatchSeriousnessSchema)
    A = _section(MedWatchPatientSchema, "A. Patient information.")
    B = _section(MedWatchEventSchema, "B. Adverse event.")
    C = _section(MedWatchAvailabilitySchema, "C. Product availability.")
    D = _section(MedWatchProductsSchema, "D. Suspect products.")
    E = fields.Dict(allow_none=True, metadata={
        "description": "E. Suspect medical device: not recorded, always null."})
    F = _section(MedWatchProductsSchema, "F. Other (concomitant) products: none recorded.")
    G = _section(MedWatchReporterSchema, "G. Reporter: the clinic.")
