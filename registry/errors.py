"""Generic error responses: JSON for API clients, a plain page for browsers, no internals."""

from flask import jsonify, render_template, request
from werkzeug.exceptions import HTTPException, InternalServerError


def wants_json() -> bool:
    return request.path.startswith(("/api/", "/healthz")) or (
        request.accept_mimetypes.best == "application/json"
    )


def error_response(error: HTTPException):
    code = error.code or 500
    # Keep the headers the error adds for the client, e.g. Allow on a 405.
    headers = [(name, value) for name, value in error.get_headers()
               if name.lower() != "content-type"]
    if wants_json():
        body = {"code": code, "status": error.name, "message": error.description}
        data = getattr(error, "data", None) or {}
        if data.get("message"):
            body["message"] = data["message"]
        if data.get("errors") or data.get("messages"):
            body["errors"] = data.get("errors") or data.get("messages")
        return jsonify(body), code, headers
    return render_template("errors/error.html", error=error), code, headers


def init_app(app):
    @app.errorhandler(HTTPException)
    def _http_error(error):
        return error_response(error)

    @app.errorhandler(Exception)
    def _unexpected(error):
        # Logged with its traceback for operators; the client sees only a generic message.
        app.logger.exception("unhandled error on %s %s", request.method, request.path)
        return error_response(InternalServerError())
