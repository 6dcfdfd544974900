"""``solrsim duis``: validate, sign and verify DUIS documents (the DCC's signature profile).

Exit codes: 0 done (valid, signed), 1 invalid (schema or signature), 2 the input
cannot be used (unreadable file, malformed XML, no certificates, bad key or option).
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, NoReturn

import typer
from cryptography import x509
from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from dcc.duis.elements import sr
from dcc.duis.errors import DuisBuildError, DuisError, DuisSchemaError, DuisXmlError
from dcc.duis.ids import format_eui64, parse_eui64
from dcc.duis.schema import SchemaLoadError, official_schema, solrsim_schema
from dcc.duis.schema import validate as validate_document
from dcc.duis.xmldsig import (
    DCC_SIGNING_ROLES,
    USER_SIGNING_ROLES,
    InMemoryResolver,
    SignatureRejected,
    sign_document,
    verify_document,
)
from dcc.duis.xmlparse import parse_xml
from dcc.smki.errors import SmkiError
from dcc.smki.roles import RemotePartyRole
from dcc.smki.times import parse_time

from ._input import InputError

app = typer.Typer(help="Sign, verify and check DUIS XML documents.", no_args_is_help=True)

# The DCC's own User ID in DCC Boxed (spec duis-smki §1.2): who signs the DCC's responses.
DCC_ID = "90-B3-D5-1F-30-00-00-02"
UNUSABLE = 2


@app.command()
def sign(
    file: Annotated[Path, typer.Argument(help="DUIS document to sign")],
    key: Annotated[Path, typer.Option(help="PKCS#8 private key, DER or PEM")],
    cert: Annotated[Path, typer.Option(help="the key's certificate, PEM or DER")],
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="where to write (default: stdout)")
    ] = None,
) -> None:
    """Sign FILE as the DCC Boxed signer does: any old signature replaced, written on one line."""
    try:
        private_key = _read_key(key)
        certificate = _read_certificate(cert)
        signed = sign_document(_read(file), private_key, certificate)
    except (DuisError, DuisBuildError, InputError) as exc:
        _unusable(exc)
    if output is None:
        typer.echo(signed, nl=False)
        return
    try:
        output.write_bytes(signed)
    except OSError as exc:
        _unusable(InputError(f"cannot write {output}: {exc.strerror}"))


@app.command()
def verify(
    file: Annotated[Path, typer.Argument(help="signed DUIS document")],
    certs: Annotated[Path, typer.Option(help="folder of PEM certificates that may have signed")],
    at: Annotated[
        str | None, typer.Option(help="ISO 8601 time to verify at, with offset (default: now)")
    ] = None,
    role: Annotated[
        list[str] | None,
        typer.Option(
            help="allowed signer role (default: xmlSign for requests, dspXmlSign for "
            "responses); repeat for several"
        ),
    ] = None,
    signer: Annotated[
        str | None,
        typer.Option(
            help=f"signer EUI-64 (default: the RequestID originator for requests, "
            f"{DCC_ID} for responses)"
        ),
    ] = None,
) -> None:
    """Verify FILE's signature with every check the DCC makes."""
    try:
        data = _read(file)
        response = parse_xml(data).getroot().tag == sr("Response")
        when = datetime.now(UTC) if at is None else parse_time(at)
        if role:
            roles = frozenset(RemotePartyRole.parse(name) for name in role)
        else:
            roles = DCC_SIGNING_ROLES if response else USER_SIGNING_ROLES
        if signer is None and response:
            signer = DCC_ID
        expected_signer = None if signer is None else parse_eui64(signer)
        resolver = _read_certificates(certs)
    except (DuisError, SmkiError, InputError) as exc:
        _unusable(exc)
    try:
        verified = verify_document(
            data, resolver, at=when, expected_signer=expected_signer, allowed_roles=roles
        )
    except SignatureRejected as exc:
        typer.echo(f"invalid ({exc.check}, {exc.response_code}): {exc.reason}")
        raise typer.Exit(1) from None
    except DuisError as exc:
        _unusable(exc)
    typer.echo(
        f"valid: signed by {format_eui64(verified.info.eui64)} as {verified.info.role.label}, "
        f"certificate {verified.certificate.issuer.rfc4514_string()} "
        f"serial {verified.certificate.serial_number}"
    )


@app.command()
def validate(
    file: Annotated[Path, typer.Argument(help="DUIS document to check")],
    xsd: Annotated[
        Path | None,
        typer.Option(help="folder with an official 'DUIS Schema V<version>.xsd' to use instead"),
    ] = None,
    version: Annotated[str, typer.Option(help="schema version to load from --xsd")] = "5.4",
) -> None:
    """Check FILE against solrsim's DUIS schema (or an official one): 0 valid, 1 invalid."""
    try:
        tree = parse_xml(_read(file))
        schema = solrsim_schema() if xsd is None else official_schema(xsd, version)
    except (DuisXmlError, SchemaLoadError, InputError) as exc:
        _unusable(exc)
    try:
        validate_document(tree, schema)
    except DuisSchemaError as exc:
        typer.echo(f"invalid ({exc.response_code}): {exc.reason}")
        raise typer.Exit(1) from None
    typer.echo(f"valid against {'solrsim' if xsd is None else f'DUIS V{version}'} schema")


@app.command()
def bench(
    seconds: Annotated[float, typer.Option(help="time per measurement")] = 2.0,
) -> None:
    """Sign and verify operations per second, solrsim's DCC profile against plain signxml."""
    from sim.bench.duis_signatures import find_corpus, run

    folder = find_corpus()
    if folder is None:
        _unusable(InputError("conformance corpus not found: set SOLRSIM_CONFORMANCE_DIR"))
    run(folder, seconds)


def _read(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        raise InputError(f"cannot read {path}: {exc.strerror}") from None


def _read_key(path: Path) -> ec.EllipticCurvePrivateKey:
    data = _read(path)
    try:
        if data.lstrip().startswith(b"-----BEGIN"):
            key = serialization.load_pem_private_key(data, None)
        else:
            key = serialization.load_der_private_key(data, None)
    except (ValueError, TypeError, UnsupportedAlgorithm):
        raise InputError(f"{path} is not an unencrypted PKCS#8 private key") from None
    if not isinstance(key, ec.EllipticCurvePrivateKey):
        raise InputError(f"{path} is not an EC private key")
    return key


def _read_certificate(path: Path) -> x509.Certificate:
    data = _read(path)
    try:
        if data.lstrip().startswith(b"-----BEGIN"):
            return x509.load_pem_x509_certificate(data)
        return x509.load_der_x509_certificate(data)
    except ValueError:
        raise InputError(f"{path} is not an X.509 certificate") from None


def _read_certificates(folder: Path) -> InMemoryResolver:
    if not folder.is_dir():
        raise InputError(f"{folder} is not a folder")
    try:
        resolver = InMemoryResolver.from_directory(folder)
    except (OSError, ValueError) as exc:
        raise InputError(f"cannot read certificates in {folder}: {exc}") from None
    if len(resolver) == 0:
        raise InputError(f"no PEM certificates in {folder}")
    return resolver


def _unusable(exc: Exception) -> NoReturn:
    reason = exc.reason if isinstance(exc, DuisError | SmkiError) else str(exc)
    typer.echo(f"error: {reason}", err=True)
    raise typer.Exit(UNUSABLE)
