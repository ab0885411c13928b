"""Adverse-reaction reports of a clinic, with the seriousness questions and the reporting clock."""

from flask import Blueprint, render_template

from registry.pages.guard import clinic_to_read

bp = Blueprint("reactions", __name__, url_prefix="/clinics")


@bp.get("/<int:clinic_id>/reactions")
def index(clinic_id):
    principal, clinic = clinic_to_read(clinic_id)
    return render_template("reactions/index.html", clinic=clinic)
