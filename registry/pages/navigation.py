"""The navigation bar: links for the viewer's roles, the current one marked."""

from dataclasses import dataclass

from flask import request, url_for

from registry.auth.principal import Principal
from registry.auth.tenancy import may_read_records, scoped
from registry.models import Clinic


@dataclass(frozen=True)
class Link:
    label: str
    url: str
    active: bool


# Officer pages of one clinic: label, endpoint, and the endpoints that count as "here".
CLINIC_PAGES = (
    ("Dashboard", "pages.dashboard.show", ("pages.dashboard.show",)),
    ("Checklist", "pages.checklist.show", ("pages.checklist.show",)),
    ("Practitioners", "pages.practitioners.index", ("pages.practitioners.",)),
    ("Pigment lots", "pages.lots.index", ("pages.lots.",)),
    ("Recall reviews", "pages.recall_reviews.index", ("pages.recall_reviews.",)),
    ("Procedures", "pages.procedures.index", ("pages.procedures.",)),
    ("Adverse reactions", "pages.reactions.index", ("pages.reactions.",)),
    ("Inspections", "pages.inspections.index", ("pages.inspections.",)),
    ("Clinic profile", "pages.dashboard.profile", ("pages.dashboard.profile",)),
)
ROLE_PAGES = (
    ("officers", "My clinics", "pages.dashboard.mine", ("pages.dashboard.mine",)),
    ("inspector", "Clinics to inspect", "pages.inspector.clinics", ("pages.inspector.",)),
    ("reader", "Recalls", "pages.recalls.index", ("pages.recalls.",)),
    ("signals", "Signals", "pages.signals.index", ("pages.signals.",)),
    ("administrator", "Users", "pages.admin.users", ("pages.admin.user",)),
    ("administrator", "Imports", "pages.admin.imports",
     ("pages.admin.import", "pages.admin.roster")),
    ("administrator", "Rule packs", "pages.admin.rule_packs", ("pages.admin.rule_packs",)),
)


def _here(prefixes) -> bool:
    endpoint = request.endpoint or ""
    return any(endpoint.startswith(prefix) for prefix in prefixes)


def current_clinic(principal: Principal) -> Clinic | None:
    """The clinic the page is about, or the officer's own when they keep exactly one."""
    clinic_id = (request.view_args or {}).get("clinic_id")
    if clinic_id is None and len(principal.officer_clinics) == 1:
        clinic_id = next(iter(principal.officer_clinics))
    if clinic_id is None:
        return None
    return scoped(Clinic, principal).where(Clinic.id == clinic_id).first()


def role_links(principal: Principal) -> list[Link]:
    held = {"officers": len(principal.officer_clinics) > 1,
            "inspector": bool(principal.jurisdictions), "reader": may_read_records(principal),
            "signals": bool(principal.jurisdictions) or principal.is_admin,
            "administrator": principal.is_admin}
    return [Link(label, url_for(endpoint), _here(prefixes))
            for role, label, endpoint, prefixes in ROLE_PAGES if held[role]]


def clinic_links(clinic: Clinic) -> list[Link]:
    return [Link(label, url_for(endpoint, clinic_id=clinic.id), _here(prefixes))
            for label, endpoint, prefixes in CLINIC_PAGES]


def start_page(principal: Principal) -> str:
    """Where a signed-in user lands: their clinic, their inspections, or administration."""
    if len(principal.officer_clinics) == 1:
        return url_for("pages.dashboard.show", clinic_id=next(iter(principal.officer_clinics)))
    if principal.officer_clinics:
        return url_for("pages.dashboard.mine")
    if principal.jurisdictions:
        return url_for("pages.inspector.clinics")
    if principal.is_admin:
        return url_for("pages.admin.users")
    return url_for("pages.account.password")
