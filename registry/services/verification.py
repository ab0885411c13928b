"""Checking credentials against imported rosters: verified, or flagged with the reason."""

from collections import Counter
from datetime import date

from peewee import JOIN

from registry.models import (
    Affiliation,
    Clinic,
    Credential,
    CredentialVerification,
    Practitioner,
    RosterEntry,
)
from registry.services import identity, practitioners
from registry.services.audit import Actor

# Roster status → the credential's verification state when the holder matches.
STATE_FOR_STATUS = {
    "active": "verified",
    "expired": "expired",
    "revoked": "revoked",
    "suspended": "revoked",
    "inactive": "mismatch",
    "pending": "mismatch",
}


def check_roster(roster, actor: Actor, on: date) -> Counter:
    """Check every credential a roster covers; record a check only when its outcome changed.

    The credential's own fields are never changed: a roster that disagrees flags the credential
    (not_found, mismatch, expired, revoked) and keeps the row it saw.
    """
    counts = Counter()
    query = (Credential.select(Credential, Practitioner, Clinic)
             .join(Practitioner, JOIN.LEFT_OUTER).switch(Credential)
             .join(Clinic, JOIN.LEFT_OUTER)
             .where(Credential.kind.in_(roster.credential_kinds)
                    & Credential.number.is_null(False) & Credential.revoked_on.is_null()))
    if roster.state:
        query = query.where((Credential.state == roster.state)
                            | (Credential.state.is_null() & (Clinic.state == roster.state)))
    for credential in query:
        state, note, entry = judge(credential, roster, on)
        digest = entry.digest if entry else None
        if _already_recorded(credential, roster.title, state, digest):
            counts["unchanged"] += 1
            continue
        raw = {"roster": roster.name, "digest": digest, "row": entry.raw if entry else None}
        practitioners.record_verification(credential, state, roster.title, actor, raw=raw,
                                          note=note, clinic_id=_chain_clinic(credential))
        counts[state] += 1
    return counts


def judge(credential: Credential, roster, on: date):
    """(verification state, note, the roster row relied on) for one credential."""
    number = identity.licence_number(credential.number)
    entries = list(RosterEntry.select().where((RosterEntry.roster == roster.name)
                                              & (RosterEntry.number == number)))
    if not entries:
        return "not_found", f"No {credential.number} on {roster.title}.", None
    held = [e for e in entries if _same_holder(credential, e.name)]
    if not held:
        return ("mismatch", f"{credential.number} on {roster.title} is held by another name.",
                entries[0])
    entry = next((e for e in held if e.status == "active"), held[0])
    state = STATE_FOR_STATUS[entry.status]
    if state == "verified" and entry.expires_on and entry.expires_on < on:
        return "expired", f"The roster shows it expired on {entry.expires_on}.", entry
    if state != "verified":
        shown = entry.status_text or entry.status
        return state, f"The roster's status is {shown!r}, not active.", entry
    note = f"Active on {roster.title}."
    if entry.expires_on and credential.expires_on and entry.expires_on != credential.expires_on:
        note += (f" The roster's expiry ({entry.expires_on}) differs from this record's "
                 f"({credential.expires_on}).")
    return "verified", note, entry


def _same_holder(credential: Credential, roster_name: str | None) -> bool:
    if credential.practitioner_id is not None:
        person = credential.practitioner
        return identity.person_matches(person.first_name, person.last_name, roster_name)
    return identity.business_matches(credential.clinic.name, roster_name)


def _already_recorded(credential, source: str, state: str, digest: str | None) -> bool:
    last = (CredentialVerification.select()
            .where((CredentialVerification.credential == credential.id)
                   & (CredentialVerification.source == source))
            .order_by(CredentialVerification.id.desc()).first())
    return (last is not None and last.state == state
            and (last.raw or {}).get("digest") == digest
            and credential.verification_state == state)


def _chain_clinic(credential: Credential) -> int | None:
    """The clinic whose audit chain records the check: the credential's, or the holder's."""
    if credential.clinic_id:
        return credential.clinic_id
    affiliation = (Affiliation.select(Affiliation.clinic)
                   .where(Affiliation.practitioner == credential.practitioner_id)
                   .order_by(Affiliation.starts_on.desc()).first())
    return affiliation.clinic_id if affiliation else None


def describe(counts: Counter) -> str:
    if not counts:
        return "no credentials to check"
    return "credentials: " + ", ".join(f"{n} {state.replace('_', ' ')}"
                                        for state, n in sorted(counts.items()))
