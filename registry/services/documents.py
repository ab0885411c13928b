"""Credential documents: checked by content (PDF, PNG, JPEG), stored once by their SHA-256."""

import hashlib
import os
import tempfile
from pathlib import Path

from registry.services.records import InvalidInput

# The first bytes of each accepted format; the name and declared type are not trusted.
SIGNATURES = {
    b"%PDF-": ("application/pdf", "pdf"),
    b"\x89PNG\r\n\x1a\n": ("image/png", "png"),
    b"\xff\xd8\xff": ("image/jpeg", "jpg"),
}


def sniff(content: bytes) -> tuple[str, str] | None:
    """(media type, extension) of an accepted document, or None."""
    for signature, kind in SIGNATURES.items():
        if content.startswith(signature):
            return kind
    return None


def store(content: bytes, directory: Path, max_bytes: int, field: str = "file") -> tuple[str, str]:
    """Write a document (if not already kept) and return its stored name and SHA-256."""
    if not content:
        raise InvalidInput({field: ["The file is empty."]})
    if len(content) > max_bytes:
        raise InvalidInput({field: [f"Larger than {max_bytes // (1024 * 1024)} MiB."]})
    kind = sniff(content)
    if kind is None:
        raise InvalidInput({field: ["Only PDF, PNG and JPEG documents are accepted."]})
    digest = hashlib.sha256(content).hexdigest()
    name = f"{digest}.{kind[1]}"
    directory.mkdir(parents=True, exist_ok=True)
    target = directory / name
    if not target.exists():
        # Written beside the target and renamed, so a half-written file is never served.
        handle, temporary = tempfile.mkstemp(dir=directory, prefix=".upload-")
        with os.fdopen(handle, "wb") as out:
            out.write(content)
        os.replace(temporary, target)
    return name, digest


def path_of(name: str, directory: Path) -> Path | None:
    """The stored file for a name recorded on a credential, if it is there."""
    path = (directory / name).resolve()
    if path.parent != directory.resolve() or not path.is_file():
        return None
    return path


def media_type(name: str) -> str:
    extension = name.rsplit(".", 1)[-1]
    return next((kind[0] for kind in SIGNATURES.values() if kind[1] == extension),
                "application/octet-stream")
