"""Signing in and out of the API with a cookie, and changing one's password."""

from flask import jsonify, make_response, request
from flask.views import MethodView
from flask_smorest import Blueprint, abort
from flask_wtf.csrf import generate_csrf
from marshmallow import fields

from registry.auth.principal import (
    clear_session_cookie,
    cookie_name,
    current,
    principal_for,
    rotate_csrf,
    set_session_cookie,
)
from registry.schemas.common import BaseSchema
from registry.services import accounts, sessions, throttle
from registry.services.records import InvalidInput

PREFIX = "/session"
blp = Blueprint("session", __name__, description="Sign in and out with a session cookie.")


class SignInSchema(BaseSchema):
    email = fields.Email(required=True)
    password = fields.String(required=True, load_only=True)


class SessionSchema(BaseSchema):
    email = fields.String(allow_none=True)
    display_name = fields.String(allow_none=True)
    roles = fields.List(fields.String())
    csrf_token = fields.String()


class PasswordSchema(BaseSchema):
    current_password = fields.String(required=True, load_only=True)
    new_password = fields.String(required=True, load_only=True)
    revoke_tokens = fields.Boolean(load_default=False, load_only=True, metadata={
        "description": "Also revoke every API token of the account."})


def _session_body(principal):
    roles = [role for role, held in (
        ("administrator", principal.is_admin), ("officer", bool(principal.officer_clinics)),
        ("inspector", bool(principal.jurisdictions)), ("importer", principal.is_importer))
        if held]
    user = principal.user
    return {"email": user.email if user else None,
            "display_name": user.display_name if user else None,
            "roles": roles, "csrf_token": generate_csrf()}


@blp.route("")
class Session(MethodView):
    @blp.response(200, SessionSchema)
    def get(self):
        """Who is signed in (nobody: empty), with the CSRF token for cookie requests."""
        return _session_body(current())

    @blp.arguments(SignInSchema)
    @blp.response(200, SessionSchema)
    @blp.alt_response(401, description="Wrong email or password.")
    @blp.alt_response(429, description="Too many attempts.")
    def post(self, data):
        """Sign in: sets the session cookie."""
        try:
            signed_in = sessions.sign_in(data["email"], data["password"],
                                         request.remote_addr or "unknown",
                                         request.headers.get("User-Agent"))
        except sessions.SignInRefused as refused:
            abort(429 if refused.throttled else 401, message=str(refused))
        rotate_csrf()
        body = _session_body(principal_for(signed_in.user, via="session"))
        response = make_response(jsonify(SessionSchema().dump(body)))
        set_session_cookie(response, signed_in.token)
        return response

    @blp.response(204)
    def delete(self):
        """Sign out: the session ends on the server, not only in the browser."""
        sessions.sign_out(request.cookies.get(cookie_name()))
        response = make_response("", 204)
        clear_session_cookie(response)
        return response


@blp.route("/password")
class Password(MethodView):
    @blp.arguments(PasswordSchema)
    @blp.response(204)
    @blp.alt_response(429, description="Too many wrong passwords.")
    def post(self, data):
        """Change one's password; every other session of the account ends, and its API
        tokens too with revoke_tokens."""
        principal = current()
        if principal.via != "session":
            abort(401, message="Sign in with a session to change a password.")
        try:
            accounts.change_password(principal.user, data["current_password"],
                                     data["new_password"], principal.actor,
                                     address=request.remote_addr or "unknown",
                                     keep_session=principal.session,
                                     revoke_tokens=data["revoke_tokens"])
        except throttle.Throttled as refused:
            abort(429, message=str(refused))
        except InvalidInput as invalid:
            abort(422, message="Invalid password.", errors={"json": invalid.errors})
