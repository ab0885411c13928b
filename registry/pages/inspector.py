"""The inspector's worklist: clinics in their jurisdictions, with status and filters."""

from flask import Blueprint, render_template

from registry.pages.guard import inspector

bp = Blueprint("inspector", __name__, url_prefix="/inspect")


@bp.get("/")
def clinics():
    inspector()
    return render_template("inspector/clinics.html")
