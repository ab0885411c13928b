"""Reading source payloads: cleaning text, streaming CSV rows, and the date forms sources use."""

import csv
import io
import re
from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path

# C0 control characters other than tab and newline (openFDA has \u0013 and \u001c..\u001d).
CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
SPACES = re.compile(r"[ ]{2,}")
# Strings sources use for "no value".
SENTINELS = {"", "N/A", "NA", "NONE", "NULL", "-"}
DATE_FORMATS = ("%Y%m%d", "%Y-%m-%d")
PROGRESS_EVERY = 1000
US_DATE = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4})")


def clean(value):
    """A value with control characters removed and sentinel strings turned into None."""
    if isinstance(value, str):
        if value.isprintable():
            value = value.strip()
        else:
            value = SPACES.sub(" ", CONTROL.sub(" ", value)).strip()
        return None if len(value) <= 4 and value.upper() in SENTINELS else value
    if isinstance(value, dict):
        return {k: clean(v) for k, v in value.items()}
    if isinstance(value, list):
        return [clean(v) for v in value]
    return value


def parse_date(value: str | None) -> date | None:
    """A date from YYYYMMDD, MM/DD/YYYY, ISO dates, or Socrata's floating timestamps."""
    if value is None or value == "":
        return None
    text = value.strip()
    if "T" in text:
        text = text.split("T", 1)[0]
    quick = US_DATE.fullmatch(text)
    if quick:  # MM/DD/YYYY, the common case in rosters, without strptime's cost
        month, day, year = map(int, quick.groups())
        try:
            return date(year, month, day)
        except ValueError:
            raise ValueError(f"not a date: {value!r}") from None
    for form in DATE_FORMATS:
        try:
            return datetime.strptime(text, form).date()
        except ValueError:
            continue
    raise ValueError(f"not a date: {value!r}")


class CountingReader(io.RawIOBase):
    """A binary file that counts the bytes read, for a progress bar."""

    def __init__(self, handle):
        self.handle = handle
        self.read_bytes = 0

    def readable(self):
        return True

    def readinto(self, buffer):
        count = self.handle.readinto(buffer)
        self.read_bytes += count or 0
        return count


def csv_rows(path: Path, progress=None) -> Iterator[tuple[int, dict]]:
    """(line number, row) for each row of a CSV file with a header, streamed.

    UTF-8 with or without a byte-order mark; a file that is not UTF-8 is read as Latin-1,
    as state exports often are. progress(bytes_read) is called every thousand rows.
    """
    encoding = "utf-8-sig" if _is_utf8(path) else "latin-1"
    with open(path, "rb") as raw:
        counter = CountingReader(raw)
        text = io.TextIOWrapper(io.BufferedReader(counter), encoding=encoding, newline="")
        reader = csv.reader(text)
        header = next(reader, None)
        if header is None:
            return
        names = [name.strip().lower() for name in header]
        width = len(names)
        for count, values in enumerate(reader, start=1):
            if not values:
                continue
            row = dict(zip(names, values, strict=False))
            if len(values) > width:
                row["_extra"] = values[width:]
            if progress is not None and count % PROGRESS_EVERY == 0:
                progress(counter.read_bytes)
            yield reader.line_num, row
        if progress is not None:
            progress(counter.read_bytes)


def _is_utf8(path: Path, sample: int = 1 << 20) -> bool:
    with open(path, "rb") as handle:
        head = handle.read(sample)
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as exc:
        # A multi-byte character cut by the sample's end is still UTF-8.
        return exc.start >= len(head) - 3
    return True
