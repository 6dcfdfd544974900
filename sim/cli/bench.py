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
    from sim.bench.dcc_pipeline import run

    run(count)


@app.command()
def audit(
    count: Annotated[int, typer.Option(help="requests to record")] = 5000,
) -> None:
    """Requests per second the SQLite audit trail records."""
    from sim.bench.audit_trail import run

    run(count)


@app.command()
def rehearsal(
    meters: Annotated[
        list[int] | None,
        typer.Option(help="fleet size; repeat for several (default 10,000 and 100,000)"),
    ] = None,
) -> None:
    """CPU per switched meter against the cryptographic floor, meters switched per wall second,
    peak memory, and the memory of a meter nobody touched and of a switched one, of a whole
    SoLR rehearsal.

    Runs scenarios/solr-default.yaml resized to each fleet size, each in a fresh process.
    """
    from sim.bench.rehearsal import SIZES, run

    run(meters or SIZES)


@app.command()
def web(
    count: Annotated[int, typer.Option(help="requests to send at most")] = 300,
    concurrency: Annotated[int, typer.Option(help="connections at once")] = 8,
    seconds: Annotated[float, typer.Option(help="stop sending after this long")] = 30.0,
    state: Annotated[
        bool,
        typer.Option(
            "--state",
            help="serve with --state in a temporary folder, then time a restart after SIGKILL",
        ),
    ] = False,
) -> None:
    """Valid requests per second, p50 / p99 and answers per DUIS code of ``solrsim serve``;
    exits 1 if a valid request was refused."""
    from sim.bench.web_load import run

    if run(count, concurrency, seconds, state).wrongly_refused:
        raise typer.Exit(1)
