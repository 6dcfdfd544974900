"""The ``solrsim`` command line."""

from __future__ import annotations

from typing import Annotated

import typer

from sim.cli import bench, duis, gbcs, keys, meter, run, serve, smki

app = typer.Typer(
    help="solrsim: rehearse a Supplier of Last Resort event on a simulated DCC and meter fleet.",
    no_args_is_help=True,
)
app.add_typer(gbcs.app, name="gbcs")
app.add_typer(duis.app, name="duis")
app.add_typer(smki.app, name="smki")
app.add_typer(meter.app, name="meter")
app.add_typer(keys.app, name="keys")
app.add_typer(bench.app, name="bench")
app.command("run")(run.run)
app.command("serve")(serve.serve)


@app.command()
def steps() -> None:
    """Print the Gherkin step library: every step a feature may use, its words and meaning
    (Markdown, the catalogue of features/README.md)."""
    from sim.gherkin.catalogue import render

    typer.echo(render())


@app.command()
def demo(
    seed: Annotated[str, typer.Option(help="fixes every key, so the output replays")] = "solrsim",
) -> None:
    """A supplier signs an ECS02 pre-command, the ACB MACs it, the ESME decodes and verifies it."""
    from sim.cli.demo import run_demo

    raise typer.Exit(run_demo(seed.encode()))


if __name__ == "__main__":
    app()
