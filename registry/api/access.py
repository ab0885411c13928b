"""Who may call the API at all: signed in (401 otherwise), and a token with a scope."""

from flask_smorest import abort

from registry.auth.principal import Principal, current


def require_reader() -> Principal:
    principal = current()
    if not principal.authenticated:
        abort(401, message="Sign in or send a bearer token.")
    if principal.via == "token" and "read" not in principal.scopes:
        abort(403, message="This token may not read clinic records.")
    return principal
