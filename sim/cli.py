"""The ``solrsim`` command line."""

from __future__ import annotations

from typing import Annotated

import typer

from sim import (
    bench_cli,
    duis_cli,
    gbcs_cli,
    keys_cli,
    meter_cli,
    run_cli,
    serve_cli,
    smki_cli,
)

app = typer.Typer(
    help="solrsim: rehearse a Supplier of Last Resort event on a simulated DCC and meter fleet.",
    no_args_is_help=True,
)
app.add_typer(gbcs_cli.app, name="gbcs")
app.add_typer(duis_cli.app, name="duis")
app.add_typer(smki_cli.app, name="smki")
app.add_typer(meter_cli.app, name="meter")
app.add_typer(keys_cli.app, name="keys")
app.add_typer(bench_cli.app, name="bench")
app.command("run")(run_cli.run)
app.command("serve")(serve_cli.serve)


@app.command()
def demo(
    seed: Annotated[str, typer.Option(help="fixes every key, so the output replays")] = "solrsim",
) -> None:
    """A supplier signs an ECS02 pre-command, the ACB MACs it, the ESME decodes and verifies it."""
    from sim.demo import run_demo

    raise typer.Exit(run_demo(seed.encode()))
