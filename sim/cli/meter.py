"""``solrsim meter``: a virtual SMETS2+ meter on a serial port, and the check of a port's meter.

``serve`` puts a meter on a port. Its keys come from a key folder in the RTDS layout
(``--keystore``: the meter's own private keys, the ACB's KA key, the supplier's DS and KA keys)
or, by default, from the seed as ``solrsim demo`` derives them; ``solrsim keys export`` writes
what a tester needs for a seeded meter. ``probe`` runs a lab's smoke test against a meter on a
port (:mod:`devices.serial_probe`). The framing on the port is docs/serial.md; each frame and each
link problem is printed as it happens. Ctrl-C stops serving between two frames: no frame is cut
in half.
"""

from __future__ import annotations

import signal
import threading
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.text import Text

from devices.credentials import DeviceSecurityCredentials
from devices.esme import Esme
from devices.gbcs.errors import GbcsError
from devices.gbcs.frame import decode
from devices.gbcs.keystore import load_keystore, parse_eui64
from devices.gbcs.usecases import use_case_for
from devices.gbcs.verify import DEFAULT_ACB
from devices.gsme import Gsme
from devices.meter import DEFAULT_ACCOUNT
from devices.meter_keys import keystore_credentials, seeded_credentials
from devices.serial import (
    DEFAULT_BAUDRATE,
    LinkEvent,
    Received,
    Sent,
    SerialLinkError,
    describe_event,
    is_trouble,
    open_port,
    serve_meter,
)
from devices.serial_framing import FrameType
from devices.serial_probe import FrameExchange, ProbeKeys, Verdict, run_probe
from sim.cli.demo import ESME, SUPPLIER
from sim.world.population import PREPAYMENT_ACCOUNT

GSME = bytes.fromhex("00DB1234567890A1")
_SUPPLIER, _ACB = SUPPLIER.hex().upper(), DEFAULT_ACB.hex().upper()
_DEFAULTS = f"{ESME.hex().upper()} or {GSME.hex().upper()}"

app = typer.Typer(help="Put a virtual meter on a serial port for a lab.", no_args_is_help=True)

Port = Annotated[
    str, typer.Option(help="device path or pyserial URL (socket://host:port, loop://)")
]
Gas = Annotated[bool, typer.Option("--esme/--gsme", help="electricity or gas meter")]
Seed = Annotated[str, typer.Option(help="fixes every key, as for `solrsim demo`")]
Eui = Annotated[str | None, typer.Option(help=f"meter EUI-64 (default {_DEFAULTS})")]
Keystore = Annotated[
    Path | None,
    typer.Option(help="key folder in the RTDS layout, instead of the seed", file_okay=False),
]
Supplier = Annotated[str, typer.Option(help="the supplier the meter trusts, EUI-64")]
Acb = Annotated[str, typer.Option(help="the ACB whose MAC the meter checks, EUI-64")]
Baud = Annotated[int, typer.Option(help="ignored by socket:// and loop://")]


@app.callback()
def meter() -> None:
    """Put a virtual meter on a serial port for a lab (framing: docs/serial.md)."""


def _eui(text: str, option: str) -> bytes:
    try:
        return parse_eui64(text)
    except GbcsError as exc:
        raise typer.BadParameter(str(exc), param_hint=option) from None


@app.command()
def serve(
    port: Port,
    esme: Gas = True,
    seed: Seed = "solrsim",
    eui: Eui = None,
    keystore: Keystore = None,
    supplier: Supplier = _SUPPLIER,
    acb: Acb = _ACB,
    baud: Baud = DEFAULT_BAUDRATE,
    prepayment: Annotated[
        bool, typer.Option(help="start in prepayment (as a scenario's prepayment meter)")
    ] = False,
) -> None:
    """Serve a virtual ESME or GSME on PORT until Ctrl-C."""
    console = Console()
    eui64 = _eui(eui, "--eui") if eui else (ESME if esme else GSME)
    supplier_id, acb_id = _eui(supplier, "--supplier"), _eui(acb, "--acb")
    try:
        credentials = _credentials(seed.encode(), keystore, eui64, acb_id, supplier_id)
    except (GbcsError, ValueError, OSError) as exc:
        raise typer.BadParameter(str(exc), param_hint="--keystore") from None
    account = PREPAYMENT_ACCOUNT if prepayment else DEFAULT_ACCOUNT
    virtual = (Esme if esme else Gsme)(credentials, supplier_id, account=account)
    source = f"keys from {keystore}" if keystore else f"keys from seed {seed!r}"
    console.print(
        f"{'ESME' if esme else 'GSME'} {eui64.hex().upper()}: trusts ACB {acb.upper()} and "
        f"supplier {supplier.upper()}, {source}",
        markup=False,
    )
    stop = threading.Event()
    previous = signal.signal(signal.SIGINT, lambda *_: stop.set())
    try:
        serve_meter(
            port,
            virtual,
            clock=lambda: datetime.now(UTC),
            stop_event=stop,
            baudrate=baud,
            on_event=lambda event: console.print(_line(event)),
        )
    except SerialLinkError as exc:
        console.print(Text(str(exc), style="bold red"))
        raise typer.Exit(1) from None
    finally:
        signal.signal(signal.SIGINT, previous)
    console.print("stopped")


