"""Small documents written out by hand: PDFs, plain or carrying active content, and the
headers of PNG and JPEG images of any size (no pixels: the registry reads only the header)."""

import struct
import zlib

JAVASCRIPT = "/OpenAction << /S /JavaScript /JS (app.alert(1)) >>"
LAUNCH = "/OpenAction << /S /Launch /F (calc.exe) >>"
EMBEDDED_FILE = ("/Names << /EmbeddedFiles << /Names [(a.txt) << /Type /Filespec /F (a.txt) "
                 "/EF << /F 4 0 R >> >>] >> >>")
EMBEDDED_STREAM = "<< /Type /EmbeddedFile /Length 5 >>\nstream\nhello\nendstream"


def pdf(catalog: str = "", *, extra: tuple[str, ...] = ()) -> bytes:
    """A one-page PDF with a correct cross-reference table; catalog adds entries to its
    catalog, extra adds objects numbered from 4."""
    objects = [f"<< /Type /Catalog /Pages 2 0 R {catalog}>>",
               "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
               "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 72 72] >>", *extra]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n{body}\nendobj\n".encode()
    table = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += b"".join(f"{offset:010d} 00000 n \n".encode() for offset in offsets)
    out += (f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{table}\n"
            "%%EOF\n").encode()
    return bytes(out)


PLAIN = pdf()


def png(width: int, height: int) -> bytes:
    """A PNG's signature, header and end: enough to tell its size."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return (struct.pack(">I", len(data)) + kind + data
                + struct.pack(">I", zlib.crc32(kind + data)))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IEND", b"")


def jpeg(width: int, height: int) -> bytes:
    """A JPEG's start, a JFIF marker and a baseline frame header: enough to tell its size."""
    jfif = b"\xff\xe0" + struct.pack(">H", 16) + b"JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00"
    frame = b"\xff\xc0" + struct.pack(">HBHHB", 11, 8, height, width, 1) + b"\x01\x11\x00"
    return b"\xff\xd8" + jfif + frame + b"\xff\xd9"
