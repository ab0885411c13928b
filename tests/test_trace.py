"""The reverse trace of pigment lots and the impact of a recall, clinic by clinic."""

import csv
import io
from datetime import date

from registry.auth.principal import principal_for
from registry.models import Procedure
from registry.services import accounts, procedures, recalls, trace
from tests.factories import (
    ACTOR,
    make_client,
    make_clinic,
    make_lot,
    make_practitioner,
    make_product,
)


def _procedure(clinic, person, client, lots, day):
    return procedures.record_procedure({
        "clinic_id": clinic.id, "practitioner_id": person.id, "client_id": client.id,
        "performed_on": day, "body_area": "scalp", "lot_ids": [lot.id for lot in lots]}, ACTOR)


def _principal(name, role):
    user = accounts.create_user({"email": f"{name}@example.test", "display_name": name}, ACTOR)
    accounts.grant_role({"user_id": user.id, **role}, ACTOR)
    return principal_for(user)


def _world():
    """Two Oregon clinics holding lots of one product, and a Washington clinic."""
    product = make_product("Onyx")
    a, b, far = make_clinic(name="Alder Clinic"), make_clinic(name="Birch Clinic"), \
        make_clinic(state="WA", name="Cedar Clinic")
    lot_a, lot_b = make_lot(a, product, lot_number="B-1001"), make_lot(b, product,
                                                                      lot_number="B-1001")
    other = make_lot(a, make_product("Sepia"))
    people = {clinic.id: make_practitioner(clinic) for clinic in (a, b, far)}
    ann = make_client(a, initials="=1+2", email="ann@example.test", phone="+1 503 555 0100")
    bob = make_client(a, initials="BK", email="bob@example.test", phone="503 555 0101")
    cyd = make_client(b, initials="CY", email="cyd@example.test", phone="503 555 0102")
    dan = make_client(a, initials="DN", email="dan@example.test")
    uses = {
        "p_ann_1": _procedure(a, people[a.id], ann, [lot_a], "2025-03-01"),
        "p_ann_2": _procedure(a, people[a.id], ann, [lot_a, other], "2025-04-01"),
        "p_bob": _procedure(a, people[a.id], bob, [lot_a], "2025-02-01"),
        "p_cyd": _procedure(b, people[b.id], cyd, [lot_b], "2025-01-15"),
        "p_dan": _procedure(a, people[a.id], dan, [other], "2025-03-10"),
    }
    return {"a": a, "b": b, "far": far, "product": product, "lot_a": lot_a, "lot_b": lot_b,
            "other": other, "ann": ann, "bob": bob, "cyd": cyd, "dan": dan, **uses}


def _recall(world):
    recall = recalls.create_recall({
        "recall_number": "F-0420-2025", "recalling_firm": "Maker",
        "product_description": "Onyx tattoo ink", "code_info": "Lot B-1001"}, ACTOR)
    for lot in (world["lot_a"], world["lot_b"]):
        recalls.match_lot(recall, lot, "lot code", "Lot B-1001", ACTOR)
    return recall


def test_the_trace_returns_exactly_the_procedures_that_used_the_lots(app):
    w = _world()
    rows = trace.trace_lots([w["lot_a"].id, w["lot_b"].id])

    assert [(r.clinic_id, r.procedure_id) for r in rows] == [
        (w["a"].id, w["p_bob"].id), (w["a"].id, w["p_ann_1"].id),
        (w["a"].id, w["p_ann_2"].id),
        (w["b"].id, w["p_cyd"].id)]
    assert {r.client_id for r in rows} == {w["ann"].id, w["bob"].id, w["cyd"].id}
    first = rows[0]
    assert (first.clinic_name, first.clinic_state, first.performed_on, first.body_area,
            first.client_reference, first.lot_id, first.lot_number, first.product) == (
        "Alder Clinic", "OR", date(2025, 2, 1), "scalp", w["bob"].reference, w["lot_a"].id,
        "B-1001", "Onyx")
    assert [r.procedure_id for r in trace.trace_lots([w["other"].id])] == [
        w["p_dan"].id, w["p_ann_2"].id]
    assert trace.trace_lots([]) == []
    # A procedure voided as recorded by mistake reached no one.
    Procedure.update(status="voided").where(Procedure.id == w["p_cyd"].id).execute()
    assert w["p_cyd"].id not in [r.procedure_id for r in trace.trace_lots([w["lot_b"].id])]
    assert sorted(trace.lots_of_product(w["product"].id)) == sorted(
        [w["lot_a"].id, w["lot_b"].id])


