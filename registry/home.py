"""The landing page: what the registry holds, in totals only (no names, no personal data)."""

from flask import Blueprint, redirect, render_template

from registry.models import AdverseReaction, Clinic, PigmentLot, Practitioner, Procedure
from registry.pages.guard import viewer
from registry.pages.navigation import start_page

bp = Blueprint("home", __name__)


@bp.get("/")
def index():
    principal = viewer()
    if principal.authenticated:
        return redirect(start_page(principal))
    totals = [
        ("Clinics", Clinic.select().count()),
        ("Practitioners", Practitioner.select().count()),
        ("Pigment lots", PigmentLot.select().count()),
        ("Procedures", Procedure.select().count()),
        ("Adverse reactions", AdverseReaction.select().count()),
    ]
    return render_template("home.html", totals=totals)
