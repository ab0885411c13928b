"""Administration: users and roles, import sources and their runs, rule packs loaded."""

import csv
import io
import json
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_wtf.file import FileField, FileRequired
from peewee import JOIN, fn
from wtforms import (
    BooleanField,
    EmailField,
    PasswordField,
    SearchField,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import InputRequired

from importers import pipeline, sources
from importers.sources.rosters import RosterSource
from registry.models import Clinic, ImportRun, Membership, RejectedRow, User
from registry.pages.forms import Form, QueryForm, options, render_form
from registry.pages.guard import administrator
from registry.schemas.common import US_STATES
from registry.services import accounts, compliance
from registry.services.records import InvalidInput

bp = Blueprint("admin", __name__, url_prefix="/admin")

PAGE_SIZE = 100
ROLE_LABELS = {"administrator": "Administrator", "officer": "Compliance officer (of a clinic)",
               "inspector": "Inspector (of a jurisdiction)", "importer": "Importer (API tokens)"}
# The input that scopes each role; other roles name neither a clinic nor a jurisdiction.
ROLE_SCOPE = {"officer": "clinic_id", "inspector": "jurisdiction"}
SOURCE_TITLES = {"recalls": "FDA enforcement reports: tattoo and permanent-makeup ink recalls",
                 "cosmetic-events": "FDA cosmetic adverse-event reports, per pigment product"}


class AccountForm(Form):
    email = EmailField("Email", validators=[InputRequired("Enter an email address.")])
    display_name = StringField("Name", validators=[InputRequired("Enter the person's name.")])
    password = PasswordField(
        "Initial password", validators=[InputRequired("Choose an initial password.")],
        description="At least 12 characters. The person can change it once signed in.",
        render_kw={"autocomplete": "new-password"})


class RoleForm(Form):
    role = SelectField("Role", choices=options([("", "Choose a role"), *ROLE_LABELS.items()]),
                       validators=[InputRequired("Choose a role.")], default="")
    clinic_id = SelectField("Clinic", default="",
                            description="For a compliance officer: their clinic.")
    jurisdiction = SelectField(
        "Jurisdiction", choices=options([("", "No jurisdiction")] + [(s, s) for s in US_STATES]),
        default="", description="For an inspector: the state they inspect.")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        clinics = Clinic.select().where(Clinic.archived_at.is_null()).order_by(Clinic.name)
        self.clinic_id.choices = options(
            [("", "No clinic")] + [(c.id, f"{c.name} ({c.state})") for c in clinics])

    def role_values(self) -> dict:
        """The role and the one scope it takes."""
        role = self.role.data
        return {name: value for name, value in self.values().items()
                if name == "role" or name == ROLE_SCOPE.get(role)}


class NewUserForm(AccountForm, RoleForm):
    """The account's fields come first: fields keep the order they were declared in."""


class DisableForm(Form):
    reason = TextAreaField("Reason", validators=[InputRequired("Say why the account is disabled.")],
                           description="Kept in the audit trail. The person is signed out at once.")
    submit = SubmitField("Disable account")


class RevokeForm(Form):
    reason = StringField("Reason", validators=[InputRequired("Say why the role is revoked.")])


class UserSearch(QueryForm):
    q = SearchField("Search", description="Part of a name or an email address.")


class RunFilter(QueryForm):
    source = SelectField("Source", default="")


class UploadForm(Form):
    roster = SelectField("Roster", validators=[InputRequired("Choose a roster.")], default="")
    file = FileField("CSV file", validators=[FileRequired("Choose a CSV file.")],
                     description="With a header row naming the roster's columns.")
    dry_run = BooleanField("Dry run (check the file, save nothing)")
    submit = SubmitField("Import")


@dataclass(frozen=True)
class Paged:
    """One page of a query's rows, and the links to its neighbours."""

    rows: list
    number: int
    count: int
    total: int
    args: dict = field(default_factory=dict)

    def url(self, number: int) -> str:
        return url_for(request.endpoint, **request.view_args, **self.args, page=number)


def paged(query, **args) -> Paged:
    total = query.count()
    count = max(1, -(-total // PAGE_SIZE))
    number = min(max(request.args.get("page", 1, type=int), 1), count)
    return Paged(list(query.paginate(number, PAGE_SIZE)), number, count, total, args)


def refuse(name: str, message: str):
    raise InvalidInput({name: [message]})


def roles_of(user_ids) -> dict[int, list[Membership]]:
    """Each user's memberships (with their clinic), oldest first; revoked ones included."""
    found = {}
    query = (Membership.select(Membership, Clinic).join(Clinic, JOIN.LEFT_OUTER)
             .where(Membership.user.in_(list(user_ids)))
             .order_by(Membership.granted_at, Membership.id))
    for membership in query:
        found.setdefault(membership.user_id, []).append(membership)
    return found


@bp.get("/users")
def users():
    administrator()
    form = UserSearch()
    term = (form.q.data or "").strip()
    query = User.select().order_by(User.display_name, User.id)
    if term:
        query = query.where(User.email.contains(term) | User.display_name.contains(term))
    page = paged(query, **({"q": term} if term else {}))
    return render_template("admin/users.html", form=form, term=term, page=page,
                           roles=roles_of(u.id for u in page.rows))


@bp.route("/users/new", methods=["GET", "POST"])
def new_user():
    principal = administrator()
    form = NewUserForm()
    user = form.save(lambda: accounts.create_user_with_role(
        form.values(skip=("password", "role", "clinic_id", "jurisdiction")), form.role_values(),
        principal.actor, password=form.password.data))
    if user:
        flash(f"{user.display_name} is added. They can sign in now.")
        return redirect(url_for("pages.admin.user", user_id=user.id))
    return render_form("admin/new_user.html", form)


def user_to_manage(user_id: int):
    principal = administrator()
    return principal, User.get_or_none(User.id == user_id) or abort(404)


def user_page(user: User, *, grant=None, disable=None, revoke=None, revoking=None):
    """The user's page; a form that was refused is shown with its errors (and a 422)."""
    grant = grant or RoleForm(formdata=None)
    disable = disable or DisableForm(formdata=None)
    grant.csrf_token.id, disable.csrf_token.id = "grant-csrf-token", "disable-csrf-token"
    failed = any(f is not None and f.failed for f in (grant, disable, revoke))
    return render_template("admin/user.html", user=user, grant=grant, disable=disable,
                           revoke=revoke, revoking=revoking, roles=roles_of([user.id]).get(
                               user.id, []), role_labels=ROLE_LABELS), 422 if failed else 200


@bp.get("/users/<int:user_id>")
def user(user_id):
    _principal, shown = user_to_manage(user_id)
    return user_page(shown)


@bp.post("/users/<int:user_id>/roles")
def grant_role(user_id):
    principal, shown = user_to_manage(user_id)
    form = RoleForm()
    if form.save(lambda: accounts.grant_role({**form.role_values(), "user_id": shown.id},
                                             principal.actor)):
        flash(f"{shown.display_name} now holds the role {ROLE_LABELS[form.role.data]}.")
        return redirect(url_for("pages.admin.user", user_id=shown.id))
    return user_page(shown, grant=form)


@bp.post("/users/<int:user_id>/roles/<int:membership_id>/revoke")
def revoke_role(user_id, membership_id):
    principal, shown = user_to_manage(user_id)
    membership = Membership.get_or_none(
        (Membership.id == membership_id) & (Membership.user == shown)
        & Membership.revoked_at.is_null()) or abort(404)
    form = RevokeForm()

    def revoke():
        if shown.id == principal.user.id and membership.role == "administrator":
            refuse("reason", "You cannot revoke your own administrator role.")
        accounts.revoke_role(membership, principal.actor, reason=form.reason.data)
        return True

    if form.save(revoke):
        flash(f"The role {ROLE_LABELS.get(membership.role, membership.role)} is revoked.")
        return redirect(url_for("pages.admin.user", user_id=shown.id))
    return user_page(shown, revoke=form, revoking=membership.id)


@bp.post("/users/<int:user_id>/disable")
def disable_user(user_id):
    principal, shown = user_to_manage(user_id)
    form = DisableForm()

    def disable():
        if shown.id == principal.user.id:
            refuse("reason", "You cannot disable your own account.")
        if not shown.is_active:
            refuse("reason", "This account is already disabled.")
        accounts.disable_user(shown, principal.actor, reason=form.reason.data)
        return True

    if form.save(disable):
        flash(f"{shown.display_name}'s account is disabled and signed out.")
        return redirect(url_for("pages.admin.user", user_id=shown.id))
    return user_page(shown, disable=form)


def available_sources() -> dict:
    return sources.available(current_app.config["REGISTRY_SETTINGS"])


def source_title(source) -> str:
    config = getattr(source, "config", None)
    return config.title if config else SOURCE_TITLES.get(source.name, source.name)


@bp.get("/imports")
def imports():
    administrator()
    found = available_sources()
    form = RunFilter()
    form.source.choices = options([("", "Every source")] + [(name, name) for name in found])
    valid = form.checked()
    latest = ImportRun.select(fn.MAX(ImportRun.id)).group_by(ImportRun.source)
    last = {run.source: run for run in ImportRun.select().where(ImportRun.id.in_(latest))}
    runs = ImportRun.select().order_by(ImportRun.id.desc()).limit(PAGE_SIZE)
    if valid and form.source.data:
        runs = runs.where(ImportRun.source == form.source.data)
    rows = [(name, source_title(source), last.get(name)) for name, source in found.items()]
    return render_template("admin/imports.html", form=form, sources=rows,
                           runs=list(runs)), 200 if valid else 422


@bp.get("/imports/runs/<int:run_id>")
def import_run(run_id):
    administrator()
    run = ImportRun.get_or_none(ImportRun.id == run_id) or abort(404)
    page = paged(RejectedRow.select().where(RejectedRow.run == run)
                 .order_by(RejectedRow.row_number, RejectedRow.id))
    return render_template("admin/import_run.html", run=run, page=page, as_text=as_text)


def as_text(raw) -> str:
    """A rejected row as it was received, for reading (never as markup)."""
    return "" if raw is None else json.dumps(raw, ensure_ascii=False, default=str)


def column_problem(path: Path, config) -> str | None:
    """Why the file cannot be this roster: no header, or columns the roster maps are missing."""
    with open(path, "rb") as handle:
        head = handle.read(1 << 16).decode("utf-8-sig", errors="replace")
    try:
        header = next(csv.reader(io.StringIO(head)), None)
    except csv.Error as exc:
        return f"This file cannot be read as CSV ({exc})."
    if not header:
        return "The file is empty: a CSV file starts with a header row."
    given = {name.strip().lower() for name in header}
    wanted = [c for v in config.fields.values() for c in ([v] if isinstance(v, str) else v)]
    missing = [c for c in dict.fromkeys(wanted) if c.lower() not in given]
    if missing:
        return (f"The file's columns do not match this roster: missing {', '.join(missing)}. "
                f"Expected columns: {', '.join(dict.fromkeys(wanted))}.")
    return None


def import_upload(source: RosterSource, upload, *, dry_run: bool, by: str):
    """Run the import on the uploaded file, kept in a temporary folder meanwhile."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "roster.csv"
        upload.save(path)
        if problem := column_problem(path, source.config):
            refuse("file", problem)
        try:
            return pipeline.run(source, file=path, dry_run=dry_run,
                                triggered_by=f"upload by {by}"[:255])
        except pipeline.ImportRefused as refused:
            refuse("file", f"The import cannot start: {refused}.")


def dry_run_summary(name: str, outcome) -> list[str]:
    counts = outcome.counts
    return [f"Dry run of {name} ({outcome.status}): {counts['fetched']} rows read, "
            f"{counts['created']} new, {counts['updated']} changed, {counts['unchanged']} "
            f"unchanged, {counts['rejected']} rejected. Nothing was saved.",
            *(f"Row {number}: {reason}" for number, reason in outcome.rejected[:5])]


@bp.route("/imports/rosters/upload", methods=["GET", "POST"])
def roster_upload():
    principal = administrator()
    rosters = {n: s for n, s in available_sources().items() if isinstance(s, RosterSource)}
    form = UploadForm()
    form.roster.choices = options([("", "Choose a roster")]
                                  + [(n, f"{s.config.title} ({n})") for n, s in rosters.items()])
    outcome = form.save(lambda: import_upload(rosters[form.roster.data], form.file.data,
                                              dry_run=form.dry_run.data, by=principal.user.email))
    if outcome is None:
        return render_form("admin/roster_upload.html", form)
    if outcome.run is None:
        # Shown on the page, not flashed: rejected rows would otherwise travel in the cookie.
        return render_form("admin/roster_upload.html", UploadForm(formdata=None),
                           summary=dry_run_summary(form.roster.data, outcome))
    flash(f"The import of {form.roster.data} finished: {outcome.status}.")
    return redirect(url_for("pages.admin.import_run", run_id=outcome.run.id))


@bp.get("/rule-packs")
def rule_packs():
    administrator()
    packs = sorted(compliance.loaded_packs(), key=lambda p: (p.kind, p.jurisdiction, p.name))
    return render_template("admin/rule_packs.html", packs=packs)
