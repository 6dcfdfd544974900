"""``solrsim serve``: the simulated DCC behind DCC Boxed's DUIS web service paths."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from sim.run_cli import DEFAULT_SCENARIO


def serve(
    scenario: Annotated[
        Path, typer.Argument(help="scenario YAML file", show_default="scenarios/solr-default.yaml")
    ] = DEFAULT_SCENARIO,
    host: Annotated[str, typer.Option(help="address to bind; loopback by default")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="TCP port")] = 8079,
    speed: Annotated[float, typer.Option(help="simulated seconds per wall second")] = 1.0,
    receiver: Annotated[
        list[str] | None,
        typer.Option(help="USER_ID=URL: where a User's asynchronous documents are POSTed"),
    ] = None,
    queue: Annotated[int, typer.Option(help="documents waiting per User before refusing")] = 1000,
) -> None:
    """Run the scenario in real time and serve DUIS on /api/v1/serviceS, serviceT, serviceD."""
    from sim.scenario import load_scenario
    from sim.web.delivery import DeliveryService
    from sim.web.live import LiveSimulation
    from sim.web.server import DuisServer

    receivers = dict(_receiver(text) for text in receiver or [])
    live = LiveSimulation(load_scenario(scenario), speed=speed)
    server = DuisServer(live, DeliveryService(receivers, queue), host, port)
    typer.echo(f"DUIS on {server.url}/api/v1/service{{S,T,D}}; SMKI on {server.url}/smki")
    server.run()


def _receiver(text: str) -> tuple[bytes, str]:
    user, _, url = text.partition("=")
    try:
        user_id = bytes.fromhex(user.replace("-", ""))
    except ValueError:
        user_id = b""
    if len(user_id) != 8 or not url:
        raise typer.BadParameter(f"{text!r} is not USER_ID=URL (USER_ID an EUI-64)")
    return user_id, url
