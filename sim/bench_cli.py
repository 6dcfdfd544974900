"""``solrsim bench``: every benchmark, by what it measures."""

from __future__ import annotations

from typing import Annotated

import typer

app = typer.Typer(
    help="Throughput and memory of solrsim's parts, on one core.", no_args_is_help=True
)


@app.command()
def pipeline(
    count: Annotated[int, typer.Option(help="meters the SRP switches")] = 300,
) -> None:
    """SR 1.6 requests per second through the whole DCC pipeline, and the crypto share."""
    from benchmarks.dcc_pipeline import run

    run(count)


@app.command()
def audit(
    count: Annotated[int, typer.Option(help="requests to record")] = 5000,
) -> None:
    """Requests per second the SQLite audit trail records."""
    from benchmarks.audit_trail import run

    run(count)
