"""A rehearsal end to end on scenarios/solr-small.yaml (300 meters), and variants of it with one
fault each: what the DCC refuses, at which stage, and what reaches the meters and the SRP."""

from __future__ import annotations

import re
from datetime import datetime
from pathlib import Path

import pytest

from dcc.duis.alerts import DeviceAlertMessage
from dcc.duis.codes import ResponseCode
from dcc.duis.ids import ResponseID
from dcc.duis.request import CommandVariant, parse_request
from dcc.duis.response import parse_response
from dcc.duis.smets1 import SMETS1ResponseMessage
from devices.gbcs.frame import decode
from devices.gbcs.keystore import load_keystore
from devices.gbcs.payment_mode import PaymentMode
from devices.gbcs.verify import Verdict, check_mac, check_signature
from sim.report.events import Event, EventKind, RunResult
from sim.report.wire_log import party
from sim.scenario.expectations import AlertWatch, Evidence, FailedSupplierWatch, evaluate
from sim.scenario.model import (
    AlertBurst,
    FailedSupplierRefused,
    FailedSupplierRequests,
    HubsOffline,
    MaliciousPrepayment,
    RejectedAt,
    RequestBeforeInstruction,
    Scenario,
    WanOutage,
    load_scenario,
)
from sim.world.runner import Rehearsal, RehearsalError

SMALL = Path(__file__).parents[2] / "scenarios" / "solr-small.yaml"
# solr-small: Bright Energy fails at 0.5 h, revocation at 0.583 h, instruction at 0.75 h.
SRP = "90-B3-D5-1F-30-0A-00-00"
BRIGHT = "90-B3-D5-1F-30-01-00-00"


def small(**changes: object) -> Scenario:
    return load_scenario(SMALL).model_copy(update=changes)


@pytest.fixture(scope="module")
def clean() -> tuple[Rehearsal, RunResult]:
    rehearsal = Rehearsal(small())
    return rehearsal, rehearsal.run()


def test_the_small_scenario_meets_its_expectations(clean) -> None:
    _, result = clean
    assert result.expectations
    for expectation in result.expectations:
        assert expectation.passed, (expectation.name, expectation.detail)


def test_every_failed_supplier_prepayment_meter_ends_in_credit(clean) -> None:
    rehearsal, result = clean
    population = rehearsal.population
    to_switch = population.failed_supplier_meters(prepayment_only=True)
    assert to_switch
    for device in to_switch:
        assert population.meter(device).state.account.payment_mode is PaymentMode.CREDIT
    metrics = result.metrics
    assert metrics["switched"] == metrics["failed_supplier_prepayment"]
    assert metrics["unreachable"] == 0
    assert sum(metrics["meters_by_type"].values()) == metrics["meters"] == 300
    assert len(metrics["latencies"]) == len(to_switch)
    assert 0 < metrics["latency_seconds"]["p50"] <= metrics["latency_seconds"]["max"]
    # the healthy supplier's meters were never touched
    suppliers = {population.supplier_of(device) for device in population.appeared()}
    assert suppliers == {bytes.fromhex(BRIGHT.replace("-", ""))}


def test_series_are_cumulative_and_end_at_the_totals(clean) -> None:
    _, result = clean
    for name, total in result.metrics["switched"].items():
        values = [value for _, value in result.series[f"switched_{name}"]]
        assert values == sorted(values) and values[-1] == total
    alerts = result.metrics["alerts"]
    for name, key in (
        ("alerts_raised", "raised"),
        ("alerts_to_srp", "delivered_to_srp"),
        ("alerts_to_supplier", "delivered_to_supplier"),
    ):
        values = [value for _, value in result.series[name]]
        assert values == sorted(values) and values[-1] == alerts[key]
    assert alerts["raised"] > 0
    assert result.series["alerts_held"][-1][1] == alerts["held"]


def test_the_same_seed_replays_and_another_seed_does_not(clean) -> None:
    _, result = clean
    again = Rehearsal(small()).run()
    assert again.digest == result.digest == result.metrics["digest"]
    other = Rehearsal(load_scenario(SMALL, seed=8)).run()
    assert other.digest != result.digest


