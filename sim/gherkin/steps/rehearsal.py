"""Fleet-scale steps: a rehearsal described as a scenario file describes one (its fleet, suppliers,
the failure and Ofgem's timings, the SRP, the WAN, faults and alert bursts) or taken from a
scenario file, run on the simpy world of ``solrsim run``, and judged by one Then step per
expectation kind of a scenario file, with the same evaluator and the same evidence text."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from pytest_bdd import given, then, when

from devices.gbcs.payment_mode import PaymentMode
from sim.gherkin.words import phrase, time_type
from sim.gherkin.world import SolrWorld
from sim.scenario.model import (
    AlertsReachSrp,
    FailedSupplierRefused,
    NoPrepaymentActioned,
    PrepaymentInCredit,
    RejectedAt,
)
from sim.scenario.model import Expectation as ExpectationModel

_CLASSES = {"ESME": "esme", "GSME": "gsme", "SMETS1 meter": "smets1"}


def _share(percent: float) -> float:
    return percent / 100


def _cell_percent(text: str) -> float:
    """A table cell such as ``40%``."""
    value = text.strip()
    if not value.endswith("%"):
        raise ValueError(f"{text!r} is not a share: write it as a percentage, as 40%")
    return _share(float(value[:-1]))


# --- describing the rehearsal ------------------------------------------------------------------


@given(
    phrase(
        "a rehearsal {name:Quoted} from {start:Time} to {end:Time} with seed {seed:d}",
    )
)
def rehearsal(world: SolrWorld, name: str, start: datetime, end: datetime, seed: int) -> None:
    """A fleet-scale rehearsal begins to be described: its name, when the simulation starts and
    ends (the rehearsal week) and the seed that fixes its keys, fleet, WAN and faults."""
    world.rehearsal.begin(name, start, end, seed)


@given(phrase("the rehearsal described in {path:Quoted}"))
def rehearsal_from_file(world: SolrWorld, path: str) -> None:
    """Everything a scenario file describes but its expectations (the Then steps state them).
    A relative path is taken from the feature file's folder."""
    world.rehearsal.load(world.folder / Path(path))


@given(
    phrase(
        "a fleet of {meters:d} meters: {esme:g}% ESME, {gsme:g}% GSME and {smets1:g}% SMETS1, "
        "{prepayment:g}% of them in prepayment"
    )
)
def fleet(
    world: SolrWorld, meters: int, esme: float, gsme: float, smets1: float, prepayment: float
) -> None:
    """The fleet: its size, the mix of meter types and the share in prepayment, for every
    supplier alike."""
    mix = {"esme": _share(esme), "gsme": _share(gsme), "smets1": _share(smets1)}
    world.rehearsal.section("fleet").update(
        meters=meters, mix=mix, prepayment_share=_share(prepayment)
    )


@given(phrase("the fleet has {meters:d} meters"))
def fleet_size(world: SolrWorld, meters: int) -> None:
    """Another size for the fleet described so far (from a scenario file, say), its mix and
    prepayment share kept."""
    world.rehearsal.section("fleet")["meters"] = meters


@given("the suppliers of the fleet:")
def suppliers(world: SolrWorld, datatable: list[list[str]]) -> None:
    """A table with columns supplier, DCC User, share, fails at and arranged the SRP: each
    supplier's name, User ID and share of the fleet; the one that fails, when (a time of the
    rehearsal week; the others left blank); and whether it arranged in advance for the SRP to
    act for it should it fail (yes or no: MP134B 2.1.1, its meters' alerts go to the SRP from
    its revocation)."""
    header, *rows = datatable
    expected = ["supplier", "DCC User", "share", "fails at", "arranged the SRP"]
    assert header == expected, f"the columns are {expected}, not {header}"
    plan = world.rehearsal
    srp = plan.section("srp").get("user_id")
    for name, user_id, share, fails_at, arranged in rows:
        supplier: dict[str, object] = {
            "name": name,
            "user_id": user_id,
            "share": _cell_percent(share),
        }
        if fails_at.strip():
            supplier["fails_after_hours"] = plan.hours(time_type(fails_at.strip()))
        if arranged.strip() not in ("yes", "no"):
            raise ValueError(f"arranged the SRP: say yes or no, not {arranged!r}")
        if arranged.strip() == "yes":
            assert srp is not None, "name the SRP before the suppliers that arranged for it"
            supplier["srp"] = srp
        plan.add("suppliers", supplier)


