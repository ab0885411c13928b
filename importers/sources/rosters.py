"""Licence and certification rosters, Socrata or CSV, mapped by one TOML file per board or body."""

import hashlib
import json
import tomllib
from contextlib import suppress
from dataclasses import dataclass, field
from pathlib import Path

from importers.parse import clean, csv_rows
from importers.runs import Rejected, field_reason
from importers.schemas import ROSTER_STATUSES, RosterEntrySchema
from registry.clock import today, utcnow
from registry.db import is_postgresql
from registry.services import identity, records, roster_entries, verification
from registry.services.audit import Actor

SHIPPED = Path(__file__).resolve().parent.parent / "rosters"
MAPPED = ("number", "name", "credential_type", "status", "issued_on", "expires_on")
SOCRATA_PAGE = 50_000

@dataclass(frozen=True)
class RosterConfig:
    """One roster: where it is published, which columns mean what, how its statuses read."""

    name: str
    title: str
    issuer: str
    credential_kinds: tuple[str, ...]
    format: str = "csv"
    state: str | None = None
    url: str | None = None
    where: str | None = None
    order: str = ":id"
    # Column (or columns, joined with spaces) for each mapped field.
    fields: dict = field(default_factory=dict)
    # Normalised status → the words the roster uses for it (compared case-insensitively).
    statuses: dict = field(default_factory=dict)
    default_status: str | None = None
    key_includes_type: bool = False
    coverage: str = "unverified"
    note: str = ""
    sources: tuple[str, ...] = ()

    @classmethod
    def from_toml(cls, path: Path) -> "RosterConfig":
        data = tomllib.loads(path.read_text())
        try:
            config = cls(
                name=data["name"], title=data["title"], issuer=data["issuer"],
                credential_kinds=tuple(data["credential_kinds"]),
                format=data.get("format", "csv"), state=data.get("state"),
                url=data.get("url"), where=data.get("where"), order=data.get("order", ":id"),
                fields=data["fields"], statuses=data.get("statuses", {}),
                default_status=data.get("default_status"),
                key_includes_type=data.get("key_includes_type", False),
                coverage=data.get("coverage", "unverified"), note=data.get("note", ""),
                sources=tuple(data.get("sources", ())),
            )
        except KeyError as exc:
            raise ValueError(f"{path.name}: missing {exc.args[0]!r}") from exc
        config.check(path.name)
        return config

    def check(self, where: str) -> None:
        if self.format not in ("csv", "socrata"):
            raise ValueError(f"{where}: format must be csv or socrata")
        if "number" not in self.fields:
            raise ValueError(f"{where}: fields.number is required")
        unknown = set(self.fields) - set(MAPPED)
        if unknown:
            raise ValueError(f"{where}: unknown fields {', '.join(sorted(unknown))}")
        bad = set(self.statuses) - set(ROSTER_STATUSES)
        if bad:
            raise ValueError(f"{where}: statuses must be among {', '.join(ROSTER_STATUSES)}")
        if "status" not in self.fields and self.default_status is None:
            raise ValueError(f"{where}: map fields.status or set default_status")

    @property
    def vocabulary(self) -> dict[str, str]:
        return {word.upper(): status for status, words in self.statuses.items()
                for word in words}


def load_rosters(extra: Path | None = None) -> dict[str, RosterConfig]:
    """The shipped roster configurations, then any in the configured folder (same name wins)."""
    configs = {}
    for folder in (SHIPPED, extra):
        if folder is None:
            continue
        for path in sorted(Path(folder).glob("*.toml")):
            config = RosterConfig.from_toml(path)
            configs[config.name] = config
    return configs


@dataclass
class Prepared:
    row_number: int
    raw: dict
    key: str
    digest: str


