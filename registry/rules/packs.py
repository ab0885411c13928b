"""Rule packs: reading the YAML under jurisdictions/, validating it, and looking up dated values."""

import re
from bisect import bisect_right
from dataclasses import dataclass, field
from datetime import date
from functools import cache
from pathlib import Path

import yaml
from marshmallow import (
    RAISE,
    Schema,
    ValidationError,
    fields,
    validate,
    validates,
    validates_schema,
)

from registry.rules.checks import CHECK_KINDS, SUBJECTS

CONFIDENCES = ("verified", "secondary", "unverified")
SEVERITIES = ("critical", "major", "minor")
ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
PACK_FILE = "pack.yaml"


class PackError(ValueError):
    """A pack that cannot be used: names the file, the requirement and the field."""

    def __init__(self, path: Path | str, problems: list[str]):
        self.path = str(path)
        self.problems = problems
        super().__init__(f"{self.path}: " + "; ".join(problems))


class _StrictLoader(yaml.SafeLoader):
    """YAML without implicit dates (kept as text, checked by the schema), without YAML 1.1's
    yes/no/on/off booleans (only true and false), and without duplicate keys."""


_StrictLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:bool"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_StrictLoader.add_implicit_resolver(
    "tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"),
    list("tTfF"))


def _no_duplicate_keys(loader, node, deep=False):
    mapping = {}
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=deep)
        if key in mapping:
            raise yaml.constructor.ConstructorError(
                None, None, f"duplicate key {key!r}", key_node.start_mark)
        mapping[key] = loader.construct_object(value_node, deep=deep)
    return mapping


_StrictLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _no_duplicate_keys)
_StrictLoader.add_constructor("tag:yaml.org,2002:timestamp",
                              yaml.constructor.SafeConstructor.construct_yaml_str)


def read_yaml(path: Path):
    with path.open(encoding="utf-8") as handle:
        return yaml.load(handle, Loader=_StrictLoader)  # noqa: S506 - a safe loader subclass


class IsoDate(fields.Date):
    """A YYYY-MM-DD date; anything else (including YAML's other date forms) is refused."""

    def _deserialize(self, value, attr, data, **kwargs):
        if not isinstance(value, str) or not ISO_DATE.match(value):
            raise ValidationError("Use a date written YYYY-MM-DD.")
        return super()._deserialize(value, attr, data, **kwargs)


class _Strict(Schema):
    class Meta:
        unknown = RAISE


class CitationSchema(_Strict):
    code = fields.String(required=True, validate=validate.Length(min=2))
    url = fields.Url(required=True, schemes={"http", "https"})
    title = fields.String(load_default=None)
    accessed = IsoDate(load_default=None)


class CheckSchema(_Strict):
    kind = fields.String(required=True)
    params = fields.Dict(keys=fields.String(), load_default=dict)

    @validates("kind")
    def _known(self, value, **_kwargs):
        if value not in CHECK_KINDS:
            raise ValidationError(f"Unknown check kind {value!r}; known: "
                                  + ", ".join(sorted(CHECK_KINDS)))


class RequirementSchema(_Strict):
    id = fields.String(required=True, validate=validate.Regexp(
        r"^[a-z0-9]+(?:[.-][a-z0-9]+)*$", error="Lower-case words joined by '.' or '-'."))
    title = fields.String(required=True, validate=validate.Length(min=3, max=200))
    statement = fields.String(required=True, validate=validate.Length(min=10))
    applies_to = fields.String(required=True, validate=validate.OneOf(SUBJECTS))
    citations = fields.List(fields.Nested(CitationSchema), required=True,
                            validate=validate.Length(min=1, error="At least one citation."))
    effective_from = IsoDate(required=True)
    # False when effective_from is only the date from which the registry applies the rule,
    # because the date it took effect was not verified.
    start_known = fields.Boolean(load_default=True)
    effective_to = IsoDate(load_default=None)
    supersedes = fields.String(load_default=None)
    check = fields.Nested(CheckSchema, required=True)
    severity = fields.String(required=True, validate=validate.OneOf(SEVERITIES))
    confidence = fields.String(required=True, validate=validate.OneOf(CONFIDENCES))
    conflict = fields.Boolean(load_default=False)
    note = fields.String(load_default=None)
    fix = fields.String(load_default=None)

    @validates_schema
    def _consistent(self, data, **_kwargs):
        if data.get("effective_to") and data["effective_to"] <= data["effective_from"]:
            raise ValidationError("Ends on or before it starts.", "effective_to")
        if (data.get("conflict") or data.get("confidence") == "unverified"
                or not data.get("start_known")) and not data.get("note"):
            raise ValidationError("Say in a note what is unverified or conflicting.", "note")
        kind = CHECK_KINDS.get(data["check"]["kind"])
        if kind and data["applies_to"] not in kind.subjects:
            raise ValidationError(
                f"Check {kind.name} applies to {', '.join(kind.subjects)}.", "applies_to")


