"""Measures the pure recall matcher: how right its certain matches are, and how fast it runs.

- corpus: every lot of tests/recall_corpus.yaml, matched against its own recall; precision and
  recall of the "certain" outcome against what a careful reader expects, and how many lots a
  reader would flag (certain or possible) the matcher left unflagged;
- timing: `Matcher(recalls).candidates(products, lots)`, recalls read included, for synthetic
  recalls in FDA wording (listed lots, every lot, date scopes, ranges, UPCs only, misspelt and
  unknown firms, brand-only descriptions) against a synthetic catalogue. The figure is the
  median of the rounds;
- the same from the database: the recalls, products and lots written to a scratch SQLite
  database, then `registry.services.recalls.candidates()` (one snapshot read, then the
  matcher), as a ratio to the budget and to the pure matcher over the same rows. Writing the
  matches (each audited, each holding its lot) is measured by bench/audit_write.py.

    .venv/bin/python bench/recall_matching.py [--recalls N] [--products N] [--lots N] [--rounds R]
"""

import argparse
import random
import statistics
import time
from datetime import date, timedelta
from pathlib import Path

import yaml

from registry.services.recall_matching import LotText, Matcher, ProductText, RecallText

BUDGET = 5.0
CORPUS = Path(__file__).resolve().parent.parent / "tests" / "recall_corpus.yaml"
SYLLABLES = ["ka", "ro", "vi", "len", "mar", "sol", "te", "zu", "no", "pri", "das", "qui",
             "bel", "tor", "fa", "gri"]
KINDS = ["Pigments", "Ink", "Colors", "Tattoo Supply", "Micropigments", "Ink Works"]
LEGAL = ["Inc.", "LLC", "Co.", "Ltd", "Corporation", ""]
SHADES = ["Black", "White", "Red", "Blue", "Green", "Yellow", "Orange", "Violet", "Brown",
          "Grey"]
TONES = ["Deep", "Light", "True", "Dark", "Bright", "Soft", "Warm", "Cool", "Royal", "Lining"]
START = date(2022, 1, 1)


# --- Corpus ----------------------------------------------------------------------------------

def corpus_outcomes() -> list[tuple[str, str]]:
    """(expected, found) for every lot of the corpus."""
    pairs = []
    for entry in yaml.safe_load(CORPUS.read_text(encoding="utf-8")):
        recall = RecallText(entry["number"], entry["firm"], entry["description"], entry["code"],
                            entry.get("more_code"), entry.get("initiated"))
        products = [ProductText(p["key"], p["manufacturer"], p["brand"], p["name"],
                                p.get("shade")) for p in entry["products"]]
        lots = [LotText(x["key"], x["product"], str(x["number"]), x.get("manufactured_on"),
                        x.get("expires_on"), x.get("received_on")) for x in entry["lots"]]
        found = {c.lot_key: c.confidence for c in Matcher([recall]).candidates(products, lots)}
        pairs += [(x["expect"], found.get(x["key"], "none")) for x in entry["lots"]]
    return pairs


def ratio(part: int, whole: int) -> float:
    return part / whole if whole else 1.0


# --- Synthetic catalogue and recalls ---------------------------------------------------------

def firm_names(rng: random.Random, count: int) -> list[str]:
    """Distinct made-up firm names: two to four syllables and a kind of business."""
    stems: set[str] = set()
    while len(stems) < count:
        stems.add("".join(rng.choice(SYLLABLES) for _ in range(rng.randrange(2, 5))))
    return [f"{stem.capitalize()} {rng.choice(KINDS)}" for stem in sorted(stems)]