def test_duis_and_wire_events_name_their_parties(clean) -> None:
    _, result = clean
    kinds = {event.kind for event in result.events}
    assert {
        EventKind.SOLR,
        EventKind.DUIS_REQUEST,
        EventKind.DUIS_RESPONSE,
        EventKind.GBCS_COMMAND,
        EventKind.GBCS_RESPONSE,
        EventKind.SMETS1_COMMAND,
        EventKind.SMETS1_RESPONSE,
        EventKind.GBCS_ALERT,
        EventKind.DEVICE_ALERT,
    } <= kinds
    requests = [e for e in result.events if e.kind is EventKind.DUIS_REQUEST]
    assert len(requests) == result.metrics["requests"]
    assert all(e.sender == SRP and e.recipient == "DCC" for e in requests)
    assert all(e.message.startswith(b"<?xml") and b"Signature" in e.message for e in requests)
    times = [event.time for event in result.events]
    assert times == sorted(times)


def test_progress_is_reported_every_simulated_minute_and_at_the_end() -> None:
    calls: list[tuple[datetime, int]] = []
    scenario = small()
    result = Rehearsal(scenario).run(lambda now, switched: calls.append((now, switched)))
    assert len(calls) == scenario.duration_hours * 60 + 1
    assert calls[-1] == (result.ended, sum(result.metrics["switched"].values()))
    assert [n for _, n in calls] == sorted(n for _, n in calls)


def test_a_rehearsal_runs_once(clean) -> None:
    rehearsal, _ = clean
    with pytest.raises(RehearsalError):
        rehearsal.run()


def test_malicious_prepayment_is_quarantined_at_content_and_never_reaches_a_meter() -> None:
    fault = MaliciousPrepayment(kind="malicious_prepayment", at_hours=2, count=4)
    expect = RejectedAt(kind="rejected_at", stage="content", min_count=4)
    scenario = small(faults=[fault], expectations=[*small().expectations, expect])
    result = Rehearsal(scenario).run()
    assert result.passed, [(e.name, e.detail) for e in result.expectations]
    metrics = result.metrics
    assert metrics["rejections"]["content"] == {"ADAttributeLimitsBreach": 4}
    assert metrics["quarantined"] == {"ADAttributeLimitsBreach": 4}
    assert metrics["prepayment_actioned"] == 0
    held = [e for e in result.events if e.verdict == "quarantined:ADAttributeLimitsBreach"]
    assert [e.kind for e in held].count(EventKind.DUIS_REQUEST) == 4
    assert [e.kind for e in held].count(EventKind.DCC_ALERT) == 4
    assert all(e.recipient == SRP for e in held if e.kind is EventKind.DCC_ALERT)


def test_requests_before_the_instruction_are_refused_at_solr_instruction() -> None:
    fault = RequestBeforeInstruction(kind="request_before_instruction", at_hours=0.6, count=3)
    result = Rehearsal(small(faults=[fault])).run()
    assert result.metrics["rejections"] == {"solr-instruction": {"E4": 3}}
    refused = [e for e in result.events if e.kind is EventKind.DUIS_REQUEST and e.verdict == "E4"]
    assert len(refused) == 3
    assert all("solr-instruction" in e.detail for e in refused)
    assert result.passed  # the walk after the instruction is unaffected


def test_the_failed_suppliers_requests_after_its_revocation_are_refused_at_signature() -> None:
    """Every meter of the failed supplier, SMETS1 and SMETS2+, asked for credit and then for
    prepayment by the failed supplier itself: each request refused for its revoked xmlSign
    certificate, and no meter touched on its say."""
    faults = [
        FailedSupplierRequests(kind="failed_supplier_requests", at_hours=0.6, count=999),
        FailedSupplierRequests(
            kind="failed_supplier_requests", at_hours=2, count=999, mode="prepayment"
        ),
    ]
    expect = FailedSupplierRefused(kind="failed_supplier_refused")
    rehearsal = Rehearsal(small(faults=faults, expectations=[*small().expectations, expect]))
    result = rehearsal.run()
    assert result.passed, [(e.name, e.detail) for e in result.expectations]
    sent = 2 * len(rehearsal.population.failed_supplier_meters())
    assert result.metrics["rejections"] == {"signature": {"E1": sent}}
    assert result.metrics["prepayment_actioned"] == 0
    requests = [e for e in result.events if e.kind is EventKind.DUIS_REQUEST and e.sender == BRIGHT]
    assert len(requests) == sent
    assert {e.verdict for e in requests} == {"E1"}
    assert all(e.detail.startswith("signature: ") and "revoked" in e.detail for e in requests)
    bodies = {parse_request(e.message).body for e in requests}
    variants = {parse_request(e.message).header.command_variant for e in requests}
    assert variants == {CommandVariant.SEND_COMMAND, CommandVariant.TRANSFORM}
    assert {type(body.mode).__name__ for body in bodies} == {"Credit", "Prepayment"}
    verdict = result.expectations[-1]
    assert verdict.name == "failed_supplier_refused"
    assert f"{sent} of {sent} requests" in verdict.detail
    assert f"signature E1 x{sent}" in verdict.detail


