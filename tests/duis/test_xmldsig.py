"""The DCC XML-signature profile: real DCC Boxed signatures, our signer, and every refusal."""

from __future__ import annotations

import base64
import copy
import hashlib
import re
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature
from lxml import etree
from signxml import DigestAlgorithm, SignatureConfiguration, SignatureMethod, XMLVerifier
from typer.testing import CliRunner

from dcc.duis import elements
from dcc.duis.errors import DuisBuildError, DuisXmlError
from dcc.duis.xmldsig import (
    DCC_SIGNING_ROLES,
    RESPONSE_CODES,
    InMemoryResolver,
    SignatureCheck,
    SignatureRejected,
    _signature_element,
    sign_document,
    verify_document,
)
from dcc.duis.xmldsig_profile import SIGNATURE_SHAPE, match, render
from dcc.duis.xmlparse import parse_xml
from dcc.smki.errors import CrlError
from dcc.smki.roles import RemotePartyRole
from sim.cli.duis import app
from tests.duis.boxed import ECS02, SUPPLIER_XML_SIGN, boxed_certificates, load_pair

AT = datetime(2026, 1, 15, tzinfo=UTC)  # the xmlSign and current DSP certificates are in date
DCC = bytes.fromhex("90B3D51F30000002")
SUPPLIER = bytes.fromhex("90B3D51F30010000")
DS = f"{{{elements.DS}}}"  # Clark-notation prefixes
SR = f"{{{elements.SR}}}"


@pytest.fixture(scope="module")
def certificates(duis: Path) -> list[x509.Certificate]:
    return boxed_certificates(duis)


@pytest.fixture(scope="module")
def resolver(certificates: list[x509.Certificate]) -> InMemoryResolver:
    return InMemoryResolver(certificates)


@pytest.fixture(scope="module")
def template(duis: Path) -> bytes:
    return (duis / ECS02).read_bytes()


@pytest.fixture(scope="module")
def signed(duis: Path, template: bytes) -> bytes:
    return sign_document(template, *load_pair(duis, SUPPLIER_XML_SIGN))


def rejected(data: bytes, resolver: InMemoryResolver, **options) -> SignatureRejected:
    with pytest.raises(SignatureRejected) as caught:
        verify_document(data, resolver, **({"at": AT} | options))
    assert caught.value.response_code == RESPONSE_CODES[caught.value.check]
    return caught.value


def edit(data: bytes, change: Callable[[etree._Element], object]) -> bytes:
    root = etree.fromstring(data)
    change(root)
    return etree.tostring(root)


def digest_without_signature(data: bytes) -> str:
    """The Reference digest, computed apart from the code under test: the Signature is cut out
    of the bytes, so the text around it stays, then inclusive C14N 1.0 without comments."""
    cut = re.sub(rb"<ds:Signature[ >].*</ds:Signature>", b"", data, flags=re.DOTALL)
    canonical = etree.tostring(
        etree.fromstring(cut).getroottree(), method="c14n", exclusive=False, with_comments=False
    )
    return base64.b64encode(hashlib.sha256(canonical).digest()).decode()


# --- real DCC Boxed signatures -------------------------------------------------------------


@pytest.mark.parametrize(
    "name", ["read-inventory-response-5.4.signed.xml", "readfw-response-5.4.signed.xml"]
)
def test_real_dcc_responses_verify(duis: Path, resolver: InMemoryResolver, name: str) -> None:
    verified = verify_document(
        (duis / name).read_bytes(),
        resolver,
        at=AT,
        expected_signer=DCC,
        allowed_roles=DCC_SIGNING_ROLES,
    )
    assert verified.info.role is RemotePartyRole.DSP_XML_SIGN
    assert verified.certificate.serial_number == 0x0F4889EF197D41E9016966F9D5AB0402


