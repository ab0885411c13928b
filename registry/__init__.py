"""Pigment Registry: the application factory."""

from pathlib import Path

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from registry.settings import Settings, load_settings

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def create_app(settings: Settings | None = None) -> Flask:
    """Build the Flask application from settings (read from the environment if not given)."""
    settings = settings or load_settings()
    app = Flask(
        __name__,
        instance_path=str(settings.instance_path),
        template_folder=str(PROJECT_ROOT / "templates"),
    )
    if settings.trusted_proxies:
        proxies = settings.trusted_proxies
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies)
    app.config.from_mapping(settings.flask_config())
    app.config.update(
        REGISTRY_SETTINGS=settings,
        DATABASE_URL=settings.database_url,
        AUDIT_KEY_ID=settings.audit_key_id,
        AUDIT_KEYS={settings.audit_key_id: settings.audit_key.encode()},
        JURISDICTIONS_PATH=str(settings.jurisdictions_path or PROJECT_ROOT / "jurisdictions"),
    )

    from registry import api, cli, db, errors, health, home, inputs, logs, pages, security
    from registry.auth import principal
    from registry.rules.packs import packs_at

    # A broken rule pack stops the service here, naming file, requirement and field.
    packs_at(str(Path(app.config["JURISDICTIONS_PATH"]).resolve()))
    logs.init_app(app)
    inputs.init_app(app)
    db.init_app(app)
    security.init_app(app)
    principal.init_app(app)
    api.init_app(app)
    pages.init_app(app)
    errors.init_app(app)
    app.register_blueprint(health.bp)
    app.register_blueprint(home.bp)
    cli.init_app(app)
    return app
