"""The adverse-reaction pages: MedWatch-aligned reports, seriousness, and the FDA clock."""

from datetime import date, timedelta

from registry.clock import today
from registry.models import AdverseReaction, AuditEvent, ReactionLot
from registry.rules.calendar import add_business_days
from registry.services import reactions
from registry.services.reporting_clock import Clock
from tests.factories import ACTOR, make_client
from tests.pages import error_for, text_of
from tests.test_pages_procedures import signed_in_as


def report_form(world, **changes) -> dict:
    ids = world.ids
    return {"client_id": ids["client_id"], "procedure_id": ids["procedure_id"],
            "patient_age": "34", "patient_age_unit": "years", "patient_sex": "female",
            "event_on": "2025-06-10", "aware_on": "2025-06-11",
            "description": "Swelling and pus at the brow line.", "body_site": "eyebrows",
            "outcome_infection": "y", "product_available": "true",
            "lot_ids": [str(ids["lot_id"])], **changes}


def new_url(world) -> str:
    return f"/clinics/{world.ids['clinic_id']}/reactions/new"


def show_url(world, reaction_id=None) -> str:
    return (f"/clinics/{world.ids['clinic_id']}/reactions/"
            f"{reaction_id or world.ids['reaction_id']}")


def newest() -> AdverseReaction:
    return AdverseReaction.select().order_by(AdverseReaction.id.desc()).first()


def test_a_serious_reaction_shows_its_fda_deadline(app):
    world, client = signed_in_as(app)
    aware = today()
    response = client.submit(new_url(world), report_form(
        world, event_on=aware.isoformat(), aware_on=aware.isoformat()))
    assert response.status_code == 302
    reaction = newest()
    assert response.headers["Location"].endswith(show_url(world, reaction.id))
    assert reaction.serious and reaction.outcome_infection and reaction.patient_age == 34
    assert reaction.product_available is True
    assert [s.lot_id for s in ReactionLot.select().where(ReactionLot.reaction == reaction)] \
        == [world.ids["lot_id"]]
    text = text_of(client.get(response.headers["Location"]))
    due = add_business_days(aware, 15)
    assert f"Report to FDA by {due.isoformat()} (15 business days left)" in text
    assert "serious" in text and "21 U.S.C. 364a" in text and "An infection" in text


def test_an_overdue_serious_reaction_stands_out(app):
    world, client = signed_in_as(app)
    client.submit(new_url(world), report_form(world))
    due = add_business_days(date(2025, 6, 11), 15)
    text = text_of(client.get(show_url(world, newest().id)))
    assert f"Report to FDA by {due.isoformat()}: overdue by " in text
    listing = client.get(f"/clinics/{world.ids['clinic_id']}/reactions")
    html = listing.get_data(as_text=True)
    assert '<tr class="stands-out">' in html
    assert "overdue" in text_of(listing) and due.isoformat() in text_of(listing)


def test_a_reaction_without_a_serious_outcome_needs_no_fda_report(app):
    world, client = signed_in_as(app)
    form = report_form(world, procedure_id="", lot_ids=[])
    del form["outcome_infection"]
    response = client.submit(new_url(world), form)
    assert response.status_code == 302
    reaction = newest()
    assert not reaction.serious and reaction.procedure_id is None
    text = text_of(client.get(response.headers["Location"]))
    assert "no mandatory report to FDA applies" in text
    assert "Report to FDA by" not in text
    listing = text_of(client.get(f"/clinics/{world.ids['clinic_id']}/reactions"))
    assert "not serious" in listing and "Not required" in listing


def test_learning_of_it_before_it_happened_is_refused(app):
    world, client = signed_in_as(app)
    before = AdverseReaction.select().count()
    response = client.submit(new_url(world), report_form(world, aware_on="2025-06-09"))
    assert response.status_code == 422
    assert error_for(response, "aware_on") == "Became aware before the event happened."
    assert AdverseReaction.select().count() == before


def test_a_report_says_what_happened(app):
    world, client = signed_in_as(app)
    before = (AdverseReaction.select().count(), ReactionLot.select().count())
    response = client.submit(new_url(world), report_form(world, description=" "))
    assert response.status_code == 422
    assert error_for(response, "description") == "Describe what happened."
    assert "Nothing was saved" in text_of(response)
    assert (AdverseReaction.select().count(), ReactionLot.select().count()) == before


def test_the_report_form_starts_from_a_procedure(app):
    world, client = signed_in_as(app)
    html = client.get(new_url(world) + f"?procedure_id={world.ids['procedure_id']}") \
        .get_data(as_text=True)
    assert f'<option selected value="{world.ids["client_id"]}">' in html
    assert 'checked id="lot_ids-' in html
    assert "Did the reaction result in any of these?" in html


