"""The JSON API under /api/v1: one blueprint per resource, schemas drive validation and docs."""

from flask import Blueprint, render_template, send_from_directory
from flask_smorest import Api
from werkzeug.routing import IntegerConverter

from registry.schemas.common import MAX_ID

API_PREFIX = "/api/v1"


def init_app(app):
    app.config.update(
        API_TITLE="Pigment Registry",
        API_VERSION="v1",
        OPENAPI_VERSION="3.0.3",
        OPENAPI_URL_PREFIX=API_PREFIX,
        OPENAPI_JSON_PATH="openapi.json",
        API_SPEC_OPTIONS={
            "components": {"securitySchemes": {
                "bearer": {"type": "http", "scheme": "bearer"},
                "session": {"type": "apiKey", "in": "cookie", "name": "registry-session"},
            }},
            "security": [{"bearer": []}, {"session": []}],
        },
    )
    # Ids in paths are bounded like ids in bodies: a larger number matches no route (404).
    app.url_map.converters["int"] = RecordIdConverter
    api = Api(app)
    api.register_converter(RecordIdConverter, lambda _converter: {
        "type": "integer", "minimum": 1, "maximum": MAX_ID})
    from registry.api import (
        audit_events,
        clients,
        clinics,
        credentials,
        import_runs,
        inspections,
        lots,
        manufacturers,
        pigments,
        practitioners,
        procedures,
        reactions,
        recall_impact,
        recall_reviews,
        recalls,
        reminders,
        reports,
        session,
        verification,
    )

    for module in (session, clinics, audit_events, reports, practitioners, credentials,
                   manufacturers, pigments, lots, clients, procedures, reactions, recalls,
                   recall_impact, recall_reviews, inspections, import_runs, reminders,
                   verification):
        api.register_blueprint(module.blp, url_prefix=f"{API_PREFIX}{module.PREFIX}")
    app.register_blueprint(_docs_blueprint())
    return api


class RecordIdConverter(IntegerConverter):
    """<int:...> in routes: a record id from 1 to MAX_ID."""

    def __init__(self, url_map, *args, **kwargs):
        kwargs.setdefault("min", 1)
        kwargs.setdefault("max", MAX_ID)
        super().__init__(url_map, *args, **kwargs)


def _docs_blueprint() -> Blueprint:
    """Swagger UI from the swagger-ui-bundle package: no asset comes from the internet."""
    import swagger_ui_bundle

    docs = Blueprint("api_docs", __name__, url_prefix=f"{API_PREFIX}/docs")

    @docs.get("/")
    def page():
        return render_template("api/docs.html", spec_url=f"{API_PREFIX}/openapi.json")

    @docs.get("/assets/<path:name>")
    def asset(name):
        return send_from_directory(swagger_ui_bundle.swagger_ui_path, name)

    return docs
