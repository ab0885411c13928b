"""How a roster row is matched to a credential: the licence number, then the holder's name.

Numbers: upper case, letters and digits only, leading zeros dropped from each run of digits
("LIC-00123" → "LIC123", "00123" → "123", "BBP-0042" and "bbp 42" → "BBP42").
Names: upper case, accents dropped, words of letters only. A person matches when every word of
their last name is in the roster's name and so is their first name or its initial; a business
matches when one normalised name contains the other, corporate suffixes ignored.
"""

import re
import unicodedata

NOT_ALNUM = re.compile(r"[^0-9A-Z]")
NOT_LETTER = re.compile(r"[^A-Z]+")
LEADING_ZEROS = re.compile(r"(\d+)")
SUFFIXES = {"INC", "LLC", "LTD", "CO", "CORP", "CORPORATION", "COMPANY", "PLLC", "LLP", "DBA",
            "THE"}


def licence_number(value: str | None) -> str:
    if not value:
        return ""
    number = NOT_ALNUM.sub("", value.upper())
    return LEADING_ZEROS.sub(lambda m: m.group(1).lstrip("0") or "0", number)


def name_words(value: str | None) -> list[str]:
    if not value:
        return []
    plain = unicodedata.normalize("NFKD", value).encode("ascii", "ignore").decode()
    return [w for w in NOT_LETTER.split(plain.upper()) if w]


def person_matches(first_name: str, last_name: str, roster_name: str | None) -> bool:
    words = set(name_words(roster_name))
    last = name_words(last_name)
    first = name_words(first_name)
    if not words or not last or not set(last) <= words:
        return False
    return not first or first[0] in words or first[0][0] in words


def business_matches(name: str, roster_name: str | None) -> bool:
    ours = [w for w in name_words(name) if w not in SUFFIXES]
    theirs = [w for w in name_words(roster_name) if w not in SUFFIXES]
    if not ours or not theirs:
        return False
    a, b = " ".join(ours), " ".join(theirs)
    return a == b or f" {a} " in f" {b} " or f" {b} " in f" {a} "
