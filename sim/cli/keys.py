"""``solrsim keys``: key folders in the RTDS layout for a lab: a tester talking to a seeded meter,
or a meter taking part in a scenario's world."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from devices.gbcs.errors import GbcsError
from devices.gbcs.keystore import parse_eui64, write_key_files
from devices.gbcs.verify import DEFAULT_ACB
from devices.meter_keys import lab_key_files
from sim.cli.demo import ESME, SUPPLIER

app = typer.Typer(help="Key folders for a lab.", no_args_is_help=True)


@app.callback()
def keys() -> None:
    """Key folders for a lab (RTDS layout, as `solrsim gbcs decode --keystore` reads)."""


@app.command()
def export(
    out: Annotated[Path, typer.Option(help="folder to write (made if absent)", file_okay=False)],
    seed: Annotated[str, typer.Option(help="the seed the meter serves with")] = "solrsim",
    eui: Annotated[str, typer.Option(help="the meter's EUI-64")] = ESME.hex().upper(),
    supplier: Annotated[str, typer.Option(help="the supplier it trusts")] = SUPPLIER.hex().upper(),
    acb: Annotated[str, typer.Option(help="the ACB it trusts")] = DEFAULT_ACB.hex().upper(),
) -> None:
    """Write the meter's public keys and the supplier's and ACB's private keys into OUT."""
    try:
        meter, supplier_id, acb_id = (parse_eui64(text) for text in (eui, supplier, acb))
    except GbcsError as exc:
        raise typer.BadParameter(str(exc)) from None
    files = lab_key_files(seed.encode(), meter, acb=acb_id, supplier=supplier_id)
    for path in write_key_files(out, files):
        typer.echo(path)


@app.command()
def meter(
    scenario: Annotated[Path, typer.Argument(help="scenario YAML file listing the meter")],
    eui: Annotated[str, typer.Option(help="the physical meter's EUI-64, as the scenario has it")],
    out: Annotated[Path, typer.Option(help="folder to write (made if absent)", file_okay=False)],
    seed: Annotated[int | None, typer.Option(help="replaces the scenario's seed")] = None,
) -> None:
    """Write what a physical meter of SCENARIO must trust (the world's ACB KA key, its
    supplier's DS and KA keys) and, with `keys: seed`, its own keys, for `solrsim meter serve
    --keystore OUT`."""
    from sim.scenario.model import ScenarioError, load_scenario
    from sim.world.key_export import physical_meter_key_files
    from sim.world.population import Population

    try:
        model = load_scenario(scenario, seed=seed)
        eui64 = parse_eui64(eui)
    except ScenarioError as exc:
        raise typer.BadParameter(str(exc), param_hint="SCENARIO") from None
    except GbcsError as exc:
        raise typer.BadParameter(str(exc), param_hint="--eui") from None
    physical = next((m for m in model.physical_meters if m.eui64 == eui64), None)
    if physical is None:
        raise typer.BadParameter(f"{scenario} lists no physical meter {eui}", param_hint="--eui")
    # the world's cast and keys do not depend on its physical meters, whose key folders this
    # command may be writing
    population = Population(model.model_copy(update={"physical_meters": []}))
    for path in write_key_files(out, physical_meter_key_files(population, physical)):
        typer.echo(path)
