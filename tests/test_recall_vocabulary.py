"""Every entry of the recall vocabulary has a note, and its examples come out as it says."""

import pytest

from registry.services.recall_matching import (
    LotText,
    Matcher,
    ProductText,
    RecallText,
    terms,
    vocabulary,
)

SECTIONS = ("firm", "product", "codes", "scope")
OUTCOMES = {"certain", "possible", "none"}


def entries():
    for section in SECTIONS:
        for name, listed in vocabulary()[section].items():
            for n, entry in enumerate(listed):
                yield f"{section}.{name}.{n}", entry


def examples():
    defaults = vocabulary()["example_defaults"]
    for where, entry in entries():
        given = entry.get("examples") or [entry.get("example")]
        for n, example in enumerate(given):
            yield pytest.param({**defaults, **(example or {})}, id=f"{where}.{n}")


def outcome(example: dict):
    """The candidate for the example's one lot, if any."""
    recall = RecallText(example["number"], example["firm"], example["description"],
                        example["code"], None, example["initiated"])
    product = ProductText("product", example["manufacturer"], example["brand"], example["name"],
                          example.get("shade"))
    others = [ProductText(f"other-{n}", example["manufacturer"], example["brand"], name)
              for n, name in enumerate(example.get("extra_products", []))]
    lot = LotText("lot", "product", str(example["lot"]), example.get("manufactured_on"),
                  example.get("expires_on"), example.get("received_on"))
    found = Matcher([recall]).candidates([product, *others], [lot])
    assert len(found) <= 1
    return found[0] if found else None


def test_the_vocabulary_compiles():
    assert terms().threshold > 0


@pytest.mark.parametrize("where,entry", list(entries()), ids=[w for w, _ in entries()])
def test_each_entry_says_what_it_is_and_shows_it(where, entry):
    assert entry.get("note"), where
    given = entry.get("examples") or [entry.get("example")]
    assert all(given), where
    assert all(example["expect"] in OUTCOMES for example in given), where


@pytest.mark.parametrize("example", list(examples()))
def test_example(example):
    candidate = outcome(example)
    found = candidate.confidence if candidate else "none"
    assert found == example["expect"], candidate
    if "rule" in example:
        assert candidate.rule == example["rule"], candidate
