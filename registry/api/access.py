"""Who may call an endpoint at all: signed in (401 otherwise) and holding the needed role."""

from flask_smorest import abort

from registry.auth.principal import Principal, current
from registry.auth.tenancy import may_read_imports, may_read_records


def require_signed_in() -> Principal:
    principal = current()
    if not principal.authenticated:
        abort(401, message="Sign in or send a bearer token.")
    return principal


def require_reader() -> Principal:
    """Administrators, officers and inspectors; tokens need the 'read' scope."""
    principal = require_signed_in()
    if not may_read_records(principal):
        abort(403, message="This account or token may not read clinic records.")
    return principal


def require_import_reader() -> Principal:
    """Administrators and importers."""
    principal = require_signed_in()
    if not may_read_imports(principal):
        abort(403, message="This account or token may not read import runs.")
    return principal


def refuse(message: str = "This account or token may not make this change."):
    abort(403, message=message)


def readers_only() -> None:
    """Blueprint guard: callers are checked before their input is."""
    require_reader()


def import_readers_only() -> None:
    require_import_reader()