def test_message_xml_verifies_in_2022_signed_with_the_acb_certificate(
    duis: Path, resolver: InMemoryResolver
) -> None:
    # DCC Boxed signed its 2022 responses with the ACB DS certificate (role 04), not dspXmlSign.
    verified = verify_document(
        (duis / "message.xml").read_bytes(),
        resolver,
        at=datetime(2022, 6, 16, 17, tzinfo=UTC),
        expected_signer=DCC,
        allowed_roles={RemotePartyRole.ACCESS_CONTROL_BROKER},
    )
    assert verified.certificate.serial_number == 0x587FE59553E2675B0C0E2A5C402A9F61
    later = rejected((duis / "message.xml").read_bytes(), resolver, expected_signer=DCC)
    assert later.check is SignatureCheck.VALIDITY
    assert "expired" in later.reason


def test_bad_signature_sample_is_rejected(duis: Path, resolver: InMemoryResolver) -> None:
    error = rejected(
        (duis / "readfw-response-badsignature.xml").read_bytes(),
        resolver,
        at=datetime(2022, 8, 17, 16, tzinfo=UTC),
        expected_signer=DCC,
        allowed_roles=DCC_SIGNING_ROLES,
    )
    assert error.check is SignatureCheck.SIGNATURE
    assert error.response_code == "E1000"


def test_unsigned_acknowledgement_only_when_allowed(duis: Path, resolver: InMemoryResolver) -> None:
    data = (duis / "acknowledgement-error-E65.xml").read_bytes()
    assert verify_document(data, resolver, at=AT, allow_unsigned=True) is None
    error = rejected(data, resolver)
    assert error.check is SignatureCheck.PRESENT


# --- signing ------------------------------------------------------------------------------


def test_signed_template_verifies(signed: bytes, resolver: InMemoryResolver) -> None:
    verified = verify_document(signed, resolver, at=AT)
    assert verified.info.eui64 == SUPPLIER
    assert verified.info.role is RemotePartyRole.XML_SIGN


def test_a_parsed_tree_is_verified_in_place(signed: bytes, resolver: InMemoryResolver) -> None:
    tree = parse_xml(signed)
    verified = verify_document(tree, resolver, at=AT)
    assert verified.document is tree
    assert etree.tostring(tree, xml_declaration=True, encoding="UTF-8") == signed


def test_signxml_accepts_our_signature(duis: Path, signed: bytes) -> None:
    result = XMLVerifier().verify(
        signed,
        x509_cert=(duis / f"{SUPPLIER_XML_SIGN}.pem").read_text(),
        expect_config=SignatureConfiguration(
            require_x509=False,
            signature_methods=frozenset({SignatureMethod.ECDSA_SHA256}),
            digest_algorithms=frozenset({DigestAlgorithm.SHA256}),
        ),
    )
    assert result.signed_xml is not None


def test_signature_is_in_the_dcc_profile(signed: bytes) -> None:
    root = etree.fromstring(signed)
    signature = root[-1]
    assert signature.tag == f"{DS}Signature" and signature.prefix == "ds"
    reference = signature.find(f"{DS}SignedInfo/{DS}Reference")
    assert reference.get("URI") == ""
    assert [t.get("Algorithm") for t in reference.iter(f"{DS}Transform")] == [
        "http://www.w3.org/2000/09/xmldsig#enveloped-signature"
    ]
    assert signature.findtext(f".//{DS}DigestValue") == digest_without_signature(signed)
    assert len(base64.b64decode(signature.findtext(f"{DS}SignatureValue"))) == 64
    assert signature.findtext(f".//{DS}X509IssuerName") == "CN=Z1,OU=07"  # as Java writes it
    assert (
        signature.findtext(f".//{DS}X509SerialNumber") == "27572613927499351639968579586655397031"
    )
    assert [child.tag for child in signature.find(f"{DS}KeyInfo/{DS}X509Data")] == [
        f"{DS}X509IssuerSerial"
    ]


def test_signing_is_deterministic_and_replaces_the_old_signature(
    duis: Path, template: bytes, signed: bytes
) -> None:
    key, certificate = load_pair(duis, SUPPLIER_XML_SIGN)
    assert sign_document(template, key, certificate) == signed
    assert sign_document(signed, key, certificate) == signed
    assert signed.count(b"Signature>") == 2  # one element: its start and end tags
    assert signed.count(b"\n") == 1  # as DCC Boxed: the declaration, then one line


