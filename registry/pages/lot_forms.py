"""Forms for pigment lots and catalogue products, and how their input reaches the services."""

from peewee import IntegrityError
from wtforms import BooleanField, DateField, SelectField, StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Optional

from registry.auth.tenancy import scoped
from registry.clock import today
from registry.db import write_transaction
from registry.models import Manufacturer, PigmentProduct
from registry.models.holds import GROUND_LABELS
from registry.models.pigments import LOT_STATUSES
from registry.pages.forms import Form, QueryForm, options
from registry.services import pigments
from registry.services.records import InvalidInput

# The colorant's inputs on the product form, by the name the colorant service gives them.
COLORANT_INPUTS = {"colorant_name": "name", "ci_number": "ci_number", "cas_number": "cas_number"}


class LotFilterForm(QueryForm):
    status = SelectField("Status", default="", choices=options(
        [("", "Every status")] + [(s, s.replace("_", " ").capitalize()) for s in LOT_STATUSES]))
    show_disposed = BooleanField("Show disposed lots")


class ReceiveForm(Form):
    product_id = SelectField("Pigment product", validators=[InputRequired("Choose the product.")])
    lot_number = StringField("Lot number", validators=[DataRequired("Enter the lot number.")],
                             description="As printed on the bottle.")
    received_on = DateField("Received on", default=today,
                            validators=[InputRequired("Enter the day the lot arrived.")])
    manufactured_on = DateField("Manufactured on", validators=[Optional()])
    expires_on = DateField("Expires on", validators=[Optional()])
    sds_reference = StringField("Safety data sheet reference",
                                description="Where the sheet is kept, e.g. its file name.")
    submit = SubmitField("Receive lot")


class QuarantineForm(Form):
    reason = TextAreaField("Reason", validators=[DataRequired("Say why the lot is set aside.")],
                           description="Kept in the lot's status history.")
    effective_on = DateField("From", default=today,
                             validators=[InputRequired("Enter the day it takes effect.")])
    submit = SubmitField("Quarantine lot")


class ReleaseForm(Form):
    grounds = SelectField("Grounds", validators=[InputRequired("Choose the grounds.")])
    evidence = TextAreaField(
        "Evidence", validators=[DataRequired("Describe the evidence.")],
        description="What shows the hold may be lifted: the recall's termination notice, the "
                    "manufacturer's letter that this lot is not affected.")
    reason = TextAreaField("Reason", validators=[DataRequired("Say why the lot may be used.")],
                           description="Kept in the lot's history with your name.")
    submit = SubmitField("Release hold")


def ground_choices(hold):
    """The grounds that can lift this kind of hold."""
    kinds = ("recall_terminated", "lot_not_affected") if hold.kind == "recall" \
        else ("quarantine_resolved", "lot_not_affected")
    return options([("", "Choose the grounds")]
                   + [(g, GROUND_LABELS[g].capitalize()) for g in kinds])


class DisposeForm(Form):
    reason = TextAreaField("Reason", validators=[DataRequired("Say why the lot is disposed.")],
                           description="Kept in the lot's status history.")
    effective_on = DateField("Disposed on", default=today,
                             validators=[InputRequired("Enter the day it was disposed.")])
    submit = SubmitField("Dispose of lot")


class ProductForm(Form):
    manufacturer_id = SelectField("Manufacturer", validators=[Optional()])
    manufacturer_name = StringField("New manufacturer",
                                    description="Only when the manufacturer is not in the list.")
    brand = StringField("Brand", validators=[DataRequired("Enter the brand.")])
    name = StringField("Product name", validators=[DataRequired("Enter the product's name.")])
    shade = StringField("Shade")
    sku = StringField("SKU", description="The manufacturer's stock number.")
    colorant_name = StringField("Colorant", description="For example Carbon black.")
    ci_number = StringField("Colour Index number", description="For example CI 77266.")
    cas_number = StringField("CAS number", description="For example 1333-86-4.")
    submit = SubmitField("Add product")


def product_label(product: PigmentProduct) -> str:
    shade = f" ({product.shade})" if product.shade else ""
    return f"{product.brand} {product.name}{shade} — {product.manufacturer.name}"


def product_choices(principal):
    rows = (scoped(PigmentProduct, principal).join(Manufacturer).select_extend(Manufacturer)
            .order_by(PigmentProduct.brand, PigmentProduct.name, PigmentProduct.shade))
    return options([("", "Choose a product")] + [(p.id, product_label(p)) for p in rows])


def manufacturer_choices(principal):
    rows = scoped(Manufacturer, principal).order_by(Manufacturer.name)
    return options([("", "Choose a manufacturer")] + [(m.id, m.name) for m in rows])


def conflict(refused: InvalidInput) -> bool:
    """The write clashed with a row on record (a unique key), rather than bad input."""
    return isinstance(refused.__cause__, IntegrityError)


def receive_lot(values: dict, clinic, actor):
    """Receive a lot at the clinic; a lot number already held for the product is its field's
    error."""
    try:
        return pigments.receive_lot({**values, "clinic_id": clinic.id}, actor)
    except InvalidInput as refused:
        if conflict(refused):
            raise InvalidInput({"lot_number": [
                "The clinic already holds a lot of this product with this number."]}) from refused
        raise


def add_product(values: dict, actor) -> PigmentProduct:
    """A product with its colorant, and its manufacturer when a new one is named: all or
    nothing."""
    colorant = {COLORANT_INPUTS[k]: values.pop(k) for k in list(values) if k in COLORANT_INPUTS}
    maker_name = values.pop("manufacturer_name", None)
    with write_transaction():
        if maker_name and values.get("manufacturer_id"):
            raise InvalidInput({"manufacturer_name": [
                "Choose a manufacturer from the list or name a new one, not both."]})
        if maker_name:
            values["manufacturer_id"] = _new_manufacturer(maker_name, actor).id
        elif not values.get("manufacturer_id"):
            raise InvalidInput({"manufacturer_id": ["Choose the manufacturer, or name a new one."]})
        try:
            return pigments.create_product(
                {**values, "colorants": [colorant] if colorant else []}, actor)
        except InvalidInput as refused:
            if conflict(refused):
                raise InvalidInput({"name": ["This product is already in the catalogue."]}) \
                    from refused
            raise InvalidInput(_colorant_errors(refused.errors)) from refused


def _new_manufacturer(name: str, actor) -> Manufacturer:
    try:
        return pigments.create_manufacturer({"name": name}, actor)
    except InvalidInput as refused:
        if conflict(refused):
            raise InvalidInput({"manufacturer_name": [
                "This manufacturer is in the catalogue: choose it from the list."]}) from refused
        raise InvalidInput({"manufacturer_name" if k == "name" else k: v
                            for k, v in refused.errors.items()}) from refused


def _colorant_errors(errors: dict) -> dict:
    """The colorant's errors (nested under "colorants", by index) keyed by its inputs' names."""
    nested = errors.get("colorants")
    if not isinstance(nested, dict):
        return errors
    inputs = {service: page for page, service in COLORANT_INPUTS.items()}
    out = {k: v for k, v in errors.items() if k != "colorants"}
    for colorant in nested.values():
        for name, messages in colorant.items():
            out[inputs.get(name, name)] = messages
    return out
