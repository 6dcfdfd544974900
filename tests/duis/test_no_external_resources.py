"""No XML entry point opens a file or a connection a document names: the CLI and the pipeline.

Each hostile document names a FIFO or a loopback port that :mod:`tests.hostile_xml` watches;
the document must be refused with a reason and neither may be touched.
"""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from lxml import etree
from typer.testing import CliRunner

from dcc.duis import xmlparse
from dcc.duis.codes import ResponseCode
from dcc.duis.errors import DuisXmlError
from dcc.duis.request import parse_request
from dcc.duis.xmlparse import parse_xml
from sim.cli.main import app
from sim.world.testbed import T0, build_world
from tests.hostile_xml import Watch, watched

NAMES = sorted(Watch(Path("/nowhere"), 0).documents())
REASON = "DOCTYPE declarations are not allowed|XInclude is not allowed"


@pytest.mark.parametrize("name", NAMES)
def test_parsing_refuses_before_anything_is_opened(tmp_path: Path, name: str) -> None:
    with watched(tmp_path) as watch:
        for read in (parse_xml, parse_request):
            with pytest.raises(DuisXmlError, match=REASON):
                read(watch.documents()[name])
    assert watch.touched == []


@pytest.mark.parametrize("name", NAMES)
def test_the_pipeline_refuses_at_the_xml_stage(tmp_path: Path, name: str) -> None:
    world = build_world(tmp_path)
    with watched(tmp_path) as watch:
        outcome = world.dcc.submit(watch.documents()[name], T0 + timedelta(days=1))
    assert (outcome.decided_by, outcome.response_code) == ("xml", ResponseCode.E1000)
    assert watch.touched == []


@pytest.mark.parametrize("name", NAMES)
def test_the_duis_commands_refuse_with_exit_2(tmp_path: Path, name: str) -> None:
    key, cert = _signing_pair(tmp_path)
    runner = CliRunner()
    with watched(tmp_path) as watch:
        document = tmp_path / "hostile.xml"
        document.write_bytes(watch.documents()[name])
        for args in (
            ["validate", str(document)],
            ["verify", str(document), "--certs", str(tmp_path)],
            ["sign", str(document), "--key", str(key), "--cert", str(cert)],
        ):
            result = runner.invoke(app, ["duis", *args])
            assert result.exit_code == 2, (args, result.output)
            assert "not allowed" in result.output
    assert watch.touched == []


@pytest.mark.parametrize("name", ["system", "public", "parameter-entity", "network-dtd"])
def test_the_parser_alone_opens_nothing_either(tmp_path: Path, name: str) -> None:
    """The second line: were a declaration to get past the scan, the parser loads nothing."""
    with watched(tmp_path) as watch:
        etree.fromstring(watch.documents()[name], xmlparse._parser())
    assert watch.touched == []


def test_an_encoding_the_scan_cannot_read_as_libxml2_does_is_refused() -> None:
    utf7 = b'<?xml version="1.0" encoding="UTF-7"?>+ADw-!DOCTYPE r SYSTEM +ACI-x+ACI-+AD4-<r/>'
    with pytest.raises(DuisXmlError, match="encoding 'UTF-7' is not accepted"):
        parse_xml(utf7)
    with pytest.raises(DuisXmlError, match=r"encoding 'UTF-8\\x00' is not accepted"):
        parse_xml(b'<?xml version="1.0" encoding="UTF-8\x00"?><r/>')
    latin = '<?xml version="1.0" encoding="ISO-8859-1"?><r>é</r>'.encode("latin-1")
    assert parse_xml(latin).getroot().text == "é"


def test_the_scan_runs_its_pattern_whenever_the_pattern_could_match() -> None:
    """The scan skips its pattern for text holding neither "<!" nor "nclude" in some case, which
    holds only because no character outside ASCII matches those letters case-insensitively."""
    twins = re.compile("[nclude]", re.IGNORECASE)
    assert not [code for code in range(0x80, 0x110000) if twins.fullmatch(chr(code))]
    for spelling in ("XINCLUDE", "xInClUdE", "X\u0131nclude"):
        with pytest.raises(DuisXmlError, match="XInclude is not allowed"):
            parse_xml(f'<r xmlns:xi="HTTP://www.W3.org/2001/{spelling}"/>'.encode())
    with pytest.raises(DuisXmlError, match="ENTITY declarations"):
        parse_xml(b"<r><! \n entity x></r>")


def _signing_pair(folder: Path) -> tuple[Path, Path]:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "hostile-xml test")])
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(1)
        .not_valid_before(T0)
        .not_valid_after(T0 + timedelta(days=1))
        .sign(key, hashes.SHA256())
    )
    key_path, cert_path = folder / "key.pem", folder / "cert.pem"
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    cert_path.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    return key_path, cert_path
