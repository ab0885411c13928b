"""Administration: users and roles, import sources and their runs, rule packs loaded."""

from flask import Blueprint, render_template

from registry.pages.guard import administrator

bp = Blueprint("admin", __name__, url_prefix="/admin")


@bp.get("/users")
def users():
    administrator()
    return render_template("admin/users.html")


@bp.get("/imports")
def imports():
    administrator()
    return render_template("admin/imports.html")


@bp.get("/rule-packs")
def rule_packs():
    administrator()
    return render_template("admin/rule_packs.html")
