"""A clinic's practitioners and their credentials."""

from flask import Blueprint, render_template

from registry.pages.guard import clinic_to_read

bp = Blueprint("practitioners", __name__, url_prefix="/clinics")


@bp.get("/<int:clinic_id>/practitioners")
def index(clinic_id):
    principal, clinic = clinic_to_read(clinic_id)
    return render_template("practitioners/index.html", clinic=clinic)
