"""Scenario files: the shipped ones load, and each mistake is answered with its line and field."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from string import Template

import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st

from sim.scenario.model import (
    FailedSupplierRefused,
    NoPrepaymentActioned,
    PrepaymentInCredit,
    RejectedAt,
    Scenario,
    ScenarioError,
    WanOutage,
    load_scenario,
    parse_scenario,
)

SCENARIOS = Path(__file__).resolve().parents[2] / "scenarios"
SHIPPED = ("solr-default", "solr-faults", "solr-large", "solr-national", "solr-small")

TEMPLATE = Template(
    """\
name: test
seed: $seed
start: 2026-11-02T08:00:00Z
duration_hours: $duration
fleet:
  meters: $meters
  mix:
    esme: $esme
    gsme: $gsme
    smets1: $smets1
  prepayment_share: $prepayment
suppliers:
  - name: Bright Energy
    user_id: 90-B3-D5-1F-30-01-00-00
    share: $share
    fails_after_hours: $fails
  - name: Steady Power
    user_id: 90-B3-D5-1F-30-03-00-00
    share: $other_share
srp:
  name: Shared Resource Provider
  user_id: 90-B3-D5-1F-30-0A-00-00
  rate_per_second: $rate
  batch_size: $batch
  max_attempts: $attempts
  backoff_seconds: $backoff
  adt_count: $adt
  start_delay_minutes: $srp_delay
ofgem:
  revocation_delay_minutes: $revocation
  instruction_delay_minutes: $instruction
wan:
  latency:
    esme:
      median_seconds: $median
      sigma: $sigma
    gsme:
      median_seconds: 5
      sigma: 0.6
    smets1:
      median_seconds: 15
      sigma: 0.8
  loss: $loss
  response_timeout_seconds: $timeout
faults:
  - kind: wan_outage
    start_hours: $outage_start
    duration_hours: $outage_duration
    share: $outage_share
alerts:
  - code: "8F3F"
    count: $alerts
    start_hours: $alert_start
    end_hours: $alert_end
expectations:
  - kind: prepayment_in_credit
    within_hours: $within
    share: $credit_share
  - kind: no_prepayment_actioned
