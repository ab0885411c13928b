"""The service layer: validated writes, named field errors, nothing written on error."""

from datetime import date

import pytest

from registry.models import ALL_MODELS, AuditEvent, Client, Credential, PigmentLot, Procedure
from registry.services import holds, pigments, practitioners, procedures, reactions
from registry.services.records import InvalidInput
from tests.factories import (
    ACTOR,
    hold_lot,
    make_client,
    make_clinic,
    make_lot,
    make_practitioner,
    make_product,
)


def row_counts():
    return {model.__name__: model.select().count() for model in ALL_MODELS}


def assert_refused(call, *fields):
    """The call raises field errors naming each field, and no table changed."""
    before = row_counts()
    with pytest.raises(InvalidInput) as refused:
        call()
    for field in fields:
        assert field in refused.value.errors, refused.value.errors
    assert row_counts() == before
    return refused.value.errors


def test_a_valid_create_writes_the_row_and_its_audit_event(app):
    clinic = make_clinic(state="TX", city="Austin")
    event = AuditEvent.select().where(AuditEvent.entity == "clinic").get()
    assert event.entity_id == str(clinic.id)
    assert event.chain == f"clinic:{clinic.id}"
    assert event.actor == ACTOR.label
    assert event.changes["state"] == [None, "TX"]
    assert event.changes["city"] == [None, "Austin"]


@pytest.mark.parametrize(("data", "fields"), [
    ({"clinic_id": None, "reference": ""}, ["clinic_id", "reference"]),
    ({"reference": "R-1", "birth_date": "31/12/1990"}, ["birth_date"]),
    ({"reference": "R-1", "email": "not-an-email"}, ["email"]),
    ({"reference": "R-1", "favourite_colour": "blue"}, ["favourite_colour"]),
    ({"reference": "R-1", "sex": "unknown"}, ["sex"]),
])
def test_bad_client_input_names_each_field_and_writes_nothing(app, data, fields):
    clinic = make_clinic()
    payload = {"clinic_id": clinic.id, **data}
    assert_refused(lambda: procedures.create_client(payload, ACTOR), *fields)


def test_unknown_reference_is_a_field_error(app):
    errors = assert_refused(
        lambda: procedures.create_client({"clinic_id": 9999, "reference": "R-1"}, ACTOR),
        "clinic_id")
    assert "9999" in errors["clinic_id"][0]


def test_a_duplicate_is_refused_without_a_write(app):
    clinic = make_clinic()
    procedures.create_client({"clinic_id": clinic.id, "reference": "R-1"}, ACTOR)
    assert_refused(
        lambda: procedures.create_client({"clinic_id": clinic.id, "reference": "R-1"}, ACTOR),
        "_schema")


def test_colorant_ids_are_checked_and_normalised(app):
    product = make_product()
    assert [c.ci_number for c in product.colorants] == ["CI 77266"]
    maker_id = product.manufacturer_id
    errors = assert_refused(lambda: pigments.create_product({
        "manufacturer_id": maker_id, "brand": "B", "name": "Bad CAS",
        "colorants": [{"name": "Carbon black", "ci_number": "CI 77266",
                       "cas_number": "1333-86-5"}],
    }, ACTOR), "colorants")
    assert "check digit" in str(errors["colorants"])


def test_editing_a_regulated_record_requires_a_reason(app):
    clinic = make_clinic()
    person = make_practitioner(clinic)
    credential = practitioners.add_credential({
        "practitioner_id": person.id, "kind": "bloodborne_pathogens_training",
        "issuer": "Red Cross", "issued_on": "2025-01-10", "expires_on": "2026-01-10",
    }, ACTOR)
    assert_refused(lambda: practitioners.update_credential(
        credential, {"expires_on": "2027-01-10"}, ACTOR, reason=None), "reason")

    changes = practitioners.update_credential(
        credential, {"expires_on": "2027-01-10"}, ACTOR, reason="typo in the expiry date")
    assert changes == {"expires_on": [date(2026, 1, 10), date(2027, 1, 10)]}
    assert Credential.get_by_id(credential.id).expires_on == date(2027, 1, 10)
    event = AuditEvent.select().where((AuditEvent.action == "correct")
                                      & (AuditEvent.entity == "credential")).get()
    assert event.reason == "typo in the expiry date"
    assert event.changes == {"expires_on": ["2026-01-10", "2027-01-10"]}
    first, correction = practitioners.periods(credential)
    assert (first.expires_on, correction.expires_on) == (date(2026, 1, 10), date(2027, 1, 10))
    assert (correction.action, correction.replaces_id) == ("correct", first.id)


