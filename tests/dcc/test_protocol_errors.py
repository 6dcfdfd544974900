"""Errors say whose fault they are: ours (local) or the peer's (remote), as h11's do."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from dcc.duis.codes import ResponseCode
from dcc.duis.errors import DuisBuildError, DuisError, DuisSchemaError
from dcc.duis.ids import RequestID
from dcc.duis.xmldsig import sign_document
from dcc.errors import DccProtocolError, LocalProtocolError, RemoteProtocolError
from dcc.s1sp import S1spFrameError


def _certificate(key: ec.EllipticCurvePrivateKey) -> x509.Certificate:
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Z1")])
    now = datetime(2026, 1, 1, tzinfo=UTC)
    return (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(1)
        .not_valid_before(now)
        .not_valid_after(now + timedelta(days=1))
        .sign(key, hashes.SHA256())
    )


def test_a_document_the_dcc_refuses_is_remote_and_carries_a_typed_response_code() -> None:
    with pytest.raises(DuisSchemaError) as refused:
        RequestID.parse("not-a-request-id")
    assert isinstance(refused.value, RemoteProtocolError)
    assert not isinstance(refused.value, LocalProtocolError)
    assert refused.value.response_code is ResponseCode.E1000


def test_signing_with_a_key_of_another_curve_is_our_own_misuse() -> None:
    certificate = _certificate(ec.generate_private_key(ec.SECP256R1()))
    wrong_curve = ec.generate_private_key(ec.SECP384R1())
    with pytest.raises(DuisBuildError, match="signs with P-256 keys, not secp384r1") as refused:
        sign_document(b"<x/>", wrong_curve, certificate)
    assert isinstance(refused.value, LocalProtocolError)
    assert not isinstance(refused.value, RemoteProtocolError | DuisError)


def test_a_frame_the_s1sp_drops_is_the_senders_fault() -> None:
    assert issubclass(S1spFrameError, RemoteProtocolError)
    assert issubclass(LocalProtocolError, DccProtocolError)
    assert issubclass(RemoteProtocolError, DccProtocolError)
