"""Request input no handler could parse, store or compare is refused before any handler runs."""

import json
import re

from flask import request
from flask_smorest import abort

# NUL cannot be stored or compared by PostgreSQL; a lone surrogate cannot be encoded at all.
UNUSABLE = re.compile("[\x00\ud800-\udfff]")
MESSAGE = "Text may not contain NUL characters or unpaired surrogates."


def _json_body():
    """The body parsed as JSON, or a 400 for what cannot be parsed: malformed text, nesting
    deeper than the parser's recursion limit, integers longer than Python converts."""
    try:
        return json.loads(request.get_data(cache=True))
    except (ValueError, RecursionError):
        abort(400, message="The request body is not valid JSON.")


def _unusable(value) -> bool:
    """Whether any text in a parsed JSON value (keys included) is unusable; no recursion,
    so depth costs nothing."""
    pending = [value]
    while pending:
        item = pending.pop()
        if isinstance(item, str):
            if UNUSABLE.search(item):
                return True
        elif isinstance(item, dict):
            pending.extend(item.keys())
            pending.extend(item.values())
        elif isinstance(item, list):
            pending.extend(item)
    return False


def _field_errors(pairs) -> dict:
    return {name: [MESSAGE] for name, value in pairs if _unusable(name) or _unusable(value)}


def problems() -> dict:
    """Unusable text by where it came from (query, form, json) and field."""
    found = {"query": _field_errors(request.args.items(multi=True))}
    if request.mimetype in ("application/x-www-form-urlencoded", "multipart/form-data"):
        found["form"] = _field_errors(request.form.items(multi=True))
    if request.is_json and request.content_length != 0 and request.get_data(cache=True):
        body = _json_body()
        found["json"] = (_field_errors(body.items()) if isinstance(body, dict)
                         else {"_schema": [MESSAGE]} if _unusable(body) else {})
    return {where: fields for where, fields in found.items() if fields}


def init_app(app):
    @app.before_request
    def _refuse_unusable_input():
        if found := problems():
            abort(422, message="Invalid input.", errors=found)
