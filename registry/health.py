"""/healthz: the database answers and its schema is current."""

from flask import Blueprint, jsonify

from registry import schema
from registry.db import connection, db

bp = Blueprint("health", __name__)


@bp.get("/healthz")
def healthz():
    try:
        with connection():
            db.execute_sql("SELECT 1")
            pending = schema.pending()
    except Exception:  # noqa: BLE001 - any database failure means "not healthy"
        return jsonify(status="unavailable", database="unreachable"), 503
    if pending:
        return jsonify(status="unavailable", database="ok", pending_migrations=pending), 503
    return jsonify(status="ok", database="ok", migrations="current")
