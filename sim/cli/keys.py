"""``solrsim keys``: key folders in the RTDS layout for a lab talking to a seeded meter."""

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
