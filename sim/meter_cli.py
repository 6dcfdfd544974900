"""``solrsim meter``: a virtual SMETS2+ meter on a serial port, for a lab's tester to talk to.

The meter trusts the ACB and the supplier of ``solrsim demo``, with every key derived from the
seed as the demo derives it, so a tester holding the same seed builds commands the meter
accepts. The framing on the port is docs/serial.md; each frame and each link problem is printed
as it happens. Ctrl-C stops serving between two reads: no frame is cut in half.
"""

from __future__ import annotations

import signal
import threading
from datetime import UTC, datetime
from typing import Annotated

import typer
from rich.console import Console
from rich.text import Text

from devices.credentials import RemoteParty, Role, TrustAnchors, device_key
from devices.fleet import Fleet
from devices.gbcs.errors import GbcsError
from devices.gbcs.frame import decode
from devices.gbcs.keystore import KeyUsage, parse_eui64
from devices.gbcs.usecases import use_case_for
from devices.gbcs.verify import DEFAULT_ACB
from devices.serial import (
    DEFAULT_BAUDRATE,
    LinkEvent,
    Received,
    Sent,
    SerialLinkError,
    describe_event,
    is_trouble,
    serve_meter,
)
from devices.serial_framing import FrameType
from sim.demo import ESME, SUPPLIER

GSME = bytes.fromhex("00DB1234567890A1")
_DEFAULTS = f"{ESME.hex().upper()} or {GSME.hex().upper()}"

app = typer.Typer(help="Put a virtual meter on a serial port for a lab.", no_args_is_help=True)


@app.callback()
def meter() -> None:
    """Put a virtual meter on a serial port for a lab (framing: docs/serial.md)."""


def seeded_fleet(seed: bytes) -> Fleet:
    """Meters trusting the ACB and the demo supplier, all keys derived from ``seed``."""
    supplier = RemoteParty(
        Role.SUPPLIER,
        device_key(seed, SUPPLIER, KeyUsage.DIGITAL_SIGNING).public_key(),
        device_key(seed, SUPPLIER, KeyUsage.KEY_AGREEMENT).public_key(),
    )
    acb_ka = device_key(seed, DEFAULT_ACB, KeyUsage.KEY_AGREEMENT).public_key()
    return Fleet(seed, TrustAnchors(acb_ka, {SUPPLIER: supplier}), SUPPLIER)


@app.command()
def serve(
    port: Annotated[
        str, typer.Option(help="device path or pyserial URL (socket://host:port, loop://)")
    ],
    esme: Annotated[bool, typer.Option("--esme/--gsme", help="electricity or gas meter")] = True,
    seed: Annotated[str, typer.Option(help="fixes every key, as for `solrsim demo`")] = "solrsim",
    eui: Annotated[str | None, typer.Option(help=f"meter EUI-64 (default {_DEFAULTS})")] = None,
    baud: Annotated[int, typer.Option(help="ignored by socket:// and loop://")] = DEFAULT_BAUDRATE,
) -> None:
    """Serve a virtual ESME or GSME on PORT until Ctrl-C."""
    console = Console()
    try:
        eui64 = parse_eui64(eui) if eui else (ESME if esme else GSME)
    except GbcsError as exc:
        raise typer.BadParameter(str(exc), param_hint="--eui") from None
    fleet = seeded_fleet(seed.encode())
    virtual = fleet.esme(eui64) if esme else fleet.gsme(eui64)
    console.print(
        f"{'ESME' if esme else 'GSME'} {eui64.hex().upper()}: trusts ACB "
        f"{DEFAULT_ACB.hex().upper()} and supplier {SUPPLIER.hex().upper()}, seed {seed!r}",
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
    from benchmarks.meters import run

    run(count, fleet_size)
