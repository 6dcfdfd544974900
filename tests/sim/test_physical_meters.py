"""A physical meter in a rehearsal: an ESME served on a pseudo-terminal with the keys the world
gives it (``solrsim keys meter``), switched to credit by the SRP alongside the simulated fleet,
on a scaled wall clock; and the scenario entries and ``--serial`` options that are refused."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from dcc.duis.codes import ResponseCode
from dcc.duis.response import parse_response
from dcc.identity import DCC_ID
from devices.esme import Esme
from devices.gbcs.keystore import KeyUsage, load_keystore
from devices.gbcs.payment_mode import PaymentMode
from devices.meter import Meter
from devices.meter_keys import keystore_credentials, seeded_credentials
from sim.cli.main import app
from sim.scenario.model import ScenarioError, parse_scenario
from sim.web.delivery import DeliveryService
from sim.web.live import LiveSimulation
from sim.web.server import DuisServer, free_port
from sim.world.physical import PhysicalMeterError, parse_serial_option, with_ports
from sim.world.population import PREPAYMENT_ACCOUNT, Population
from sim.world.runner import Rehearsal
from tests.devices.test_serial import Recorder, linked_ptys, serving
from tests.web.support import FAST_RETRY, Receiver, switch, wait_for, wait_for_instruction

METER = bytes.fromhex("00DB1234567890A0")
BRIGHT = bytes.fromhex("90B3D51F30010000")
EUI_TEXT = "00-DB-12-34-56-78-90-A0"
TAMPER = 0x8F3F
SPEED = 600.0  # half an hour of simulated time in three wall seconds

SCENARIO = """\
name: physical
seed: 11
start: 2026-11-02T08:00:00Z
duration_hours: 0.5
fleet:
  meters: 50
  mix: {{esme: 0.6, gsme: 0.4, smets1: 0.0}}
  prepayment_share: 0.3
suppliers:
  - name: Bright Energy
    user_id: 90-B3-D5-1F-30-01-00-00
    share: 0.5
    fails_after_hours: 0.02
  - name: Steady Power
    user_id: 90-B3-D5-1F-30-03-00-00
    share: 0.5
srp:
  name: Shared Resource Provider
  user_id: 90-B3-D5-1F-30-0A-00-00
  rate_per_second: 10
  batch_size: 5
  max_attempts: 3
  backoff_seconds: 60
  adt_count: 40
ofgem:
  revocation_delay_minutes: 1
  instruction_delay_minutes: 2
wan:
  latency:
    esme: {{median_seconds: 3, sigma: 0.2}}
    gsme: {{median_seconds: 5, sigma: 0.2}}
    smets1: {{median_seconds: 15, sigma: 0.2}}
  loss: 0.0
  response_timeout_seconds: 120
physical_meters:
{physical}
expectations:
  - kind: prepayment_in_credit
    within_hours: 0.4
  - kind: no_prepayment_actioned
"""

ESME_ENTRY = """\
  - port: {port}
    device_class: esme
    eui: 00-DB-12-34-56-78-90-A0
    supplier: 90-B3-D5-1F-30-01-00-00
    payment_mode: prepayment
    keys: {keys}
"""


def scenario_text(port: str = "/dev/ttyUSB0", keys: str = "seed", physical: str = "") -> str:
    return SCENARIO.format(physical=physical or ESME_ENTRY.format(port=port, keys=keys))


def write_meter_keys(scenario_path: Path, folder: Path) -> None:
    """The recipe of docs/serial.md: the world's keys for its physical meter."""
    result = CliRunner().invoke(
        app,
        ["keys", "meter", str(scenario_path), "--eui", METER.hex(), "--out", str(folder)],
    )
    assert result.exit_code == 0, result.output


def lab_meter(folder: Path) -> Esme:
    """What ``solrsim meter serve --keystore FOLDER --prepayment`` serves."""
    credentials = keystore_credentials(load_keystore(folder), METER, acb=DCC_ID, suppliers=[BRIGHT])
    return Esme(credentials, BRIGHT, account=PREPAYMENT_ACCOUNT)


