"""A real HTTP server on 127.0.0.1 that plays scripted answers, for testing importers."""

import json
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit


@dataclass
class Answer:
    """One scripted answer: status, body, headers, and how to misbehave."""

    status: int = 200
    body: object = b""
    headers: dict = field(default_factory=dict)
    delay: float = 0.0
    # Declare the full length, send only this many bytes, then close.
    cut_at: int | None = None

    def payload(self) -> bytes:
        if isinstance(self.body, bytes):
            return self.body
        if isinstance(self.body, str):
            return self.body.encode()
        return json.dumps(self.body).encode()


def not_found() -> Answer:
    """openFDA's answer to a search with no hits."""
    return Answer(404, {"error": {"code": "NOT_FOUND", "message": "No matches found!"}})


@dataclass
class Seen:
    path: str
    query: dict
    headers: dict


class HttpSource:
    """Routes map a path to answers played in order (the last one repeats) or to a function
    of (query, headers) returning an Answer."""

    def __init__(self):
        self.routes: dict[str, object] = {}
        self.seen: list[Seen] = []
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def route(self, path: str, *answers):
        self.routes[path] = list(answers) if not callable(answers[0]) else answers[0]

    def requests_to(self, path: str) -> list[Seen]:
        return [s for s in self.seen if s.path == path]

    def _answer(self, path: str, query: dict, headers: dict) -> Answer:
        self.seen.append(Seen(path, query, headers))
        target = self.routes.get(path)
        if target is None:
            return Answer(404, b"no such route")
        if callable(target):
            return target(query, headers)
        return target.pop(0) if len(target) > 1 else target[0]

    def _handler(self):
        source = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_GET(self):
                parts = urlsplit(self.path)
                query = {k: v[0] for k, v in parse_qs(parts.query).items()}
                answer = source._answer(parts.path, query, dict(self.headers))
                if answer.delay:
                    time.sleep(answer.delay)
                payload = answer.payload()
                self.send_response(answer.status)
                headers = {"Content-Type": "application/json", **answer.headers}
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                try:
                    if answer.cut_at is not None:
                        self.wfile.write(payload[:answer.cut_at])
                        self.wfile.flush()
                        self.close_connection = True
                        return
                    self.wfile.write(payload)
                except (BrokenPipeError, ConnectionResetError):
                    pass

        return Handler

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()
