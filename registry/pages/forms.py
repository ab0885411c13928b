"""Forms for the pages: Flask-WTF renders and checks them; the services' schemas have the last
word, and their field errors are shown next to the fields."""

from datetime import date

from flask import render_template
from flask_wtf import FlaskForm
from werkzeug.datastructures import FileStorage
from wtforms.fields.choices import SelectChoice

from registry.services.records import InvalidInput

NOT_INPUT = {"csrf_token", "submit"}


def options(pairs) -> list[SelectChoice]:
    """Choices for a select or checkbox list from (value, label) pairs."""
    return [SelectChoice(str(value), label) for value, label in pairs]


def _messages(value) -> list[str]:
    """marshmallow nests messages (lists, dicts by index); a page shows them flat."""
    if isinstance(value, dict):
        return [m for key, inner in value.items()
                for m in (_messages(inner) if not isinstance(key, int)
                          else [f"Item {key + 1}: {m}" for m in _messages(inner)])]
    if isinstance(value, list | tuple):
        return [m for inner in value for m in _messages(inner)]
    return [str(value)]


class Form(FlaskForm):
    """A form whose fields are named like the service input they feed."""

    def values(self, *, skip: tuple[str, ...] = ()) -> dict:
        """The input for a service: blanks left out (so defaults apply), dates as ISO text."""
        out = {}
        for field in self:
            if field.name in NOT_INPUT or field.name in skip:
                continue
            data = field.data
            if isinstance(data, str):
                data = data.strip()
            if data in ("", None) or isinstance(data, FileStorage):
                continue
            out[field.name] = data.isoformat() if isinstance(data, date) else data
        return out

    def show(self, invalid: InvalidInput) -> None:
        """Put a service's field errors next to their fields; others above the form."""
        for name, messages in invalid.errors.items():
            field = self._fields.get(name)
            if field is None or name in NOT_INPUT:
                self.form_errors.extend(_messages(messages))
            else:
                field.errors = [*field.errors, *_messages(messages)]

    def save(self, write):
        """Run a write once the form is valid; None (and errors shown) if it was refused."""
        if not self.validate_on_submit():
            return None
        try:
            return write()
        except InvalidInput as invalid:
            self.show(invalid)
            return None

    @property
    def failed(self) -> bool:
        return bool(self.errors or self.form_errors)


def render_form(template: str, form: Form, **context):
    """A page with a form: 422 when the submitted form was refused, 200 otherwise."""
    status = 422 if form.is_submitted() and form.failed else 200
    return render_template(template, form=form, **context), status


class QueryForm(FlaskForm):
    """Filters in a page's query string (a GET form: nothing changes, so no CSRF token)."""

    class Meta:
        csrf = False

    def __init__(self, **kwargs):
        from flask import request

        super().__init__(formdata=request.args, **kwargs)

    def checked(self) -> bool:
        """Validate whatever was given; a page with no filters is valid."""
        return self.validate() if request_has_args() else True


def request_has_args() -> bool:
    from flask import request

    return bool(request.args)