"""
)

DEFAULTS: dict[str, object] = {
    "seed": 7,
    "duration": 6,
    "meters": 300,
    "esme": 0.55,
    "gsme": 0.35,
    "smets1": 0.1,
    "prepayment": 0.25,
    "share": 0.4,
    "fails": 0.5,
    "other_share": 0.6,
    "rate": 10,
    "batch": 20,
    "attempts": 3,
    "backoff": 120,
    "adt": 60,
    "srp_delay": 0,
    "revocation": 5,
    "instruction": 15,
    "median": 3,
    "sigma": 0.5,
    "loss": 0.005,
    "timeout": 60,
    "outage_start": 1,
    "outage_duration": 2,
    "outage_share": 0.1,
    "alerts": 5,
    "alert_start": 1,
    "alert_end": 5,
    "within": 4,
    "credit_share": 0.9,
}
VALID = TEMPLATE.substitute(DEFAULTS)


def _edit(old: str, new: str) -> str:
    """VALID with one line changed; the old text must occur exactly once so the case is exact."""
    assert VALID.count(old) == 1, old
    return VALID.replace(old, new)


def _failed_supplier_requests(fields: str, count: str = "\n    count: 2") -> str:
    """VALID with a failed_supplier_requests fault after the WAN outage."""
    fault = f"  - kind: failed_supplier_requests\n    {fields}{count}\n"
    return _edit("alerts:\n", fault + "alerts:\n")


def _line(text: str, fragment: str) -> int:
    """The 1-based line of ``text`` where ``fragment`` first occurs."""
    return next(n for n, line in enumerate(text.splitlines(), 1) if fragment in line)


def _errors(text: str) -> list[str]:
    with pytest.raises(ScenarioError) as caught:
        parse_scenario(text, "case.yaml")
    assert str(caught.value) == "\n".join(caught.value.errors)
    return caught.value.errors


@pytest.mark.parametrize("name", SHIPPED)
def test_shipped_scenarios_load(name: str) -> None:
    scenario = load_scenario(SCENARIOS / f"{name}.yaml")
    assert scenario.name == name
    assert scenario.start.tzinfo is UTC
    failing = scenario.failing_supplier
    assert failing.fails_after_hours is not None
    # the SRP's anomaly detection threshold covers the failed supplier's prepayment meters
    fleet = scenario.fleet
    assert scenario.srp.adt_count >= fleet.meters * failing.share * fleet.prepayment_share


def test_the_national_scenario_is_a_nation_with_a_failed_national_supplier() -> None:
    scenario = load_scenario(SCENARIOS / "solr-national.yaml")
    assert scenario.fleet.meters == 30_000_000
    failing = scenario.failing_supplier
    assert 0.1 <= failing.share <= 0.2  # a national share of the market
    assert failing.srp_eui == scenario.srp.eui
    to_switch = scenario.fleet.meters * failing.share * scenario.fleet.prepayment_share
    assert to_switch >= 500_000
    # the SRP can send to every prepayment meter within the day, with room for retries
    assert scenario.srp.rate_per_second * 3600 * scenario.duration_hours > 2 * to_switch


def test_a_fleet_larger_than_the_nation_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "case.yaml"
    path.write_text(_edit("  meters: 300", "  meters: 40000001"))
    with pytest.raises(ScenarioError, match=r"fleet\.meters"):
        load_scenario(path)


def test_the_default_scenario_is_the_reference_case() -> None:
    scenario = load_scenario(SCENARIOS / "solr-default.yaml")
    assert scenario.fleet.meters == 10_000
    assert scenario.failing_supplier.name == "Bright Energy"
    assert scenario.failing_supplier.eui == bytes.fromhex("90B3D51F30010000")
    assert scenario.srp.eui == bytes.fromhex("90B3D51F300A0000")
    assert scenario.start == datetime(2026, 11, 2, 8, tzinfo=UTC)
    assert {burst.alert_code for burst in scenario.alerts} == {0x8F3F, 0x8F1F, 0x8F1D}


def test_the_faults_scenario_expects_each_refusal_at_its_stage() -> None:
    scenario = load_scenario(SCENARIOS / "solr-faults.yaml")
    kinds = {fault.kind for fault in scenario.faults}
    assert kinds == {
        "wan_outage",
        "hubs_offline",
        "malicious_prepayment",
        "request_before_instruction",
        "failed_supplier_requests",
    }
    stages = {e.stage for e in scenario.expectations if isinstance(e, RejectedAt)}
    assert stages == {"content", "solr-instruction", "signature"}
    assert any(isinstance(e, NoPrepaymentActioned) for e in scenario.expectations)
    assert any(isinstance(e, FailedSupplierRefused) for e in scenario.expectations)


def test_failed_supplier_requests_set_credit_unless_told_otherwise() -> None:
    scenario = parse_scenario(_failed_supplier_requests("at_hours: 0.6"), "case.yaml")
    fault = scenario.faults[1]
    assert (fault.kind, fault.at_hours, fault.count, fault.mode) == (
        "failed_supplier_requests",
        0.6,
        2,
        "credit",
    )


BAD = {
    "unknown key": (
        _edit("  meters: 300", "  metres: 300"),
        "metres",
        "fleet.metres",
        "unknown key 'metres'; did you mean 'meters'? allowed: meters, mix, prepayment_share",
    ),
    "text for a number": (
        _edit("rate_per_second: 10", "rate_per_second: fast"),
        "rate_per_second",
        "srp.rate_per_second",
        "valid number, got 'fast'",
    ),
    "negative share": (
        _edit("share: 0.6", "share: -0.6"),
        "share: -0.6",
        "suppliers.1.share",
        "greater than 0, got -0.6",
    ),
    "mix not adding up": (
        _edit("esme: 0.55", "esme: 0.5"),
        "mix:",
        "fleet.mix",
        "esme + gsme + smets1 = 0.95, not 1",
    ),
    "two failing suppliers": (
        _edit("share: 0.6", "share: 0.6\n    fails_after_hours: 2"),
        "fails_after_hours: 2",
        "suppliers.1.fails_after_hours",
        "suppliers.0 fails already",
    ),
    "no failing supplier": (
        _edit("    fails_after_hours: 0.5\n", ""),
        "suppliers:",
        "suppliers",
        "no supplier fails",
    ),
    "missing srp": (
        VALID[: VALID.index("srp:")] + VALID[VALID.index("ofgem:") :],
        "name: test",
        "srp",
        "missing: add 'srp:' to the top level",
    ),
    "missing nested key": (
        _edit("  loss: 0.005\n", ""),
        "wan:",
        "wan.loss",
        "missing: add 'loss:' to 'wan'",
    ),
    "fault after the run's end": (
        _edit("start_hours: 1\n    duration_hours: 2", "start_hours: 30\n    duration_hours: 2"),
        "start_hours: 30",
        "faults.0.start_hours",
        "it starts at 30 h, but the run ends at 6 h",
    ),
    "fault outlasting the run": (
        _edit("duration_hours: 2", "duration_hours: 5.5"),
        "duration_hours: 5.5",
        "faults.0.duration_hours",
        "it ends at 6.5 h, but the run ends at 6 h",
    ),
    "instruction after the run's end": (
        _edit("instruction_delay_minutes: 15", "instruction_delay_minutes: 400"),
        "instruction_delay_minutes",
        "ofgem.instruction_delay_minutes",
        "but the run ends at 6 h",
    ),
    "naive start time": (
        _edit("2026-11-02T08:00:00Z", "2026-11-02T08:00:00"),
        "start:",
        "start",
        "has no time zone",
    ),
    "unknown fault kind": (
        _edit("kind: wan_outage", "kind: wan_outtage"),
        "wan_outtage",
        "faults.0.kind",
        "unknown kind 'wan_outtage'; expected one of 'wan_outage', 'hubs_offline'",
    ),
    "bad EUI-64": (
        _edit("90-B3-D5-1F-30-03-00-00", "90-B3-D5-1F-30-03-00"),
        "90-B3-D5-1F-30-03-00",
        "suppliers.1.user_id",
        "'90-B3-D5-1F-30-03-00' is not an EUI-64",
    ),
    "bad alert code": (
        _edit('"8F3F"', '"8G3F"'),
        "8G3F",
        "alerts.0.code",
        "'8G3F' is not an alert code",
    ),
    "alert code YAML reads as a number": (
        _edit('"8F3F"', "8154"),
        "8154",
        "alerts.0.code",
        "8154 is not an alert code: four hex digits in quotes",
    ),
    "unknown pipeline stage": (
        VALID + "  - kind: rejected_at\n    stage: contnet\n    min_count: 1\n",
        "contnet",
        "expectations.2.stage",
        "no pipeline stage 'contnet'",
    ),
    "failed supplier requests before the revocation": (
        _failed_supplier_requests("at_hours: 0.5"),
        "at_hours: 0.5",
        "faults.1.at_hours",
        "0.5 h is not after Ofgem's revocation at 0.583333 h",
    ),
    "failed supplier requests after the run's end": (
        _failed_supplier_requests("at_hours: 6"),
        "at_hours: 6",
        "faults.1.at_hours",
        "it comes at 6 h, but the run ends at 6 h",
    ),
    "failed supplier requests of an unknown mode": (
        _failed_supplier_requests("at_hours: 1\n    mode: standby"),
        "mode: standby",
        "faults.1.mode",
        "'credit' or 'prepayment'",
    ),
    "failed supplier requests without a count": (
        _failed_supplier_requests("at_hours: 1", count=""),
        "kind: failed_supplier_requests",
        "faults.1.count",
        "missing: add 'count:'",
    ),
    "SRP using a supplier's User ID": (
        _edit("90-B3-D5-1F-30-0A-00-00", "90b3d51f30010000"),
        "90b3d51f30010000",
        "srp.user_id",
        "also the User ID of supplier 'Bright Energy'",
    ),
    "arranged SRP that is not the scenario's SRP": (
        _edit("  - name: Steady Power", "    srp: 90-B3-D5-1F-30-0C-00-00\n  - name: Steady Power"),
        "srp: 90-B3-D5-1F-30-0C-00-00",
        "suppliers.0.srp",
        "90-B3-D5-1F-30-0C-00-00 is not the SRP's User ID (90-B3-D5-1F-30-0A-00-00)",
    ),
    "duplicate key": (
        _edit("  adt_count: 60", "  adt_count: 60\n  adt_count: 70"),
        "adt_count: 70",
        "srp.adt_count",
        "appears twice (first on line",
    ),
    "unknown device class": (
        _edit("    gsme:\n      median", "    gas:\n      median"),
        "gas:",
        "wan.latency.gas",
        "unknown key 'gas'",
    ),
}


@pytest.mark.parametrize(("text", "marker", "path", "why"), BAD.values(), ids=BAD.keys())
def test_a_mistake_is_reported_at_its_line_with_its_field(
    text: str, marker: str, path: str, why: str
) -> None:
    prefix = f"case.yaml:{_line(text, marker)}: {path}: "
    errors = _errors(text)
    assert any(e.startswith(prefix) and why in e for e in errors), errors


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (_edit("  meters: 300", "  meters: 300: 1"), "case.yaml:6: YAML error at column 14:"),
        ("", "case.yaml:1: the file is empty; a scenario is a mapping with the keys name, seed"),
        ("# only a comment\n", "case.yaml:1: the file is empty"),
        ("# scenarios\n- name: a\n- name: b\n", "case.yaml:2: the top level is a list"),
        ("just text\n", "case.yaml:1: the top level is a single value"),
        ("a: !!python/object/apply:os.system [true]\n", "case.yaml:1: YAML error at column 4:"),
        ("a: &loop [*loop]\n", "case.yaml:1: a.0: refers to itself"),
    ],
    ids=["malformed", "empty", "comments only", "list", "scalar", "python tag", "alias loop"],
)
def test_a_file_that_is_no_scenario_mapping_is_refused_with_its_line(
    text: str, expected: str
) -> None:
    (error,) = _errors(text)
    assert error.startswith(expected), error


def test_every_problem_is_reported_in_line_order() -> None:
    text = _edit("  meters: 300", "  meters: -1").replace("sigma: 0.5", "sigma: none")
    errors = _errors(text)
    assert [e.split(":")[1] for e in errors] == [
        str(_line(text, "meters: -1")),
        str(_line(text, "sigma: none")),
    ]


def test_text_that_looks_like_a_number_gets_a_hint() -> None:
    (error,) = _errors(_edit("loss: 0.005", "loss: 5e-3"))
    assert "got '5e-3' (YAML read it as text" in error


def test_the_seed_override_replaces_the_files_seed() -> None:
    assert parse_scenario(VALID).seed == 7
    assert parse_scenario(VALID, seed=42).seed == 42
    assert parse_scenario(_edit("seed: 7\n", ""), seed=3).seed == 3
    assert load_scenario(SCENARIOS / "solr-small.yaml", seed=11).seed == 11


def test_a_negative_seed_override_is_named_as_the_override() -> None:
    with pytest.raises(
        ScenarioError, match=r"seed: .*greater than or equal to 0.*given as an override"
    ):
        parse_scenario(VALID, "case.yaml", seed=-1)


def test_identifiers_and_times_are_normalised() -> None:
    text = _edit("90-B3-D5-1F-30-01-00-00", "90b3d51f30010000").replace(
        "2026-11-02T08:00:00Z", "'2026-11-02T09:00:00+01:00'"
    )
    scenario = parse_scenario(text)
    assert scenario.suppliers[0].user_id == "90-B3-D5-1F-30-01-00-00"
    assert scenario.start == datetime(2026, 11, 2, 8, tzinfo=UTC)
    assert scenario.start.tzinfo is UTC


def test_a_missing_file_is_a_scenario_error(tmp_path: Path) -> None:
    with pytest.raises(ScenarioError, match="cannot read the file"):
        load_scenario(tmp_path / "absent.yaml")


def test_a_scenario_is_frozen() -> None:
    scenario = parse_scenario(VALID)
    with pytest.raises(ValueError, match="frozen"):
        scenario.seed = 1  # type: ignore[misc]
    assert isinstance(scenario.faults[0], WanOutage)
    assert Scenario.model_validate(scenario.model_dump()) == scenario


def _yaml(value: object) -> str:
    """How PyYAML writes a scalar: floats as 1.0e-05, which it reads back as a float."""
    return yaml.safe_dump(value).removesuffix("\n...\n")


def _fraction(low: float = 0.0, high: float = 1.0) -> st.SearchStrategy[float]:
    return st.floats(min_value=low, max_value=high)


def _positive(high: float = 1e9) -> st.SearchStrategy[float]:
    return st.floats(min_value=0, max_value=high, exclude_min=True)


@st.composite
def _valid_values(draw: st.DrawFn) -> dict[str, object]:
    """Numbers the model must take: every timed event lands inside the run by construction."""
    duration = draw(st.floats(min_value=1, max_value=10_000))
    esme = draw(_fraction())
    rest = 1 - esme
    gsme = draw(_fraction(high=rest))
    share = draw(st.floats(min_value=0, max_value=1, exclude_min=True, exclude_max=True))
    alert_start = draw(_fraction(high=0.4)) * duration
    return {
        "seed": draw(st.integers(min_value=0, max_value=2**64)),
        "duration": duration,
        "meters": draw(st.integers(min_value=1, max_value=40_000_000)),
        "esme": esme,
        "gsme": gsme,
        "smets1": rest - gsme,
        "prepayment": draw(_fraction()),
        "share": share,
        "fails": draw(_fraction(high=0.25)) * duration,
        "other_share": 1 - share,
        "rate": draw(_positive()),
        "batch": draw(st.integers(min_value=1, max_value=10**6)),
        "attempts": draw(st.integers(min_value=1, max_value=100)),
        "backoff": draw(_positive()),
        "adt": draw(st.integers(min_value=0, max_value=10**9)),
        "srp_delay": draw(_fraction(high=0.25)) * duration * 60,
        "revocation": draw(_fraction(high=0.25)) * duration * 60,
        "instruction": draw(_fraction(high=0.25)) * duration * 60,
        "median": draw(_positive(1e4)),
        "sigma": draw(_fraction(high=10)),
        "loss": draw(_fraction(high=0.5)),
        "timeout": draw(_positive(1e4)),
        "outage_start": draw(_fraction(high=0.4)) * duration,
        "outage_duration": draw(_fraction(0.01, 0.4)) * duration,
        "outage_share": draw(st.floats(min_value=0, max_value=1, exclude_min=True)),
        "alerts": draw(st.integers(min_value=1, max_value=10**6)),
        "alert_start": alert_start,
        "alert_end": alert_start + draw(_fraction(0.01, 0.4)) * duration,
        "within": draw(_positive()),
        "credit_share": draw(st.floats(min_value=0, max_value=1, exclude_min=True)),
    }


@given(_valid_values())
def test_valid_numbers_round_trip_through_a_scenario_file(values: dict[str, object]) -> None:
    s = parse_scenario(TEMPLATE.substitute({k: _yaml(v) for k, v in values.items()}))
    (bright, steady) = s.suppliers
    (outage,) = s.faults
    (burst,) = s.alerts
    credit = s.expectations[0]
    assert isinstance(outage, WanOutage)
    assert isinstance(credit, PrepaymentInCredit)
    read_back = {
        "seed": s.seed,
        "duration": s.duration_hours,
        "meters": s.fleet.meters,
        "esme": s.fleet.mix.esme,
        "gsme": s.fleet.mix.gsme,
        "smets1": s.fleet.mix.smets1,
        "prepayment": s.fleet.prepayment_share,
        "share": bright.share,
        "fails": bright.fails_after_hours,
        "other_share": steady.share,
        "rate": s.srp.rate_per_second,
        "batch": s.srp.batch_size,
        "attempts": s.srp.max_attempts,
        "backoff": s.srp.backoff_seconds,
        "adt": s.srp.adt_count,
        "srp_delay": s.srp.start_delay_minutes,
        "revocation": s.ofgem.revocation_delay_minutes,
        "instruction": s.ofgem.instruction_delay_minutes,
        "median": s.wan.latency["esme"].median_seconds,
        "sigma": s.wan.latency["esme"].sigma,
        "loss": s.wan.loss,
        "timeout": s.wan.response_timeout_seconds,
        "outage_start": outage.start_hours,
        "outage_duration": outage.duration_hours,
        "outage_share": outage.share,
        "alerts": burst.count,
        "alert_start": burst.start_hours,
        "alert_end": burst.end_hours,
        "within": credit.within_hours,
        "credit_share": credit.share,
    }
    assert read_back == values