def _judge_failed_supplier(*verdicts: str, at: datetime | None = None) -> tuple[bool, str]:
    """The failed_supplier_refused verdict on requests from Bright with these DCC verdicts, at
    ``at`` (after the revocation unless given)."""
    scenario = small(expectations=[FailedSupplierRefused(kind="failed_supplier_refused")])
    revocation = scenario.start.replace(minute=35)
    watch = FailedSupplierWatch(revocation, BRIGHT, "Bright Energy")
    for verdict in verdicts:
        detail = "" if verdict.startswith("I") else "signature: xmlSign certificate is revoked"
        watch(Event(at or revocation, EventKind.DUIS_REQUEST, BRIGHT, "DCC", verdict, b"", detail))
    watch(Event(revocation, EventKind.DUIS_REQUEST, SRP, "DCC", "I0"))  # not the supplier
    alerts = AlertWatch(revocation, revocation, SRP, lambda device: True)
    evidence = Evidence(0.0, SRP, [], [], {}, alerts, watch)
    (judged,) = evaluate(scenario, evidence, {})
    return judged.passed, judged.detail


def test_failed_supplier_refused_fails_on_a_request_the_dcc_accepted() -> None:
    assert _judge_failed_supplier("E1", "E3")[0]
    for accepted in ("I0", "I99"):
        passed, detail = _judge_failed_supplier("E1", accepted)
        assert not passed
        assert "1 of 2 requests" in detail and "1 accepted" in detail


def test_failed_supplier_refused_needs_a_request_after_the_revocation() -> None:
    assert not _judge_failed_supplier()[0]
    before = small().start.replace(minute=30)
    passed, detail = _judge_failed_supplier("I0", at=before)
    assert not passed
    assert detail.startswith("0 of 0 requests")


@pytest.mark.parametrize("kind", [WanOutage, HubsOffline])
def test_an_outage_longer_than_the_retries_leaves_meters_unreachable(kind) -> None:
    # From before the SRP starts (0.75 h) past its three attempts (about 9 minutes).
    name = "wan_outage" if kind is WanOutage else "hubs_offline"
    fault = kind(kind=name, start_hours=0.5, duration_hours=3, share=0.3)
    rehearsal = Rehearsal(small(faults=[fault]))
    result = rehearsal.run()
    metrics = result.metrics
    e21 = [e for e in result.events if e.kind is EventKind.DUIS_RESPONSE and e.verdict == "E21"]
    assert e21 and all(e.recipient == SRP for e in e21)
    header = parse_response(e21[0].message).header
    assert header.response_code is ResponseCode.E21
    assert header.response_id == ResponseID.answering(header.request_id)
    assert metrics["no_response"] == len(e21)
    assert metrics["retries"] > 0
    assert metrics["wan_lost"] > 0
    assert metrics["unreachable"] > 0
    population = rehearsal.population
    stuck = [
        device
        for device in population.failed_supplier_meters(prepayment_only=True)
        if population.meter(device).state.account.payment_mode is PaymentMode.PREPAYMENT
    ]
    assert len(stuck) == metrics["unreachable"]
    # 3 attempts for each: the first and two retries
    assert metrics["retries"] >= 2 * len(stuck)
    assert result.passed  # meters behind the fault are not counted as reachable


def _without_arranged_srp() -> list:
    return [supplier.model_copy(update={"srp": None}) for supplier in small().suppliers]