def test_an_edit_is_validated_against_the_whole_record(app):
    clinic = make_clinic()
    person = make_practitioner(clinic)
    credential = practitioners.add_credential({
        "practitioner_id": person.id, "kind": "spcp_cpcp", "issuer": "SPCP",
        "issued_on": "2025-01-10", "expires_on": "2027-01-10"}, ACTOR)
    assert_refused(lambda: practitioners.update_credential(
        credential, {"expires_on": "2024-01-01"}, ACTOR, reason="typo"), "expires_on")


def test_an_edit_that_changes_nothing_writes_nothing(app):
    clinic = make_clinic()
    before = AuditEvent.select().count()
    from registry.services.clinics import update_clinic
    assert update_clinic(clinic, {"state": "OR"}, ACTOR, reason=None) == {}
    assert AuditEvent.select().count() == before


def test_lot_status_follows_its_lifecycle_and_keeps_history(app):
    clinic = make_clinic()
    lot = make_lot(clinic, received_on=date(2025, 1, 1))
    pigments.change_lot_status(lot, {"status": "in_use", "effective_on": "2025-01-05"}, ACTOR)
    holds.quarantine(lot, {"effective_on": "2025-03-01", "reason": "supplier notice"}, ACTOR)
    lot = PigmentLot.get_by_id(lot.id)
    assert lot.status == "quarantined" and lot.opened_on == date(2025, 1, 5)
    assert [c.status for c in lot.status_changes] == ["received", "in_use"]
    facts = pigments.lot_facts(lot)
    assert facts.status_on(date(2025, 2, 1)) == ("in_use", None)
    assert facts.status_on(date(2025, 3, 1)) == ("quarantined", None)

    pigments.change_lot_status(lot, {"status": "disposed", "effective_on": "2025-03-02"}, ACTOR)
    assert_refused(lambda: pigments.change_lot_status(
        PigmentLot.get_by_id(lot.id), {"status": "in_use", "effective_on": "2025-03-03"}, ACTOR),
        "status")


def test_a_procedure_with_a_recalled_lot_is_refused(app):
    clinic = make_clinic()
    person = make_practitioner(clinic)
    client = make_client(clinic)
    good, bad = make_lot(clinic), make_lot(clinic)
    hold_lot(bad, date(2025, 5, 15), recall_number="F-0001-2025")
    data = {"clinic_id": clinic.id, "practitioner_id": person.id, "client_id": client.id,
            "performed_on": "2025-06-01", "body_area": "scalp", "lot_ids": [good.id, bad.id]}
    errors = assert_refused(lambda: procedures.record_procedure(data, ACTOR), "lot_ids")
    assert "recalled (FDA recall F-0001-2025) from 2025-05-15" in errors["lot_ids"][0]

    # The same lot was usable before the recall took effect.
    earlier = procedures.record_procedure({**data, "performed_on": "2025-05-01"}, ACTOR)
    assert sorted(u.lot_id for u in earlier.lot_uses) == sorted([good.id, bad.id])


def test_a_procedure_with_an_expired_lot_or_another_clinics_lot_is_refused(app):
    clinic, other = make_clinic(), make_clinic()
    person, client = make_practitioner(clinic), make_client(clinic)
    expired = make_lot(clinic, received_on=date(2024, 1, 1), expires_in_days=30)
    foreign = make_lot(other)
    data = {"clinic_id": clinic.id, "practitioner_id": person.id, "client_id": client.id,
            "performed_on": "2024-06-01", "body_area": "brows"}
    errors = assert_refused(
        lambda: procedures.record_procedure({**data, "lot_ids": [expired.id]}, ACTOR), "lot_ids")
    assert "expired on 2024-01-31" in errors["lot_ids"][0]
    assert_refused(
        lambda: procedures.record_procedure({**data, "lot_ids": [foreign.id]}, ACTOR), "lot_ids")


