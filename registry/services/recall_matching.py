"""Which held lots an FDA recall's wording names, and how surely: plain text in, candidates out."""

import math
import re
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Hashable, Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from difflib import SequenceMatcher
from functools import cache, lru_cache
from pathlib import Path

import yaml

VOCABULARY = Path(__file__).with_name("recall_vocabulary.yaml")
CERTAIN, POSSIBLE = "certain", "possible"
SPAN = 200
QUALIFIER_REACH = 120
LIST_REACH = 80
CONTROL = re.compile(r"[\x00-\x1f\x7f]")
WORD = re.compile(r"[a-z0-9]+")
DESCRIPTION_TOKEN = re.compile(r"[a-z0-9]+|[,;/&().:]")
NOT_ALNUM = re.compile(r"[^0-9A-Z]")
CODE = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9]|[-./](?=[A-Za-z0-9]))*")
DIGIT_RUN = re.compile(r"\d+")
LETTER_RUN = re.compile(r"[A-Z]+")
LOT_PARTS = re.compile(r"([A-Z]*)(\d+)([A-Z0-9]*)")
LOOSE_CHANGES = re.compile(r"[OI]|(?<!\d)0\d")
PLURAL_LABEL = re.compile(r"lots|batches|codes|numbers|nos", re.I)
LIST_SEPARATORS = {",", "/", "&", "and", "or"}
LIST_STOPS = {";", ".", "(", ")", ":"}


@dataclass(frozen=True)
class RecallText:
    recall_number: str
    recalling_firm: str
    product_description: str
    code_info: str
    more_code_info: str | None = None
    recall_initiation_date: date | None = None


@dataclass(frozen=True)
class ProductText:
    key: Hashable
    manufacturer: str
    brand: str
    name: str
    shade: str | None = None


@dataclass(frozen=True)
class LotText:
    key: Hashable
    product_key: Hashable
    lot_number: str
    manufactured_on: date | None = None
    expires_on: date | None = None
    received_on: date | None = None


@dataclass(frozen=True)
class Candidate:
    recall_number: str
    lot_key: Hashable
    product_key: Hashable
    confidence: str
    rule: str
    span: str
    reason: str


# --- Vocabulary ------------------------------------------------------------------------------

@cache
def vocabulary() -> dict:
    """The vocabulary file, as written."""
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    return yaml.load(VOCABULARY.read_text(encoding="utf-8"), Loader=loader)  # noqa: S506


def _entries(section: str, name: str) -> list[dict]:
    return vocabulary()[section][name]


def _either(patterns: Iterable[str]) -> str:
    return "|".join(f"(?:{p})" for p in patterns)


def _unnamed(pattern: str) -> str:
    return re.sub(r"\(\?P<\w+>", "(?:", pattern)


def _word_lists(section: str, name: str) -> frozenset:
    return frozenset(tuple(w.split()) for entry in _entries(section, name)
                     for w in entry["words"])


@dataclass(frozen=True)
class Words:
    """The vocabulary compiled: patterns, word lists and thresholds."""

    ligatures: tuple[tuple[str, str], ...]
    alias: re.Pattern
    leading: frozenset
    suffixes: frozenset
    trade: frozenset
    threshold: float
    min_length: int
    maker_min_length: int
    lot_label: re.Pattern
    lot_list: re.Pattern
    not_codes: frozenset
    identifiers: re.Pattern
    measures: re.Pattern
    date_shapes: tuple[re.Pattern, ...]
    any_date: re.Pattern
    qualifier: re.Pattern
    slash_min: int
    clause_break: re.Pattern
    exclusions: tuple[tuple[str, re.Pattern], ...]
    confusions: dict
    joined_max: int
    every_lot: re.Pattern
    some_lots: re.Pattern
    qualifier_words: re.Pattern
    within_expiry: re.Pattern
    ranges: tuple[tuple[str, re.Pattern], ...]