def _credentials(
    seed: bytes, keystore: Path | None, meter: bytes, acb: bytes, supplier: bytes
) -> DeviceSecurityCredentials:
    if keystore is None:
        return seeded_credentials(seed, meter, acb=acb, suppliers=[supplier])
    return keystore_credentials(load_keystore(keystore), meter, acb=acb, suppliers=[supplier])


@app.command()
def probe(
    port: Annotated[str, typer.Argument(help="device path or pyserial URL (socket://host:port)")],
    esme: Gas = True,
    seed: Seed = "solrsim",
    eui: Eui = None,
    keystore: Keystore = None,
    supplier: Supplier = _SUPPLIER,
    acb: Acb = _ACB,
    counter: Annotated[
        int | None, typer.Option(help="the probe command's counter (default: now in ms)")
    ] = None,
    timeout: Annotated[float, typer.Option(help="seconds to wait for a first answer")] = 2.0,
    baud: Baud = DEFAULT_BAUDRATE,
) -> None:
    """Check the meter on PORT before a rehearsal; exit 0 only when every check passes."""
    console = Console()
    eui64 = _eui(eui, "--eui") if eui else (ESME if esme else GSME)
    supplier_id, acb_id = _eui(supplier, "--supplier"), _eui(acb, "--acb")
    try:
        if keystore is None:
            keys = ProbeKeys.from_seed(seed.encode(), eui64, acb=acb_id, supplier=supplier_id)
        else:
            store = load_keystore(keystore)
            keys = ProbeKeys.from_store(store, eui64, acb=acb_id, supplier=supplier_id)
    except (GbcsError, ValueError, OSError) as exc:
        raise typer.BadParameter(str(exc), param_hint="--keystore") from None
    try:
        with open_port(port, baud, lambda _: None) as opened:
            verdicts = run_probe(
                FrameExchange(opened, timeout, quiet=0.3),
                keys,
                meter=eui64,
                supplier=supplier_id,
                counter=time.time_ns() // 1_000_000 if counter is None else counter,
                gas=not esme,
                report=lambda verdict: console.print(_verdict_line(verdict)),
            )
    except SerialLinkError as exc:
        console.print(Text(str(exc), style="bold red"))
        raise typer.Exit(2) from None
    failed = sum(not verdict.passed for verdict in verdicts)
    console.print(f"{len(verdicts) - failed} of {len(verdicts)} checks passed", markup=False)
    raise typer.Exit(1 if failed else 0)


def _verdict_line(verdict: Verdict) -> Text:
    mark = Text("PASS", style="green") if verdict.passed else Text("FAIL", style="bold red")
    return Text.assemble(mark, f" {verdict.check:<10} {verdict.detail}")


def _line(event: LinkEvent) -> Text:
    """A timestamped line; GBCS frames named by CRA, use case and counter when they decode."""
    stamp = datetime.now().strftime("%H:%M:%S.%f")[:-3]
    text = describe_event(event)
    if isinstance(event, Received | Sent) and event.frame.kind is FrameType.GBCS:
        try:
            header = decode(event.frame.payload).header
        except GbcsError as exc:
            text += f" (not GBCS: {exc})"
        else:
            use_case = use_case_for(header.message_code)
            name = use_case.name if use_case else f"0x{header.message_code:04X}"
            text += f" {header.cra.name} {name} counter {header.counter}"
    return Text(f"{stamp} {text}", style="red" if is_trouble(event) else "")


@app.command()
def bench(
    count: Annotated[int, typer.Option(help="commands through one meter")] = 2_000,
    fleet_size: Annotated[int, typer.Option(help="idle meters to measure")] = 100_000,
) -> None:
    """Commands per second through one meter, and bytes per idle meter in a fleet."""
    from sim.bench.meters import run

    run(count, fleet_size)
