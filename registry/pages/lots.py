"""A clinic's pigment lots through their life: received, opened, set aside, disposed."""

from flask import Blueprint, render_template

from registry.pages.guard import clinic_to_read

bp = Blueprint("lots", __name__, url_prefix="/clinics")


@bp.get("/<int:clinic_id>/lots")
def index(clinic_id):
    principal, clinic = clinic_to_read(clinic_id)
    return render_template("lots/index.html", clinic=clinic)