class RosterSource:
    """Imports a roster into RosterEntry rows, then checks the credentials it covers."""

    def __init__(self, config: RosterConfig):
        self.config = config
        self.name = config.name
        self.actor = Actor.system(f"importer:{config.name}")
        self.downloaded_url = None
        self.vocabulary = config.vocabulary

    def headers(self, settings) -> dict:
        token = getattr(settings, "socrata_app_token", "")
        return {"X-App-Token": token} if token and self.config.format == "socrata" else {}

    def auth(self, settings):
        return None

    # Reading ---------------------------------------------------------------------------

    def read(self, context):
        if context.file is not None:
            yield from self._read_file(Path(context.file), context)
            return
        url = context.url or self.config.url
        if not url:
            raise Rejected(f"{self.name} has no URL: give a file or a URL")
        if self.config.format == "socrata" and not url.split("?")[0].lower().endswith(".csv"):
            yield from self._read_socrata(url, context)
            return
        path = context.fetcher.download(url)
        if path is None:
            context.not_modified = True
            return
        self.downloaded_url = url
        try:
            yield from self._read_file(path, context)
        finally:
            path.unlink(missing_ok=True)

    def _read_file(self, path: Path, context):
        if path.suffix.lower() == ".json":
            rows = json.loads(path.read_text(encoding="utf-8"))
            if not isinstance(rows, list):
                raise Rejected("a JSON roster must be an array of rows")
            for number, row in enumerate(rows, start=1):
                context.progress(number, len(rows))
                yield number, row
            return
        size = path.stat().st_size
        yield from csv_rows(path, progress=lambda done: context.progress(done, size))

    def _read_socrata(self, url: str, context):
        page = context.options.get("page_size", SOCRATA_PAGE)
        offset = 0
        while True:
            params = {"$limit": page, "$offset": offset, "$order": self.config.order}
            if self.config.where:
                params["$where"] = self.config.where
            rows, _response = context.fetcher.json(url, params)
            if not isinstance(rows, list):
                raise Rejected(f"{url} did not answer with a list of rows")
            yield from enumerate(rows, start=offset + 1)
            context.progress(offset + len(rows), None)
            if len(rows) < page:
                return
            offset += page

    # Mapping ---------------------------------------------------------------------------

    def prepare(self, row_number: int, raw) -> Prepared:
        """The row's key and digest; mapping waits until the row is known to be new or changed,
        so an unchanged re-import costs a digest per row."""
        if not isinstance(raw, dict):
            raise Rejected("not a row of named columns")
        if not all(isinstance(k, str) and k.islower() for k in raw):
            raw = {str(k).strip().lower(): v for k, v in raw.items()}
        number = identity.licence_number(clean(self._column(raw, "number")))
        if not number:
            raise Rejected("number: missing")
        key = number
        if self.config.key_includes_type:
            kind = clean(self._column(raw, "credential_type")) or ""
            key = f"{number}|{kind.upper()}"
        return Prepared(row_number, raw, key[:255], _digest(raw))

    def _values(self, item: Prepared) -> dict:
        """The mapped fields of a row, statuses normalised; Rejected if they cannot be."""
        row = {k: clean(v) for k, v in item.raw.items()}
        values = {name: self._column(row, name) for name in self.config.fields}
        status_text = values.pop("status", None)
        if status_text is None:
            if self.config.default_status is None:
                raise Rejected("status: missing")
            status = self.config.default_status
        else:
            status = self.vocabulary.get(status_text.upper())
            if status is None:
                raise Rejected(f"status: {status_text!r} is not in this roster's vocabulary")
        values.update(status=status, status_text=status_text,
                      number=identity.licence_number(values.get("number")))
        return values

    def _column(self, row: dict, name: str):
        columns = self.config.fields[name]
        if isinstance(columns, str):
            return row.get(columns)
        parts = [row.get(c) for c in columns]
        return " ".join(p for p in parts if isinstance(p, str)) or None

    # Writing ---------------------------------------------------------------------------

    def upsert(self, prepared: list[Prepared], record) -> None:
        """Insert new rows, update changed ones, leave unchanged ones alone (no write)."""
        if not prepared:
            return
        unique, first_row = [], {}
        for item in prepared:
            if item.key in first_row:
                record.reject(item.row_number,
                              f"number: same licence as row {first_row[item.key]}", item.raw)
                continue
            first_row[item.key] = item.row_number
            unique.append(item)
        existing = roster_entries.existing(self.name, [item.key for item in unique])
        run_id = record.run.id
        candidates = []
        for item in unique:
            found = existing.get(item.key)
            if found is not None and found[1] == item.digest:
                record.counts["unchanged"] += 1
            elif found is not None and found[2] == run_id:
                record.reject(item.row_number, "number: same licence as an earlier row",
                              item.raw)
            else:
                try:
                    candidates.append((item, found, self._values(item)))
                except Rejected as exc:
                    record.reject(item.row_number, str(exc), item.raw)
        now = utcnow()
        inserts, updates = [], []
        for (item, found, _), values in zip(candidates, self._validated(candidates, record),
                                            strict=True):
            if values is None:
                continue
            row = self._row(item, values, run_id, now)
            if found is None:
                inserts.append(row)
                record.counts["created"] += 1
            else:
                updates.append(row[2:] + (found[0],))
                record.counts["updated"] += 1
        roster_entries.write(inserts, updates)

    def _validated(self, candidates: list, record) -> list:
        """Each candidate's validated values, or None (and the row rejected with the reason).

        A chunk is validated in one call; only a chunk with an error is gone through row by row.
        """
        mapped = [values for _, _, values in candidates]
        with suppress(records.InvalidInput):  # an error: go through the rows one by one
            return records.load(RosterEntrySchema, mapped, many=True)
        results = []
        for item, _, values in candidates:
            try:
                results.append(records.load(RosterEntrySchema, values))
            except records.InvalidInput as exc:
                record.reject(item.row_number, field_reason(exc.errors), item.raw)
                results.append(None)
        return results

    def _row(self, item: Prepared, values: dict, run_id: int, now) -> tuple:
        """The row in roster_entries.COLUMNS order."""
        postgresql = is_postgresql()

        def day(value):
            return value if postgresql or value is None else value.isoformat()

        return (self.name, item.key, values["number"], values["name"],
                values["credential_type"], values["status"], values["status_text"],
                values["status"] == "active", day(values["issued_on"]),
                day(values["expires_on"]), item.digest,
                json.dumps(item.raw, sort_keys=True, separators=(",", ":"), default=str), run_id,
                now if postgresql else now.isoformat(" "))

    # After the rows ----------------------------------------------------------------------

    def after(self, record, context) -> str:
        if getattr(context, "not_modified", False):
            return "not modified since the last import"
        if self.downloaded_url:
            context.fetcher.remember(self.downloaded_url)
        checked = verification.check_roster(self.config, self.actor, today())
        return verification.describe(checked)


def _digest(raw: dict) -> str:
    """A fingerprint of the row as received: names and values, in the order they came."""
    if all(type(v) is str for v in raw.values()):  # CSV rows, the large ones
        text = "\x1e".join(raw) + "\x1d" + "\x1e".join(raw.values())
    else:
        text = json.dumps(raw, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.md5(text.encode(), usedforsecurity=False).hexdigest()
