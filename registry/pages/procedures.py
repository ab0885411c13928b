"""A clinic's procedure log, with the lots each procedure used."""

from flask import Blueprint, render_template

from registry.pages.guard import clinic_to_read

bp = Blueprint("procedures", __name__, url_prefix="/clinics")


@bp.get("/<int:clinic_id>/procedures")
def index(clinic_id):
    principal, clinic = clinic_to_read(clinic_id)
    return render_template("procedures/index.html", clinic=clinic)
