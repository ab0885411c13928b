"""Demonstration data: believable, in three states, loaded once, and audited."""

from datetime import timedelta

import pytest

from registry import create_app, demo
from registry.clock import today
from registry.db import connection
from registry.models import (
    AdverseReaction,
    Clinic,
    Colorant,
    Credential,
    Membership,
    PigmentLot,
    PigmentProduct,
    ProcedureLot,
    ReactionLot,
    User,
)
from registry.services import audit, signals
from tests.conftest import make_settings


@pytest.fixture
def loaded(app):
    demo.load()


def test_three_clinics_in_three_states(loaded):
    assert sorted(c.state for c in Clinic.select()) == ["CA", "OR", "TX"]
    for clinic in Clinic.select():
        assert Credential.select().where((Credential.clinic == clinic)
                                         & (Credential.kind == "establishment_license")).exists()


def test_credentials_include_some_expiring_soon_and_one_expired(loaded):
    day = today()
    soon = Credential.select().where(Credential.expires_on.between(day, day + timedelta(days=30)))
    expired = Credential.select().where(Credential.expires_on < day)
    assert soon.count() >= 3
    assert expired.count() == 1
    assert expired.get().kind == "practitioner_license"
    states_with_practitioners = {
        a.clinic.state for c in Credential.select().where(Credential.practitioner.is_null(False))
        for a in c.practitioner.affiliations}
    assert states_with_practitioners == {"OR", "CA", "TX"}


def test_pigments_carry_real_colour_index_numbers(loaded):
    numbers = {c.ci_number for c in Colorant.select()}
    assert {"CI 77266", "CI 77499"} <= numbers


def test_a_scalpaink_lot_is_on_hand_and_was_used(loaded):
    product = PigmentProduct.get(PigmentProduct.brand == "Scalpaink")
    assert product.manufacturer.name == "Scalp Aesthetics"
    lot = PigmentLot.get(PigmentLot.product == product)
    assert lot.clinic.state == "OR"
    assert ProcedureLot.select().where(ProcedureLot.lot == lot).count() >= 1


def test_reactions_include_a_serious_one(loaded):
    assert AdverseReaction.select().count() >= 2
    assert AdverseReaction.select().where(AdverseReaction.serious).count() >= 1


def test_the_rosewood_lip_pigment_signals_and_the_other_products_do_not(loaded):
    rows = signals.product_signals()
    assert [row.label for row in rows if row.signal] == ["Meridian Lip Rosewood (Rosewood)"]
    rosewood = rows[0]
    assert rosewood.result.evans and rosewood.result.by_ror
    assert len(rows) > 1 and not any(row.signal for row in rows[1:])
    clinics = {link.reaction.clinic_id for link in ReactionLot.select().join(PigmentLot)
               .where(PigmentLot.product == rosewood.key)}
    assert len(clinics) == 3  # clients of every clinic reacted to it
    shades = {row.key: row for row in signals.shade_signals()}
    assert shades[("Meridian", "Rosewood")].signal
    lots = [row for row in signals.lot_signals() if row.signal]
    assert [row.label for row in lots] == ["MB-ROS-2310: Meridian Lip Rosewood (Rosewood)"]
    assert PigmentLot.get_by_id(lots[0].key).clinic.state == "CA"


def test_one_user_per_role(loaded):
    roles = {m.role for m in Membership.select()}
    assert roles == {"administrator", "officer", "inspector", "importer"}
    assert User.select().count() == len(demo.LOGINS)


def test_the_demo_is_audited_and_its_chains_are_intact(loaded):
    reports = audit.verify()
    assert len(reports) == 4 and all(r.ok for r in reports)


def test_loading_again_when_not_empty_changes_nothing(app, runner):
    first = runner.invoke(args=["demo", "load", "--if-empty"])
    assert first.exit_code == 0 and "demo data loaded: 3 clinics" in first.output
    second = runner.invoke(args=["demo", "load", "--if-empty"])
    assert "database holds data; demo not loaded" in second.output
    assert Clinic.select().count() == 3


def test_demo_data_is_refused_in_production(app, database_url, tmp_path):
    production = create_app(make_settings(tmp_path, database_url, env="production"))
    with production.app_context():
        result = production.test_cli_runner().invoke(args=["demo", "load"])
    assert result.exit_code != 0 and "not loaded in production" in result.output
    with connection():
        assert Clinic.select().count() == 0
