"""The JSON API under /api/v1: one blueprint per resource, schemas drive validation and docs."""

from flask import Blueprint, render_template, send_from_directory
from flask_smorest import Api

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
    api = Api(app)
    from registry.api import clinics, session

    for module in (session, clinics):
        api.register_blueprint(module.blp, url_prefix=f"{API_PREFIX}{module.PREFIX}")
    app.register_blueprint(_docs_blueprint())
    return api


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