def test_a_procedure_needs_the_clinics_own_client_and_practitioner(app):
    clinic, other = make_clinic(), make_clinic()
    person = make_practitioner(clinic, starts_on=date(2025, 1, 1))
    stranger = make_client(other)
    data = {"clinic_id": clinic.id, "practitioner_id": person.id,
            "client_id": make_client(clinic).id, "performed_on": "2024-06-01",
            "body_area": "scalp"}
    assert_refused(lambda: procedures.record_procedure(data, ACTOR), "practitioner_id")
    assert_refused(lambda: procedures.record_procedure(
        {**data, "client_id": stranger.id, "performed_on": "2025-06-01"}, ACTOR), "client_id")
    assert Procedure.select().count() == 0


@pytest.mark.parametrize(("outcomes", "serious"), [
    ({}, False),
    ({"outcome_infection": True}, True),
    ({"outcome_disfigurement": True}, True),
    ({"outcome_hospitalization": True}, True),
])
def test_reaction_seriousness_follows_the_outcomes(app, outcomes, serious):
    clinic = make_clinic()
    client = make_client(clinic)
    reaction = reactions.report_reaction({
        "clinic_id": clinic.id, "client_id": client.id, "event_on": "2025-02-01",
        "aware_on": "2025-02-03", "description": "Swelling at the brow.", **outcomes}, ACTOR)
    assert reaction.serious is serious


def test_a_reaction_cannot_be_known_before_it_happened(app):
    clinic = make_clinic()
    client = make_client(clinic)
    assert_refused(lambda: reactions.report_reaction({
        "clinic_id": clinic.id, "client_id": client.id, "event_on": "2025-02-03",
        "aware_on": "2025-02-01", "description": "Swelling."}, ACTOR), "aware_on")
    assert Client.select().count() == 1


def test_a_verification_is_kept_with_its_source_and_moves_the_credential(app):
    from registry.models import CredentialVerification

    clinic = make_clinic()
    person = make_practitioner(clinic)
    credential = practitioners.add_credential({
        "practitioner_id": person.id, "kind": "practitioner_license", "issuer": "OR HLO",
        "state": "OR", "number": "BA-1"}, ACTOR)
    practitioners.record_verification(credential, "verified", "OR HLO roster", ACTOR,
                                      raw={"license": "BA-1", "status": "ACTIVE"},
                                      clinic_id=clinic.id)
    stored = Credential.get_by_id(credential.id)
    assert stored.verification_state == "verified"
    assert stored.verification_source == "OR HLO roster" and stored.verified_at is not None
    check = CredentialVerification.get()
    assert check.raw == {"license": "BA-1", "status": "ACTIVE"}
    chain = AuditEvent.select().where(AuditEvent.chain == f"clinic:{clinic.id}")
    actions = [e.action for e in chain.order_by(AuditEvent.seq)]
    assert actions[-2:] == ["verify", "verify"]
    assert_refused(lambda: practitioners.record_verification(
        stored, "probably fine", "a phone call", ACTOR), "state")


def test_a_recall_match_records_the_text_that_made_it(app):
    from registry.services import recalls

    clinic = make_clinic()
    lot = make_lot(clinic)
    recall = recalls.create_recall({
        "recall_number": "F-0001-2019", "recalling_firm": "Scalp Aesthetics",
        "product_description": "Scalpaink SC basic black tattoo ink", "code_info": "All lots",
    }, ACTOR)
    match = recalls.match_lot(recall, lot, "all_lots", "All lots", ACTOR)
    event = AuditEvent.select().where(AuditEvent.entity == "recall_match").get()
    assert event.chain == f"clinic:{clinic.id}" and event.entity_id == str(match.id)
    assert event.changes["matched_text"] == [None, "All lots"]


@pytest.mark.parametrize(("data", "field"), [
    ({"role": "officer"}, "clinic_id"),
    ({"role": "inspector"}, "jurisdiction"),
    ({"role": "inspector", "jurisdiction": "ZZ"}, "jurisdiction"),
    ({"role": "superuser"}, "role"),
])
def test_a_role_names_the_scope_it_applies_to(app, data, field):
    from registry.services import accounts

    user = accounts.create_user({"email": "a@example.test", "display_name": "A"}, ACTOR)
    assert_refused(lambda: accounts.grant_role({"user_id": user.id, **data}, ACTOR), field)


def test_a_short_password_is_refused_before_anything_is_written(app):
    from registry.services import accounts

    assert_refused(lambda: accounts.create_user(
        {"email": "b@example.test", "display_name": "B"}, ACTOR, password="short"), "password")
