"""Anomaly detection: who may set ADTs (R4.2), when the SRP may go above zero (R6.1, R6.2),
counting per period on the simulation clock, and the credit-only attribute limit (R5)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from cryptography.hazmat.primitives.asymmetric import ec

from dcc.adt import AdtFile, AdtFileError, AdtThreshold, SignedAdt, sign_adt
from dcc.anomaly import AdtRefused, AnomalyDetection, AnomalyError
from dcc.config import load_config
from dcc.duis.alerts import BreachKind
from dcc.solr_register import OfgemInstruction, SolrNotification, SolrRegister
from dcc.users import Officer, OfficerKind, User, UserRole, Users
from devices.gbcs.crypto import ecdsa_sign, private_key_from_seed
from devices.gbcs.payment_mode import PaymentMode

SRP = bytes.fromhex("90B3D51F30050000")
SUPPLIER_A = bytes.fromhex("00000000000000A1")
SUPPLIER_B = bytes.fromhex("00000000000000B2")
T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
DAY = timedelta(hours=24)


def _key(label: str) -> ec.EllipticCurvePrivateKey:
    return private_key_from_seed(b"test-anomaly", label)


class World:
    """An SRP (SolrContingency) and supplier A (IS), each with officers; supplier A has failed."""

    def __init__(self) -> None:
        self.users = Users()
        self.users.register(User(SRP, "srp", UserRole.SOLR_CONTINGENCY))
        self.users.register(User(SUPPLIER_A, "supplier-a", UserRole.IMPORT_SUPPLIER))
        for officer_id, party, kind in (
            ("srp-aro", "srp", OfficerKind.AUTHORISED),
            ("srp-sro", "srp", OfficerKind.SENIOR),
            ("a-aro", "supplier-a", OfficerKind.AUTHORISED),
        ):
            self.users.add_officer(Officer(officer_id, party, kind, _key(officer_id).public_key()))
        self.register = SolrRegister()
        self.config = load_config()
        self.detection = AnomalyDetection(self.users, self.register, lambda: self.config)

    def instruct(self, supplier: bytes, at: datetime, srp: bytes = SRP) -> None:
        self.register.notify(SolrNotification(supplier, at))
        self.register.instruct(OfgemInstruction(supplier, srp, at))

    def submit(self, adt: AdtFile, officer_id: str = "srp-aro", at: datetime = T0) -> AdtFile:
        return self.detection.submit_adt(sign_adt(adt, officer_id, _key(officer_id)), at)


def _srp_adt(count: int, supplier: bytes | None = SUPPLIER_A, at: datetime = T0) -> AdtFile:
    return AdtFile(SRP, (AdtThreshold("1.6", count, supplier),), at)


@pytest.fixture
def world() -> World:
    return World()


@pytest.fixture
def instructed(world: World) -> World:
    world.instruct(SUPPLIER_A, T0 - timedelta(hours=1))
    return world


# --- who may submit (R4.2) -----------------------------------------------------------------------


@pytest.mark.parametrize("officer_id", ["srp-aro", "srp-sro"])
def test_r4_2_adt_by_the_partys_aro_or_sro_is_accepted(instructed: World, officer_id: str) -> None:
    adt = instructed.submit(_srp_adt(5), officer_id)
    assert instructed.detection.adt_in_force(SRP) == adt
    assert instructed.detection.threshold(SRP, "1.6", SUPPLIER_A, T0) == 5


def test_r4_2_supplier_adt_by_its_own_officer_is_accepted(world: World) -> None:
    world.submit(AdtFile(SUPPLIER_A, (AdtThreshold("1.6", 7),), T0), "a-aro")
    assert world.detection.threshold(SUPPLIER_A, "1.6", None, T0) == 7


def _refusal(world: World, signed: SignedAdt, at: datetime = T0) -> AdtRefused:
    with pytest.raises(AdtRefused) as refused:
        world.detection.submit_adt(signed, at)
    assert world.detection.adt_in_force(SRP) is None
    return refused.value


def test_r4_2_adt_by_a_non_officer_is_refused(instructed: World) -> None:
    refusal = _refusal(instructed, sign_adt(_srp_adt(5), "mallory", _key("mallory")))
    assert refusal.rule == "R4.2"
    assert "'mallory' is not a responsible officer" in refusal.reason


def test_r4_2_adt_by_an_officer_of_another_party_is_refused(instructed: World) -> None:
    refusal = _refusal(instructed, sign_adt(_srp_adt(5), "a-aro", _key("a-aro")))
    assert refusal.rule == "R4.2"
    assert "of party 'supplier-a'" in refusal.reason


def test_r4_2_tampered_adt_is_refused(instructed: World) -> None:
    signed = sign_adt(_srp_adt(5), "srp-aro", _key("srp-aro"))
    tampered = replace(signed, content=signed.content.replace(b'"count":5', b'"count":9'))
    refusal = _refusal(instructed, tampered)
    assert (refusal.rule, refusal.reason) == (
        "R4.2",
        "signature does not verify with officer srp-aro",
    )


def test_r4_2_adt_signed_with_the_wrong_key_is_refused(instructed: World) -> None:
    refusal = _refusal(instructed, sign_adt(_srp_adt(5), "srp-aro", _key("srp-sro")))
    assert "signature does not verify" in refusal.reason


def test_r4_2_malformed_adt_is_refused_with_the_file_error(instructed: World) -> None:
    content = b'{"user_id":"90-B3-D5-1F-30-05-00-00"}'
    signed = SignedAdt(content, "srp-aro", ecdsa_sign(_key("srp-aro"), content))
    refusal = _refusal(instructed, signed)
    assert refusal.reason.startswith("malformed ADT file: missing key in the file")


def test_r4_2_adt_for_an_unknown_user_is_refused(instructed: World) -> None:
    stranger = AdtFile(bytes.fromhex("0102030405060708"), (), T0)
    refusal = _refusal(instructed, sign_adt(stranger, "srp-aro", _key("srp-aro")))
    assert refusal.reason == "no User ID 01-02-03-04-05-06-07-08"


def test_r4_2_later_adt_replaces_the_earlier_one(instructed: World) -> None:
    instructed.submit(_srp_adt(5))
    instructed.submit(_srp_adt(2, at=T0 + DAY), at=T0 + DAY)
    assert instructed.detection.threshold(SRP, "1.6", SUPPLIER_A, T0 + DAY) == 2


def test_r4_2_replayed_or_future_dated_adt_is_refused(instructed: World) -> None:
    old = sign_adt(_srp_adt(5), "srp-aro", _key("srp-aro"))
    instructed.detection.submit_adt(old, T0)
    instructed.submit(_srp_adt(0, at=T0 + DAY), at=T0 + DAY)
    with pytest.raises(AdtRefused, match="not after the ADT in force"):
        instructed.detection.submit_adt(old, T0 + 2 * DAY)
    with pytest.raises(AdtRefused, match="after 2026-03-03"):
        instructed.submit(_srp_adt(5, at=T0 + 3 * DAY), at=T0 + DAY)
    assert instructed.detection.threshold(SRP, "1.6", SUPPLIER_A, T0 + 2 * DAY) == 0


def test_r4_2_submissions_are_kept_with_their_verdicts(instructed: World) -> None:
    bad = sign_adt(_srp_adt(5), "a-aro", _key("a-aro"))
    with pytest.raises(AdtRefused):
        instructed.detection.submit_adt(bad, T0)
    good = sign_adt(_srp_adt(5), "srp-sro", _key("srp-sro"))
    instructed.detection.submit_adt(good, T0)
    first, second = instructed.detection.submissions()
    assert (first.signed, first.at, first.accepted) == (bad, T0, False)
    assert first.refusal is not None and first.refusal.startswith("R4.2: officer a-aro")
    assert (second.signed, second.accepted, second.refusal) == (good, True, None)


# --- SolrContingency: zero by default, non-zero only after Ofgem's instruction (R6) -------------


def test_r6_1_solr_contingency_default_is_zero_and_first_request_quarantined(world: World) -> None:
    assert world.detection.threshold(SRP, "1.6", SUPPLIER_A, T0) == 0
    admission = world.detection.admit(SRP, "1.6", SUPPLIER_A, T0)
    assert not admission.admitted
    assert admission.breach is BreachKind.USER_THRESHOLD
    assert admission.quarantine_event_ref == 1


def test_r6_2_non_zero_adt_before_the_instruction_is_refused(world: World) -> None:
    refusal = _refusal(world, sign_adt(_srp_adt(5), "srp-aro", _key("srp-aro")))
    assert refusal.rule == "R6.2"
    assert "supplier 00-00-00-00-00-00-00-A1 needs an Ofgem instruction" in refusal.reason


def test_r6_2_non_zero_adt_after_the_instruction_is_accepted(world: World) -> None:
    world.instruct(SUPPLIER_A, T0 + timedelta(minutes=1))
    with pytest.raises(AdtRefused, match=r"^R6\.2: "):
        world.submit(_srp_adt(5))
    later = T0 + timedelta(minutes=2)
    world.submit(_srp_adt(5, at=later), at=later)
    assert world.detection.admit(SRP, "1.6", SUPPLIER_A, later).admitted


def test_r6_2_adt_for_supplier_a_while_instruction_names_supplier_b_is_refused(
    world: World,
) -> None:
    world.instruct(SUPPLIER_B, T0 - timedelta(hours=1))
    refusal = _refusal(world, sign_adt(_srp_adt(5, SUPPLIER_A), "srp-aro", _key("srp-aro")))
    assert refusal.rule == "R6.2"


def test_r6_2_instruction_naming_another_srp_does_not_count(world: World) -> None:
    world.instruct(SUPPLIER_A, T0 - timedelta(hours=1), srp=bytes.fromhex("90B3D51F30059999"))
    assert _refusal(world, sign_adt(_srp_adt(5), "srp-aro", _key("srp-aro"))).rule == "R6.2"


def test_r6_2_zero_adt_needs_no_instruction(world: World) -> None:
    world.submit(_srp_adt(0))
    assert world.detection.threshold(SRP, "1.6", SUPPLIER_A, T0) == 0


def test_r4_2_solr_contingency_row_without_supplier_is_refused(instructed: World) -> None:
    refusal = _refusal(instructed, sign_adt(_srp_adt(5, None), "srp-aro", _key("srp-aro")))
    assert (refusal.rule, refusal.reason) == (
        "R4.2",
        "SRV 1.6: a SolrContingency row must name its supplier",
    )


def test_r6_2_threshold_holds_only_for_the_instructed_supplier(instructed: World) -> None:
    instructed.submit(_srp_adt(5))
    assert instructed.detection.threshold(SRP, "1.6", SUPPLIER_B, T0) == 0
    assert instructed.detection.threshold(SRP, "1.6", None, T0) == 0
    assert instructed.detection.threshold(SRP, "1.5", SUPPLIER_A, T0) == 0
    assert not instructed.detection.admit(SRP, "1.6", SUPPLIER_B, T0).admitted


# --- counting on the simulation clock ------------------------------------------------------------


def test_n_admitted_then_quarantined_and_reset_next_period(instructed: World) -> None:
    instructed.submit(_srp_adt(3))
    start = datetime(2026, 3, 2, tzinfo=UTC)  # windows of 24 h start at UTC midnight
    verdicts = [instructed.detection.admit(SRP, "1.6", SUPPLIER_A, T0) for _ in range(5)]
    assert [v.admitted for v in verdicts] == [True, True, True, False, False]
    assert verdicts[2].reason == "SRV 1.6 to 00-00-00-00-00-00-00-A1: request 3 of 3 this period"
    assert verdicts[3].breach is BreachKind.USER_THRESHOLD
    assert [v.quarantine_event_ref for v in verdicts[3:]] == [1, 2]
    assert f"period from {start.isoformat()}" in verdicts[3].reason
    last_moment = start + DAY - timedelta(microseconds=1)
    assert not instructed.detection.admit(SRP, "1.6", SUPPLIER_A, last_moment).admitted
    assert instructed.detection.admit(SRP, "1.6", SUPPLIER_A, start + DAY).admitted


def test_quarantined_requests_are_not_counted(instructed: World) -> None:
    instructed.submit(AdtFile(SUPPLIER_A, (AdtThreshold("1.6", 1),), T0), "a-aro")
    detection = instructed.detection
    assert detection.admit(SUPPLIER_A, "1.6", None, T0).admitted
    assert not detection.admit(SUPPLIER_A, "1.6", None, T0).admitted
    later = T0 + DAY / 4
    instructed.submit(AdtFile(SUPPLIER_A, (AdtThreshold("1.6", 2),), later), "a-aro", later)
    assert detection.admit(SUPPLIER_A, "1.6", None, later).admitted  # 2 of 2


def test_counts_are_per_user_srv_and_supplier(world: World) -> None:
    world.instruct(SUPPLIER_A, T0)
    world.instruct(SUPPLIER_B, T0)
    rows = (AdtThreshold("1.6", 1, SUPPLIER_A), AdtThreshold("1.6", 1, SUPPLIER_B))
    world.submit(AdtFile(SRP, rows, T0))
    assert world.detection.admit(SRP, "1.6", SUPPLIER_A, T0).admitted
    assert world.detection.admit(SRP, "1.6", SUPPLIER_B, T0).admitted
    assert not world.detection.admit(SRP, "1.6", SUPPLIER_A, T0).admitted


def test_config_change_takes_effect_without_restart(world: World) -> None:
    detection = world.detection
    assert detection.threshold(SUPPLIER_A, "1.6", None, T0) == 1_000_000
    world.config = replace(world.config, default_threshold=1)
    assert detection.admit(SUPPLIER_A, "1.6", None, T0).admitted
    assert not detection.admit(SUPPLIER_A, "1.6", None, T0).admitted
    roles = {**world.config.role_default_threshold, "SolrContingency": 1}
    world.config = replace(world.config, role_default_threshold=roles)
    assert detection.admit(SRP, "1.6", SUPPLIER_A, T0).admitted


def test_period_change_starts_a_new_window(world: World) -> None:
    world.config = replace(world.config, default_threshold=1)
    assert world.detection.admit(SUPPLIER_A, "1.6", None, T0).admitted
    world.config = replace(world.config, adt_period=timedelta(hours=1))
    assert world.detection.admit(SUPPLIER_A, "1.6", None, T0).admitted
    assert not world.detection.admit(SUPPLIER_A, "1.6", None, T0 + timedelta(minutes=59)).admitted


def test_unknown_user_or_naive_time_is_a_typed_error(world: World) -> None:
    with pytest.raises(AnomalyError, match="no User ID 0102030405060708"):
        world.detection.admit(bytes.fromhex("0102030405060708"), "1.6", None, T0)
    with pytest.raises(AnomalyError, match="no time zone"):
        world.detection.threshold(SRP, "1.6", None, datetime(2026, 3, 2))


# --- attribute limits (R5) -----------------------------------------------------------------------


def test_r5_attribute_limits_allow_solr_contingency_credit_only() -> None:
    limits = AnomalyDetection.attribute_limits
    assert limits(UserRole.SOLR_CONTINGENCY, "1.6", PaymentMode.CREDIT)
    assert not limits(UserRole.SOLR_CONTINGENCY, "1.6", PaymentMode.PREPAYMENT)


@pytest.mark.parametrize("role", [UserRole.IMPORT_SUPPLIER, UserRole.GAS_SUPPLIER])
def test_r5_supplier_roles_are_not_limited(role: UserRole) -> None:
    assert AnomalyDetection.attribute_limits(role, "1.6", PaymentMode.PREPAYMENT)


def test_r5_attribute_breach_takes_an_event_ref_and_is_not_counted(
    instructed: World,
) -> None:
    instructed.submit(_srp_adt(1))
    detection = instructed.detection
    assert not detection.attribute_limits(UserRole.SOLR_CONTINGENCY, "1.6", PaymentMode.PREPAYMENT)
    refused = detection.quarantine(BreachKind.ATTRIBUTE_LIMITS, "prepayment (R5)")
    assert (refused.breach, refused.quarantine_event_ref) == (BreachKind.ATTRIBUTE_LIMITS, 1)
    assert not refused.admitted
    admitted = detection.admit(SRP, "1.6", SUPPLIER_A, T0)
    assert admitted.admitted and "request 1 of 1" in admitted.reason


# --- persistence ---------------------------------------------------------------------------------


def test_state_restores_adts_counters_history_and_event_refs(instructed: World) -> None:
    instructed.submit(_srp_adt(2))
    detection = instructed.detection
    assert detection.admit(SRP, "1.6", SUPPLIER_A, T0).admitted
    assert not detection.quarantine(BreachKind.ATTRIBUTE_LIMITS, "prepayment (R5)").admitted
    state = detection.state()
    restored = AnomalyDetection.restore(
        instructed.users, instructed.register, lambda: instructed.config, state
    )
    assert restored.state() == state
    assert restored.adt_in_force(SRP) == detection.adt_in_force(SRP)
    assert restored.admit(SRP, "1.6", SUPPLIER_A, T0).admitted
    after = restored.admit(SRP, "1.6", SUPPLIER_A, T0)
    assert (after.breach, after.quarantine_event_ref) == (BreachKind.USER_THRESHOLD, 2)


def test_restored_solr_threshold_needs_the_instruction_still_on_record(instructed: World) -> None:
    instructed.submit(_srp_adt(2))
    state = instructed.detection.state()
    restored = AnomalyDetection.restore(
        instructed.users, SolrRegister(), lambda: instructed.config, state
    )
    assert restored.adt_in_force(SRP) is not None
    assert restored.threshold(SRP, "1.6", SUPPLIER_A, T0) == 0


def test_restore_refuses_a_corrupted_stored_adt(instructed: World) -> None:
    instructed.submit(_srp_adt(2))
    state = instructed.detection.state()
    corrupted = replace(state, adts=(replace(state.adts[0], content=b"{}"),))
    with pytest.raises(AdtFileError, match="missing key"):
        AnomalyDetection.restore(
            instructed.users, instructed.register, lambda: instructed.config, corrupted
        )