@given(
    phrase(
        "the SRP is {name:Quoted}, DCC User {user_id:Quoted}, sending {rate:g} requests a second "
        "in batches of {batch:d}, each up to {attempts:d} times {backoff:g} seconds apart"
    )
)
def srp(
    world: SolrWorld,
    name: str,
    user_id: str,
    rate: float,
    batch: int,
    attempts: int,
    backoff: float,
) -> None:
    """The Shared Resource Provider: its User ID, how fast it sends, and how it retries a
    request the meter left unanswered (E20, E21)."""
    world.rehearsal.section("srp").update(
        name=name,
        user_id=user_id,
        rate_per_second=rate,
        batch_size=batch,
        max_attempts=attempts,
        backoff_seconds=backoff,
    )


@given(
    phrase(
        "the SRP starts {delay:g} minutes after Ofgem's instruction, its ARO having submitted an "
        "ADT of {count:d} SR 1.6 a day"
    )
)
def srp_start(world: SolrWorld, delay: float, count: int) -> None:
    """When the SRP begins switching, and the anomaly detection threshold its ARO submits for
    SR 1.6 on the failed supplier's meters (R6.1: zero until then)."""
    world.rehearsal.section("srp").update(start_delay_minutes=delay, adt_count=count)


@given(
    phrase(
        "Ofgem revokes the failed supplier's certificates at {revocation:Time} and instructs the "
        "SRP at {instruction:Time}"
    )
)
def ofgem(world: SolrWorld, revocation: datetime, instruction: datetime) -> None:
    """Ofgem's revocation (SMKI revokes every certificate of the supplier, the DCC suspends its
    User) and its instruction naming the SRP, both at or after the failure."""
    plan = world.rehearsal
    failure = plan.failure_time()
    plan.section("ofgem").update(
        revocation_delay_minutes=plan.minutes_after(revocation, failure),
        instruction_delay_minutes=plan.minutes_after(instruction, failure),
    )


@given("the WAN's round trips:")
def wan_latency(world: SolrWorld, datatable: list[list[str]]) -> None:
    """A table with columns meters, median and spread: for ESME, GSME and SMETS1 meter, the
    median round trip in seconds (``3 s``) and its lognormal spread (sigma)."""
    header, *rows = datatable
    assert header == ["meters", "median", "spread"], header
    latency = {}
    for meters, median, spread in rows:
        seconds = median.strip().removesuffix("s").strip()
        latency[_CLASSES[meters.strip()]] = {
            "median_seconds": float(seconds),
            "sigma": float(spread),
        }
    world.rehearsal.section("wan")["latency"] = latency


@given(
    phrase(
        "the WAN loses {loss:g}% of frames, and the DCC waits {timeout:g} seconds for a device "
        "to answer"
    )
)
def wan_loss(world: SolrWorld, loss: float, timeout: float) -> None:
    """Random loss on the WAN, and the DCC's response timeout (then E21 to the User)."""
    world.rehearsal.section("wan").update(loss=_share(loss), response_timeout_seconds=timeout)


# --- faults and alerts -------------------------------------------------------------------------


def _window(world: SolrWorld, kind: str, share: float, start: datetime, end: datetime) -> None:
    plan = world.rehearsal
    begins = plan.hours(start)
    plan.add(
        "faults",
        {
            "kind": kind,
            "start_hours": begins,
            "duration_hours": plan.hours(end) - begins,
            "share": _share(share),
        },
    )


@given(phrase("the WAN is out for {share:g}% of the fleet from {start:Time} to {end:Time}"))
def wan_outage(world: SolrWorld, share: float, start: datetime, end: datetime) -> None:
    """A WAN outage: nothing reaches or leaves the meters it hits (the same share of any fleet,
    the same meters for the same seed)."""
    _window(world, "wan_outage", share, start, end)


@given(phrase("{share:g}% of the communications hubs are offline from {start:Time} to {end:Time}"))
def hubs_offline(world: SolrWorld, share: float, start: datetime, end: datetime) -> None:
    """Communications hubs down: commands to their meters go unanswered."""
    _window(world, "hubs_offline", share, start, end)


@given(phrase("at {when:Time} a compromised SRP tries to put {count:d} meters into prepayment"))
def malicious_prepayment(world: SolrWorld, when: datetime, count: int) -> None:
    """The SRP sends SR 1.6 setting prepayment (R5 allows it credit only)."""
    plan = world.rehearsal
    plan.add(
        "faults", {"kind": "malicious_prepayment", "at_hours": plan.hours(when), "count": count}
    )


