"""MoCRA's serious adverse events: any one of the eight outcomes of FD&C Act 604(5) makes a
reaction serious, so does MedWatch's "other serious", and a changed answer re-classifies it."""

from datetime import date

import pytest

from registry.clock import today
from registry.models import AdverseReaction
from registry.models.reactions import SERIOUS_OUTCOMES
from registry.services import reactions
from registry.services.reporting_clock import fda_clock
from tests.factories import ACTOR, make_client, make_clinic

ALL_OUTCOMES = SERIOUS_OUTCOMES + ("outcome_other_serious",)


def test_the_eight_mocra_outcomes_are_listed():
    assert len(SERIOUS_OUTCOMES) == 8 and "outcome_other_serious" not in SERIOUS_OUTCOMES


@pytest.mark.parametrize("outcome", ALL_OUTCOMES)
def test_one_outcome_alone_makes_a_reaction_serious(outcome):
    answers = dict.fromkeys(ALL_OUTCOMES, False)
    assert reactions.is_serious(answers) is False
    assert reactions.is_serious({**answers, outcome: True}) is True


def test_no_outcome_answered_is_not_serious():
    assert reactions.is_serious({}) is False
    assert reactions.is_serious({"outcome_infection": None, "body_site": "brow"}) is False


@pytest.mark.parametrize("outcome", ALL_OUTCOMES)
def test_a_reported_reaction_with_one_outcome_is_stored_as_serious(app, outcome):
    clinic = make_clinic()
    reaction = reactions.report_reaction({
        "clinic_id": clinic.id, "client_id": make_client(clinic).id,
        "event_on": "2025-11-25", "aware_on": "2025-11-26", "description": "Swelling.",
        outcome: True}, ACTOR)
    stored = AdverseReaction.get_by_id(reaction.id)
    assert stored.serious is True
    assert fda_clock(stored, today()).due_on == date(2025, 12, 18)


def test_changing_the_outcomes_re_classifies_the_reaction(app):
    clinic = make_clinic()
    reaction = reactions.report_reaction({
        "clinic_id": clinic.id, "client_id": make_client(clinic).id,
        "event_on": "2025-11-25", "aware_on": "2025-11-26", "description": "Redness."}, ACTOR)
    assert reaction.serious is False and fda_clock(reaction, today()) is None

    reactions.update_reaction(reaction, {"outcome_intervention_required": True}, ACTOR,
                              reason="Needed antibiotics from a doctor.")
    reaction = AdverseReaction.get_by_id(reaction.id)
    assert reaction.serious is True
    assert fda_clock(reaction, date(2025, 12, 19)).status == "overdue"

    reactions.update_reaction(reaction, {"outcome_intervention_required": False,
                                         "outcome_other_serious": True}, ACTOR,
                              reason="Reclassified by the physician.")
    reaction = AdverseReaction.get_by_id(reaction.id)
    assert reaction.serious is True and not reaction.outcome_intervention_required

    reactions.update_reaction(reaction, {"outcome_other_serious": False}, ACTOR,
                              reason="Answered in error.")
    reaction = AdverseReaction.get_by_id(reaction.id)
    assert reaction.serious is False and fda_clock(reaction, today()) is None