def test_signing_an_element_leaves_it_alone(duis: Path, template: bytes, signed: bytes) -> None:
    root = etree.fromstring(template)
    before = etree.tostring(root)
    assert etree.fromstring(sign_document(root, *load_pair(duis, SUPPLIER_XML_SIGN))) is not None
    assert etree.tostring(root) == before


def test_signing_refuses_a_key_that_is_not_the_certificates(duis: Path, template: bytes) -> None:
    key, _ = load_pair(duis, "boxed-keys/xml-sign-90B3D51F30020000-ds")
    _, certificate = load_pair(duis, SUPPLIER_XML_SIGN)
    with pytest.raises(DuisBuildError, match="does not belong"):
        sign_document(template, key, certificate)


def test_equivalent_serialisation_still_verifies(signed: bytes, resolver: InMemoryResolver) -> None:
    # C14N makes these the same document: empty-element form and the issuer's spacing.
    same = signed.replace(b"<sr:Credit/>", b"<sr:Credit></sr:Credit>").replace(
        b"CN=Z1,OU=07", b"CN=Z1, OU=07"
    )
    assert verify_document(same, resolver, at=AT).info.eui64 == SUPPLIER


# --- refusals -----------------------------------------------------------------------------


def test_tampered_body_breaks_the_digest(signed: bytes, resolver: InMemoryResolver) -> None:
    prepayment = (
        b"<sr:Prepayment><sr:SuspendDebtDisabled>true</sr:SuspendDebtDisabled></sr:Prepayment>"
    )
    error = rejected(signed.replace(b"<sr:Credit/>", prepayment), resolver)
    assert error.check is SignatureCheck.DIGEST


def test_tampered_signed_info_breaks_the_signature(
    signed: bytes, resolver: InMemoryResolver
) -> None:
    # The attacker changes the body and fixes up DigestValue: SignedInfo no longer matches.
    tampered = signed.replace(b":1002<", b":1003<")
    old = re.search(rb"<ds:DigestValue>(.*?)</ds:DigestValue>", signed).group(1)
    tampered = tampered.replace(old, digest_without_signature(tampered).encode())
    error = rejected(tampered, resolver)
    assert error.check is SignatureCheck.SIGNATURE


def test_wrong_key_breaks_the_signature(
    duis: Path, template: bytes, signed: bytes, resolver: InMemoryResolver
) -> None:
    other = sign_document(template, *load_pair(duis, "boxed-keys/xml-sign-90B3D51F30020000-ds"))
    serial = re.compile(rb"<ds:X509SerialNumber>\d+</ds:X509SerialNumber>")
    forged = serial.sub(serial.search(signed).group(0), other)  # claim the supplier's certificate
    assert rejected(forged, resolver).check is SignatureCheck.SIGNATURE


@pytest.mark.parametrize(
    "old, new",
    [
        (b"<ds:X509SerialNumber>2757", b"<ds:X509SerialNumber>1757"),
        (b"CN=Z1,OU=07", b"CN=Z9,OU=07"),
    ],
    ids=["serial", "issuer"],
)
def test_unknown_certificate(
    signed: bytes, resolver: InMemoryResolver, old: bytes, new: bytes
) -> None:
    error = rejected(signed.replace(old, new), resolver)
    assert error.check is SignatureCheck.CERTIFICATE
    assert error.response_code == "E1"


@pytest.mark.parametrize(
    "at, words",
    [(datetime(2119, 1, 1, tzinfo=UTC), "expired"), (datetime(2017, 1, 1, tzinfo=UTC), "until")],
)
def test_certificate_out_of_date(
    signed: bytes, resolver: InMemoryResolver, at: datetime, words: str
) -> None:
    error = rejected(signed, resolver, at=at)
    assert error.check is SignatureCheck.VALIDITY
    assert words in error.reason


