"""The inspector's worklist: clinics in their jurisdictions, with status and filters."""

from dataclasses import dataclass
from datetime import date
from math import ceil

from flask import Blueprint, render_template, request
from wtforms import BooleanField, SearchField, SelectField

from registry.auth.principal import Principal
from registry.auth.tenancy import may_download_report, scoped
from registry.clock import today
from registry.db import read_snapshot
from registry.models import Clinic, Inspection
from registry.pages.checklist import AsOfForm
from registry.pages.forms import QueryForm, options
from registry.pages.guard import clinic_to_inspect, inspector
from registry.services import compliance, overview

bp = Blueprint("inspector", __name__, url_prefix="/inspect")

PER_PAGE = 50
EXPIRY_DAYS = 60


class WorklistForm(QueryForm):
    search = SearchField("Search", description="Part of the clinic's name or city.")
    state = SelectField("State", choices=options([("", "Every state")]), default="")
    failing = BooleanField("Failing only")
    recalled = BooleanField("Holding recalled lots")
    expiring = BooleanField(f"Credentials expiring within {EXPIRY_DAYS} days")


@dataclass(frozen=True)
class Row:
    """One clinic of the worklist with what an inspector looks at first."""

    clinic: Clinic
    overall: str
    failing: int
    recalled: bool
    expiring: bool


def _states(principal: Principal) -> list[str]:
    """The states the viewer inspects; administrators: every state with a clinic."""
    if principal.is_admin:
        rows = Clinic.select(Clinic.state).distinct().order_by(Clinic.state)
        return [row.state for row in rows]
    return sorted(principal.jurisdictions)


def _candidates(principal: Principal, states: list[str], search: str) -> list[Clinic]:
    query = scoped(Clinic, principal).where(Clinic.archived_at.is_null()
                                            & Clinic.state.in_(states or [""]))
    if search:
        query = query.where(Clinic.name.contains(search) | Clinic.city.contains(search))
    return list(query.order_by(Clinic.state, Clinic.name, Clinic.id))


class Sweeps:
    """Checklists as of a day, one bulk sweep per state, each state swept at most once."""

    def __init__(self, day: date):
        self.day, self.by_clinic, self.swept = day, {}, set()

    def cover(self, clinics: list[Clinic]) -> None:
        for state in sorted({c.state for c in clinics} - self.swept):
            self.swept.add(state)
            for checklist in compliance.sweep(state, self.day):
                self.by_clinic[checklist.clinic.key] = checklist


def _flags(clinic_ids: list[int], day: date) -> tuple[set[int], set[int]]:
    """Of these clinics: those holding recalled lots, those with credentials expiring soon."""
    if not clinic_ids:
        return set(), set()
    return (overview.clinics_holding_set_aside(clinic_ids),
            overview.clinics_with_expiring_credentials(clinic_ids, day, EXPIRY_DAYS))


def worklist(principal: Principal, form: WorklistForm, day: date, page: int):
    """The rows of the page asked for, that page's number, the number of pages and of clinics."""
    states = _states(principal)
    chosen = form.state.data if "state" in form else ""
    clinics = _candidates(principal, [chosen] if chosen in states else states,
                          (form.search.data or "").strip())
    flagging = form.recalled.data or form.expiring.data
    if flagging:
        recalled, expiring = _flags([c.id for c in clinics], day)
        clinics = [c for c in clinics if (not form.recalled.data or c.id in recalled)
                   and (not form.expiring.data or c.id in expiring)]
    sweeps = Sweeps(day)
    if form.failing.data:
        sweeps.cover(clinics)
        clinics = [c for c in clinics if sweeps.by_clinic[c.id].overall == "fail"]
    pages = max(1, ceil(len(clinics) / PER_PAGE))
    page = min(max(page, 1), pages)
    shown = clinics[(page - 1) * PER_PAGE:page * PER_PAGE]
    sweeps.cover(shown)
    if not flagging:
        recalled, expiring = _flags([c.id for c in shown], day)
    rows = [Row(c, sweeps.by_clinic[c.id].overall, sweeps.by_clinic[c.id].counts()["fail"],
                c.id in recalled, c.id in expiring) for c in shown]
    return rows, page, pages, len(clinics)


@bp.get("/")
def clinics():
    # The candidates, each state's sweep and the flags come from one snapshot, so a clinic
    # changed between those reads still shows as one consistent row.
    with read_snapshot():
        principal = inspector()
        form = WorklistForm()
        states = _states(principal)
        if len(states) > 1:
            form.state.choices = options([("", "Every state")] + [(s, s) for s in states])
        else:
            del form.state
        valid = form.checked()
        day = today()
        rows, page, pages, total = worklist(principal, form, day,
                                            request.args.get("page", 1, int))
        args = {k: v for k, v in request.args.items() if k != "page"}
        return render_template("inspector/clinics.html", form=form, rows=rows, page=page,
                               pages=pages, total=total, day=day, args=args,
                               expiry_days=EXPIRY_DAYS), (200 if valid else 422)


@bp.get("/clinics/<int:clinic_id>")
def clinic(clinic_id):
    """The clinic as it stood at the end of a chosen day."""
    with read_snapshot():
        principal, clinic = clinic_to_inspect(clinic_id)
        form = AsOfForm()
        valid = form.checked()
        day = (form.as_of.data if valid else None) or today()
        checklist = compliance.checklist(clinic.id, day)
        failing = [item.to_dict() for item in checklist.items if item.status == "fail"]
        lots = [(lot, lot.status_on(day)) for lot in checklist.clinic.lots if lot.on_hand(day)]
        visits = (Inspection.select().where((Inspection.clinic == clinic.id)
                                            & (Inspection.inspected_on <= day))
                  .order_by(Inspection.inspected_on.desc(), Inspection.id.desc()))
        return render_template(
            "inspector/clinic.html", clinic=clinic, form=form, day=day,
            overall=checklist.overall, counts=checklist.counts(), failing=failing, lots=lots,
            inspections=list(visits), may_download=may_download_report(principal, clinic),
            reviews=list(overview.open_recall_reviews(clinic.id)),
        ), (200 if valid else 422)