def test_an_update_records_the_fda_report_with_a_reason(app):
    world, client = signed_in_as(app)
    client.submit(new_url(world), report_form(world))
    reaction = newest()
    url = show_url(world, reaction.id)
    response = client.submit(url, {"outcome_infection": "y", "reported_to_fda_on": "2025-06-20",
                                   "fda_report_number": "MW-123", "reason": "Sent to FDA."})
    assert response.status_code == 302
    reaction = AdverseReaction.get_by_id(reaction.id)
    assert (reaction.reported_to_fda_on, reaction.fda_report_number) == (
        date(2025, 6, 20), "MW-123")
    event = AuditEvent.select().where((AuditEvent.entity == "adverse_reaction")
                                      & (AuditEvent.action == "update")).get()
    assert event.reason == "Sent to FDA."
    text = text_of(client.get(url))
    assert "The report is updated." in text
    assert "Reported to FDA on 2025-06-20, within the deadline of" in text


def test_an_update_without_a_reason_changes_nothing(app):
    world, client = signed_in_as(app)
    url = show_url(world)
    response = client.submit(url, {"outcome_hospitalization": "y", "reason": ""})
    assert response.status_code == 422
    assert error_for(response, "reason") == "Say why the report changes."
    reaction = AdverseReaction.get_by_id(world.ids["reaction_id"])
    assert not reaction.serious and not reaction.outcome_hospitalization


def test_answering_a_serious_outcome_later_starts_the_clock(app):
    world, client = signed_in_as(app)
    response = client.submit(show_url(world), {"outcome_hospitalization": "y",
                                               "reason": "Admitted to hospital."})
    assert response.status_code == 302
    assert AdverseReaction.get_by_id(world.ids["reaction_id"]).serious
    text = text_of(client.get(show_url(world)))
    assert f"Report to FDA by {add_business_days(date(2025, 6, 4), 15).isoformat()}" in text


def test_a_form_without_its_token_is_refused(app):
    world, client = signed_in_as(app)
    before = AdverseReaction.select().count()
    assert client.post(new_url(world), data=report_form(world)).status_code == 400
    response = client.post(show_url(world), data={"outcome_death": "y", "reason": "x"})
    assert response.status_code == 400
    assert AdverseReaction.select().count() == before
    assert not AdverseReaction.get_by_id(world.ids["reaction_id"]).serious


def test_an_inspector_reads_reports_but_changes_nothing(app):
    world, client = signed_in_as(app, "inspector_a")
    page = client.get(show_url(world))
    assert page.status_code == 200
    assert "Redness at the site." in text_of(page) and "Update the report" not in text_of(page)
    assert "Report an adverse reaction" not in text_of(
        client.get(f"/clinics/{world.ids['clinic_id']}/reactions"))
    assert client.get(new_url(world)).status_code == 403
    token = client.csrf_token("/account/password")
    response = client.post(show_url(world), data={"csrf_token": token, "outcome_death": "y",
                                                  "reason": "x"})
    assert response.status_code == 403
    assert client.post(new_url(world), data={"csrf_token": token, **report_form(world)}) \
        .status_code == 403
    assert not AdverseReaction.get_by_id(world.ids["reaction_id"]).serious


def test_another_clinics_reports_are_not_found(app):
    world, client = signed_in_as(app, "officer_b")
    assert client.get(show_url(world)).status_code == 404
    assert client.get(f"/clinics/{world.ids['clinic_id']}/reactions").status_code == 404
    assert client.get(new_url(world)).status_code == 404
    other = reactions.report_reaction({
        "clinic_id": world.clinic_b.id, "client_id": make_client(world.clinic_b).id,
        "event_on": date(2025, 6, 3), "aware_on": date(2025, 6, 4),
        "description": "Itching."}, ACTOR)
    # Clinic B's officer opens clinic B's report, but not under clinic A's address.
    assert client.get(f"/clinics/{world.clinic_b.id}/reactions/{other.id}").status_code == 200
    assert client.get(show_url(world, other.id)).status_code == 404


def test_the_clock_counts_business_days():
    friday = date(2025, 7, 11)
    clock = Clock(due_on=friday, reported_on=None, day=friday - timedelta(days=4))
    assert (clock.days_left, clock.overdue) == (4, False)
    later = Clock(due_on=friday, reported_on=None, day=friday + timedelta(days=3))
    assert (later.overdue, later.days_over) == (True, 1)


def test_a_reaction_dated_in_the_future_is_refused(app):
    world, client = signed_in_as(app)
    before = AdverseReaction.select().count()
    later = (today() + timedelta(days=3)).isoformat()
    response = client.submit(new_url(world), report_form(world, event_on=later, aware_on=later))
    assert response.status_code == 422
    assert error_for(response, "event_on") == "A date in the future."
    assert AdverseReaction.select().count() == before


def test_a_procedure_id_that_cannot_exist_is_ignored(app):
    world, client = signed_in_as(app)
    response = client.get(f"{new_url(world)}?procedure_id=9223372036854775808")
    assert response.status_code == 200
