"""Reading recall wording: the corpus of recall texts, firm folding, code tokens and dates."""

from datetime import date
from pathlib import Path

import pytest
import yaml

from registry.services.recall_matching import (
    SPAN,
    Candidate,
    LotText,
    Matcher,
    ProductText,
    RecallText,
    blank_dates,
    firm_keys,
    firm_relation,
    fold,
    loose_key,
    lot_codes,
    lot_key,
    parse_date,
)

CORPUS = Path(__file__).with_name("recall_corpus.yaml")


def corpus() -> list[dict]:
    return yaml.safe_load(CORPUS.read_text(encoding="utf-8"))


def recall_of(entry: dict) -> RecallText:
    return RecallText(entry["number"], entry["firm"], entry["description"], entry["code"],
                      entry.get("more_code"), entry.get("initiated"))


def catalogue_of(entry: dict) -> tuple[list[ProductText], list[LotText]]:
    products = [ProductText(p["key"], p["manufacturer"], p["brand"], p["name"], p.get("shade"))
                for p in entry["products"]]
    lots = [LotText(lot["key"], lot["product"], str(lot["number"]), lot.get("manufactured_on"),
                    lot.get("expires_on"), lot.get("received_on")) for lot in entry["lots"]]
    return products, lots


def outcomes(entry: dict) -> dict[str, Candidate]:
    found = Matcher([recall_of(entry)]).candidates(*catalogue_of(entry))
    return {c.lot_key: c for c in found}


def test_the_corpus_is_large_and_each_entry_is_whole():
    entries = corpus()
    assert len(entries) >= 60
    assert len({e["id"] for e in entries}) == len(entries)
    for entry in entries:
        keys = {p["key"] for p in entry["products"]}
        assert all(lot["product"] in keys for lot in entry["lots"]), entry["id"]
        assert all(lot["expect"] in {"certain", "possible", "none"} for lot in entry["lots"])


@pytest.mark.parametrize("entry", corpus(), ids=[e["id"] for e in corpus()])
def test_corpus(entry):
    found = outcomes(entry)
    for lot in entry["lots"]:
        candidate = found.get(lot["key"])
        outcome = candidate.confidence if candidate else "none"
        assert outcome == lot["expect"], (lot["key"], candidate)
        if "rule" in lot:
            assert candidate.rule == lot["rule"], (lot["key"], candidate)
        if candidate:
            assert len(candidate.span) <= SPAN
            assert candidate.reason.startswith(f"Recall {entry['number']} ")
            assert candidate.reason.endswith(".")
            assert (" check " in candidate.reason) == (candidate.confidence == "possible")


# --- Firm names ------------------------------------------------------------------------------

def test_fold_undoes_case_accents_and_ligatures_and_reads_ampersand_as_and():
    assert fold("Æther ﬁne Weiß Œuvre Éclat & Co") == "aether fine weiss oeuvre eclat  and  co"
    assert fold(None) == ""
    assert fold("Lot\u0013A") == "lot a"


@pytest.mark.parametrize("name", ["Scalp Aesthetics", "ScalpAesthetics",
                                  "SCALP-AESTHETICS, INC.", "The Scalp Aesthetics Co., Ltd.",
                                  "Scalp Aesthetic LLC"])
def test_spellings_of_one_firm_have_one_key(name):
    assert firm_keys(name) == {"scalpaesthetic"}


def test_a_firm_doing_business_under_another_name_has_both():
    assert firm_keys("Color Art, Inc. dba Solid Ink") == {"colorart", "solidink"}
    assert firm_keys("Color Art Inc d/b/a Solid Ink") == {"colorart", "solidink"}
    assert firm_keys("Acme a.k.a. Nova Colors") == {"acme", "novacolor"}


def test_legal_form_words_go_only_from_the_end_and_never_leave_nothing():
    assert firm_keys("Company Ink Co") == {"companyink"}
    assert firm_keys("Inc.") == {"inc"}
    assert firm_keys("Pigmentos S.A. de C.V.") == {"pigmento"}


@pytest.mark.parametrize("recalling, maker, relation", [
    ("Radiant Colors", "RADIANT COLOR, INC.", "same"),
    ("Black & White Ink", "Black and White Ink", "same"),
    ("Eternal Ink Supply Company", "Eternal Ink, Inc.", "similar"),
    ("Eternal Ink", "Eternal Ink International", "similar"),
    ("Acme Pigments USA Distribution", "Acme Pigments", "similar"),
    ("Scalp Asthetics", "Scalp Aesthetics", "similar"),
    ("Radiant Colours", "Radiant Colors", "similar"),
    ("Solid Ink Works Supply", "Solid Ink", None),
    ("Solid Ink Works", "Solid Ink", None),
    ("Solid Ink", "Solid Inkworks", None),
    ("Intense", "Intenze", None),
    ("Nova Colors", "Acme Pigments", None),
])
def test_firm_relation(recalling, maker, relation):
    assert firm_relation(recalling, maker) == relation
    assert firm_relation(maker, recalling) == relation


# --- Codes -----------------------------------------------------------------------------------

@pytest.mark.parametrize("text, codes", [
    ("Lot BL23, SC23", ["BL23", "SC23"]),
    ("Lot A101; A102; A103", ["A101", "A102", "A103"]),
    ("LOT# AB-12/3", ["AB-12/3"]),
    ("Lot 12024090/12026090", ["12024090", "12026090"]),
    ("Lot: 10.19.18", ["10.19.18"]),
    ("Lots 10.19.18 and 10.22.18", ["10.19.18", "10.22.18"]),
    ("Lot 2301, exp 06/2023", ["2301"]),
    ("UPC 8 12345 67890 1; Lot TB2301", ["TB2301"]),
    ("NDC 12345-678-90, Lot 4471A", ["4471A"]),
    ("4 oz bottles, 30 mL vials, Lot 4", ["4"]),
    ("LOT: ALL; EXP: N/A", []),
    ("Lot SS 264", ["SS", "264"]),
    ("Best by 06/2025", []),
    ("All lots packed on 09/26/2014", []),
    ("Batch 0004711598, Production date 04/26/2012", ["0004711598"]),
])
def test_lot_codes(text, codes):
    assert lot_codes(text) == codes


