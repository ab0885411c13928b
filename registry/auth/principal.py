"""The principal of a request: its user, how it signed in, and the roles it holds."""

from dataclasses import dataclass, field

from flask import current_app, g, request, session

from registry.models import Membership, User
from registry.services import sessions, tokens
from registry.services.audit import Actor


@dataclass(frozen=True)
class Principal:
    user: User | None = None
    via: str | None = None            # "session" or "token"
    session: object = None
    token: object = None
    is_admin: bool = False
    officer_clinics: frozenset = field(default_factory=frozenset)
    jurisdictions: frozenset = field(default_factory=frozenset)
    is_importer: bool = False
    scopes: frozenset = field(default_factory=frozenset)

    @property
    def authenticated(self) -> bool:
        return self.user is not None

    @property
    def actor(self) -> Actor:
        return Actor(self.user.email, self.user.id)

    def may_use_token_scope(self, scope: str) -> bool:
        return self.via != "token" or scope in self.scopes


ANONYMOUS = Principal()
# Forms and endpoints an anonymous browser posts to, still checked for CSRF.
CSRF_ANONYMOUS_ENDPOINTS = {"session.Session", "session.Password", "verify.page",
                            "pages.account.sign_in"}


def cookie_name() -> str:
    # The __Host- prefix needs Secure, so it is used where cookies are Secure.
    secure = current_app.config["SESSION_COOKIE_SECURE"]
    return "__Host-registry-session" if secure else "registry-session"


def set_session_cookie(response, token: str) -> None:
    from registry.services.sessions import SESSION_LIFETIME

    response.set_cookie(cookie_name(), token, httponly=True,
                        secure=current_app.config["SESSION_COOKIE_SECURE"], samesite="Lax",
                        max_age=int(SESSION_LIFETIME.total_seconds()), path="/")


def rotate_csrf() -> None:
    """Forget the CSRF secret at sign-in, so a token obtained before is useless after."""
    session.pop(current_app.config.get("WTF_CSRF_FIELD_NAME", "csrf_token"), None)
    g.pop("csrf_token", None)


def clear_session_cookie(response) -> None:
    response.delete_cookie(cookie_name(), path="/")


def bearer_token() -> str | None:
    header = request.headers.get("Authorization", "")
    scheme, _, value = header.partition(" ")
    return value.strip() if scheme.lower() == "bearer" and value.strip() else None


def principal_for(user: User, **extra) -> Principal:
    memberships = list(Membership.select().where(
        (Membership.user == user) & Membership.revoked_at.is_null()))
    return Principal(
        user=user,
        is_admin=any(m.role == "administrator" for m in memberships),
        officer_clinics=frozenset(m.clinic_id for m in memberships if m.role == "officer"),
        jurisdictions=frozenset(m.jurisdiction for m in memberships if m.role == "inspector"),
        is_importer=any(m.role == "importer" for m in memberships),
        **extra,
    )


def load_principal() -> Principal:
    """Who the request is from: a bearer token wins over a cookie; anonymous otherwise."""
    token = bearer_token()
    if token is not None:
        found = tokens.token_user(token)
        if found is None:
            return ANONYMOUS
        user, row = found
        return principal_for(user, via="token", token=row, scopes=frozenset(row.scopes.split()))
    found = sessions.session_user(request.cookies.get(cookie_name()))
    if found is None:
        return ANONYMOUS
    user, session = found
    return principal_for(user, via="session", session=session)


def current() -> Principal:
    if "principal" not in g:
        g.principal = load_principal()
    return g.principal


def init_app(app):
    """Resolve the principal before each request, and check CSRF on cookie-authenticated
    changes (bearer-token requests carry no cookie, so they cannot be forged that way)."""
    from flask_wtf.csrf import CSRFProtect

    app.config.setdefault("WTF_CSRF_CHECK_DEFAULT", False)
    app.config.setdefault("WTF_CSRF_TIME_LIMIT", None)
    csrf = CSRFProtect(app)

    @app.before_request
    def _principal_and_csrf():
        if request.endpoint in ("health.healthz", "static"):
            return
        g.principal = load_principal()
        if request.method in ("GET", "HEAD", "OPTIONS") or bearer_token() is not None:
            return
        # Forgery rides on a cookie the browser sends by itself; a request without one can only
        # change something by signing in, which is protected too (against login forgery).
        if g.principal.via == "session" or request.endpoint in CSRF_ANONYMOUS_ENDPOINTS \
                or request.cookies.get(cookie_name()):
            csrf.protect()
