"""A Request handed over with its signed bytes is taken in place of reading them only when it is
exactly what the verified signature covers: then it is the Request reading gives, signature and
all; any other is left aside."""

from __future__ import annotations

import dataclasses
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from dcc.duis.ids import RequestID
from dcc.duis.request import (
    CommandVariant,
    Credit,
    Prepayment,
    Request,
    RequestHeader,
    UpdatePaymentMode,
    read_request,
)
from dcc.duis.signed_document import verified_request
from dcc.duis.writing import signed_bytes
from dcc.duis.xmldsig import InMemoryResolver, VerifiedSignature, verify_document
from tests.duis.boxed import SUPPLIER_XML_SIGN, boxed_certificates, load_pair
from tests.duis.test_markup import AT, BUILT_AS_TREE, RID, USER, WRITTEN_AS_TEXT, _request

REQUESTS = {name: doc for name, doc in WRITTEN_AS_TEXT.items() if isinstance(doc, Request)} | {
    "execution an hour east of UTC": _request(
        CommandVariant.TRANSFORM,
        UpdatePaymentMode(Credit(), AT.astimezone(timezone(timedelta(hours=1)))),
    ),
    "execution without a zone": _request(
        CommandVariant.TRANSFORM,
        UpdatePaymentMode(Prepayment(False, True, 7), datetime(2026, 3, 1, 12, 0, 0, 5)),
    ),
    "preceding request": Request(
        RequestHeader(
            RID, CommandVariant.TRANSFORM, "1.6", "1.6", False, RequestID(USER, RID.target, 3)
        ),
        UpdatePaymentMode(Credit()),
    ),
}


def _verified(duis: Path, request: Request) -> VerifiedSignature:
    key, certificate = load_pair(duis, SUPPLIER_XML_SIGN)
    resolver = InMemoryResolver(boxed_certificates(duis))
    return verify_document(signed_bytes(request, key, certificate), resolver, at=AT)


@pytest.mark.parametrize("name", list(REQUESTS))
def test_the_request_taken_is_the_one_reading_gives(duis: Path, name: str) -> None:
    request = REQUESTS[name]
    verified = _verified(duis, request)
    taken = verified_request(request, verified)
    read = read_request(verified.document)
    assert taken == read
    assert taken is not None and read.signature is not None
    assert taken.signature == read.signature  # the Signature's exclusive C14N, byte for byte
    assert taken.header is request.header  # nothing was read


def test_the_text_is_written_once_for_signer_and_dcc(duis: Path) -> None:
    request = _request(CommandVariant.TRANSFORM, UpdatePaymentMode(Credit()))
    verified = _verified(duis, request)
    assert request.markup() is request.markup()
    assert verified.canonical == request.markup().canonical  # type: ignore[union-attr]


@pytest.mark.parametrize(
    "other",
    [
        _request(CommandVariant.TRANSFORM, UpdatePaymentMode(Prepayment(True, True, 0))),
        _request(CommandVariant.SEND_COMMAND, UpdatePaymentMode(Credit())),
        Request(
            RequestHeader(RequestID(USER, RID.target, 8), CommandVariant.TRANSFORM, "1.6", "1.6"),
            UpdatePaymentMode(Credit()),
        ),
        dataclasses.replace(
            _request(CommandVariant.TRANSFORM, UpdatePaymentMode(Credit())), schema_version="5.5"
        ),
    ],
    ids=["another body", "another variant", "another counter", "another schema version"],
)
def test_a_request_other_than_the_one_signed_is_not_taken(duis: Path, other: Request) -> None:
    verified = _verified(duis, _request(CommandVariant.TRANSFORM, UpdatePaymentMode(Credit())))
    assert verified_request(other, verified) is None


def test_a_request_the_text_writer_leaves_to_the_tree_is_read(duis: Path) -> None:
    request = BUILT_AS_TREE["a body built by its own code"]
    assert isinstance(request, Request)
    assert verified_request(request, _verified(duis, request)) is None


def test_a_request_carrying_a_signature_is_not_taken(duis: Path) -> None:
    request = _request(CommandVariant.TRANSFORM, UpdatePaymentMode(Credit()))
    verified = _verified(duis, request)
    read = read_request(verified.document)
    assert verified_request(read, verified) is None
