"""DUIS signatures checked against the SMKI repository: an SRP's xmlSign certificate in the
SolrContingency role is accepted until it is revoked, and only for its own EUI-64."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from cryptography import x509

from dcc.duis.errors import DuisBuildError
from dcc.duis.xmldsig import SignatureCheck, SignatureRejected, sign_document, verify_document
from dcc.smki.authority import SmkiAuthority, org_key_from_seed
from dcc.smki.repository import SmkiRepository
from dcc.smki.roles import KeyUsage, RemotePartyRole
from dcc.smki.subscription import SOLR_CONTINGENCY, Subscriptions
from dcc.users import User, UserRole, Users

SRP = bytes.fromhex("90B3D51F300A0000")
SUBSCRIBED = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
REQUEST = (
    b'<sr:Request xmlns:sr="http://www.dccinterface.co.uk/ServiceUserGateway" '
    b'schemaVersion="5.4"><sr:Header>'
    b"<sr:RequestID>90-B3-D5-1F-30-0A-00-00:00-DB-12-34-56-78-90-A0:1</sr:RequestID>"
    b"<sr:CommandVariant>4</sr:CommandVariant><sr:ServiceReference>1.6</sr:ServiceReference>"
    b"<sr:ServiceReferenceVariant>1.6</sr:ServiceReferenceVariant></sr:Header>"
    b"<sr:Body><sr:UpdatePaymentMode><sr:Credit/></sr:UpdatePaymentMode></sr:Body></sr:Request>"
)


@pytest.fixture
def repository() -> SmkiRepository:
    return SmkiRepository(SmkiAuthority.from_seed(b"tests/duis/smki"))


def _subscribe(repository: SmkiRepository, eui64: bytes = SRP):
    key = org_key_from_seed(b"srp", eui64, RemotePartyRole.XML_SIGN, KeyUsage.DIGITAL_SIGNING)
    users = Users()
    users.register(User(eui64, "Shared Resource Provider", UserRole.SOLR_CONTINGENCY))
    record = Subscriptions(repository, users).subscribe(
        "Shared Resource Provider",
        SOLR_CONTINGENCY,
        eui64,
        RemotePartyRole.XML_SIGN,
        KeyUsage.DIGITAL_SIGNING,
        key.public_key(),
        SUBSCRIBED,
    )
    return key, record


def test_signed_request_verifies_through_the_repository(repository: SmkiRepository) -> None:
    key, record = _subscribe(repository)
    signed = sign_document(REQUEST, key, record.certificate)
    verified = verify_document(signed, repository, at=SUBSCRIBED + timedelta(days=1))
    assert verified.info.eui64 == SRP
    assert verified.info.role is RemotePartyRole.XML_SIGN


def test_revoked_certificate_is_refused_from_revocation_on(repository: SmkiRepository) -> None:
    key, record = _subscribe(repository)
    signed = sign_document(REQUEST, key, record.certificate)
    revoked_at = SUBSCRIBED + timedelta(days=2)
    repository.revoke(record, x509.ReasonFlags.key_compromise, revoked_at)
    verify_document(signed, repository, at=revoked_at - timedelta(seconds=1))
    with pytest.raises(SignatureRejected) as refused:
        verify_document(signed, repository, at=revoked_at + timedelta(seconds=1))
    assert refused.value.check is SignatureCheck.REVOCATION


def test_another_partys_certificate_cannot_sign_for_the_srp(repository: SmkiRepository) -> None:
    key, record = _subscribe(repository, bytes.fromhex("90B3D51F300B0000"))
    signed = sign_document(REQUEST, key, record.certificate)
    with pytest.raises(SignatureRejected) as refused:
        verify_document(signed, repository, at=SUBSCRIBED + timedelta(days=1))
    assert refused.value.check is SignatureCheck.SIGNER


def test_certificate_unknown_to_the_repository_is_refused(repository: SmkiRepository) -> None:
    other = SmkiRepository(SmkiAuthority.from_seed(b"another PKI"))
    key, record = _subscribe(other)
    signed = sign_document(REQUEST, key, record.certificate)
    with pytest.raises(SignatureRejected) as refused:
        verify_document(signed, repository, at=SUBSCRIBED + timedelta(days=1))
    assert refused.value.check is SignatureCheck.CERTIFICATE


def test_a_certificate_verified_before_its_revocation_is_refused_after_it(
    repository: SmkiRepository,
) -> None:
    """Everything a check keeps (the certificate's profile and key, its issuer's CRL entries)
    is kept from a first check; a revocation after it must still refuse the next one."""
    key, record = _subscribe(repository)
    signed = sign_document(REQUEST, key, record.certificate)
    later = SUBSCRIBED + timedelta(days=1)
    for _ in range(2):
        verify_document(signed, repository, at=later)
    repository.revoke(record, x509.ReasonFlags.key_compromise, later)
    with pytest.raises(SignatureRejected) as refused:
        verify_document(signed, repository, at=later + timedelta(seconds=1))
    assert refused.value.check is SignatureCheck.REVOCATION


def test_a_new_key_after_a_revocation_verifies_and_the_old_one_stays_refused(
    repository: SmkiRepository,
) -> None:
    old_key, old = _subscribe(repository)
    old_signed = sign_document(REQUEST, old_key, old.certificate)
    later = SUBSCRIBED + timedelta(days=1)
    verify_document(old_signed, repository, at=later)
    repository.revoke(old, x509.ReasonFlags.key_compromise, later)
    new_key = org_key_from_seed(b"srp-2", SRP, RemotePartyRole.XML_SIGN, KeyUsage.DIGITAL_SIGNING)
    new = repository.authority.issue_organisation_certificate(
        SRP,
        RemotePartyRole.XML_SIGN,
        KeyUsage.DIGITAL_SIGNING,
        new_key.public_key(),
        not_before=later,
    )
    record = repository.add(new, at=later)
    assert (
        verify_document(
            sign_document(REQUEST, new_key, record.certificate), repository, at=later
        ).certificate
        == record.certificate
    )
    with pytest.raises(SignatureRejected) as refused:
        verify_document(old_signed, repository, at=later + timedelta(seconds=1))
    assert refused.value.check is SignatureCheck.REVOCATION
    with pytest.raises(DuisBuildError, match="does not belong"):
        sign_document(REQUEST, old_key, record.certificate)