def test_recall_impact_groups_clients_by_clinic(app):
    w = _world()
    recall = _recall(w)
    admin = _principal("admin", {"role": "administrator"})

    impact = trace.recall_impact(recall, admin)

    assert sorted(impact.lot_ids) == sorted([w["lot_a"].id, w["lot_b"].id])
    assert [(c.name, c.client_count, c.procedure_count) for c in impact.clinics] == [
        ("Alder Clinic", 2, 3), ("Birch Clinic", 1, 1)]
    alder = impact.clinics[0]
    by_reference = {n.reference: n for n in alder.clients}
    assert [u.procedure_id for u in by_reference[w["ann"].reference].uses] == [
        w["p_ann_1"].id, w["p_ann_2"].id]
    assert {u.lot_number for u in by_reference[w["ann"].reference].uses} == {"B-1001"}
    # Administrators see every clinic's counts, not its clients' contact details.
    assert not alder.contacts_shown
    assert all(n.email is None and n.phone is None for c in impact.clinics for n in c.clients)


def test_an_officer_sees_contact_details_of_their_own_clinic_only(app):
    w = _world()
    recall = _recall(w)
    officer_a = _principal("officer_a", {"role": "officer", "clinic_id": w["a"].id})

    impact = trace.recall_impact(recall, officer_a)

    assert [c.clinic_id for c in impact.clinics] == [w["a"].id]
    emails = {n.reference: (n.initials, n.email, n.phone) for n in impact.clinics[0].clients}
    assert emails[w["bob"].reference] == ("BK", "bob@example.test", "503 555 0101")
    assert "cyd@example.test" not in repr(impact)
    assert trace.may_see_contacts(officer_a, w["a"].id)
    assert not trace.may_see_contacts(officer_a, w["b"].id)


def test_an_inspector_sees_counts_of_their_states_clinics_without_contacts(app):
    w = _world()
    recall = _recall(w)
    inspector = _principal("inspector", {"role": "inspector", "jurisdiction": "OR"})
    elsewhere = _principal("inspector_wa", {"role": "inspector", "jurisdiction": "WA"})

    impact = trace.recall_impact(recall, inspector)

    assert [(c.name, c.client_count, c.procedure_count) for c in impact.clinics] == [
        ("Alder Clinic", 2, 3), ("Birch Clinic", 1, 1)]
    notices = [n for c in impact.clinics for n in c.clients]
    assert {n.reference for n in notices} == {w["ann"].reference, w["bob"].reference,
                                              w["cyd"].reference}
    assert all((n.initials, n.email, n.phone) == (None, None, None) for n in notices)
    assert trace.recall_impact(recall, elsewhere).clinics == ()


def test_the_csv_has_the_header_and_defuses_formulas(app):
    w = _world()
    recall = _recall(w)
    officer_a = _principal("officer_a", {"role": "officer", "clinic_id": w["a"].id})
    alder = trace.recall_impact(recall, officer_a).clinics[0]

    text = trace.impact_csv(alder)
    rows = list(csv.reader(io.StringIO(text)))

    assert rows[0] == list(trace.CSV_HEADER)
    assert len(rows) == 1 + 3
    ann = [r for r in rows if r[0] == w["ann"].reference]
    assert ann[0][1:] == ["'=1+2", "ann@example.test", "'+1 503 555 0100", "2025-03-01",
                          "B-1001", "Onyx"]
    assert all(not cell.startswith(("=", "+", "-", "@")) for row in rows for cell in row)