def catalogue(rng: random.Random, products: int, lots: int):
    makers = firm_names(rng, max(1, products // 40))
    shades = [f"{tone} {shade}" for tone in TONES for shade in SHADES]
    made, by_maker = [], {}
    for n in range(products):
        maker = makers[n % len(makers)]
        name = shades[(n // len(makers)) % len(shades)]
        product = ProductText(n, f"{maker} {rng.choice(LEGAL)}".strip(), maker.split()[0], name)
        made.append(product)
        by_maker.setdefault(maker, []).append(product)
    held, by_product = [], {}
    for n in range(lots):
        product = made[n % products]
        made_on = START + timedelta(days=rng.randrange(900))
        lot = LotText(n, product.key, f"{rng.choice('ABCDEFGHJK')}{rng.choice('LMNPRS')}"
                      f"{rng.randrange(10000):04d}",
                      made_on if rng.random() < 0.7 else None,
                      made_on + timedelta(days=730), made_on + timedelta(days=rng.randrange(60)))
        held.append(lot)
        by_product.setdefault(product.key, []).append(lot)
    return makers, by_maker, made, held, by_product


def recall_firm(rng: random.Random, maker: str) -> str:
    roll = rng.random()
    if roll < 0.1:
        return maker.replace("a", "e", 1) + " Inc"
    if roll < 0.15:
        return f"Unrelated Foods {rng.randrange(1000)} LLC"
    return f"{maker.upper() if roll < 0.4 else maker}, {rng.choice(LEGAL)}".rstrip(", ")


def code_info(rng: random.Random, lots: list[LotText]) -> str:
    roll = rng.random()
    if roll < 0.2:
        return "All lots"
    if roll < 0.3:
        return "All lots manufactured between 06/2023 and 09/2023"
    if roll < 0.4:
        prefix = lots[0].lot_number[:2] if lots else "AB"
        return f"Lots {prefix}2301 through {prefix}2315"
    if roll < 0.5:
        return f"UPC 8 {rng.randrange(10**5):05d} {rng.randrange(10**5):05d} 1"
    listed = [lot.lot_number for lot in rng.sample(lots, min(len(lots), rng.randrange(2, 7)))]
    listed += [f"Z{rng.randrange(10**6):06d}" for _ in range(rng.randrange(4))]
    lead = "Not all lots are affected; lots " if roll > 0.9 else "Lot #"
    return f"{lead}{', '.join(listed)}; Exp {rng.randrange(1, 13):02d}/2026"


def recalls(rng: random.Random, count: int, makers, by_maker, by_product) -> list[RecallText]:
    made = []
    for n in range(count):
        maker = rng.choice(makers)
        named = rng.sample(by_maker[maker], min(len(by_maker[maker]), rng.randrange(1, 4)))
        brand = maker.split()[0]
        names = ", ".join(p.name for p in named)
        description = (f"{brand} tattoo inks, all colours" if rng.random() < 0.1
                       else f"{brand} tattoo ink: {names}; 1 oz and 4 oz bottles")
        lots = [lot for p in named for lot in by_product.get(p.key, [])]
        made.append(RecallText(f"F-{n:04d}-2025", recall_firm(rng, maker), description,
                               code_info(rng, lots), None, START + timedelta(days=900)))
    return made


def timed(function, *args):
    start = time.perf_counter()
    result = function(*args)
    return time.perf_counter() - start, result


def match(texts, products, lots):
    return Matcher(texts).candidates(products, lots)


def write_database(texts, products, lots) -> None:
    """The synthetic catalogue, lots (at 100 clinics, each lot of a product at another clinic)
    and recalls, written with executemany."""
    from registry.db import db

    created = "2026-01-01 00:00:00"
    makers = sorted({p.manufacturer for p in products})
    maker_id = {name: n for n, name in enumerate(makers, start=1)}
    connection = db.connection()
    with db.atomic():
        connection.executemany(
            "INSERT INTO clinic (id, name, state, timezone, disciplines, created_at) "
            "VALUES (?, ?, 'OR', 'America/Los_Angeles', 'smp', ?)",
            [(n, f"Clinic {n}", created) for n in range(1, 101)])
        connection.executemany("INSERT INTO manufacturer (id, name, created_at) VALUES (?, ?, ?)",
                               [(n, name, created) for name, n in maker_id.items()])
        connection.executemany(
            "INSERT INTO pigment_product (id, manufacturer_id, brand, name, shade, created_at) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            [(p.key + 1, maker_id[p.manufacturer], p.brand, p.name, p.shade, created)
             for p in products])
        connection.executemany(
            "INSERT INTO pigment_lot (id, product_id, clinic_id, lot_number, manufactured_on, "
            "expires_on, received_on, status, created_at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, 'received', ?)",
            [(lot.key + 1, lot.product_key + 1, lot.key // len(products) % 100 + 1,
              lot.lot_number,
              lot.manufactured_on and lot.manufactured_on.isoformat(),
              lot.expires_on.isoformat(), lot.received_on.isoformat(), created)
             for lot in lots])
        connection.executemany(
            "INSERT INTO recall (recall_number, recalling_firm, product_description, code_info, "
            "recall_initiation_date, source, created_at) VALUES (?, ?, ?, ?, ?, 'bench', ?)",
            [(r.recall_number, r.recalling_firm, r.product_description, r.code_info,
              r.recall_initiation_date.isoformat(), created) for r in texts])
    connection.execute("ANALYZE")


def from_database(texts, products, lots, rounds: int) -> None:
    from scratch import migrated_app

    from registry.services import recalls as recall_service

    with migrated_app():
        write_database(texts, products, lots)
        pure, stored = [], []
        for _ in range(rounds):
            pure.append(timed(match, texts, products, lots)[0])
            took, found = timed(recall_service.candidates)
            stored.append(took)
        took, baseline = statistics.median(stored), statistics.median(pure)
    verdict = "PASS" if took <= BUDGET else "OVER BUDGET"
    print(f"from the database: {len(found):,} candidates")
    print(f"database read + match / pure match  {took / baseline:.2f}x")
    print(f"match {len(texts):,} recalls × {len(lots):,} lots from SQLite / {BUDGET:.0f} s budget  "
          f"{took / BUDGET:.2f}x  ({took:.2f} s, median of {rounds})  {verdict}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--recalls", type=int, default=1000)
    parser.add_argument("--products", type=int, default=20_000)
    parser.add_argument("--lots", type=int, default=200_000)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()

    pairs = corpus_outcomes()
    hits = sum(1 for expected, found in pairs if expected == found == "certain")
    claimed = sum(1 for _, found in pairs if found == "certain")
    wanted = sum(1 for expected, _ in pairs if expected == "certain")
    unflagged = sum(1 for expected, found in pairs if expected != "none" and found == "none")
    agree = sum(1 for expected, found in pairs if expected == found)
    print(f"corpus: {len(pairs)} lots, {agree} as a careful reader would have them")
    print(f"certain precision  {ratio(hits, claimed):.2f}  ({hits} of {claimed} claimed)")
    print(f"certain recall  {ratio(hits, wanted):.2f}  ({hits} of {wanted} expected)")
    print(f"flagged lots left unflagged  {unflagged}")

    rng = random.Random(13)
    makers, by_maker, products, lots, by_product = catalogue(rng, args.products, args.lots)
    texts = recalls(rng, args.recalls, makers, by_maker, by_product)
    seconds, found = [], []
    for _ in range(args.rounds):
        took, found = timed(match, texts, products, lots)
        seconds.append(took)
    took = statistics.median(seconds)
    certain = sum(1 for c in found if c.confidence == "certain")
    print(f"candidates: {len(found):,} ({certain:,} certain, {len(found) - certain:,} possible)"
          f" from {len(makers):,} makers, {len(products):,} products")
    verdict = "PASS" if took <= BUDGET else "OVER BUDGET"
    print(f"match {args.recalls:,} recalls × {args.lots:,} lots / {BUDGET:.0f} s budget  "
          f"{took / BUDGET:.2f}x  ({took:.2f} s, median of {args.rounds})  {verdict}")
    from_database(texts, products, lots, args.rounds)


if __name__ == "__main__":
    main()