@cache
def terms() -> Words:
    """The vocabulary compiled once."""
    month = _entries("codes", "months")[0]["pattern"]
    shapes = [e["pattern"].replace("{month}", month) for e in _entries("codes", "date_shapes")]
    edges = r"(?<![A-Za-z0-9/.-])(?:{})(?![A-Za-z0-9/-]|\.\d)"
    any_date = edges.format(_either(_unnamed(s) for s in shapes))
    qualifier_date = edges.format(_either([*(_unnamed(s) for s in shapes), r"(?:19|20)\d{2}"]))
    fields = _either(f"(?P<f_{e['field']}>{e['pattern']})"
                     for e in _entries("scope", "date_fields"))
    ops = _either(f"(?P<o_{e['op']}>{e['pattern']})" for e in _entries("scope", "date_operators"))
    qualifier = (rf"(?:{fields})\s*[:#]?\s*(?:\b(?:{ops})\s*:?\s+)?(?P<d1>{qualifier_date})"
                 rf"(?:\s*(?:\band\b|\bto\b|\bthrough\b|\bthru\b|\buntil\b|-|–|—)\s*"
                 rf"(?P<d2>{qualifier_date}))?")
    label = _either(e["pattern"] for e in _entries("codes", "lot_labels"))
    lot_list = (rf"(?P<label>{label})"
                r"(?:[a-z]*\d[\w./-]*\s*(?:,|;|&|\band\b|\bor\b)\s*)*$")
    similarity = _entries("firm", "similarity")[0]
    flags = re.I
    return Words(
        ligatures=tuple((e["from"], e["to"]) for e in _entries("firm", "ligatures")),
        alias=re.compile(_either(e["pattern"] for e in _entries("firm", "alias_markers")), flags),
        leading=frozenset(w for e in _entries("firm", "leading_words") for w in e["words"]),
        suffixes=_word_lists("firm", "legal_suffixes"),
        trade=frozenset(tuple(singular(w) for w in t) for t in _word_lists("firm", "trade_words")),
        threshold=float(similarity["threshold"]),
        min_length=int(similarity["min_length"]),
        maker_min_length=int(_entries("firm", "maker_in_description")[0]["min_length"]),
        lot_label=re.compile(rf"\s*(?:{label})", flags),
        lot_list=re.compile(lot_list, flags),
        not_codes=frozenset(w for e in _entries("codes", "not_codes") for w in e["words"]),
        identifiers=re.compile(
            _either(e["pattern"] for e in _entries("codes", "identifier_labels")), flags),
        measures=re.compile(_either(e["pattern"] for e in _entries("codes", "measures")), flags),
        date_shapes=tuple(re.compile(s, flags) for s in shapes),
        any_date=re.compile(any_date, flags),
        qualifier=re.compile(qualifier, flags),
        slash_min=int(_entries("codes", "slash_lists")[0]["min_length"]),
        clause_break=re.compile(_entries("codes", "clause_breaks")[0]["pattern"]),
        exclusions=tuple((e["reaches"], re.compile(e["pattern"], flags))
                         for e in _entries("codes", "exclusions")),
        confusions=str.maketrans(_entries("codes", "confusions")[0]["pairs"]),
        joined_max=int(_entries("codes", "joined_codes")[0]["max"]),
        every_lot=re.compile(_either(e["pattern"] for e in _entries("scope", "every_lot")), flags),
        some_lots=re.compile(_either(e["pattern"] for e in _entries("scope", "some_lots")), flags),
        qualifier_words=re.compile(
            _either(e["pattern"] for e in _entries("scope", "qualifier_words")), flags),
        within_expiry=re.compile(
            _either(e["pattern"] for e in _entries("scope", "within_expiry")), flags),
        ranges=tuple((e["kind"], re.compile(e["pattern"], flags))
                     for e in _entries("scope", "ranges")),
    )


# --- Folding and firm names ------------------------------------------------------------------

def fold(text: str | None) -> str:
    """Lower case with accents and ligatures undone and "&" read as "and"; punctuation kept."""
    if not text:
        return ""
    text = CONTROL.sub(" ", text)
    if not text.isascii():
        for ligature, plain in terms().ligatures:
            text = text.replace(ligature, plain)
        text = unicodedata.normalize("NFKD", text)
        text = "".join(c for c in text if not unicodedata.combining(c))
    return text.casefold().replace("&", " and ")


def singular(word: str) -> str:
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word


def _drop_tail(names: list[str], tails: frozenset) -> list[str]:
    """Drop word sequences from the end, repeatedly, never down to nothing."""
    sizes = sorted({len(tail) for tail in tails}, reverse=True)
    dropped = True
    while dropped:
        dropped = False
        for size in sizes:
            if len(names) > size and tuple(names[-size:]) in tails:
                names = names[:-size]
                dropped = True
                break
    return names


def firm_names(name: str | None) -> list[tuple[str, ...]]:
    """Each name of a firm ("A dba B" has two) as words: legal form dropped, made singular."""
    found = []
    for part in terms().alias.split(fold(name)):
        names = WORD.findall(part)
        while len(names) > 1 and names[0] in terms().leading:
            names = names[1:]
        names = [singular(w) for w in _drop_tail(names, terms().suffixes)]
        if names:
            found.append(tuple(names))
    return found


def firm_keys(name: str | None) -> set[str]:
    """The keys a firm is known by: its names' words run together."""
    return {"".join(n) for n in firm_names(name)}


def _cores(names: list[tuple[str, ...]]) -> set[str]:
    cores = {"".join(_drop_tail(list(n), terms().trade)) for n in names}
    return {c for c in cores if len(c) >= 4}


def _bigrams(key: str) -> frozenset:
    return frozenset(key[i:i + 2] for i in range(len(key) - 1))


def _alike(a: str, b: str, matcher: SequenceMatcher | None = None) -> bool:
    """Keys that differ by a slip or two (difflib ratio at or above the threshold)."""
    v = terms()
    if a == b or min(len(a), len(b)) < v.min_length:
        return False
    if matcher is None:
        matcher = SequenceMatcher(None, b=b, autojunk=False)
    matcher.set_seq1(a)
    return matcher.quick_ratio() >= v.threshold and matcher.ratio() >= v.threshold