class ScopeSchema(_Strict):
    country = fields.String(load_default="US")
    state = fields.String(load_default=None)
    cities = fields.List(fields.String(), load_default=None)


class PackSchema(_Strict):
    jurisdiction = fields.String(required=True)
    name = fields.String(required=True)
    kind = fields.String(required=True, validate=validate.OneOf(
        ("federal", "state", "local", "professional")))
    scope = fields.Nested(ScopeSchema, load_default=dict)
    version = fields.String(required=True)
    last_reviewed = IsoDate(required=True)
    summary = fields.String(load_default=None)
    requirements = fields.List(fields.Dict(), required=True,
                               validate=validate.Length(min=1))


@dataclass(frozen=True)
class DatedValue:
    """A parameter whose value changes on dates: the value in force is the latest one on or
    before the day; None before the first date."""

    starts: tuple[date, ...]
    values: tuple

    def at(self, day: date):
        index = bisect_right(self.starts, day) - 1
        return self.values[index] if index >= 0 else None


@dataclass(frozen=True)
class Citation:
    code: str
    url: str
    title: str | None = None
    accessed: date | None = None


@dataclass(frozen=True)
class Requirement:
    id: str
    title: str
    statement: str
    applies_to: str
    citations: tuple[Citation, ...]
    effective_from: date
    start_known: bool
    effective_to: date | None
    check_kind: str
    params: dict
    severity: str
    confidence: str
    conflict: bool
    note: str | None
    fix: str | None
    supersedes: str | None
    pack: "Pack" = field(repr=False, compare=False, default=None)

    def in_force(self, day: date) -> bool:
        return self.effective_from <= day and (self.effective_to is None or day < self.effective_to)

    def param(self, name: str, day: date, default=None):
        value = self.params.get(name, default)
        return value.at(day) if isinstance(value, DatedValue) else value

    def is_dated(self, name: str) -> bool:
        return isinstance(self.params.get(name), DatedValue)

    @property
    def version(self) -> str:
        return f"{self.pack.version}/{self.id}@{self.effective_from.isoformat()}"


@dataclass
class Pack:
    jurisdiction: str
    name: str
    kind: str
    scope: dict
    version: str
    last_reviewed: date
    summary: str | None
    path: str
    requirements: list[Requirement] = field(default_factory=list)

    def __post_init__(self):
        self.summary = self.summary and self.summary.strip()

    def applies_to_clinic(self, state: str, city: str | None) -> bool:
        if self.kind in ("federal", "professional"):
            return True
        if self.scope.get("state") != state:
            return False
        cities = self.scope.get("cities")
        return not cities or (city or "").strip().lower() in {c.lower() for c in cities}

    def confidence_summary(self) -> dict[str, int]:
        summary = dict.fromkeys(CONFIDENCES, 0)
        for requirement in self.requirements:
            summary[requirement.confidence] += 1
        return summary


def _dated(value, name, requirement):
    """A {YYYY-MM-DD: value} mapping becomes a DatedValue; other values stay as they are."""
    if not (isinstance(value, dict) and value and all(isinstance(k, str) and ISO_DATE.match(k)
                                                      for k in value)):
        return value
    pairs = sorted((date.fromisoformat(k), v) for k, v in value.items())
    first = pairs[0][0]
    if first < requirement["effective_from"]:
        raise ValidationError({"check": {"params": {name: [
            f"Value dated {first} is before the requirement takes effect."]}}})
    return DatedValue(tuple(d for d, _ in pairs), tuple(v for _, v in pairs))