def test_alerts_go_to_the_supplier_until_revocation_then_to_the_arranged_srp() -> None:
    before = AlertBurst(code="8F3F", count=6, start_hours=0.05, end_hours=0.45)
    window = AlertBurst(code="8F1D", count=4, start_hours=0.6, end_hours=0.7)
    after = AlertBurst(code="8F1F", count=7, start_hours=1, end_hours=2)
    result = Rehearsal(small(alerts=[before, window, after], wan=_lossless())).run()
    assert result.passed, [(e.name, e.detail) for e in result.expectations]
    alerts = result.metrics["alerts"]
    assert alerts == {
        "raised": 17,
        "delivered_to_srp": 11,
        "delivered_to_supplier": 6,
        "held": 0,
        "lost_on_wan": 0,
        "in_flight": 0,
        "refused": 0,
        "safety_critical": 17,
    }
    revocation = result.started.replace(minute=35)
    delivered = [e for e in result.events if e.kind is EventKind.DEVICE_ALERT]
    assert {e.recipient for e in delivered if e.time >= revocation} == {SRP}
    assert {e.recipient for e in delivered if e.time < revocation} == {BRIGHT}
    assert not [e for e in result.events if e.kind is EventKind.ALERT_HELD]


def test_without_an_arranged_srp_alerts_are_held_then_handed_to_ofgem_s_srp_in_order() -> None:
    window = AlertBurst(code="8F3F", count=5, start_hours=0.6, end_hours=0.72)
    result = Rehearsal(
        small(suppliers=_without_arranged_srp(), alerts=[window], wan=_lossless())
    ).run()
    assert result.passed, [(e.name, e.detail) for e in result.expectations]
    held = [e for e in result.events if e.kind is EventKind.ALERT_HELD]
    assert len(held) == 5 and {e.recipient for e in held} == {BRIGHT}
    instruction = result.started.replace(minute=45)
    released = [
        e for e in result.events if e.kind is EventKind.DEVICE_ALERT and e.time == instruction
    ]
    assert [e.recipient for e in released] == [SRP] * 5
    assert all("released on Ofgem's instruction" in e.detail for e in released)
    # in the order they came: each released document carries the alert the DCC held
    held_alerts = [re.match(r"alert 0x(\w{4}) from (\S+):", e.detail).groups() for e in held]
    assert [_alert_of(parse_response(e.message).body) for e in released] == [
        (device, int(code, 16)) for code, device in held_alerts
    ]
    assert not [
        e for e in result.events if e.kind is EventKind.DEVICE_ALERT and e.recipient == BRIGHT
    ]
    (verdict,) = [v for v in result.expectations if v.name == "alerts_reach_srp"]
    assert "5 of them held by the DCC" in verdict.detail
    assert result.metrics["alerts"]["held"] == 0


def _alert_of(body: DeviceAlertMessage | SMETS1ResponseMessage) -> tuple[str, int]:
    """(device, alert code) of a delivered device alert, SMETS2+ or SMETS1."""
    if isinstance(body, SMETS1ResponseMessage):
        return party(body.alert.device_id), body.alert.alert_code
    return party(decode(body.gbcs_payload).header.originator), body.alert_code


def _lossless():
    return small().wan.model_copy(update={"loss": 0.0})


MIXES = {
    "mixed": {"esme": 0.55, "gsme": 0.35, "smets1": 0.10},
    "smets1-heavy": {"esme": 0.2, "gsme": 0.1, "smets1": 0.7},
    "esme-only": {"esme": 1.0, "gsme": 0.0, "smets1": 0.0},
}