def firm_relation(recalling_firm: str, manufacturer: str) -> str | None:
    """"same", "similar" (a person must check) or None, for two firm names."""
    a, b = firm_keys(recalling_firm), firm_keys(manufacturer)
    if a & b:
        return "same"
    if _cores(firm_names(recalling_firm)) & _cores(firm_names(manufacturer)):
        return "similar"
    return "similar" if any(_alike(x, y) for x in a for y in b) else None


# --- Dates -----------------------------------------------------------------------------------

MONTHS = {name: n for n, name in enumerate(
    ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"), 1)}


def _year(text: str) -> int:
    value = int(text)
    return value + 2000 if len(text) == 2 else value


def _month_end(year: int, month: int) -> date:
    return date(year + month // 12, month % 12 + 1, 1) - timedelta(days=1)


def parse_date(text: str) -> tuple[date, date] | None:
    """The first and last day a written date may mean ("06/2025" is the whole month)."""
    text = text.strip()
    if re.fullmatch(r"(?:19|20)\d{2}", text):
        return date(int(text), 1, 1), date(int(text), 12, 31)
    for shape in terms().date_shapes:
        found = shape.fullmatch(text)
        if found:
            return _interval(found.groupdict())
    return None


def _interval(parts: dict) -> tuple[date, date] | None:
    year = _year(parts["y"])
    month = MONTHS.get(parts["mon"][:3].lower()) if parts.get("mon") else int(parts["m"])
    if not 1990 <= year <= 2099 or not month or not 1 <= month <= 12:
        return None
    if not parts.get("d"):
        return date(year, month, 1), _month_end(year, month)
    try:
        day = date(year, month, int(parts["d"]))
    except ValueError:
        return None
    return day, day


def _is_date(text: str) -> bool:
    return parse_date(text) is not None


def blank_dates(text: str) -> str:
    """The text with its dates blanked out, except date-shaped codes in a list of lots."""
    return _blank(text, _date_spans(text))


def _in_lot_list(text: str, position: int) -> bool:
    """Right after a lot label, or in the list of codes it starts."""
    return bool(terms().lot_list.search(text[max(0, position - LIST_REACH):position]))


def _date_spans(text: str) -> list[tuple[int, int]]:
    return [found.span() for found in terms().any_date.finditer(text)
            if _is_date(found.group()) and not _in_lot_list(text, found.start())]


def _blank(text: str, spans: Iterable[tuple[int, int]]) -> str:
    chars = list(text)
    for start, end in spans:
        chars[start:end] = " " * (end - start)
    return "".join(chars)


# --- Code text -------------------------------------------------------------------------------

def lot_key(lot_number: str | None) -> str:
    """A lot number as compared: lot label dropped, upper case, letters and digits only."""
    if lot_number and lot_number.isascii() and lot_number.isalnum():
        return lot_number.upper()
    text = unicodedata.normalize("NFKD", lot_number or "")
    label = terms().lot_label.match(text)
    if label and NOT_ALNUM.sub("", text[label.end():].upper()):
        text = text[label.end():]
    return NOT_ALNUM.sub("", text.upper())


def loose_key(key: str) -> str:
    """A compared lot number read loosely: look-alike letters as digits, no leading zeros."""
    if not LOOSE_CHANGES.search(key):
        return key
    return DIGIT_RUN.sub(lambda m: m.group().lstrip("0") or "0", key.translate(terms().confusions))


def _shape(key: str) -> str:
    return DIGIT_RUN.sub("9", LETTER_RUN.sub("A", key))


@dataclass(frozen=True)
class Token:
    raw: str
    key: str
    start: int
    end: int


def _pieces(found: re.Match) -> list[tuple[str, int]]:
    """A code, or the codes a slash lists ("BL23/SC23")."""
    raw, start = found.group(), found.start()
    parts = raw.split("/")
    keys = [lot_key(p) for p in parts]
    if (len(parts) > 1 and all(len(k) >= terms().slash_min and re.search(r"\d", k) for k in keys)
            and len({_shape(k) for k in keys}) == 1):
        pieces, offset = [], start
        for part in parts:
            pieces.append((part, offset))
            offset += len(part) + 1
        return pieces
    return [(raw, start)]


def _tokens(masked: str) -> list[Token]:
    not_codes = terms().not_codes
    tokens = []
    for found in CODE.finditer(masked):
        for raw, start in _pieces(found):
            key = NOT_ALNUM.sub("", raw.upper())
            if not key or raw.lower() in not_codes or key.lower() in not_codes:
                continue
            if not re.search(r"\d", key) and not (raw.isupper() and len(key) >= 2):
                continue
            tokens.append(Token(raw, key, start, start + len(raw)))
    return tokens


def lot_codes(code_text: str) -> list[str]:
    """The lot codes a careful reader sees in code text, as written."""
    return [t.raw for t in _read_codes(code_text, None).token_list]


@dataclass(frozen=True)
class Scope:
    field: str
    low: date | None
    high: date | None
    start: int
    end: int
    text: str
    decidable: bool = True


@dataclass(frozen=True)
class Range:
    prefix: str
    low: int
    high: int
    explicit: bool
    start: int
    end: int
    text: str


@dataclass(frozen=True)
class Codes:
    """What code text says about lots, read once per recall."""

    text: str
    token_list: tuple[Token, ...]
    tokens: dict
    loose: dict
    joined: dict
    excluded: frozenset
    every: tuple[int, int] | None
    every_scopes: tuple[Scope, ...]
    restricted: tuple[int, int] | None
    scopes: tuple[Scope, ...]
    some: tuple[int, int] | None
    ranges: tuple[Range, ...]
    lists_codes: bool


def _clause_end(text: str, position: int) -> int:
    found = terms().clause_break.search(text, position)
    return found.start() if found else len(text)


def _clause_start(text: str, position: int) -> int:
    start = 0
    for found in terms().clause_break.finditer(text, 0, position):
        start = found.end()
    return start


def _scope(found: re.Match, field: str, op: str) -> Scope | None:
    first = parse_date(found.group("d1"))
    second = parse_date(found.group("d2")) if found.group("d2") else None
    if first is None:
        return None
    if second:
        low, high = first[0], second[1]
    else:
        low, high = {
            "before": (None, first[0] - timedelta(days=1)),
            "on_or_before": (None, first[1]),
            "after": (first[1] + timedelta(days=1), None),
            "on_or_after": (first[0], None),
        }.get(op, first)
    return Scope(field, low, high, found.start(), found.end(), found.group())


def _scopes(text: str, initiated: date | None) -> list[Scope]:
    scopes = []
    for found in terms().qualifier.finditer(text):
        groups = found.groupdict()
        field = next(k[2:] for k, v in groups.items() if k.startswith("f_") and v is not None)
        op = next((k[2:] for k, v in groups.items() if k.startswith("o_") and v is not None),
                  "on")
        scope = _scope(found, field, op)
        if scope:
            scopes.append(scope)
    for found in terms().within_expiry.finditer(text):
        scopes.append(Scope("expires", initiated, None, found.start(), found.end(),
                            found.group(), decidable=initiated is not None))
    return scopes


def _every(text: str, some: list[tuple[int, int]]) -> re.Match | None:
    for found in terms().every_lot.finditer(text):
        if not any(s < found.end() and found.start() < e for s, e in some):
            return found
    return None


def _restriction(text: str, start: int, end: int) -> tuple[int, int] | None:
    """Where words after an every-lot phrase restrict it, if they do."""
    for found in terms().qualifier_words.finditer(text, start, end):
        if re.search(r"[A-Za-z0-9]", text[found.end():end]):
            return found.start(), end
    return None


def _exclusion_spans(text: str) -> list[tuple[int, int]]:
    spans = []
    for reaches, pattern in terms().exclusions:
        for found in pattern.finditer(text):
            start = found.start() if reaches == "after" else _clause_start(text, found.start())
            spans.append((start, _clause_end(text, found.end())))
    return spans


def _ranges(text: str, masked: str) -> list[Range]:
    found_ranges = []
    for kind, pattern in terms().ranges:
        for found in pattern.finditer(masked):
            a, b = (LOT_PARTS.fullmatch(found.group(g).upper()) for g in ("a", "b"))
            if not a or not b or a.group(1) != b.group(1) or int(a.group(2)) >= int(b.group(2)):
                continue
            explicit = kind == "explicit"
            if not explicit:
                if len(a.group(2)) != len(b.group(2)):
                    continue
                label = terms().lot_list.search(
                    text[max(0, found.start() - LIST_REACH):found.start()])
                explicit = bool(label and PLURAL_LABEL.search(label.group("label")))
            found_ranges.append(Range(a.group(1), int(a.group(2)), int(b.group(2)), explicit,
                                      found.start(), found.end(), found.group()))
    return found_ranges


def _joined(text: str, tokens: list[Token]) -> dict:
    """Neighbouring codes with only spaces between them, run together."""
    joined = {}
    for i in range(len(tokens)):
        key, raw_end = tokens[i].key, tokens[i].end
        for j in range(i + 1, min(len(tokens), i + terms().joined_max)):
            if text[raw_end:tokens[j].start].strip():
                break
            key += tokens[j].key
            raw_end = tokens[j].end
            joined.setdefault(key, Token(text[tokens[i].start:raw_end], key, tokens[i].start,
                                         raw_end))
    return joined


def code_text(recall: RecallText) -> str:
    parts = [CONTROL.sub(" ", p).strip() for p in (recall.code_info, recall.more_code_info) if p]
    return "; ".join(p for p in parts if p)


def _read_codes(text: str, initiated: date | None) -> Codes:
    v = terms()
    scopes = _scopes(text, initiated)
    masked = _blank(text, [(s.start, s.end) for s in scopes])
    masked = _blank(masked, [f.span() for f in v.identifiers.finditer(masked)])
    masked = _blank(masked, [f.span() for f in v.measures.finditer(masked)
                             if not _in_lot_list(masked, f.start())])
    masked = _blank(masked, _date_spans(masked))
    exclusions = _exclusion_spans(text)
    excluded = {t.key for start, end in exclusions
                for t in _tokens(_blank(masked, [(0, start), (end, len(masked))]))}
    masked = _blank(masked, exclusions)
    tokens = _tokens(masked)
    some = [f.span() for f in v.some_lots.finditer(text)]
    every = _every(text, some)
    every_scopes, restricted = (), None
    if every:
        reach = min(_clause_end(text, every.end()), every.end() + QUALIFIER_REACH)
        every_scopes = tuple(s for s in scopes if every.start() <= s.start < reach)
        restricted = _restriction(text, every.end(), reach)
    ranges = _ranges(text, masked)
    return Codes(
        text=text, token_list=tuple(tokens),
        tokens={t.key: t for t in reversed(tokens)},
        loose={loose_key(t.key): t for t in reversed(tokens)},
        joined=_joined(text, tokens), excluded=frozenset(excluded),
        every=every.span() if every else None, every_scopes=every_scopes,
        restricted=restricted, scopes=tuple(scopes), some=some[0] if some else None,
        ranges=tuple(ranges),
        lists_codes=bool(ranges) or any(re.search(r"\d", t.key) for t in tokens),
    )


# --- Descriptions ----------------------------------------------------------------------------

@dataclass(frozen=True)
class Description:
    text: str
    seq: tuple[str, ...]
    positions: dict
    grams: frozenset


def _read_description(text: str) -> Description:
    seq = tuple(singular(t) if t[0].isalnum() else t
                for t in DESCRIPTION_TOKEN.findall(fold(text)))
    positions = defaultdict(list)
    for i, token in enumerate(seq):
        positions[token].append(i)
    grams = set()
    for i in range(len(seq)):
        gram = ""
        for token in seq[i:i + 6]:
            if not token[0].isalnum():
                break
            gram += token
            grams.add(gram)
    return Description(text, seq, dict(positions), frozenset(grams))


def _occurrences(description: Description, phrase: tuple[str, ...]) -> list[tuple[int, int]]:
    if not phrase:
        return []
    size = len(phrase)
    return [(i, i + size) for i in description.positions.get(phrase[0], ())
            if description.seq[i:i + size] == phrase]


def _listed(description: Description, phrase: tuple[str, ...]) -> bool:
    """The phrase's first words, then a list whose items include the rest ("SC, PA, AL")."""
    if not all(word in description.positions for word in phrase):
        return False
    for split in range(1, len(phrase)):
        head, tail = phrase[:split], phrase[split:]
        for _start, end in _occurrences(description, head):
            item: list[str] = []
            for token in (*description.seq[end:end + 40], ";"):
                if token in LIST_SEPARATORS or token in LIST_STOPS:
                    if tuple(item[:len(tail)]) == tail:
                        return True
                    if token in LIST_STOPS:
                        break
                    item = []
                else:
                    item.append(token)
    return False


@lru_cache(maxsize=1 << 16)
def _phrase(text: str | None) -> tuple[str, ...]:
    return tuple(singular(w) for w in WORD.findall(fold(text)))


@dataclass(frozen=True)
class ProductWords:
    product: ProductText
    name: tuple[str, ...]
    full: tuple[str, ...]
    brand: tuple[str, ...]
    label: str


def _product_words(product: ProductText) -> ProductWords:
    name = _phrase(product.name)
    label = f"{product.name} {product.shade}" if product.shade else product.name
    return ProductWords(product, name, name + _phrase(product.shade), _phrase(product.brand),
                        label)


def _inside_longer(span: tuple[int, int], spans: list[tuple[int, int]]) -> bool:
    start, end = span
    return any(s <= start and end <= e and e - s > end - start for s, e in spans)


def _named(description: Description, group: list[ProductWords]) -> set:
    """Keys of the products the description names, a shorter name inside a longer one not."""
    named: dict = {}
    for p in group:
        found = _occurrences(description, p.full)
        if found or _listed(description, p.full):
            named[p.product.key] = found
    shaded = {p.name for p in group if p.product.key in named and p.full != p.name}
    for p in group:
        if p.full != p.name and p.product.key not in named and p.name not in shaded:
            found = _occurrences(description, p.name)
            if found:
                named[p.product.key] = found
    spans = [span for found in named.values() for span in found]
    return {key for key, found in named.items()
            if not found or not all(_inside_longer(span, spans) for span in found)}


# --- Evidence --------------------------------------------------------------------------------

@dataclass(frozen=True)
class Link:
    """One step of the reasoning: firm, product or lot."""

    strong: bool
    rule: str
    rank: int
    span: str
    says: str
    check: str = ""


def excerpt(text: str, start: int, end: int) -> str:
    """The text that fired, with context either side, at most SPAN characters."""
    if end - start >= SPAN:
        return text[start:start + SPAN - 1] + "…"
    room = (SPAN - (end - start) - 2) // 2
    left, right = max(0, start - room), min(len(text), end + room)
    return ("…" if left else "") + text[left:right] + ("…" if right < len(text) else "")


def _short(text: str) -> str:
    return excerpt(text, 0, min(len(text), SPAN - 1))


@dataclass(frozen=True)
class CompiledRecall:
    recall: RecallText
    names: tuple[tuple[str, ...], ...]
    keys: frozenset
    cores: frozenset
    description: Description
    codes: Codes


def compile_recall(recall: RecallText) -> CompiledRecall:
    names = firm_names(recall.recalling_firm)
    return CompiledRecall(recall, tuple(names), frozenset("".join(n) for n in names),
                          frozenset(_cores(names)),
                          _read_description(recall.product_description),
                          _read_codes(code_text(recall), recall.recall_initiation_date))


class Catalogue:
    """Products indexed by firm key, lots by product and compared lot number, built lazily."""

    def __init__(self, products: Iterable[ProductText], lots: Iterable[LotText]):
        self.by_key: dict = defaultdict(list)
        self.by_core: dict = defaultdict(set)
        self.by_bigram: dict = defaultdict(list)
        self.bigram_count: dict = {}
        self.lots: dict = defaultdict(list)
        self._firms: dict = {}
        self._similar: dict = {}
        self._words: dict = {}
        self._lot_index: dict = {}
        self._loose_index: dict = {}
        for product in products:
            for key in self._firm_keys(product.manufacturer):
                self.by_key[key].append(product)
        self.by_key = dict(self.by_key)
        for key in self.by_key:
            pairs = _bigrams(key)
            self.bigram_count[key] = len(pairs)
            for pair in pairs:
                self.by_bigram[pair].append(key)
        for lot in lots:
            self.lots[lot.product_key].append(lot)

    def _firm_keys(self, manufacturer: str) -> set[str]:
        if manufacturer not in self._firms:
            names = firm_names(manufacturer)
            keys = {"".join(n) for n in names}
            for core in _cores(names):
                self.by_core[core].update(keys)
            self._firms[manufacturer] = keys
        return self._firms[manufacturer]

    def similar(self, key: str) -> list[str]:
        """Manufacturer keys alike to the key (length and shared pairs first, then difflib)."""
        if key not in self._similar:
            self._similar[key] = self._alike(key) if len(key) >= terms().min_length else []
        return self._similar[key]

    def _alike(self, key: str) -> list[str]:
        threshold = terms().threshold
        mine = _bigrams(key)
        shared = Counter()
        for pair in mine:
            shared.update(self.by_bigram.get(pair, ()))
        longest = math.floor(len(key) * (2 - threshold) / threshold)
        fewest = len(mine) - 2 * math.floor((1 - threshold) * (len(key) + longest))
        matcher = SequenceMatcher(None, b=key, autojunk=False)
        found = []
        for other, count in [(o, c) for o, c in shared.items() if c >= fewest]:
            size = len(other)
            if not 2 * min(size, len(key)) >= threshold * (size + len(key)):
                continue
            # each unmatched letter breaks at most two letter pairs of the longer key
            unmatched = math.floor((1 - threshold) * (len(key) + size))
            if (count >= max(len(mine), self.bigram_count[other]) - 2 * unmatched
                    and _alike(other, key, matcher)):
                found.append(other)
        return found

    def product_words(self, product: ProductText) -> ProductWords:
        if product.key not in self._words:
            self._words[product.key] = _product_words(product)
        return self._words[product.key]

    def lot_index(self, product_key: Hashable) -> dict:
        """One product's lots by compared lot number."""
        if product_key not in self._lot_index:
            by_key = defaultdict(list)
            for lot in self.lots.get(product_key, ()):
                by_key[lot_key(lot.lot_number)].append(lot)
            by_key.pop("", None)
            self._lot_index[product_key] = by_key
        return self._lot_index[product_key]

    def loose_index(self, product_key: Hashable) -> dict:
        """One product's lots by loosely compared lot number."""
        if product_key not in self._loose_index:
            by_loose = defaultdict(list)
            for key, lots in self.lot_index(product_key).items():
                by_loose[loose_key(key)].extend(lots)
            self._loose_index[product_key] = by_loose
        return self._loose_index[product_key]


def _firm_links(recall: CompiledRecall, catalogue: Catalogue) -> dict:
    """Manufacturer key → the firm link, strongest kept."""
    firm = recall.recall.recalling_firm
    links: dict = {}
    for key in recall.keys:
        if key in catalogue.by_key:
            maker = catalogue.by_key[key][0].manufacturer
            known = "" if maker == firm else f" (the maker, recorded here as {maker})"
            links[key] = Link(True, "firm", 0, firm, f"by {firm}{known}")
    alike = {k for core in recall.cores for k in catalogue.by_core.get(core, ())}
    alike |= {k for mine in recall.keys for k in catalogue.similar(mine)}
    for key in alike:
        if key not in links:
            maker = catalogue.by_key[key][0].manufacturer
            links[key] = Link(False, "similar firm name", 1, firm, f"by {firm}",
                              f'that "{firm}" is the maker "{maker}" (the names are only alike)')
    for key in recall.description.grams:
        if key not in links and len(key) >= terms().maker_min_length and key in catalogue.by_key:
            maker = catalogue.by_key[key][0].manufacturer
            links[key] = Link(False, "maker named in description", 2,
                              _short(recall.recall.product_description), f"by {firm}",
                              f"that it means this {maker} product: the description names "
                              f"{maker}, but {firm} is not {maker}")
    return links


def _product_links(recall: CompiledRecall, group: list[ProductWords]):
    """(product, link) for each product of one firm the recall reaches."""
    description = recall.description
    named = _named(description, group)
    brands_named = {p.brand for p in group if p.product.key in named}
    brands_mentioned = {brand for brand in {p.brand for p in group}
                        if _occurrences(description, brand)}
    firm_named = bool(named or brands_mentioned)
    for p in group:
        if p.product.key in named:
            yield p, Link(True, "product", 0, "", f"names {p.label}")
        elif p.brand in brands_named:
            continue
        elif p.brand in brands_mentioned:
            yield p, Link(False, "brand only", 1, _short(recall.recall.product_description),
                          f"names the brand {p.product.brand} but none of its products",
                          f"that {p.label} is among the {p.product.brand} products recalled")
        elif not firm_named:
            yield p, Link(False, "firm only", 2, _short(recall.recall.product_description),
                          f"names no product or brand of {p.product.manufacturer}",
                          f"that {p.label} is among the products recalled")


LOT_RANKS = {"lot number": 0, "every lot": 1, "lot range": 2, "date scope": 3,
             "normalised lot number": 4, "qualified every lot": 7, "no lot codes": 8}
FIELD_WORDS = {"manufactured": "manufacture", "expires": "expiry", "distributed": "receipt"}


def _event(lot: LotText, field: str) -> tuple[date | None, date | None] | None:
    """When the scoped event happened, as far as the lot's own dates tell."""
    if field == "expires":
        return (lot.expires_on, lot.expires_on) if lot.expires_on else None
    if field == "manufactured" and lot.manufactured_on:
        return lot.manufactured_on, lot.manufactured_on
    if lot.received_on is None and lot.manufactured_on is None:
        return None
    low = lot.manufactured_on if field == "distributed" else None
    return low, lot.received_on


def _within(lot: LotText, scope: Scope) -> bool | None:
    event = _event(lot, scope.field)
    if event is None or not scope.decidable:
        return None
    low, high = event
    if (scope.high and low and low > scope.high) or (scope.low and high and high < scope.low):
        return False
    if ((scope.low is None or (low is not None and low >= scope.low))
            and (scope.high is None or (high is not None and high <= scope.high))):
        return True
    return None


def _any(values: list) -> bool | None:
    return True if True in values else (False if all(v is False for v in values) else None)


def _all(values: list) -> bool | None:
    return False if False in values else (True if all(v is True for v in values) else None)


def in_scope(lot: LotText, scopes: Iterable[Scope]) -> bool | None:
    """Scopes on one field are alternatives, on different fields all apply."""
    by_field = defaultdict(list)
    for scope in scopes:
        by_field[scope.field].append(_within(lot, scope))
    return _all([_any(values) for values in by_field.values()])


def in_range(key: str, span: Range) -> bool | None:
    parts = LOT_PARTS.fullmatch(key)
    if not parts or parts.group(1) != span.prefix:
        return False
    if parts.group(3):
        return None
    return span.low <= int(parts.group(2)) <= span.high


def _lot_link(rule: str, strong: bool, codes: Codes, where: tuple[int, int], says: str,
              check: str = "") -> Link:
    return Link(strong, rule, LOT_RANKS[rule] + (0 if strong else 10),
                excerpt(codes.text, *where), says, check)


def _scope_link(lot: LotText, codes: Codes, scopes: tuple[Scope, ...]) -> Link | None:
    verdict = in_scope(lot, scopes)
    if verdict is False:
        return None
    where = (scopes[0].start, scopes[-1].end)
    quoted = "; ".join(s.text for s in scopes)
    if verdict:
        return _lot_link("date scope", True, codes, where,
                         f'covers lots "{quoted}", which this lot is within by its own dates')
    fields = " and ".join(sorted({FIELD_WORDS[s.field] for s in scopes}))
    return _lot_link("date scope", False, codes, where, f'covers lots "{quoted}"',
                     f"the {fields} date of lot {lot.lot_number}")


def _range_link(lot: LotText, key: str, codes: Codes) -> Link | None:
    for span in codes.ranges:
        verdict = in_range(key, span)
        if verdict is False:
            continue
        where = (span.start, span.end)
        if verdict and span.explicit:
            return _lot_link("lot range", True, codes, where,
                             f'covers lots "{span.text}", which include lot {lot.lot_number}')
        return _lot_link("lot range", False, codes, where, f'lists "{span.text}"',
                         f"whether lot {lot.lot_number} is within that range")
    return None


def _every_link(lot: LotText, codes: Codes) -> Link | None:
    where = codes.every
    if codes.every_scopes:
        return _scope_link(lot, codes, codes.every_scopes)
    if codes.restricted and codes.lists_codes:
        return None
    if codes.restricted:
        text = codes.text[where[0]:codes.restricted[1]]
        return _lot_link("qualified every lot", False, codes, (where[0], codes.restricted[1]),
                         f'covers every lot only with a restriction ("{text}")',
                         f"whether lot {lot.lot_number} is among those affected")
    return _plain_every_link(codes)


def _plain_every_link(codes: Codes) -> Link | None:
    """The every-lot link when nothing restricts it: the same for every lot."""
    if not codes.every or codes.every_scopes or codes.restricted:
        return None
    phrase = codes.text[codes.every[0]:codes.every[1]]
    return _lot_link("every lot", True, codes, codes.every, f'covers every lot ("{phrase}")')


def _whole_lot_link(lot: LotText, key: str, codes: Codes) -> Link | None:
    """What the code text says of a lot without naming it."""
    if codes.every:
        return _every_link(lot, codes)
    if codes.ranges:
        found = _range_link(lot, key, codes)
        if found:
            return found
    if codes.lists_codes:
        return None
    if codes.scopes:
        return _scope_link(lot, codes, codes.scopes)
    if codes.some:
        text = codes.text[codes.some[0]:codes.some[1]]
        return _lot_link("qualified every lot", False, codes, codes.some,
                         f'says only some lots are affected ("{text}") without naming them',
                         f"whether lot {lot.lot_number} is among those affected")
    return _lot_link("no lot codes", False, codes, (0, len(codes.text)), "gives no lot codes",
                     f"whether lot {lot.lot_number} is affected")


def _named_lot_link(lot: LotText, key: str, codes: Codes) -> Link | None:
    token = codes.tokens.get(key)
    if token:
        written = "" if token.raw == lot.lot_number else f" (recorded here as {lot.lot_number})"
        return _lot_link("lot number", True, codes, (token.start, token.end),
                         f"lists lot {token.raw}{written}")
    token = codes.loose.get(loose_key(key)) or codes.joined.get(key)
    if token:
        return _lot_link("normalised lot number", False, codes, (token.start, token.end),
                         f'lists "{token.raw}"',
                         f'lot {lot.lot_number} against "{token.raw}" on the container (they '
                         "match only once spaces, leading zeros or look-alike O/0, I/1 are "
                         "ignored)")
    return None


def _lot_links(codes: Codes, catalogue: Catalogue, product_key: Hashable, only_explicit: bool):
    """(lot, link) for each lot of one product the code text points at, strongest link."""
    every_lot = bool(codes.every or codes.ranges or not codes.lists_codes)
    if every_lot:
        chosen = catalogue.lots.get(product_key, ())
    else:
        by_key = catalogue.lot_index(product_key)
        named = [lot for k in (*codes.tokens, *codes.joined) for lot in by_key.get(k, ())]
        if codes.loose:
            by_loose = catalogue.loose_index(product_key)
            named += [lot for k in codes.loose for lot in by_loose.get(k, ())]
        chosen = list({lot.key: lot for lot in named}.values())
    plain_every = _plain_every_link(codes)
    for lot in chosen:
        key = lot_key(lot.lot_number)
        if key in codes.excluded:
            continue
        whole = (plain_every or _whole_lot_link(lot, key, codes)) if every_lot else None
        links = [x for x in (_named_lot_link(lot, key, codes), whole) if x]
        if only_explicit:
            links = [x for x in links if x.strong]
        if links:
            yield lot, min(links, key=lambda x: x.rank)


def _candidate(recall: RecallText, lot: LotText, firm: Link, product: Link,
               lot_link: Link) -> Candidate:
    weak = [x for x in (firm, product, lot_link) if not x.strong]
    lead = weak[0] if weak else lot_link
    reason = f"Recall {recall.recall_number} {firm.says} {product.says} and {lot_link.says}"
    if weak:
        reason += "; check " + " and ".join(x.check for x in weak)
    return Candidate(recall.recall_number, lot.key, lot.product_key,
                     POSSIBLE if weak else CERTAIN, lead.rule, lead.span, reason + ".")


def _strength(candidate: Candidate, links: tuple[Link, ...]) -> tuple:
    return (candidate.confidence != CERTAIN, sum(not x.strong for x in links),
            sum(x.rank for x in links))


class Matcher:
    """Recalls read once; then matched against any catalogue of products and lots."""

    def __init__(self, recalls: Iterable[RecallText]):
        self.recalls = [compile_recall(r) for r in recalls]

    def candidates(self, products: list[ProductText], lots: list[LotText]) -> list[Candidate]:
        """At most one candidate per (recall, lot), the strongest, in recall order."""
        catalogue = Catalogue(products, lots)
        found = []
        for recall in self.recalls:
            found.extend(self._for_recall(recall, catalogue))
        return found

    def _for_recall(self, recall: CompiledRecall, catalogue: Catalogue) -> list[Candidate]:
        best: dict = {}
        for key, firm in _firm_links(recall, catalogue).items():
            group = [catalogue.product_words(p) for p in catalogue.by_key[key]]
            for found, product in _product_links(recall, group):
                if product.rule == "firm only" and not firm.strong:
                    continue
                explicit = product.rule == "firm only"
                for lot, lot_link in _lot_links(recall.codes, catalogue, found.product.key,
                                                explicit):
                    candidate = _candidate(recall.recall, lot, firm, product, lot_link)
                    strength = _strength(candidate, (firm, product, lot_link))
                    if lot.key not in best or strength < best[lot.key][0]:
                        best[lot.key] = (strength, candidate)
        return [candidate for _, candidate in best.values()]
