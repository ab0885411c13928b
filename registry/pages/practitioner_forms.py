"""Forms for practitioners and their credentials, named like the service inputs they feed."""

from flask_wtf.file import FileField, FileRequired
from wtforms import DateField, EmailField, SelectField, StringField, TextAreaField
from wtforms.validators import InputRequired, Optional

from registry.models.credentials import CREDENTIAL_KINDS, KIND_LABELS
from registry.pages.forms import Form, options
from registry.schemas.common import US_STATES

CLINIC_KINDS = ("establishment_license",)
PERSONAL_KINDS = tuple(kind for kind in CREDENTIAL_KINDS if kind not in CLINIC_KINDS)
# What a change of a credential may set, blank meaning "none".
CHANGEABLE = ("number", "issued_on", "expires_on", "revoked_on", "notes")


def kind_label(kind: str) -> str:
    """'practitioner_license' as 'Practitioner licence'."""
    label = KIND_LABELS.get(kind, kind.replace("_", " "))
    return label[:1].upper() + label[1:]


def _date(label: str, **kwargs) -> DateField:
    return DateField(label, validators=[Optional()], **kwargs)


class PractitionerForm(Form):
    first_name = StringField("First name", validators=[InputRequired("Enter the first name.")])
    last_name = StringField("Last name", validators=[InputRequired("Enter the last name.")])
    email = EmailField("Email")
    phone = StringField("Phone")


class NewPractitionerForm(PractitionerForm):
    title = StringField("Title", default="practitioner",
                        description="For example practitioner, apprentice or owner.")
    starts_on = DateField("Works here from",
                          validators=[InputRequired("Say from when they work here.")])


class EditPractitionerForm(PractitionerForm):
    reason = TextAreaField("Reason for the change",
                           description="Optional; kept in the clinic's audit trail.")


class NewCredentialForm(Form):
    kind = SelectField("Kind")
    number = StringField("Number")
    issuer = StringField("Issuer", validators=[InputRequired("Name who issued it.")],
                         description="The board, agency or school that issued it.")
    state = SelectField("State", default="", description="The state that issued a licence.",
                        choices=options([("", "None")] + [(code, code) for code in US_STATES]))
    issued_on = _date("Issued on")
    expires_on = _date("Expires on", description="Leave blank if it does not expire.")
    notes = TextAreaField("Notes")

    def __init__(self, kinds: tuple[str, ...], **kwargs):
        super().__init__(**kwargs)
        self.kind.choices = options((kind, kind_label(kind)) for kind in kinds)


class EditCredentialForm(Form):
    number = StringField("Number")
    issued_on = _date("Issued on")
    expires_on = _date("Expires on", description="Leave blank if it does not expire.")
    revoked_on = _date("Revoked on", description="Only if the issuer revoked it.")
    notes = TextAreaField("Notes")
    reason = TextAreaField("Reason for the correction",
                           validators=[InputRequired("Say why the record was wrong.")],
                           description="Kept with the correction: it changes what the registry "
                                       "says about past dates.")


class RenewalForm(Form):
    issued_on = DateField("Renewed on", validators=[InputRequired("Enter the day it was renewed.")])
    expires_on = _date("Expires on", description="Leave blank if it does not expire.")
    number = StringField("New number", description="Only if the renewal changed it.")
    reason = TextAreaField("Note", description="For example the renewal receipt's number.")


class CertificateForm(Form):
    file = FileField("Certificate file",
                     validators=[FileRequired("Choose the certificate file to upload.")],
                     render_kw={"accept": ".pdf,.png,.jpg,.jpeg"})