@contextmanager
def served(meter: Meter) -> Iterator[str]:
    """``meter`` behind one end of a null modem; yields the other end for the world."""
    clock = lambda: datetime.now(UTC)  # noqa: E731 as `solrsim meter serve` keeps time
    with linked_ptys() as (meter_side, host), serving(meter_side, meter, clock, Recorder()):
        yield host


def scenario_with_keys(folder: Path) -> Path:
    """The physical-meter scenario in ``folder``, its meter's keys in ``folder/keys``."""
    path = folder / "physical.yaml"
    path.write_text(scenario_text(), encoding="utf-8")
    write_meter_keys(path, folder / "keys")
    return path


def run_served(path: Path, meter: Meter, reports: Path) -> tuple[Result, str]:
    """``solrsim run`` of the scenario at ``path``, reporting to ``reports``, with ``meter``
    served on a serial port: what it printed, and the port."""
    with served(meter) as port:
        result = CliRunner().invoke(
            app,
            [
                "run", str(path), "--report-dir", str(reports),
                "--speed", str(SPEED), "--serial", f"00-DB-12-34-56-78-90-A0={port}",
            ],
            env={"COLUMNS": "200"},
        )  # fmt: skip
    assert result.exit_code == 0, result.output
    return result, port


def test_solrsim_run_switches_a_physical_meter_with_the_fleet(tmp_path: Path) -> None:
    path = scenario_with_keys(tmp_path)
    meter = lab_meter(tmp_path / "keys")
    assert meter.state.account.payment_mode is PaymentMode.PREPAYMENT
    reports = tmp_path / "reports"
    result, port = run_served(path, meter, reports)
    assert meter.state.account.payment_mode is PaymentMode.CREDIT
    metrics = json.loads((reports / "report.json").read_text())["metrics"]
    [physical] = metrics["physical_meters"]
    assert physical["eui"] == "00-DB-12-34-56-78-90-A0"
    assert physical["port"] == port
    assert physical["switched"] is True
    assert physical["answers"] >= 1
    assert physical["refusals"] == physical["silences"] == 0
    fleet_targets = Population(parse_scenario(scenario_text())).failed_supplier_meters(
        prepayment_only=True
    )
    assert fleet_targets, "the scenario must give the SRP simulated meters to switch as well"
    assert sum(metrics["switched"].values()) == len(fleet_targets) + 1
    assert "physical ESME 00-DB-12-34-56-78-90-A0" in result.output
    html = (reports / "report.html").read_text()
    assert "Physical meters on serial ports" in html
    assert port in html


def test_a_meter_trusting_another_world_is_not_switched(tmp_path: Path) -> None:
    """The keys must be the world's: a meter served with ``meter serve --seed``'s anchors
    refuses the world's commands, and the report counts its refusals."""
    meter = Esme(
        seeded_credentials(b"solrsim/rehearsal/11", METER, acb=DCC_ID, suppliers=[BRIGHT]),
        BRIGHT,
        account=PREPAYMENT_ACCOUNT,
    )
    with served(meter) as port:
        rehearsal = Rehearsal(parse_scenario(scenario_text(port)), speed=SPEED)
        result = rehearsal.run()
    assert meter.state.account.payment_mode is PaymentMode.PREPAYMENT
    [physical] = result.metrics["physical_meters"]
    assert physical["switched"] is False
    assert physical["answers"] == 0 and physical["refusals"] >= 1
    assert not result.passed


def test_a_keystore_meter_is_enrolled_for_the_folders_public_keys(tmp_path: Path) -> None:
    folder = tmp_path / "lab"
    write_meter_keys(_written(tmp_path, scenario_text()), folder)
    (folder / f"{METER.hex()}-ds.key").unlink()  # the lab keeps the meter's private keys
    (folder / f"{METER.hex()}-ka.key").unlink()
    population = Population(parse_scenario(scenario_text(keys=f"{{keystore: {folder}}}")))
    record = population.dcc.services.inventory.get(METER)
    assert record is not None and record.registered_supplier == BRIGHT
    store = load_keystore(folder)
    assert record.ds_public_key == store.public(METER, KeyUsage.DIGITAL_SIGNING)
    certified = {
        record.key_usage: record.certificate.public_key()
        for record in population.cast.smki.devices(METER)
    }
    assert certified == {usage: store.public(METER, usage) for usage in KeyUsage}