def test_revoked_certificate(signed: bytes, certificates: list[x509.Certificate]) -> None:
    class Revoking(InMemoryResolver):
        def is_revoked(self, cert: x509.Certificate, at: datetime) -> bool:
            return cert.serial_number == 27572613927499351639968579586655397031

    error = rejected(signed, Revoking(certificates))
    assert error.check is SignatureCheck.REVOCATION


def test_unknown_revocation_status_fails_closed(
    signed: bytes, certificates: list[x509.Certificate]
) -> None:
    class NoCrl(InMemoryResolver):
        def is_revoked(self, cert: x509.Certificate, at: datetime) -> bool:
            raise CrlError("no CRL for issuer CN=Z1,OU=07")

    error = rejected(signed, NoCrl(certificates))
    assert error.check is SignatureCheck.REVOCATION
    assert "no CRL" in error.reason


def test_supplier_ds_certificate_is_not_an_xml_signing_certificate(
    duis: Path, template: bytes, resolver: InMemoryResolver
) -> None:
    data = sign_document(template, *load_pair(duis, "boxed-keys/Z1-supplier-ds"))
    error = rejected(data, resolver, at=datetime(2020, 1, 1, tzinfo=UTC))
    assert error.check is SignatureCheck.ROLE
    assert "supplier (02)" in error.reason and "xmlSign (87)" in error.reason


def test_signer_must_be_the_request_originator(
    duis: Path, template: bytes, signed: bytes, resolver: InMemoryResolver
) -> None:
    other = sign_document(template, *load_pair(duis, "boxed-keys/xml-sign-90B3D51F30020000-ds"))
    error = rejected(other, resolver)
    assert error.check is SignatureCheck.SIGNER
    assert "90-B3-D5-1F-30-02-00-00" in error.reason
    assert rejected(signed, resolver, expected_signer=DCC).check is SignatureCheck.SIGNER


def _duplicate_signature(root: etree._Element) -> None:
    root.append(copy.deepcopy(root[-1]))


def _signature_into_body(root: etree._Element) -> None:
    root.find(f"{SR}Body").append(root[-1])


def _second_body(root: etree._Element) -> None:
    root.insert(1, copy.deepcopy(root.find(f"{SR}Body")))


def _body_inside_signature(root: etree._Element) -> None:
    root[-1].append(copy.deepcopy(root.find(f"{SR}Body")))


def _reference_uri(root: etree._Element) -> None:
    root.find(f".//{DS}Reference").set("URI", "#x")


def _extra_transform(root: etree._Element) -> None:
    transforms = root.find(f".//{DS}Transforms")
    extra = etree.SubElement(transforms, f"{DS}Transform")
    extra.set("Algorithm", "http://www.w3.org/2001/10/xml-exc-c14n#")


def _sha1_digest(root: etree._Element) -> None:
    root.find(f".//{DS}DigestMethod").set("Algorithm", "http://www.w3.org/2000/09/xmldsig#sha1")


def _der_value(root: etree._Element) -> None:
    value = root.find(f".//{DS}SignatureValue")
    raw = base64.b64decode(value.text)
    der = encode_dss_signature(int.from_bytes(raw[:32], "big"), int.from_bytes(raw[32:], "big"))
    value.text = base64.b64encode(der).decode()


def _embedded_certificate(root: etree._Element) -> None:
    etree.SubElement(root.find(f".//{DS}X509Data"), f"{DS}X509Certificate").text = "AAAA"


def _text_in_transforms(root: etree._Element) -> None:
    root.find(f".//{DS}Transforms").text = "ignored?"


def _comment_after_signature(root: etree._Element) -> None:
    root.append(etree.Comment("after"))


def _digest_outside_ascii(root: etree._Element) -> None:
    value = root.find(f".//{DS}DigestValue")
    value.text = value.text[:-2] + "\u00e9="


