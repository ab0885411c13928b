"""Active content in a PDF (JavaScript, launch actions, embedded files), found by reading it."""

import io

from pypdf import PdfReader
from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject

# A document with more objects than this is not read to the end: it is refused.
MAX_OBJECTS = 200_000


class UnreadablePdf(ValueError):
    """The PDF could not be read through, so what it carries is unknown."""


def _kinds(entry: DictionaryObject) -> set[str]:
    """What one dictionary of a PDF does, of the active kinds."""
    kinds = set()
    action = entry.get("/S")
    # XFA forms carry their own scripts.
    if {"/JS", "/JavaScript", "/XFA"} & entry.keys() or action == "/JavaScript":
        kinds.add("JavaScript")
    if action == "/Launch" or "/Launch" in entry:
        kinds.add("a launch action")
    if {"/EmbeddedFiles", "/EF"} & entry.keys() or entry.get("/Type") == "/EmbeddedFile" \
            or entry.get("/Subtype") == "/FileAttachment":
        kinds.add("embedded files")
    return kinds


def active_content(content: bytes) -> set[str]:
    """The kinds of active content among every object the document's trailer reaches.

    Raises UnreadablePdf when the document cannot be read through."""
    try:
        reader = PdfReader(io.BytesIO(content))
        if reader.is_encrypted and not reader.decrypt(""):
            raise UnreadablePdf("encrypted")
        return _walk(reader.trailer)
    except UnreadablePdf:
        raise
    except Exception as exc:  # any failure to parse leaves the content unknown
        raise UnreadablePdf(str(exc)) from exc


def _walk(root) -> set[str]:
    found, seen, waiting = set(), set(), [root]
    while waiting:
        item = waiting.pop()
        if isinstance(item, IndirectObject):
            if (item.idnum, item.generation) in seen:
                continue
            seen.add((item.idnum, item.generation))
            if len(seen) > MAX_OBJECTS:
                raise UnreadablePdf("too many objects")
            item = item.get_object()
        if isinstance(item, DictionaryObject):
            found |= _kinds(item)
            waiting.extend(item.values())
        elif isinstance(item, ArrayObject):
            waiting.extend(item)
    return found
