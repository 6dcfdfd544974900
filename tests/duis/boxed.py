"""The DCC Boxed test identities in the conformance corpus, as the DUIS signature tests use them."""

from __future__ import annotations

from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import load_der_private_key

ECS02 = "templates/ECS02_1.6_IMMEDIATE_SINGLE_SUCCESS_REQUEST_DUIS.XML"
SUPPLIER_XML_SIGN = "boxed-keys/xml-sign-90B3D51F30010000-ds"
DCC_XML_SIGN = "boxed-keys/dsp-xml-sign-90B3D51F30000002-ds"


def load_pair(duis: Path, stem: str) -> tuple[ec.EllipticCurvePrivateKey, x509.Certificate]:
    """The private key and certificate at ``duis/stem.key`` and ``.pem``."""
    key = load_der_private_key((duis / f"{stem}.key").read_bytes(), None)
    assert isinstance(key, ec.EllipticCurvePrivateKey)
    return key, x509.load_pem_x509_certificate((duis / f"{stem}.pem").read_bytes())


def boxed_certificates(duis: Path) -> list[x509.Certificate]:
    """The DCC Boxed certificates and the current DSP XML-signing certificate."""
    files = [
        *(duis / "boxed-keys").glob("*.pem"),
        duis / "Z1-accessControlBroker-dSPXmlSign.cert.pem",
    ]
    pems = [path.read_bytes() for path in files]
    return [x509.load_pem_x509_certificate(pem) for pem in pems if b"CERTIFICATE" in pem]