PROFILE_CASES = [
    (_duplicate_signature, "2 ds:Signature elements"),
    (_signature_into_body, "ds:Signature is inside sr:Body"),
    (
        _second_body,
        "must contain exactly sr:Header, sr:Body, ds:Signature; found sr:Header, sr:Body, sr:Body",
    ),
    (
        _body_inside_signature,
        "ds:Signature must contain exactly ds:SignedInfo, "
        "ds:SignatureValue, ds:KeyInfo; found ds:SignedInfo, ds:SignatureValue, ds:KeyInfo, "
        "sr:Body",
    ),
    (_reference_uri, 'ds:Reference must have URI="", found URI="#x"'),
    (
        _extra_transform,
        "ds:Transforms must contain exactly ds:Transform; found ds:Transform, ds:Transform",
    ),
    (_sha1_digest, 'ds:DigestMethod must have Algorithm="http://www.w3.org/2001/04/xmlenc#'),
    (_der_value, "DER-encoded"),
    (_embedded_certificate, "ds:X509Data must contain exactly ds:X509IssuerSerial"),
    (_text_in_transforms, "ds:Transforms must not contain text"),
    (_comment_after_signature, "last child of the root"),
    (_digest_outside_ascii, "ds:DigestValue is not base64"),
]


@pytest.mark.parametrize(
    "change, reason",
    [pytest.param(change, reason, id=change.__name__[1:]) for change, reason in PROFILE_CASES],
)
def test_outside_the_profile(
    signed: bytes, resolver: InMemoryResolver, change: Callable, reason: str
) -> None:
    error = rejected(edit(signed, change), resolver)
    assert error.check is SignatureCheck.PROFILE
    assert reason in error.reason
    assert error.response_code == "E1000"


def test_unsigned_request(template: bytes, resolver: InMemoryResolver) -> None:
    unsigned = edit(template, lambda root: root.remove(root[-1]))
    assert rejected(unsigned, resolver).check is SignatureCheck.PRESENT


def test_malformed_xml_is_not_a_signature_failure(resolver: InMemoryResolver) -> None:
    with pytest.raises(DuisXmlError):
        verify_document(b"<sr:Request", resolver, at=AT)


# --- command line -------------------------------------------------------------------------


runner = CliRunner()


def test_cli_sign_then_verify(duis: Path, tmp_path: Path, signed: bytes) -> None:
    out = tmp_path / "signed.xml"
    stem = duis / SUPPLIER_XML_SIGN
    result = runner.invoke(
        app,
        [
            "sign",
            "--key",
            f"{stem}.key",
            "--cert",
            f"{stem}.pem",
            str(duis / ECS02),
            "-o",
            str(out),
        ],
    )
    assert result.exit_code == 0, result.output
    assert out.read_bytes() == signed
    result = runner.invoke(
        app, ["sign", "--key", f"{stem}.key", "--cert", f"{stem}.pem", str(duis / ECS02)]
    )
    assert result.stdout_bytes == signed
    result = runner.invoke(
        app, ["verify", "--certs", str(duis / "boxed-keys"), "--at", AT.isoformat(), str(out)]
    )
    assert result.exit_code == 0, result.output
    assert "valid: signed by 90-B3-D5-1F-30-01-00-00 as xmlSign (87)" in result.output


def test_cli_verifies_a_dcc_response_with_response_defaults(duis: Path) -> None:
    # duis/ holds the current DSP certificate; a Response needs dspXmlSign and the DCC's EUI-64.
    name = "read-inventory-response-5.4.signed.xml"
    result = runner.invoke(app, ["verify", "--certs", str(duis), str(duis / name)])
    assert result.exit_code == 0, result.output


def test_cli_invalid_signature_exits_1(duis: Path) -> None:
    name = "readfw-response-badsignature.xml"
    result = runner.invoke(
        app,
        [
            "verify",
            "--certs",
            str(duis / "boxed-keys"),
            "--at",
            "2022-08-17T16:00:00Z",
            str(duis / name),
        ],
    )
    assert result.exit_code == 1
    assert "invalid (signature, E1000)" in result.output


def test_cli_role_option(duis: Path) -> None:
    arguments = ["verify", "--certs", str(duis / "boxed-keys"), "--at", "2022-06-16T17:00:00Z"]
    message = str(duis / "message.xml")
    assert runner.invoke(app, [*arguments, message]).exit_code == 1
    result = runner.invoke(app, [*arguments, "--role", "accessControlBroker", message])
    assert result.exit_code == 0, result.output


