"""Credential documents: checked by content (PDF, PNG, JPEG), stored once by their SHA-256."""

import hashlib
import io
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

from flask import current_app
from PIL import Image, UnidentifiedImageError

from registry.services.pdf_content import UnreadablePdf, active_content
from registry.services.records import InvalidInput

# The first bytes of each accepted format; the name and declared type are not trusted.
SIGNATURES = {
    b"%PDF-": ("application/pdf", "pdf"),
    b"\x89PNG\r\n\x1a\n": ("image/png", "png"),
    b"\xff\xd8\xff": ("image/jpeg", "jpg"),
}
IMAGE_FORMATS = {"png": "PNG", "jpg": "JPEG"}


@dataclass(frozen=True)
class Limits:
    """How large a document may be, in bytes and in pixels, and a clinic's share of storage."""

    max_bytes: int
    max_pixels: int
    quota_bytes: int

    @classmethod
    def configured(cls) -> "Limits":
        config = current_app.config
        return cls(config["MAX_DOCUMENT_BYTES"], config["MAX_IMAGE_PIXELS"],
                   config["CLINIC_STORAGE_QUOTA_BYTES"])


def directory() -> Path:
    return Path(current_app.config["DOCUMENTS_PATH"])


def sniff(content: bytes) -> tuple[str, str] | None:
    """(media type, extension) of an accepted document, or None."""
    for signature, kind in SIGNATURES.items():
        if content.startswith(signature):
            return kind
    return None


def check(content: bytes, limits: Limits, field: str = "file") -> tuple[str, str]:
    """(media type, extension) of a document fit to keep; InvalidInput naming the field if not."""
    if not content:
        raise InvalidInput({field: ["The file is empty."]})
    if len(content) > limits.max_bytes:
        raise InvalidInput({field: [f"Larger than {limits.max_bytes // (1024 * 1024)} MiB."]})
    kind = sniff(content)
    if kind is None:
        raise InvalidInput({field: ["Only PDF, PNG and JPEG documents are accepted."]})
    problem = _pdf_problem(content) if kind[1] == "pdf" \
        else _image_problem(content, kind[1], limits.max_pixels)
    if problem:
        raise InvalidInput({field: [problem]})
    return kind


def _pdf_problem(content: bytes) -> str | None:
    try:
        kinds = active_content(content)
    except UnreadablePdf:
        return "The PDF could not be read (an encrypted PDF cannot be checked)."
    if kinds:
        return (f"This PDF carries {' and '.join(sorted(kinds))}, which are refused: print it "
                "to a new PDF and upload that.")
    return None


def _image_problem(content: bytes, extension: str, max_pixels: int) -> str | None:
    """Read from the image's header alone: its pixels are never decoded here."""
    try:
        with Image.open(io.BytesIO(content), formats=[IMAGE_FORMATS[extension]]) as image:
            width, height = image.size
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        # Pillow's own limit, far above ours, says so first (as an error when warnings are).
        return f"The image has more than {max_pixels:,} pixels."
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        return "The image could not be read."
    if width * height > max_pixels:
        return f"The image is {width}×{height} pixels, more than {max_pixels:,} pixels."
    return None


def name_of(content: bytes, kind: tuple[str, str]) -> tuple[str, str]:
    """(stored name, SHA-256) of a document."""
    digest = hashlib.sha256(content).hexdigest()
    return f"{digest}.{kind[1]}", digest


def write(content: bytes, target: Path) -> bool:
    """Keep a document under its stored name; whether it was new (not already kept)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    if target.exists():
        return False
    # Written beside the target and renamed, so a half-written file is never served.
    handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=".upload-")
    with os.fdopen(handle, "wb") as out:
        out.write(content)
    os.replace(temporary, target)
    return True


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
