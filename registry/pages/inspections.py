"""A clinic's inspections, their findings and corrective actions."""

from flask import Blueprint, render_template

from registry.pages.guard import clinic_to_read

bp = Blueprint("inspections", __name__, url_prefix="/clinics")


@bp.get("/<int:clinic_id>/inspections")
def index(clinic_id):
    principal, clinic = clinic_to_read(clinic_id)
    return render_template("inspections/index.html", clinic=clinic)
