"""The web pages: server-rendered forms for compliance officers, inspectors and administrators."""

from flask import Blueprint, g

from registry.auth.principal import ANONYMOUS
from registry.pages.guard import viewer


def init_app(app):
    from registry.pages import (
        account,
        admin,
        checklist,
        dashboard,
        inspections,
        inspector,
        lots,
        navigation,
        practitioners,
        procedures,
        reactions,
        recall_reviews,
        recalls,
        signals,
        verify,
    )

    # One parent, so page endpoints ("pages.lots.index") never clash with the API's.
    parent = Blueprint("pages", __name__)
    for module in (account, dashboard, checklist, practitioners, lots, procedures, reactions,
                   recalls, recall_reviews, inspections, inspector, signals, admin):
        parent.register_blueprint(module.bp)
    app.register_blueprint(parent)
    # Open to anyone, as its own blueprint: "verify.page".
    app.register_blueprint(verify.bp)

    @app.context_processor
    def _layout():
        # Error pages render this too, also when the request never got as far as its principal.
        principal = viewer() if "principal" in g else ANONYMOUS
        if not principal.authenticated:
            return {"viewer": principal}
        clinic = navigation.current_clinic(principal)
        return {
            "viewer": principal,
            "nav_clinic": clinic,
            "clinic_links": navigation.clinic_links(clinic) if clinic else [],
            "role_links": navigation.role_links(principal),
        }
