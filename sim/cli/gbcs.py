"""``solrsim gbcs``: decode and verify GBCS messages, and benchmark the GBCS layer."""

from __future__ import annotations

import base64
import binascii
import json
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from devices.gbcs.errors import DecodeError, GbcsError
from devices.gbcs.frame import decode
from devices.gbcs.keystore import KeyStore, load_keystore, parse_eui64
from devices.gbcs.report import describe
from devices.gbcs.verify import DEFAULT_ACB

from ._input import InputError

app = typer.Typer(help="Decode, verify and benchmark GBCS messages.", no_args_is_help=True)


@dataclass(frozen=True)
class Source:
    name: str
    data: bytes | None
    error: str | None = None


def parse_text(text: str) -> bytes:
    """Hex (spaces and line breaks allowed) or base64, as GBCS messages are pasted around."""
    compact = "".join(text.split())
    try:
        return bytes.fromhex(compact)
    except ValueError:
        pass
    try:
        data = base64.b64decode(compact, validate=True)
    except binascii.Error:
        raise InputError("neither hex nor base64") from None
    if not data or data[0] not in (0xDD, 0xDF):
        raise InputError("neither hex nor base64 of a GBCS message")
    return data


def read_sources(items: list[str]) -> Iterator[Source]:
    """Each argument is a file, a folder (its files, recursively) or a message in hex/base64."""
    for item in items:
        path = Path(item)
        try:
            files = sorted(p for p in path.rglob("*") if p.is_file()) if path.is_dir() else [path]
            exists = path.exists()
        except OSError:
            exists = False
        if not exists:
            yield _parse_source("argument", item)
            continue
        for file in files:
            try:
                text = file.read_text()
            except (OSError, UnicodeDecodeError) as exc:
                yield Source(str(file), None, f"cannot read: {exc}")
                continue
            yield _parse_source(str(file), text)


def _parse_source(name: str, text: str) -> Source:
    try:
        return Source(name, parse_text(text))
    except InputError as exc:
        return Source(name, None, str(exc))


def decode_source(source: Source, keys: KeyStore, acb: bytes) -> dict[str, Any]:
    if source.data is None:
        return {"source": source.name, "error": source.error}
    try:
        return {"source": source.name, **describe(decode(source.data), keys, acb)}
    except GbcsError as exc:
        record: dict[str, Any] = {"source": source.name, "error": str(exc)}
        if isinstance(exc, DecodeError):
            record["offset"] = exc.offset
        return record


@app.command("decode")
def decode_command(
    messages: Annotated[list[str], typer.Argument(help="files, folders, or hex/base64 text")],
    keystore: Annotated[
        Path | None,
        typer.Option(help="RTDS-style key folder (<eui>-ds.pem, <eui>-ka.key, ...)"),
    ] = None,
    acb: Annotated[str, typer.Option(help="EUI-64 of the ACB that MACs commands")] = (
        DEFAULT_ACB.hex().upper()
    ),
    as_json: Annotated[bool, typer.Option("--json", help="one JSON object per line")] = False,
) -> None:
    """Decode GBCS messages and check their MAC and signature with the keys given."""
    try:
        keys = load_keystore(keystore) if keystore else KeyStore()
    except (GbcsError, OSError) as exc:
        raise typer.BadParameter(str(exc), param_hint="--keystore") from None
    try:
        acb_eui = parse_eui64(acb)
    except GbcsError as exc:
        raise typer.BadParameter(str(exc), param_hint="--acb") from None
    failed = False
    console = Console()
    for source in read_sources(messages):
        record = decode_source(source, keys, acb_eui)
        failed |= "error" in record
        if as_json:
            sys.stdout.write(json.dumps(record, ensure_ascii=False) + "\n")
        else:
            _print_record(console, record)
    raise typer.Exit(1 if failed else 0)


def _print_record(console: Console, record: dict[str, Any]) -> None:
    if "error" in record:
        console.print(f"[bold red]{record['source']}[/]: {record['error']}")
        return
    table = Table(title=record["source"], show_header=False, title_justify="left")
    for key, value in record.items():
        if key != "source":
            table.add_row(key, json.dumps(value) if isinstance(value, dict | list) else str(value))
    console.print(table)


@app.command("bench")
def bench_command(
    corpus: Annotated[
        Path | None, typer.Option(help="conformance folder (default: as the tests find it)")
    ] = None,
    seconds: Annotated[float, typer.Option(help="time per measurement")] = 3.0,
) -> None:
    """Decode and verify the whole RTDS corpus repeatedly; print messages per second."""
    from sim.bench.gbcs_corpus import find_corpus, run

    folder = corpus or find_corpus()
    if folder is None:
        typer.echo("conformance corpus not found: pass --corpus or set SOLRSIM_CONFORMANCE_DIR")
        raise typer.Exit(2)
    run(folder, seconds)