def test_a_key_folder_without_the_meters_keys_is_named(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    text = scenario_text(keys=f"{{keystore: {tmp_path / 'empty'}}}")
    with pytest.raises(PhysicalMeterError, match=r"lacks 00db1234567890a0-ds\.pem"):
        Population(parse_scenario(text))


def test_a_port_that_cannot_be_opened_is_refused_before_the_run(tmp_path: Path) -> None:
    path = _written(tmp_path, scenario_text(port="/dev/solrsim-no-such-port"))
    result = CliRunner().invoke(app, ["run", str(path), "--report-dir", str(tmp_path / "r")])
    assert result.exit_code == 2
    assert "00-DB-12-34-56-78-90-A0: cannot open /dev/solrsim-no-such-port" in result.output


def test_a_run_without_physical_meters_keeps_the_fast_clock() -> None:
    rehearsal = Rehearsal(parse_scenario(SCENARIO.format(physical="  []")))
    result = rehearsal.run()
    assert "physical_meters" not in result.metrics
    assert result.wall_seconds < 0.5 * 3600 / SPEED  # not on a wall clock


# --- the scenario entries refused, each at its line --------------------------------------------


@pytest.mark.parametrize(
    ("entry", "line", "field", "why"),
    [
        (ESME_ENTRY.replace("30-01-00-00", "30-09-00-00"), 39, "supplier", "not the User ID"),
        (ESME_ENTRY.replace("00-DB-12-34-56-78-90-A0", "00-DB-50-00-00-00-00-31"), 38, "eui",
         "a device ID of the virtual fleet (00-DB-50-00-00-00-00-00 to 00-DB-50-00-00-00-00-31)"),
        (ESME_ENTRY.replace("device_class: esme", "device_class: smets1"), 37, "device_class",
         "SMETS1 meter cannot stand in over serial"),
        (ESME_ENTRY.replace("prepayment", "pay-as-you-go"), 40, "payment_mode", "credit"),
        (ESME_ENTRY.replace("keys: {keys}", "keys: random"), 41, "keys", "seed"),
    ],
)  # fmt: skip
def test_a_bad_physical_meter_is_named_by_line_and_field(
    entry: str, line: int, field: str, why: str
) -> None:
    text = scenario_text(physical=entry.format(port="/dev/ttyUSB0", keys="seed"))
    with pytest.raises(ScenarioError) as caught:
        parse_scenario(text, "lab.yaml")
    errors = [e for e in caught.value.errors if f"physical_meters.0.{field}" in e]
    assert errors and all(error.startswith(f"lab.yaml:{line}: ") for error in errors)
    assert any(why in error for error in errors)


@pytest.mark.parametrize(
    ("port", "why"),
    [
        ("tcp://lab:7000", "pyserial opens no tcp:// port"),
        ("socket://lab", "is not socket://HOST:PORT"),
        ("'/dev/tty USB0'", "is not a port"),
        ("''", "is not a port"),
    ],
)
def test_a_bad_port_is_named_by_line(port: str, why: str) -> None:
    with pytest.raises(ScenarioError) as caught:
        parse_scenario(scenario_text(port=port), "lab.yaml")
    [error] = caught.value.errors
    assert error.startswith("lab.yaml:36: physical_meters.0.port: ")
    assert why in error


def test_good_ports_are_taken_as_pyserial_writes_them() -> None:
    for port in ("/dev/ttyUSB0", "COM3", "socket://lab-pc:7000", "rfc2217://10.0.0.5:2217"):
        [meter] = parse_scenario(scenario_text(port=port)).physical_meters
        assert meter.port == port


def test_a_second_meter_with_the_same_eui_is_named() -> None:
    entry = ESME_ENTRY.format(port="/dev/ttyUSB0", keys="seed")
    with pytest.raises(ScenarioError) as caught:
        parse_scenario(scenario_text(physical=entry + entry), "lab.yaml")
    [error] = caught.value.errors
    assert error == ("lab.yaml:44: physical_meters.1.eui: also the EUI-64 of physical_meters.0")


# --- --serial -----------------------------------------------------------------------------------


def test_serial_options_name_a_meter_and_its_port() -> None:
    assert parse_serial_option("00-DB-12-34-56-78-90-A0=socket://lab:7000") == (
        METER,
        "socket://lab:7000",
    )
    assert parse_serial_option("00db1234567890a0=/dev/ttyUSB1") == (METER, "/dev/ttyUSB1")
    for text in ("00DB1234567890A0", "00DB12=/dev/ttyUSB0", "00DB1234567890A0=", "zz=/dev/x"):
        with pytest.raises(PhysicalMeterError, match="is not EUI=PORT"):
            parse_serial_option(text)


def test_serial_replaces_the_port_of_a_declared_meter_only() -> None:
    scenario = parse_scenario(scenario_text())
    [moved] = with_ports(scenario, {METER: "/dev/ttyACM3"}).physical_meters
    assert moved.port == "/dev/ttyACM3" and moved.eui64 == METER
    with pytest.raises(PhysicalMeterError, match="no physical meter 00DB1234567890A1"):
        with_ports(scenario, {bytes.fromhex("00DB1234567890A1"): "/dev/ttyACM3"})
    with pytest.raises(PhysicalMeterError, match="pyserial opens no tcp:// port"):
        with_ports(scenario, {METER: "tcp://lab:7000"})


def test_run_refuses_a_serial_option_for_an_undeclared_meter(tmp_path: Path) -> None:
    path = _written(tmp_path, scenario_text())
    result = CliRunner().invoke(
        app, ["run", str(path), "--serial", "00DB1234567890A1=/dev/ttyUSB0"]
    )
    assert result.exit_code == 2
    assert re.search(r"no physical meter 00DB1234567890A1 in the scenario", result.output)


def _written(folder: Path, text: str) -> Path:
    path = folder / "scenario.yaml"
    path.write_text(text, encoding="utf-8")
    return path


# --- solrsim serve ------------------------------------------------------------------------------


def test_a_physical_meter_switches_over_the_live_duis_service(tmp_path: Path) -> None:
    write_meter_keys(_written(tmp_path, scenario_text()), tmp_path / "keys")
    meter = lab_meter(tmp_path / "keys")
    receiver = Receiver()
    receiver.start()
    with served(meter) as port:
        scenario = parse_scenario(scenario_text(port=port))
        live = LiveSimulation(scenario, speed=SPEED)
        delivery = DeliveryService({scenario.srp.eui: receiver.url}, 100, FAST_RETRY)
        server = DuisServer(live, delivery, port=free_port())
        server.start()
        try:
            wait_for_instruction(server)
            transform = switch(server, live.population.cast.srp, METER, counter=1)
            wait_for(lambda: receiver.documents, timeout=10)
        finally:
            server.stop()
            receiver.stop()
    response = parse_response(receiver.documents[0])
    assert response.header.response_code is ResponseCode.I0
    assert response.header.response_id.request_id == transform.header.request_id
    assert meter.state.account.payment_mode is PaymentMode.CREDIT
    assert live.links[METER].counts.answers >= 1


def test_serve_refuses_a_serial_option_for_an_undeclared_meter(tmp_path: Path) -> None:
    path = _written(tmp_path, scenario_text())
    result = CliRunner().invoke(
        app,
        ["serve", str(path), "--serial", "00DB1234567890A1=/dev/ttyUSB0"],
        env={"COLUMNS": "300"},
    )
    assert result.exit_code == 2
    assert "no physical meter 00DB1234567890A1 in the scenario" in result.output


def test_solrsim_meter_serve_plays_the_physical_meter_of_a_rehearsal(tmp_path: Path) -> None:
    """The lab's recipe end to end, each step a command: the world's keys for the meter
    (`solrsim keys meter`), the meter played by `solrsim meter serve --keystore --prepayment` in
    its own process on a pseudo-terminal, and `solrsim run --serial`: it is switched to credit."""
    path = tmp_path / "physical.yaml"
    path.write_text(scenario_text(), encoding="utf-8")
    keys = tmp_path / "keys"
    write_meter_keys(path, keys)
    reports = tmp_path / "reports"
    with linked_ptys() as (meter_side, host):
        serve = [
            "meter", "serve", "--port", meter_side, "--keystore", str(keys),
            "--eui", METER.hex(), "--supplier", BRIGHT.hex(), "--prepayment",
        ]  # fmt: skip
        meter = subprocess.Popen(
            [sys.executable, "-c", "from sim.cli.main import app; app()", *serve],
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            env={**os.environ, "COLUMNS": "200"},
        )
        try:
            seen = []
            for line in meter.stdout:
                seen.append(line)
                if "READY" in line:
                    break
            assert any("READY" in line for line in seen), "".join(seen)
            result = CliRunner().invoke(
                app,
                [
                    "run", str(path), "--report-dir", str(reports),
                    "--speed", str(SPEED), "--serial", f"{METER.hex()}={host}",
                ],
                env={"COLUMNS": "200"},
            )  # fmt: skip
        finally:
            meter.send_signal(signal.SIGINT)
            output, _ = meter.communicate(timeout=30)
    assert result.exit_code == 0, result.output
    [physical] = json.loads((reports / "report.json").read_text())["metrics"]["physical_meters"]
    assert physical["switched"] is True and physical["refusals"] == 0
    assert "RESPONSE" in output and "stopped" in output


class TamperedInTheLab:
    """The lab's ESME, whose cover a tester lifts once the rehearsal is under way: a physical
    event the meter reports on its own, through ``advance`` as a served meter does."""

    def __init__(self, meter: Esme, after_seconds: float) -> None:
        self._meter = meter
        self._at = datetime.now(UTC) + timedelta(seconds=after_seconds)
        self.raised = False
        self.eui64 = meter.eui64

    def receive(self, frame: bytes, now: datetime) -> list[bytes]:
        return self._meter.receive(frame, now)

    def trigger(self, alert_code: int, now: datetime) -> list[bytes]:
        return self._meter.trigger(alert_code, now)

    def next_due(self) -> datetime | None:
        return None if self.raised else self._at

    def advance(self, now: datetime) -> list[bytes]:
        if self.raised or now < self._at:
            return []
        self.raised = True
        return self._meter.trigger(TAMPER, now)

    @property
    def latest_log_entry(self):
        return self._meter.latest_log_entry


def test_an_alert_the_physical_meter_raises_on_its_own_reaches_the_srp(tmp_path: Path) -> None:
    path = scenario_with_keys(tmp_path)
    meter = TamperedInTheLab(lab_meter(tmp_path / "keys"), after_seconds=1.0)
    reports = tmp_path / "reports"
    run_served(path, meter, reports)
    assert meter.raised
    lines = [json.loads(line) for line in (reports / "events.jsonl").read_text().splitlines()]
    [raised] = [e for e in lines if e["kind"] == "gbcs-alert" and e["from"] == EUI_TEXT]
    assert raised["verdict"] == "delivered"
    delivered = [
        e for e in lines if e["kind"] == "device-alert" and "alert 0x8F3F" in e.get("detail", "")
    ]
    assert [e["to"] for e in delivered] == ["90-B3-D5-1F-30-0A-00-00"]
    alerts = json.loads((reports / "report.json").read_text())["metrics"]["alerts"]
    assert alerts["raised"] == alerts["delivered_to_srp"] == 1