@pytest.mark.parametrize(
    "arguments",
    [
        ["verify", "--certs", "{boxed}", "{tmp}/missing.xml"],
        ["verify", "--certs", "{boxed}", "{tmp}/malformed.xml"],
        ["verify", "--certs", "{tmp}/none", "{signed}"],
        ["verify", "--certs", "{tmp}", "{signed}"],
        ["verify", "--certs", "{boxed}", "--at", "2026-01-15T00:00:00", "{signed}"],
        ["verify", "--certs", "{boxed}", "--role", "nobody", "{signed}"],
        ["sign", "--key", "{signed}", "--cert", "{boxed}/Z1-supplier-ds.pem", "{signed}"],
        ["sign", "--key", "{boxed}/Z1-supplier-ds.key", "--cert", "{signed}", "{signed}"],
    ],
    ids=[
        "unreadable",
        "malformed",
        "no-folder",
        "no-certificates",
        "naive-time",
        "unknown-role",
        "bad-key",
        "bad-cert",
    ],
)
def test_cli_unusable_input_exits_2(
    duis: Path, tmp_path: Path, signed: bytes, arguments: list[str]
) -> None:
    (tmp_path / "malformed.xml").write_bytes(b"<sr:Request>")
    (tmp_path / "signed.xml").write_bytes(signed)
    paths = {
        "boxed": str(duis / "boxed-keys"),
        "tmp": str(tmp_path),
        "signed": str(tmp_path / "signed.xml"),
    }
    result = runner.invoke(app, [argument.format(**paths) for argument in arguments])
    assert result.exit_code == 2, result.output
    assert "error:" in result.output


def test_a_signature_is_the_element_its_rendered_markup_parses_to() -> None:
    """The signer copies a parsed template instead of parsing each signature; both must give
    the same element, escapes included."""
    values = {
        "DigestValue": "digest",
        "SignatureValue": "value",
        "X509IssuerName": 'CN=A&B <"x">\r',
        "X509SerialNumber": "12",
    }
    parsed = etree.fromstring(render(SIGNATURE_SHAPE, values))
    assert etree.tostring(_signature_element(values)) == etree.tostring(parsed)


def test_a_refused_key_is_refused_again_after_the_right_one_signed(
    duis: Path, template: bytes
) -> None:
    right, certificate = load_pair(duis, SUPPLIER_XML_SIGN)
    wrong, _ = load_pair(duis, "boxed-keys/xml-sign-90B3D51F30020000-ds")
    sign_document(template, right, certificate)
    for _ in range(2):
        with pytest.raises(DuisBuildError, match="does not belong"):
            sign_document(template, wrong, certificate)


def test_a_comment_inside_a_value_is_outside_the_profile(
    signed: bytes, resolver: InMemoryResolver
) -> None:
    """Canonicalisation drops the comment, so the value reads the same: refused all the same."""

    def split_serial(root: etree._Element) -> None:
        serial = root.find(f".//{DS}X509SerialNumber")
        text = serial.text
        serial.text = text[:2]
        serial.append(etree.Comment("x"))
        serial[-1].tail = text[2:]

    error = rejected(edit(signed, split_serial), resolver)
    assert error.check is SignatureCheck.PROFILE
    assert "ds:X509SerialNumber must hold only text" in error.reason


def test_the_profile_reads_the_same_values_from_any_spelling_of_the_signature(
    signed: bytes,
) -> None:
    """Exactly as rendered, a comment between its elements, or another prefix: one reading."""
    signature = parse_xml(signed).getroot()[-1]
    values = match(SIGNATURE_SHAPE, signature)
    commented = copy.deepcopy(signature)
    commented[0].addprevious(etree.Comment("c"))
    markup = etree.tostring(signature).decode().replace("ds:", "dsig:").replace(":ds=", ":dsig=")
    assert match(SIGNATURE_SHAPE, commented) == values
    assert match(SIGNATURE_SHAPE, etree.fromstring(markup)) == values
    assert values["X509SerialNumber"].isdigit() and values["X509IssuerName"].startswith("CN=")
