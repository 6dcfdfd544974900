"""R4 and R6.1-R6.2 through the DCC: the SRP's officers and ADT files, and when its threshold may
leave zero (an Ofgem instruction naming it and the failed supplier).

Every negative asserts the refusal (an ADT refusal naming its rule, a response code and deciding
stage, or a quarantine with the DCC alert to the User) and that no meter changed.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from dcc.adt import AdtFile, AdtThreshold, sign_adt
from dcc.anomaly import AdtRefused
from dcc.duis.alerts import BreachKind
from dcc.duis.codes import ResponseCode
from dcc.duis.request import Credit
from dcc.solr_register import RegisterError
from dcc.users import Officer, OfficerKind, RegistrationError
from devices.gbcs.crypto import private_key_from_seed
from devices.gbcs.payment_mode import PaymentMode
from sim.world.testbed import (
    BRIGHT,
    ESME_ID,
    GSME_ID,
    ROGUE_SRP,
    SEED,
    SRP,
    STEADY,
    STEADY_ESME_ID,
    World,
)
from tests.dcc.rule_checks import MINUTE, NOW, assert_quarantined, assert_refused

SRP_PARTY = "Shared Resource Provider"
ADT_BREACH = BreachKind.USER_THRESHOLD


def _signed_adt(count: int, supplier: bytes, now: datetime, officer: str, key) -> AdtFile:
    return sign_adt(AdtFile(SRP, (AdtThreshold("1.6", count, supplier),), now), officer, key)


# --- R4.1 responsible officers ----------------------------------------------------------------


def test_r4_1_the_party_can_create_aros_and_sros(world: World) -> None:
    users = world.dcc.services.users
    for officer_id, kind in (
        ("srp-aro-2", OfficerKind.AUTHORISED),
        ("srp-sro", OfficerKind.SENIOR),
    ):
        key = private_key_from_seed(SEED, officer_id)
        users.add_officer(Officer(officer_id, SRP_PARTY, kind, key.public_key()))
    assert {(o.officer_id, o.kind) for o in users.officers_of(SRP_PARTY)} == {
        ("srp-aro", OfficerKind.AUTHORISED),
        ("srp-aro-2", OfficerKind.AUTHORISED),
        ("srp-sro", OfficerKind.SENIOR),
    }
    world.fail(BRIGHT, NOW)
    world.dcc.ofgem_instruction(BRIGHT, SRP, NOW)
    key = private_key_from_seed(SEED, "srp-sro")
    adt = world.dcc.submit_adt(_signed_adt(5, BRIGHT, NOW + MINUTE, "srp-sro", key), NOW + MINUTE)
    assert world.dcc.services.anomaly.adt_in_force(SRP) == adt


def test_r4_1_officers_only_for_a_registered_party_and_never_twice(world: World) -> None:
    users = world.dcc.services.users
    key = private_key_from_seed(SEED, "nobody").public_key()
    with pytest.raises(RegistrationError, match="has no registered User ID"):
        users.add_officer(Officer("x-aro", "Unregistered Ltd", OfficerKind.AUTHORISED, key))
    with pytest.raises(RegistrationError, match="already exists"):
        users.add_officer(Officer("srp-aro", "Rogue Resources", OfficerKind.SENIOR, key))
    assert users.officer("srp-aro").party == SRP_PARTY
    assert users.officer("x-aro") is None


# --- R4.2 ADT files from officers only; thresholds per SRV and supplier -----------------------


def test_r4_2_an_adt_from_the_partys_officer_is_accepted(world: World) -> None:
    ready = world.solr_ready(NOW, count=3)
    adt = world.dcc.services.anomaly.adt_in_force(SRP)
    assert adt.thresholds == (AdtThreshold("1.6", 3, BRIGHT),)
    assert world.switch(SRP, ESME_ID, ready).accepted


def _officer_of_another_party(world: World):
    key = private_key_from_seed(SEED, "bright-aro")
    world.dcc.services.users.add_officer(
        Officer("bright-aro", "Bright Energy", OfficerKind.AUTHORISED, key.public_key())
    )
    return "bright-aro", key


@pytest.mark.parametrize(
    "signer",
    [
        pytest.param(
            lambda world: ("mallory", private_key_from_seed(SEED, "mallory")), id="unknown"
        ),
        pytest.param(lambda world: ("srp-aro", private_key_from_seed(SEED, "x")), id="wrong-key"),
        pytest.param(_officer_of_another_party, id="other-party-officer"),
    ],
)
def test_r4_2_an_adt_not_signed_by_the_partys_officer_is_refused(world: World, signer) -> None:
    world.fail(BRIGHT, NOW)
    world.dcc.ofgem_instruction(BRIGHT, SRP, NOW)
    officer, key = signer(world)
    with pytest.raises(AdtRefused) as refused:
        world.dcc.submit_adt(_signed_adt(100, BRIGHT, NOW, officer, key), NOW)
    assert refused.value.rule == "R4.2"
    assert world.dcc.services.anomaly.adt_in_force(SRP) is None
    # so the SRP stays at zero: its valid credit request is not actioned
    before = world.states()
    outcome = world.switch(SRP, ESME_ID, NOW + MINUTE)
    assert_quarantined(outcome, ADT_BREACH, "adt", SRP)
    assert world.states() == before


def test_r4_2_a_request_over_the_adt_is_quarantined(world: World) -> None:
    ready = world.solr_ready(NOW, count=1)
    first = world.switch(SRP, ESME_ID, ready)
    assert first.accepted, (first.decided_by, first.reason)
    assert world.meters[ESME_ID].state.account.payment_mode is PaymentMode.CREDIT
    before = world.states()
    second = world.switch(SRP, GSME_ID, ready)
    assert_quarantined(second, ADT_BREACH, "adt", SRP)
    assert world.states() == before
    assert second.to_users[0] in world.received


def test_r4_2_thresholds_are_per_supplier_acted_for(world: World) -> None:
    """SRP instructed for both failed suppliers, one request a period for each."""
    world.fail(BRIGHT, NOW)
    world.fail(STEADY, NOW)
    world.dcc.ofgem_instruction(BRIGHT, SRP, NOW)
    world.dcc.ofgem_instruction(STEADY, SRP, NOW)
    rows = (AdtThreshold("1.6", 1, BRIGHT), AdtThreshold("1.6", 1, STEADY))
    world.dcc.submit_adt(sign_adt(AdtFile(SRP, rows, NOW), "srp-aro", world.officer_key), NOW)
    ready = NOW + MINUTE
    assert world.switch(SRP, ESME_ID, ready).accepted
    assert world.switch(SRP, STEADY_ESME_ID, ready).accepted
    before = world.states()
    assert_quarantined(world.switch(SRP, GSME_ID, ready), ADT_BREACH, "adt", SRP)
    assert world.states() == before


# --- R6.1 zero by default ---------------------------------------------------------------------


def test_r6_1_after_the_instruction_but_before_an_adt_a_valid_request_is_quarantined(
    world: World,
) -> None:
    world.fail(BRIGHT, NOW)
    world.dcc.ofgem_instruction(BRIGHT, SRP, NOW)
    before = world.states()
    for outcome in (
        world.switch(SRP, ESME_ID, NOW + MINUTE),
        world.switch(SRP, GSME_ID, NOW + MINUTE),
        world.send_smets1(SRP, Credit(), NOW + MINUTE),
    ):
        assert_quarantined(outcome, ADT_BREACH, "adt", SRP)
    assert world.states() == before


def test_r6_1_an_explicit_zero_adt_keeps_the_srp_at_zero(world: World) -> None:
    ready = world.solr_ready(NOW, count=0)
    before = world.states()
    assert_quarantined(world.switch(SRP, ESME_ID, ready), ADT_BREACH, "adt", SRP)
    assert world.states() == before


def test_r6_1_the_transform_is_not_counted_only_the_send(world: World) -> None:
    """The pre-command is issued (nothing reaches a meter); the send is what is held back."""
    world.fail(BRIGHT, NOW)
    world.dcc.ofgem_instruction(BRIGHT, SRP, NOW)
    _, transform = world.transform(SRP, ESME_ID, Credit(), NOW + MINUTE)
    assert transform.response_code is ResponseCode.I0 and transform.to_devices == ()


# --- R6.2 non-zero ADT only after Ofgem's instruction naming this SRP and supplier ------------


def test_r6_2_a_non_zero_adt_after_the_instruction_is_accepted(world: World) -> None:
    ready = world.solr_ready(NOW)
    assert world.dcc.services.anomaly.threshold(SRP, "1.6", BRIGHT, ready) == 100
    assert world.switch(SRP, ESME_ID, ready).accepted


def test_r6_2_an_adt_before_the_instruction_is_refused(world: World) -> None:
    world.fail(BRIGHT, NOW)
    with pytest.raises(AdtRefused) as refused:
        world.adt(100, BRIGHT, NOW)
    assert refused.value.rule == "R6.2"
    world.dcc.ofgem_instruction(BRIGHT, SRP, NOW + MINUTE)
    before = world.states()
    # the refused file did not become the ADT in force when the instruction came
    assert_quarantined(world.switch(SRP, ESME_ID, NOW + 2 * MINUTE), ADT_BREACH, "adt", SRP)
    assert world.states() == before


@pytest.mark.parametrize(
    ("named_srp", "adt_supplier"),
    [(ROGUE_SRP, BRIGHT), (SRP, STEADY)],
    ids=["instruction-names-another-srp", "adt-names-another-supplier"],
)
def test_r6_2_an_adt_beyond_the_instruction_is_refused(
    world: World, named_srp: bytes, adt_supplier: bytes
) -> None:
    world.fail(BRIGHT, NOW)
    world.fail(STEADY, NOW)
    world.dcc.ofgem_instruction(BRIGHT, named_srp, NOW)
    with pytest.raises(AdtRefused) as refused:
        world.adt(100, adt_supplier, NOW + MINUTE)
    assert refused.value.rule == "R6.2"
    assert world.dcc.services.anomaly.adt_in_force(SRP) is None
    before = world.states()
    device = ESME_ID if adt_supplier == BRIGHT else STEADY_ESME_ID
    assert_refused(world.switch(SRP, device, NOW + 2 * MINUTE), ResponseCode.E4, "solr-instruction")
    assert world.states() == before


def test_r6_2_ofgem_cannot_instruct_before_the_solr_notification(world: World) -> None:
    with pytest.raises(RegisterError):
        world.dcc.ofgem_instruction(BRIGHT, SRP, NOW)
    before = world.states()
    _, outcome = world.transform(SRP, ESME_ID, Credit(), NOW)
    assert_refused(outcome, ResponseCode.E4, "solr-instruction")
    assert world.states() == before


def test_r6_2_the_srp_cannot_act_for_a_supplier_it_was_not_named_for(world: World) -> None:
    """Ofgem named SRP for BRIGHT; STEADY fails too, with no instruction for SRP yet."""
    ready = world.solr_ready(NOW)
    world.fail(STEADY, ready)
    before = world.states()
    outcome = world.switch(SRP, STEADY_ESME_ID, ready + MINUTE)
    assert_refused(outcome, ResponseCode.E4, "solr-instruction")
    assert world.states() == before


def test_r6_2_another_srp_cannot_act_for_the_failed_supplier(world: World) -> None:
    ready = world.solr_ready(NOW)
    before = world.states()
    outcome = world.switch(ROGUE_SRP, ESME_ID, ready)
    assert_refused(outcome, ResponseCode.E4, "solr-instruction")
    assert world.states() == before


def test_r6_2_an_instruction_counts_only_from_its_time(world: World) -> None:
    world.fail(BRIGHT, NOW)
    world.dcc.ofgem_instruction(BRIGHT, SRP, NOW + timedelta(hours=1))
    before = world.states()
    _, outcome = world.transform(SRP, ESME_ID, Credit(), NOW + MINUTE)
    assert_refused(outcome, ResponseCode.E4, "solr-instruction")
    assert world.states() == before