@pytest.mark.parametrize("number, key", [
    ("AB-12/3", "AB123"), ("ab123", "AB123"), ("Lot# BL23", "BL23"), ("lot bl 23", "BL23"),
    ("10.19.18", "101918"), ("Lot", "LOT"), ("", ""),
])
def test_lot_key(number, key):
    assert lot_key(number) == key


def test_loose_key_drops_leading_zeros_and_reads_look_alikes_as_digits():
    assert loose_key("0352") == loose_key("352") == "352"
    assert loose_key("BO723") == loose_key("B0723") == "B723"
    assert loose_key("SI01") == loose_key("S101") == "S101"
    assert loose_key("BL23") != loose_key("B123")


# --- Dates -----------------------------------------------------------------------------------

@pytest.mark.parametrize("text", ["06/2023", "2023-06-15", "June 15, 2023", "15JUN2023",
                                  "15 June 2023", "15-Jun-23", "Jun. 2023", "JUN2023",
                                  "06/15/2023", "6-15-23", "12/25", "06-2025", "2023/06/15",
                                  "2023-Jun-15", "Sept 3rd, 2024"])
def test_dates_are_blanked(text):
    assert blank_dates(f"x {text} y") == f"x {' ' * len(text)} y"


@pytest.mark.parametrize("text", ["Lot 10.19.18", "Lot: 06/23", "Lots 2301, 10.19.18",
                                  "13/45/2023", "BL23", "1234-5", "MAR2301", "2301-2315",
                                  "SEP23", "A06/2023"])
def test_codes_that_only_look_like_dates_are_kept(text):
    assert blank_dates(text) == text


@pytest.mark.parametrize("text, first, last", [
    ("06/2025", date(2025, 6, 1), date(2025, 6, 30)),
    ("12/25", date(2025, 12, 1), date(2025, 12, 31)),
    ("02/2024", date(2024, 2, 1), date(2024, 2, 29)),
    ("09/26/2014", date(2014, 9, 26), date(2014, 9, 26)),
    ("June 15, 2023", date(2023, 6, 15), date(2023, 6, 15)),
    ("15JUN2023", date(2023, 6, 15), date(2023, 6, 15)),
    ("March 2026", date(2026, 3, 1), date(2026, 3, 31)),
    ("2023", date(2023, 1, 1), date(2023, 12, 31)),
])
def test_parse_date_gives_the_days_a_date_may_mean(text, first, last):
    assert parse_date(text) == (first, last)


@pytest.mark.parametrize("text", ["13/2025", "02/30/2024", "MAR2301", "BL23"])
def test_parse_date_refuses_what_is_no_date(text):
    assert parse_date(text) is None


# --- The matcher -----------------------------------------------------------------------------

def test_one_candidate_per_recall_and_lot_the_strongest():
    products = [ProductText("p", "Acme Pigments", "Acme", "True Blue")]
    lots = [LotText("l1", "p", "TB1"), LotText("l2", "p", "TB2")]
    matcher = Matcher([
        RecallText("F-1", "Acme Pigments", "Acme True Blue", "All lots; Lot TB1"),
        RecallText("F-2", "Acme Pigment Co", "Acme tattoo inks", "Lot TB2"),
    ])
    found = matcher.candidates(products, lots)
    assert [(c.recall_number, c.lot_key, c.confidence, c.rule) for c in found] == [
        ("F-1", "l1", "certain", "lot number"), ("F-1", "l2", "certain", "every lot"),
        ("F-2", "l2", "possible", "brand only")]


def test_a_matcher_serves_any_catalogue():
    matcher = Matcher([RecallText("F-1", "Acme Pigments", "Acme True Blue", "Lot TB1")])
    first = [ProductText("p", "Acme Pigments", "Acme", "True Blue")]
    assert matcher.candidates(first, [LotText("l", "p", "TB1")])
    assert matcher.candidates(first, [LotText("l", "p", "TB9")]) == []
    assert matcher.candidates([], []) == []


def test_the_span_is_the_text_that_fired_with_context_and_bounded():
    filler = ", ".join(f"Z{n:04d}" for n in range(200))
    matcher = Matcher([RecallText("F-1", "Acme Pigments", "Acme True Blue",
                                  f"Lots {filler}, TB1, {filler}")])
    [candidate] = matcher.candidates([ProductText("p", "Acme Pigments", "Acme", "True Blue")],
                                     [LotText("l", "p", "TB1")])
    assert "TB1" in candidate.span
    assert len(candidate.span) <= SPAN
    assert candidate.span.startswith("…") and candidate.span.endswith("…")


def test_the_reason_says_what_to_check_when_possible():
    matcher = Matcher([RecallText("F-1", "Scalp Asthetics", "Scalpaink SC", "Lot #0352")])
    [candidate] = matcher.candidates(
        [ProductText("p", "Scalp Aesthetics", "Scalpaink", "Scalpaink", "SC")],
        [LotText("l", "p", "352")])
    assert candidate.confidence == "possible"
    assert candidate.rule == "similar firm name"
    assert "Scalp Aesthetics" in candidate.reason
    assert '"#0352"' in candidate.reason or '"0352"' in candidate.reason