@given(
    phrase(
        "at {when:Time}, before Ofgem's instruction, the SRP sends {count:d} requests to switch "
        "meters to credit"
    )
)
def early_requests(world: SolrWorld, when: datetime, count: int) -> None:
    """Requests the SRP sends before any instruction names it (R6.2)."""
    plan = world.rehearsal
    fault = {"kind": "request_before_instruction", "at_hours": plan.hours(when), "count": count}
    plan.add("faults", fault)


@given(
    phrase(
        "at {when:Time} the failed supplier sends SR 1.6 setting {mode:Mode} to {count:d} of its "
        "meters"
    )
)
def failed_supplier_requests(
    world: SolrWorld, when: datetime, mode: PaymentMode, count: int
) -> None:
    """After its revocation the failed supplier's system still sends SR 1.6, signed with its
    revoked xmlSign key (R6.3-R6.5)."""
    plan = world.rehearsal
    fault = {
        "kind": "failed_supplier_requests",
        "at_hours": plan.hours(when),
        "count": count,
        "mode": mode.value,
    }
    plan.add("faults", fault)


@given(
    phrase(
        "meters raise alert {code:AlertCode} {count:d} times between {start:Time} and {end:Time}"
    )
)
def alert_burst(world: SolrWorld, code: int, count: int, start: datetime, end: datetime) -> None:
    """A burst of one GBCS alert code, raised by meters of the fleet spread over the times given
    (R7: those of the failed supplier's meters must reach the SRP)."""
    plan = world.rehearsal
    burst = {
        "code": f"{code:04X}",
        "count": count,
        "start_hours": plan.hours(start),
        "end_hours": plan.hours(end),
    }
    plan.add("alerts", burst)


# --- running it --------------------------------------------------------------------------------


@when("the rehearsal runs")
def run(world: SolrWorld) -> None:
    """The rehearsal, from its start to its end, on the simpy world of ``solrsim run``: its
    DCC, WAN, meters, Ofgem, the SRP, the faults and the alert bursts."""
    world.rehearsal.run()


# --- what it must show: one step per expectation kind of a scenario file -----------------------


def _holds(world: SolrWorld, expectation: ExpectationModel) -> None:
    verdict = world.rehearsal.judge(expectation)
    assert verdict.passed, f"{verdict.name}: {verdict.detail}"


@then(
    phrase(
        "within {hours:g} hours of the failure {share:g}% of the failed supplier's reachable "
        "prepayment meters are in credit"
    )
)
def in_credit(world: SolrWorld, hours: float, share: float) -> None:
    """``prepayment_in_credit``: that share of the failed supplier's prepayment meters no WAN
    fault hits are confirmed in credit (the device's I0 reached the SRP) in time."""
    expectation = PrepaymentInCredit(
        kind="prepayment_in_credit", within_hours=hours, share=_share(share)
    )
    _holds(world, expectation)


@then("no request to put a meter into prepayment is actioned")
def no_prepayment(world: SolrWorld) -> None:
    """``no_prepayment_actioned``: no command setting prepayment reached a meter (R5), read
    from the frames at the meters."""
    _holds(world, NoPrepaymentActioned(kind="no_prepayment_actioned"))


@then("every alert of the failed supplier's meters from its revocation on reaches the SRP")
def alerts_reach_srp(world: SolrWorld) -> None:
    """``alerts_reach_srp``: each alert of its meters that reached the DCC after the revocation
    was delivered to the SRP, at once or on Ofgem's instruction; none held at the end (R7.1)."""
    _holds(world, AlertsReachSrp(kind="alerts_reach_srp"))


@then(phrase("at least {count:d} requests are rejected or quarantined at the {stage:Quoted} stage"))
def rejected_at(world: SolrWorld, count: int, stage: str) -> None:
    """``rejected_at``: the DCC's named pipeline stage refused or quarantined that many."""
    _holds(world, RejectedAt(kind="rejected_at", stage=stage, min_count=count))


@then("every request the failed supplier sends after its revocation is refused")
def failed_supplier_refused(world: SolrWorld) -> None:
    """``failed_supplier_refused``: none of them was accepted (R6.3-R6.5)."""
    _holds(world, FailedSupplierRefused(kind="failed_supplier_refused"))
