"""Helpers for page tests: a browser-like client that signs in through the form and submits
forms with the CSRF token the page itself rendered."""

import re
from html import unescape

from flask import g, has_app_context
from flask.testing import FlaskClient

from tests.api_world import PASSWORD

CSRF_INPUT = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"'
                        r'|type="hidden" name="csrf_token" value="([^"]+)"'
                        r'|id="csrf_token" name="csrf_token" type="hidden" value="([^"]+)"')


class PageClient(FlaskClient):
    """Submits forms as a browser does: the token comes from the page that shows the form."""

    def open(self, *args, **kwargs):
        # Tests keep an app context open, which requests then share: drop what a request
        # caches on g so each request starts as it would in production.
        if has_app_context():
            for name in ("csrf_token", "principal"):
                g.pop(name, None)
        return super().open(*args, **kwargs)

    def csrf_token(self, page_url: str) -> str:
        response = self.get(page_url)
        assert response.status_code == 200, (page_url, response.status_code)
        match = CSRF_INPUT.search(response.get_data(as_text=True))
        assert match, f"no CSRF token on {page_url}"
        return next(group for group in match.groups() if group)

    def submit(self, page_url: str, data: dict | None = None, *, action: str | None = None,
               **kwargs):
        """Post a form shown on page_url (to action, or back to the page itself)."""
        payload = {"csrf_token": self.csrf_token(page_url), **(data or {})}
        return self.post(action or page_url, data=payload, **kwargs)


def page_client(app) -> PageClient:
    app.test_client_class = PageClient
    return app.test_client()


def sign_in(client: PageClient, email: str, password: str = PASSWORD):
    response = client.submit("/sign-in", {"email": email, "password": password})
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    return response


def text_of(response) -> str:
    """The page's visible text, roughly: tags dropped, entities decoded, spaces folded."""
    html = response.get_data(as_text=True)
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())


def error_for(response, field_id: str) -> str | None:
    """The error message shown next to a field, if any."""
    match = re.search(rf'<p class="error" id="{re.escape(field_id)}-error">(.*?)</p>',
                      response.get_data(as_text=True), flags=re.S)
    return unescape(match.group(1)).strip() if match else None
