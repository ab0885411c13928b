"""Security headers on every response, errors included; nothing signed-in is cached."""

from flask import g, request

from registry.auth.principal import bearer_token, cookie_name

CONTENT_SECURITY_POLICY = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; form-action 'self'; base-uri 'none'; "
    "frame-ancestors 'none'"
)


def _signed_in(response) -> bool:
    """An answer to a request that is (or tries to be) signed in, or one that signs in."""
    principal = g.get("principal")
    name = cookie_name()
    return bool((principal is not None and principal.authenticated) or bearer_token()
                or request.cookies.get(name)
                or any(cookie.startswith(f"{name}=")
                       for cookie in response.headers.getlist("Set-Cookie")))


def init_app(app):
    @app.after_request
    def _headers(response):
        headers = response.headers
        # Answers to signed-in callers carry client and health data: no browser or proxy
        # may keep them.
        if _signed_in(response):
            headers["Cache-Control"] = "no-store, private"
        headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        headers.setdefault("X-Content-Type-Options", "nosniff")
        headers.setdefault("Referrer-Policy", "no-referrer")
        headers.setdefault("X-Frame-Options", "DENY")
        headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
        if request.is_secure:
            headers.setdefault("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
        return response