def parse_pack(path: Path) -> Pack:
    """Read and validate one pack file; raise PackError naming what is wrong."""
    try:
        raw = read_yaml(path)
    except (OSError, yaml.YAMLError) as exc:
        raise PackError(path, [f"unreadable: {exc}"]) from exc
    if not isinstance(raw, dict):
        raise PackError(path, ["a pack is a mapping with jurisdiction, version, requirements"])
    try:
        head = PackSchema().load(raw)
    except ValidationError as exc:
        raise PackError(path, _flatten(exc.messages)) from exc
    pack = Pack(head["jurisdiction"], head["name"], head["kind"], head["scope"], head["version"],
                head["last_reviewed"], head["summary"], str(path))
    problems = []
    for index, entry in enumerate(head["requirements"]):
        label = f"requirement {entry.get('id', f'#{index + 1}')!s}"
        try:
            data = RequirementSchema().load(entry)
            kind = CHECK_KINDS[data["check"]["kind"]]
            params = {name: _dated(value, name, data)
                      for name, value in data["check"]["params"].items()}
            kind.validate_params(params)
        except ValidationError as exc:
            problems += [f"{label}: {p}" for p in _flatten(exc.messages)]
            continue
        citations = tuple(Citation(**c) for c in data["citations"])
        pack.requirements.append(Requirement(
            id=data["id"], title=data["title"], statement=data["statement"],
            applies_to=data["applies_to"], citations=citations,
            effective_from=data["effective_from"], start_known=data["start_known"],
            effective_to=data["effective_to"],
            check_kind=kind.name, params=params, severity=data["severity"],
            confidence=data["confidence"], conflict=data["conflict"],
            note=data["note"] and data["note"].strip(), fix=data["fix"] and data["fix"].strip(),
            supersedes=data["supersedes"], pack=pack))
    if problems:
        raise PackError(path, problems)
    return pack


def _flatten(messages, prefix="") -> list[str]:
    if isinstance(messages, dict):
        out = []
        for key, value in messages.items():
            name = f"{prefix}.{key}" if prefix else str(key)
            out += _flatten(value, name)
        return out
    if isinstance(messages, list) and all(isinstance(m, str) for m in messages):
        return [f"{prefix}: {' '.join(messages)}" if prefix else " ".join(messages)]
    if isinstance(messages, list):
        return [line for item in messages for line in _flatten(item, prefix)]
    return [f"{prefix}: {messages}"]


def check_across_packs(packs: list[Pack]) -> list[str]:
    """Rules that span packs: unique ids, and superseded rules that end before successors."""
    problems, seen = [], {}
    for pack in packs:
        for requirement in pack.requirements:
            if requirement.id in seen:
                problems.append(f"{pack.path}: requirement {requirement.id}: duplicate id "
                                f"(also in {seen[requirement.id].pack.path})")
            else:
                seen[requirement.id] = requirement
    for requirement in seen.values():
        if not requirement.supersedes:
            continue
        earlier = seen.get(requirement.supersedes)
        if earlier is None:
            problems.append(f"{requirement.pack.path}: requirement {requirement.id}: "
                            f"supersedes: no requirement {requirement.supersedes}")
        elif earlier.effective_to is None or requirement.effective_from < earlier.effective_to:
            problems.append(
                f"{requirement.pack.path}: requirement {requirement.id}: effective_from: "
                f"overlapping effective ranges with {earlier.id} "
                f"({earlier.effective_from} to {earlier.effective_to or 'open'})")
    return problems


def pack_paths(root: Path) -> list[Path]:
    return sorted(root.rglob(PACK_FILE))


def load_packs(root: Path) -> list[Pack]:
    """Every pack under root, validated; raise PackError listing every problem found."""
    packs, problems = [], []
    for path in pack_paths(root):
        try:
            packs.append(parse_pack(path))
        except PackError as exc:
            problems += [f"{exc.path}: {p}" for p in exc.problems]
    problems += check_across_packs(packs)
    if problems:
        raise PackError(root, problems)
    if not packs:
        raise PackError(root, ["no pack found"])
    return packs


@cache
def packs_at(root: str) -> tuple[Pack, ...]:
    """The packs under a folder, loaded once per process."""
    return tuple(load_packs(Path(root)))
