"""HTTP for importers: a requests session with timeouts, retries, conditional GETs, streaming."""

import logging
import tempfile
import time
from contextlib import suppress
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import requests
from requests.adapters import HTTPAdapter
from urllib3.exceptions import ReadTimeoutError
from urllib3.util.retry import Retry

from importers import __version__
from registry.clock import utcnow
from registry.db import write_transaction
from registry.models import SourceState

log = logging.getLogger(__name__)

USER_AGENT = (f"PigmentRegistry/{__version__} (compliance registry importer; "
              "+https://pigment-registry.example/importers)")
RETRY_STATUSES = (429, 500, 502, 503, 504)
# A body cut short arrives after the response started, where urllib3 does not retry.
BODY_ATTEMPTS = 3
DOWNLOAD_CHUNK = 1 << 16


class FetchError(Exception):
    """A source could not be read; the message says why, without secrets."""


@dataclass(frozen=True)
class HttpSettings:
    connect_timeout: float = 5.0
    read_timeout: float = 60.0
    retries: int = 4
    backoff: float = 1.0
    # Longest wait a Retry-After header may impose before we give up instead.
    retry_after_max: int = 300

    @classmethod
    def from_settings(cls, settings) -> "HttpSettings":
        return cls(settings.http_connect_timeout, settings.http_read_timeout,
                   settings.http_retries, settings.http_backoff)


def _describe(url: str) -> str:
    """The URL without its query string, which may carry an API key."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}{parts.path}"


class Fetcher:
    """Fetches documents and JSON pages for one source."""

    def __init__(self, source: str, http: HttpSettings | None = None, headers=None, auth=None):
        self.source = source
        self.http = http or HttpSettings()
        self.session = requests.Session()
        self.session.headers["User-Agent"] = USER_AGENT
        self.session.headers.update(headers or {})
        # Credentials go in headers, never in URLs, which urllib3 logs when it retries.
        self.session.auth = auth
        retry = Retry(
            total=self.http.retries, connect=self.http.retries, read=self.http.retries,
            status=self.http.retries, status_forcelist=RETRY_STATUSES,
            allowed_methods={"GET", "HEAD"}, backoff_factor=self.http.backoff,
            backoff_max=60, respect_retry_after_header=True, raise_on_status=False,
            retry_after_max=self.http.retry_after_max,
        )
        adapter = HTTPAdapter(max_retries=retry)
        self.session.mount("http://", adapter)
        self.session.mount("https://", adapter)
        self.requests_made = 0

    def close(self):
        self.session.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    @property
    def timeout(self):
        return (self.http.connect_timeout, self.http.read_timeout)

    def _get(self, url: str, *, params=None, headers=None, stream=False) -> requests.Response:
        self.requests_made += 1
        try:
            return self.session.get(url, params=params, headers=headers, stream=stream,
                                    timeout=self.timeout)
        except requests.exceptions.RetryError as exc:
            raise FetchError(f"{_describe(url)} kept failing after "
                             f"{self.http.retries} retries") from exc
        except requests.exceptions.Timeout as exc:
            raise FetchError(f"{_describe(url)} did not answer within "
                             f"{self.http.read_timeout:g} s") from exc
        except requests.exceptions.ConnectionError as exc:
            reason = getattr(exc.args[0], "reason", None) if exc.args else None
            if isinstance(reason, ReadTimeoutError):
                raise FetchError(f"{_describe(url)} did not answer within "
                                 f"{self.http.read_timeout:g} s") from exc
            raise FetchError(f"{_describe(url)} could not be reached") from exc

    def json(self, url: str, params=None, *, not_found_is_empty=False):
        """A JSON document and its response; None for a 404 the source uses for "no results"."""
        for attempt in range(1, BODY_ATTEMPTS + 1):
            response = self._get(url, params=params, stream=True)
            try:
                response.content  # noqa: B018 - reads the whole body, here, where a cut is seen
            except requests.exceptions.RequestException as exc:
                response.close()
                if attempt == BODY_ATTEMPTS:
                    raise FetchError(f"{_describe(url)} sent an incomplete body") from exc
                time.sleep(self.http.backoff * attempt)
                continue
            if response.status_code == 404 and not_found_is_empty:
                return None, response
            _raise_for_status(response, url, self.http.retries)
            try:
                return response.json(), response
            except ValueError as exc:
                if attempt == BODY_ATTEMPTS:
                    raise FetchError(f"{_describe(url)} sent a body that is not JSON "
                                     "(cut short?)") from exc
                time.sleep(self.http.backoff * attempt)
        raise AssertionError("unreachable")

    def download(self, url: str, *, conditional: bool = True) -> Path | None:
        """Stream a document to a temporary file; None when the source says it is unchanged.

        The ETag and Last-Modified of the last complete download are sent back, so a source
        that supports conditional requests answers 304 and nothing is read.
        """
        state = SourceState.get_or_none(source=self.source, url=url) if conditional else None
        headers = {}
        if state and state.etag:
            headers["If-None-Match"] = state.etag
        if state and state.last_modified:
            headers["If-Modified-Since"] = state.last_modified
        for attempt in range(1, BODY_ATTEMPTS + 1):
            with self._get(url, headers=headers, stream=True) as response:
                if response.status_code == 304:
                    log.info("%s: %s not modified", self.source, _describe(url))
                    return None
                _raise_for_status(response, url, self.http.retries)
                try:
                    path = self._save(response)
                except requests.exceptions.RequestException as exc:
                    if attempt == BODY_ATTEMPTS:
                        raise FetchError(f"{_describe(url)} sent an incomplete body") from exc
                    time.sleep(self.http.backoff * attempt)
                    continue
                self.validators = (response.headers.get("ETag"),
                                   response.headers.get("Last-Modified"))
                return path
        raise AssertionError("unreachable")

    def _save(self, response) -> Path:
        handle = tempfile.NamedTemporaryFile(prefix="registry-import-", delete=False)  # noqa: SIM115
        try:
            with handle:
                for block in response.iter_content(DOWNLOAD_CHUNK):
                    handle.write(block)
        except BaseException:
            Path(handle.name).unlink(missing_ok=True)
            raise
        return Path(handle.name)

    def remember(self, url: str) -> None:
        """Keep the validators of a download that was imported in full."""
        etag, modified = getattr(self, "validators", (None, None))
        if not (etag or modified):
            return
        with write_transaction():
            updated = SourceState.update(etag=etag, last_modified=modified,
                                         checked_at=utcnow()).where(
                (SourceState.source == self.source) & (SourceState.url == url)).execute()
            if not updated:
                SourceState.create(source=self.source, url=url, etag=etag,
                                   last_modified=modified)


def _raise_for_status(response: requests.Response, url: str, retries: int) -> None:
    if response.status_code < 400:
        return
    detail = ""
    with suppress(ValueError, AttributeError):  # a body that is not openFDA's error JSON
        error = response.json().get("error") or {}
        detail = f": {error.get('code', '')} {error.get('message', '')}".rstrip()
    after = f" after {retries} retries" if response.status_code in RETRY_STATUSES else ""
    raise FetchError(f"{_describe(url)} answered HTTP {response.status_code}{detail}{after}")