@pytest.mark.parametrize("seed", [1, 2, 3])
@pytest.mark.parametrize("mix", list(MIXES))
@pytest.mark.parametrize("arranged", [True, False], ids=["arranged-srp", "no-arranged-srp"])
def test_every_alert_raised_is_accounted_for(seed: int, mix: str, arranged: bool) -> None:
    """Raised = delivered to the SRP + to a supplier + held + lost on the WAN + in flight +
    refused: on a lossy WAN with an outage, bursts over the whole run (the last one up to its
    end), across seeds and fleet mixes, SMETS1 and SMETS2+ alike. On a clean WAN the last three
    are zero and raised = to the SRP + to a supplier + held."""
    base = small()
    fleet = base.fleet.model_copy(update={"mix": base.fleet.mix.model_copy(update=MIXES[mix])})
    bursts = [
        AlertBurst(code="8F3F", count=12, start_hours=0.05, end_hours=1.0),
        AlertBurst(code="8F1F", count=12, start_hours=0.55, end_hours=base.duration_hours),
    ]
    outage = WanOutage(kind="wan_outage", start_hours=0.6, duration_hours=0.3, share=0.3)
    suppliers = base.suppliers if arranged else _without_arranged_srp()
    lossy = small(
        seed=seed,
        fleet=fleet,
        suppliers=suppliers,
        alerts=bursts,
        faults=[outage],
        wan=base.wan.model_copy(update={"loss": 0.05}),
    )
    for scenario, clean in (
        (lossy, False),
        (lossy.model_copy(update={"faults": [], "wan": _lossless()}), True),
    ):
        result = Rehearsal(scenario).run()
        alerts = result.metrics["alerts"]
        outcomes = (
            "delivered_to_srp",
            "delivered_to_supplier",
            "held",
            "lost_on_wan",
            "in_flight",
            "refused",
        )
        assert alerts["raised"] == sum(alerts[key] for key in outcomes) > 0, alerts
        assert alerts["refused"] == 0
        raised = [
            e for e in result.events if e.kind in (EventKind.GBCS_ALERT, EventKind.SMETS1_ALERT)
        ]
        lost = [e for e in result.events if e.kind is EventKind.WAN_LOST and "alert" in e.detail]
        assert len(lost) == alerts["lost_on_wan"]
        assert len(raised) + len(lost) + alerts["in_flight"] == alerts["raised"]
        if clean:
            assert alerts["lost_on_wan"] == alerts["in_flight"] == 0
            assert alerts["raised"] == (
                alerts["delivered_to_srp"] + alerts["delivered_to_supplier"] + alerts["held"]
            )
        if mix != "esme-only":
            assert any(e.kind is EventKind.SMETS1_ALERT for e in raised)


def test_the_srp_stops_when_its_adt_is_used_up() -> None:
    srp = small().srp.model_copy(update={"adt_count": 10})
    result = Rehearsal(small(srp=srp)).run()
    metrics = result.metrics
    assert metrics["quarantined"] == {"ADUserThresholdBreach": 1}
    assert metrics["rejections"] == {"adt": {"ADUserThresholdBreach": 1}}
    assert sum(metrics["switched"].values()) <= 10
    assert metrics["unreachable"] > 0
    assert not result.passed


def test_exported_keys_verify_the_captured_gbcs_frames(clean, tmp_path: Path) -> None:
    rehearsal, result = clean
    written = rehearsal.export_keys(tmp_path)
    assert written == len(list(tmp_path.iterdir()))
    assert (tmp_path / "90b3d51f30000002-ka.key").exists()
    keys = load_keystore(tmp_path)
    commands = [e for e in result.events if e.kind is EventKind.GBCS_COMMAND]
    responses = [e for e in result.events if e.kind is EventKind.GBCS_RESPONSE]
    assert commands and responses
    for event in commands:
        message = decode(event.message)
        assert check_mac(message, keys) is Verdict.VALID
        assert check_signature(message, keys) is Verdict.VALID
    for event in responses:
        assert check_signature(decode(event.message), keys) is Verdict.VALID
    assert party(rehearsal.population.cast.srp.user_id) == SRP


def test_the_log_shows_the_srp_s_threshold_move_from_zero_to_its_officer_s_adt(clean) -> None:
    """R6.1: the DCC holds the SolrContingency User at zero until its ARO's ADT, once Ofgem has
    instructed; the log shows the threshold before and after, from the DCC's own figures."""
    _, result = clean
    thresholds = [
        e
        for e in result.events
        if e.kind is EventKind.SOLR and e.sender == "DCC" and e.recipient == SRP
    ]
    default, in_force = thresholds
    assert (default.verdict, default.time) == ("default", result.started)
    assert f"on {BRIGHT}'s meters: 0, the SolrContingency default (R6.1)" in default.detail
    adt = small().srp.adt_count
    assert in_force.verdict == "in-force"
    assert f"on {BRIGHT}'s meters: {adt}, after the ADT by srp-aro was accepted" in in_force.detail
    submitted = next(e for e in result.events if e.kind is EventKind.SOLR and e.sender == SRP)
    assert submitted.time == in_force.time and submitted.verdict == "accepted"
