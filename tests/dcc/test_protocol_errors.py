"""Errors say whose fault they are: ours (local) or the peer's (remote), as h11's do."""

from __future__ import annotations

import pytest
from cryptography.hazmat.primitives.asymmetric import ec

from dcc.duis.codes import ResponseCode
from dcc.duis.errors import DuisBuildError, DuisError, DuisSchemaError
from dcc.duis.ids import RequestID
from dcc.duis.xmldsig import sign_document
from dcc.errors import DccProtocolError, LocalProtocolError, RemoteProtocolError
from dcc.s1sp import S1spFrameError
from dcc.smki.authority import SmkiAuthority
from dcc.smki.errors import (
    CrlError,
    SmkiError,
    SmkiInputError,
    SmkiProfileError,
    SubscriptionRefused,
)
from dcc.smki.roles import RemotePartyRole


def test_a_document_the_dcc_refuses_is_remote_and_carries_a_typed_response_code() -> None:
    with pytest.raises(DuisSchemaError) as refused:
        RequestID.parse("not-a-request-id")
    assert isinstance(refused.value, RemoteProtocolError)
    assert not isinstance(refused.value, LocalProtocolError)
    assert refused.value.response_code is ResponseCode.E1000


def test_signing_with_a_key_of_another_curve_is_our_own_misuse() -> None:
    certificate = SmkiAuthority.from_seed(b"protocol errors").root.certificate
    wrong_curve = ec.generate_private_key(ec.SECP384R1())
    with pytest.raises(DuisBuildError, match="signs with P-256 keys, not secp384r1") as refused:
        sign_document(b"<x/>", wrong_curve, certificate)
    assert isinstance(refused.value, LocalProtocolError)
    assert not isinstance(refused.value, RemoteProtocolError | DuisError)


def test_smki_input_is_ours_and_what_a_peer_presents_is_theirs() -> None:
    with pytest.raises(SmkiInputError) as refused:
        RemotePartyRole.parse("no such role")
    assert isinstance(refused.value, LocalProtocolError)
    assert not isinstance(refused.value, RemoteProtocolError)
    for presented in (SmkiProfileError, CrlError, SubscriptionRefused):
        assert issubclass(presented, RemoteProtocolError)
        assert issubclass(presented, SmkiError)


def test_a_frame_the_s1sp_drops_is_the_senders_fault() -> None:
    assert issubclass(S1spFrameError, RemoteProtocolError)
    assert issubclass(LocalProtocolError, DccProtocolError)
    assert issubclass(RemoteProtocolError, DccProtocolError)
