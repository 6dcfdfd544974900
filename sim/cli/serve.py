"""``solrsim serve``: the simulated DCC behind DCC Boxed's DUIS web service paths."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from sim.scenario.shipped import DEFAULT_SCENARIO
from sim.web.limits import DELIVERY_TIMEOUT, REQUEST_TIMEOUT

if TYPE_CHECKING:
    from sim.scenario.model import Scenario
    from sim.web.journal import Journal
    from sim.web.live import LiveSimulation
    from sim.world.population import Population


def serve(
    scenario: Annotated[
        Path, typer.Argument(help="scenario YAML file", show_default="scenarios/solr-default.yaml")
    ] = DEFAULT_SCENARIO,
    host: Annotated[str, typer.Option(help="address to bind; loopback by default")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="TCP port")] = 8079,
    smki_port: Annotated[
        int, typer.Option(help="TCP port of DCC Boxed's SMKI service (also on --port)")
    ] = 8083,
    speed: Annotated[float, typer.Option(help="simulated seconds per wall second")] = 1.0,
    receiver: Annotated[
        list[str] | None,
        typer.Option(help="USER_ID=URL: where a User's asynchronous documents are POSTed"),
    ] = None,
    queue: Annotated[int, typer.Option(help="documents waiting per User before refusing")] = 1000,
    delivery_timeout: Annotated[
        float,
        typer.Option(help="seconds a --receiver has to answer before the document is sent again"),
    ] = DELIVERY_TIMEOUT,
    request_timeout: Annotated[
        float,
        typer.Option(help="seconds a request, headers and body, has to arrive before it is cut"),
    ] = REQUEST_TIMEOUT,
    boxed_identities: Annotated[
        Path | None,
        typer.Option(
            help="conformance corpus folder (duis/boxed-keys, rtds/keystore): the DCC, the test "
            "supplier 90-B3-D5-1F-30-01-00-00 and its ESME/GSME ...-90-A0/-A1 use the DCC Boxed "
            "test identities; the run starts at 2024-06-01T08:00Z, inside their validity",
            exists=True,
            file_okay=False,
        ),
    ] = None,
    serial: Annotated[
        list[str] | None,
        typer.Option(help="EUI=PORT: the port of a physical meter the scenario lists (repeatable)"),
    ] = None,
    state: Annotated[
        Path | None,
        typer.Option(
            help="folder that keeps the world (requests, clock, documents owed, audit trail) in "
            "SQLite: a restart with the same scenario and receivers goes on where it stopped",
            file_okay=False,
        ),
    ] = None,
) -> None:
    """Run the scenario in real time and serve DUIS on /api/v1/serviceS, serviceT, serviceD.

    The scenario's physical meters take part over their serial ports (docs/serial.md)."""
    from sim.scenario.model import load_scenario
    from sim.web.delivery import DeliveryService, RetryPolicy
    from sim.web.live import LiveSimulation
    from sim.web.server import DuisServer
    from sim.web.smki_port import SmkiServer
    from sim.world.physical import PhysicalMeterError, parse_serial_option, with_ports

    receivers = dict(_receiver(text) for text in receiver or [])
    try:
        model = with_ports(
            load_scenario(scenario), dict(parse_serial_option(text) for text in serial or [])
        )
        population = None
        if boxed_identities is not None:
            population = _boxed(model, boxed_identities)
        live = LiveSimulation(model, speed=speed, population=population)
    except PhysicalMeterError as exc:
        raise typer.BadParameter(str(exc), param_hint="--serial") from None
    journal = None if state is None else _resume(state, live, receivers)
    policy = RetryPolicy(timeout=delivery_timeout)
    delivery = DeliveryService(receivers, queue, policy, journal)
    server = DuisServer(live, delivery, host, port, request_timeout)
    smki = SmkiServer(live, host, smki_port)
    try:
        smki.start()
    except OSError as exc:
        raise typer.BadParameter(str(exc), param_hint="--smki-port") from None
    typer.echo(f"DUIS on {server.url}/api/v1/service{{S,T,D}}; SMKI on {smki.url}/services")
    try:
        server.run()
    finally:
        smki.stop()
        if journal is not None:
            journal.close()


def _boxed(model: Scenario, corpus: Path) -> Population:
    from dcc.smki.errors import SmkiError
    from sim.web.boxed import BoxedPopulation

    try:
        return BoxedPopulation(model, corpus)
    except (OSError, ValueError, SmkiError) as exc:
        raise typer.BadParameter(str(exc), param_hint="--boxed-identities") from None


def _resume(folder: Path, live: LiveSimulation, receivers: dict[bytes, str]) -> Journal:
    from dcc.sqlite_file import DatabaseError
    from sim.web.resume import resume

    try:
        return resume(folder, live, receivers)
    except DatabaseError as exc:
        raise typer.BadParameter(str(exc), param_hint="--state") from None


def _receiver(text: str) -> tuple[bytes, str]:
    from sim.world.physical import split_eui64_option

    pair = split_eui64_option(text)
    if pair is None:
        raise typer.BadParameter(f"{text!r} is not USER_ID=URL (USER_ID an EUI-64)")
    return pair
