"""The public /verify page: is this PDF an audit report the registry issued?"""

from flask import Blueprint, current_app, render_template, request

from registry.reports import issuing

bp = Blueprint("verify", __name__)


@bp.route("/verify", methods=["GET", "POST"])
def page():
    verdict = error = None
    if request.method == "POST":
        upload = request.files.get("file")
        limit = current_app.config["MAX_CONTENT_LENGTH"]
        data = upload.read(limit + 1) if upload else b""
        if not data:
            error = "Choose the PDF file to check."
        else:
            verdict = issuing.verify(data)
    status = 200 if error is None else 422
    return render_template("verify.html", verdict=verdict, error=error), status
