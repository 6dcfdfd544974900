"""The SMKI repository: lookups, statuses, revocation through signed CRLs, the R6.3-R6.5
history query, and saving to / loading from a folder."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.x509.oid import NameOID

from dcc.smki.authority import SmkiAuthority, org_key_from_seed
from dcc.smki.errors import CrlError, RepositoryError, SmkiProfileError
from dcc.smki.profile import org_subject
from dcc.smki.repository import CertificateRecord, CertificateStatus, SmkiRepository
from dcc.smki.roles import KeyUsage, RemotePartyRole

SUPPLIER = bytes.fromhex("90B3D51F30010000")
OTHER_SUPPLIER = bytes.fromhex("90B3D51F30030000")
NEVER = bytes.fromhex("90B3D51F300A0000")
METER = bytes.fromhex("00DB1234567890A0")
DS, KA = KeyUsage.DIGITAL_SIGNING, KeyUsage.KEY_AGREEMENT
SUPPLIER_ROLE, XML_SIGN = RemotePartyRole.SUPPLIER, RemotePartyRole.XML_SIGN
T0 = datetime(2026, 1, 1, tzinfo=UTC)
T1 = datetime(2026, 2, 1, tzinfo=UTC)
T2 = datetime(2026, 3, 1, tzinfo=UTC)
CESSATION = x509.ReasonFlags.cessation_of_operation


def _issue(
    repository: SmkiRepository,
    eui: bytes = SUPPLIER,
    role: RemotePartyRole = SUPPLIER_ROLE,
    usage: KeyUsage = DS,
    at: datetime = T0,
) -> CertificateRecord:
    key = org_key_from_seed(b"repository", eui, role, usage)
    certificate = repository.authority.issue_organisation_certificate(
        eui, role, usage, key.public_key(), not_before=at
    )
    return repository.add(certificate, at=at, user_role="IS", party="Supplier A")


# --- lookups -----------------------------------------------------------------------------------


def test_add_records_an_in_use_certificate(repository: SmkiRepository) -> None:
    record = _issue(repository)
    assert (record.eui64, record.role, record.key_usage) == (SUPPLIER, SUPPLIER_ROLE, DS)
    assert (record.user_role, record.party, record.recorded_at) == ("IS", "Supplier A", T0)
    assert record.status is CertificateStatus.IN_USE and not record.external
    assert repository.records == (record,)


def test_find_by_eui_role_and_usage(repository: SmkiRepository) -> None:
    ds, ka = _issue(repository, usage=DS), _issue(repository, usage=KA)
    xml = _issue(repository, role=XML_SIGN)
    _issue(repository, eui=OTHER_SUPPLIER)
    assert repository.find(SUPPLIER, SUPPLIER_ROLE) == [ds, ka]
    assert repository.find(SUPPLIER, SUPPLIER_ROLE, KA) == [ka]
    assert repository.find(SUPPLIER, XML_SIGN, DS) == [xml]
    assert repository.find(NEVER, SUPPLIER_ROLE) == []


def test_current_is_the_newest_in_use(repository: SmkiRepository) -> None:
    old = _issue(repository, at=T0)
    new = _issue(repository, at=T1)
    assert repository.current(SUPPLIER, SUPPLIER_ROLE, DS, T0 + timedelta(days=1)) == old
    assert repository.current(SUPPLIER, SUPPLIER_ROLE, DS, T2) == new
    repository.revoke(new, CESSATION, T2)
    assert repository.current(SUPPLIER, SUPPLIER_ROLE, DS, T2) == old
    assert repository.current(SUPPLIER, SUPPLIER_ROLE, KA, T2) is None


@pytest.mark.parametrize("issuer", ["CN=S1,OU=07", "CN=S1, OU=07", "cn=s1, ou=07", None])
def test_by_issuer_and_serial(repository: SmkiRepository, issuer: str | None) -> None:
    record = _issue(repository)
    name = repository.authority.organisation_ca.name if issuer is None else issuer
    assert repository.by_issuer_serial(name, record.serial) == record
    assert repository.by_issuer_serial(name, record.serial + 1) is None
    assert repository.by_issuer_serial("CN=Z1,OU=07", record.serial) is None


def test_history_keeps_every_record_including_revoked(repository: SmkiRepository) -> None:
    first = _issue(repository, at=T0)
    xml = _issue(repository, role=XML_SIGN)
    repository.revoke(first, CESSATION, T1)
    second = _issue(repository, at=T2)
    history = repository.history(SUPPLIER)
    assert [record.serial for record in history] == [first.serial, xml.serial, second.serial]
    assert history[0].revoked_at == T1 and history[0].revocation_reason is CESSATION


def test_duplicate_is_refused(repository: SmkiRepository) -> None:
    record = _issue(repository)
    with pytest.raises(RepositoryError, match="already recorded"):
        repository.add(record.certificate, at=T1)


def test_out_of_profile_certificate_is_refused(
    repository: SmkiRepository, authority: SmkiAuthority
) -> None:
    with pytest.raises(SmkiProfileError):
        repository.add(authority.organisation_ca.certificate, at=T0)
    assert repository.records == ()


def test_certificate_claiming_our_ca_but_signed_by_another_is_refused(
    repository: SmkiRepository,
) -> None:
    forger = SmkiAuthority.from_seed(b"forger")  # same CA name, other key
    key = org_key_from_seed(b"f", SUPPLIER, SUPPLIER_ROLE, DS)
    forged = forger.issue_organisation_certificate(SUPPLIER, SUPPLIER_ROLE, DS, key.public_key())
    with pytest.raises(RepositoryError, match="that CA did not sign it"):
        repository.add(forged, at=T0)
    assert repository.records == ()


def test_external_certificate_is_recorded_and_found(repository: SmkiRepository) -> None:
    z1_key = org_key_from_seed(b"z1", SUPPLIER, SUPPLIER_ROLE, DS)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(org_subject(SUPPLIER, SUPPLIER_ROLE, None))
        .issuer_name(x509.Name.from_rfc4514_string("CN=Z1,OU=07"))
        .public_key(z1_key.public_key())
        .serial_number(99)
        .not_valid_before(T0)
        .not_valid_after(T2)
        .add_extension(
            x509.KeyUsage(True, False, False, False, False, False, False, False, False), True
        )
        .add_extension(
            x509.CertificatePolicies(
                [x509.PolicyInformation(x509.ObjectIdentifier("1.2.826.0.1.8641679.1.2.1.4"), None)]
            ),
            True,
        )
        .sign(z1_key, hashes.SHA256())
    )
    record = repository.add(certificate, at=T0)
    assert record.external
    assert repository.by_issuer_serial("CN=Z1, OU=07", 99) == record
    assert not repository.is_revoked(certificate, T1)


# --- status ------------------------------------------------------------------------------------


def test_status_at_accounts_for_validity_and_revocation(repository: SmkiRepository) -> None:
    record = _issue(repository, at=T1)
    assert record.status_at(T0) is CertificateStatus.PENDING
    assert record.status_at(T1) is CertificateStatus.IN_USE
    assert record.status_at(record.not_after + timedelta(seconds=1)) is CertificateStatus.EXPIRED
    revoked = repository.revoke(record, CESSATION, T2)
    assert revoked.status_at(T2 - timedelta(seconds=1)) is CertificateStatus.IN_USE
    assert revoked.status_at(T2) is CertificateStatus.REVOKED
    assert revoked.status_at(revoked.not_after + timedelta(days=1)) is CertificateStatus.REVOKED


def test_not_in_use_is_a_recorded_status(repository: SmkiRepository) -> None:
    key = org_key_from_seed(b"n", SUPPLIER, SUPPLIER_ROLE, DS)
    certificate = repository.authority.issue_organisation_certificate(
        SUPPLIER, SUPPLIER_ROLE, DS, key.public_key(), not_before=T0
    )
    record = repository.add(certificate, at=T0, status=CertificateStatus.NOT_IN_USE)
    assert record.status_at(T1) is CertificateStatus.NOT_IN_USE
    assert repository.current(SUPPLIER, SUPPLIER_ROLE, DS, T1) is None


def test_derived_statuses_cannot_be_recorded(repository: SmkiRepository) -> None:
    key = org_key_from_seed(b"n", SUPPLIER, SUPPLIER_ROLE, DS)
    certificate = repository.authority.issue_organisation_certificate(
        SUPPLIER, SUPPLIER_ROLE, DS, key.public_key()
    )
    with pytest.raises(RepositoryError, match="follows from time or revocation"):
        repository.add(certificate, at=T0, status=CertificateStatus.REVOKED)


# --- revocation --------------------------------------------------------------------------------


def test_revocation_goes_through_a_signed_crl(repository: SmkiRepository) -> None:
    record = _issue(repository)
    assert not repository.is_revoked(record.certificate, T2)
    repository.revoke(record, CESSATION, T1)
    crl = repository.crl("CN=S1, OU=07")
    assert crl.is_signature_valid(repository.authority.organisation_ca.private_key.public_key())
    assert crl.get_revoked_certificate_by_serial_number(record.serial) is not None
    assert crl.last_update_utc == T1
    assert not repository.is_revoked(record.certificate, T1 - timedelta(seconds=1))
    assert repository.is_revoked(record.certificate, T1)


def test_an_answer_read_before_a_revocation_does_not_outlive_it(
    repository: SmkiRepository,
) -> None:
    """The repository keeps each CRL read and its records indexed: a revocation, or a record
    added, is seen by the very next look-up."""
    first = _issue(repository)
    assert repository.role_history(SUPPLIER, SUPPLIER_ROLE, T2).refusal() is not None
    assert not repository.is_revoked(first.certificate, T2)
    repository.revoke(first, CESSATION, T1)
    assert repository.is_revoked(first.certificate, T2)
    assert repository.role_history(SUPPLIER, SUPPLIER_ROLE, T2).refusal() is None
    second = _issue(repository, at=T1)
    assert repository.find(SUPPLIER, SUPPLIER_ROLE, DS)[-1] == second
    assert repository.role_history(SUPPLIER, SUPPLIER_ROLE, T2).still_valid


def test_a_kept_role_history_follows_time_across_every_instant_it_depends_on(
    repository: SmkiRepository,
) -> None:
    """Recorded, revoked and expired are asked about on either side of the instant they change,
    after every change to the repository is made."""
    first = _issue(repository)
    second = _issue(repository, at=T2)
    repository.revoke(first, CESSATION, T1)
    expiry = second.not_after

    def history(at: datetime) -> tuple[list[int], list[int], list[int]]:
        found = repository.role_history(SUPPLIER, SUPPLIER_ROLE, at)
        assert found.at == at
        held, revoked, valid = (
            [record.serial for record in records]
            for records in (found.held, found.revoked, found.valid)
        )
        return held, revoked, valid

    before_revocation = T1 - timedelta(microseconds=1)
    assert history(before_revocation) == ([first.serial], [], [first.serial])
    assert history(T1) == ([first.serial], [first.serial], [])
    assert history(before_revocation) == ([first.serial], [], [first.serial])
    assert history(T2)[0] == [first.serial, second.serial]
    assert history(expiry)[2] == [second.serial]
    assert history(expiry + timedelta(microseconds=1))[2] == []


def test_a_kept_role_history_does_not_outlive_its_crl(repository: SmkiRepository) -> None:
    record = _issue(repository)
    empty_crl = repository.crl("CN=S1,OU=07")
    repository.revoke(record, CESSATION, T1)
    assert repository.role_history(SUPPLIER, SUPPLIER_ROLE, T2).all_revoked
    repository._crls[next(iter(repository._crls))] = empty_crl
    assert not repository.role_history(SUPPLIER, SUPPLIER_ROLE, T2).all_revoked


def test_is_revoked_reads_the_crl_not_the_record(repository: SmkiRepository) -> None:
    """Swap in the previous (empty) CRL: the record still says revoked, the verifier does not."""
    record = _issue(repository)
    empty_crl = repository.crl("CN=S1,OU=07")
    repository.revoke(record, CESSATION, T1)
    repository._crls[next(iter(repository._crls))] = empty_crl
    assert repository.history(SUPPLIER)[0].status_at(T2) is CertificateStatus.REVOKED
    assert not repository.is_revoked(record.certificate, T2)


def test_an_answer_about_a_certificate_changes_the_moment_its_crl_does(
    repository: SmkiRepository,
) -> None:
    """The certificate object asked about again and again, as the DCC does its signers': the
    answer follows each CRL issued or put back, never a kept one."""
    record = _issue(repository)
    certificate = repository.resolve("CN=S1,OU=07", record.serial)
    assert certificate is record.certificate
    empty_crl = repository.crl("CN=S1,OU=07")
    assert not repository.is_revoked(certificate, T2)
    repository.revoke(record, CESSATION, T1)
    assert repository.is_revoked(certificate, T2)
    assert not repository.is_revoked(certificate, T0)
    repository._crls[next(iter(repository._crls))] = empty_crl
    assert not repository.is_revoked(certificate, T2)
    other = _issue(repository, eui=OTHER_SUPPLIER)
    assert not repository.is_revoked(other.certificate, T2)


def test_a_forged_crl_is_not_trusted(repository: SmkiRepository) -> None:
    record = _issue(repository)
    impostor = SmkiAuthority.from_seed(b"impostor").organisation_ca
    forged = (
        x509.CertificateRevocationListBuilder()
        .issuer_name(impostor.name)
        .last_update(T0)
        .next_update(T1)
        .sign(impostor.private_key, hashes.SHA256())
    )
    repository._crls[next(iter(repository._crls))] = forged
    with pytest.raises(CrlError, match="signature does not verify"):
        repository.is_revoked(record.certificate, T1)


def test_unknown_issuer_has_no_crl(repository: SmkiRepository) -> None:
    other = SmkiAuthority.from_seed(b"other", name="S2")
    key = org_key_from_seed(b"o", SUPPLIER, SUPPLIER_ROLE, DS)
    certificate = other.issue_organisation_certificate(
        SUPPLIER, SUPPLIER_ROLE, DS, key.public_key()
    )
    with pytest.raises(CrlError, match="no CRL for issuer CN=S2,OU=07"):
        repository.is_revoked(certificate, T1)


def test_revoke_twice_is_refused(repository: SmkiRepository) -> None:
    record = _issue(repository)
    repository.revoke(record, CESSATION, T1)
    with pytest.raises(RepositoryError, match="already revoked"):
        repository.revoke(record, CESSATION, T2)


def test_revoke_before_recorded_is_refused(repository: SmkiRepository) -> None:
    record = _issue(repository, at=T1)
    with pytest.raises(RepositoryError, match="before it was recorded"):
        repository.revoke(record, CESSATION, T0)


def test_revoke_unknown_record_is_refused(repository: SmkiRepository) -> None:
    record = _issue(SmkiRepository(repository.authority))
    with pytest.raises(RepositoryError, match="no such certificate"):
        repository.revoke(record, CESSATION, T1)


def test_revoke_all_for_revokes_every_supplier_certificate_only(
    repository: SmkiRepository,
) -> None:
    ds, ka = _issue(repository, usage=DS), _issue(repository, usage=KA)
    xml = _issue(repository, role=XML_SIGN)
    other = _issue(repository, eui=OTHER_SUPPLIER)
    revoked = repository.revoke_all_for(SUPPLIER, SUPPLIER_ROLE, CESSATION, T1)
    assert [record.serial for record in revoked] == [ds.serial, ka.serial]
    assert all(repository.is_revoked(r.certificate, T1) for r in (ds, ka))
    assert not any(repository.is_revoked(r.certificate, T1) for r in (xml, other))
    assert repository.revoke_all_for(SUPPLIER, SUPPLIER_ROLE, CESSATION, T2) == []
    crl = repository.crl("CN=S1,OU=07")
    assert crl.extensions.get_extension_for_class(x509.CRLNumber).value.crl_number == 2


# --- R6.3-R6.5: did it hold Supplier certificates, and are they all revoked? --------------------


def test_r6_5_never_held(repository: SmkiRepository) -> None:
    _issue(repository, eui=NEVER, role=XML_SIGN)
    history = repository.role_history(NEVER, SUPPLIER_ROLE, T1)
    assert not history.ever_held and not history.all_revoked
    assert not repository.held_role_and_revoked(NEVER, SUPPLIER_ROLE, T1)
    assert history.refusal() == "90-B3-D5-1F-30-0A-00-00 never held a supplier (02) certificate"


def test_r6_3_r6_4_held_and_revoked(repository: SmkiRepository) -> None:
    _issue(repository, usage=DS)
    _issue(repository, usage=KA)
    repository.revoke_all_for(SUPPLIER, SUPPLIER_ROLE, CESSATION, T1)
    assert repository.held_role_and_revoked(SUPPLIER, SUPPLIER_ROLE, T2)
    assert repository.role_history(SUPPLIER, SUPPLIER_ROLE, T2).refusal() is None
    # Before the revocation took effect, the same certificates were still valid.
    before = repository.role_history(SUPPLIER, SUPPLIER_ROLE, T1 - timedelta(seconds=1))
    assert before.still_valid and not before.all_revoked


def test_r6_5_held_and_still_valid(repository: SmkiRepository) -> None:
    record = _issue(repository)
    history = repository.role_history(SUPPLIER, SUPPLIER_ROLE, T1)
    assert history.ever_held and history.still_valid and not history.all_revoked
    assert not repository.held_role_and_revoked(SUPPLIER, SUPPLIER_ROLE, T1)
    assert history.refusal() == (
        f"90-B3-D5-1F-30-01-00-00 still holds valid supplier (02) certificates: {record.serial:#x}"
    )


def test_r6_5_one_revoked_one_not(repository: SmkiRepository) -> None:
    revoked = _issue(repository, usage=DS)
    kept = _issue(repository, usage=KA)
    repository.revoke(revoked, CESSATION, T1)
    history = repository.role_history(SUPPLIER, SUPPLIER_ROLE, T2)
    assert history.revoked == (repository.history(SUPPLIER)[0],)
    assert history.valid == (kept,)
    assert not repository.held_role_and_revoked(SUPPLIER, SUPPLIER_ROLE, T2)


def test_r6_5_expired_but_not_revoked_does_not_qualify(repository: SmkiRepository) -> None:
    record = _issue(repository)
    later = record.not_after + timedelta(days=1)
    history = repository.role_history(SUPPLIER, SUPPLIER_ROLE, later)
    assert not history.still_valid and not history.all_revoked
    assert "not revoked" in (history.refusal() or "")


def test_xml_sign_certificates_do_not_count_as_supplier(repository: SmkiRepository) -> None:
    _issue(repository, role=XML_SIGN)
    repository.revoke_all_for(SUPPLIER, XML_SIGN, CESSATION, T1)
    assert not repository.held_role_and_revoked(SUPPLIER, SUPPLIER_ROLE, T2)
    assert repository.held_role_and_revoked(SUPPLIER, XML_SIGN, T2)


def test_certificates_recorded_after_the_time_asked_are_not_history(
    repository: SmkiRepository,
) -> None:
    _issue(repository, at=T1)
    assert not repository.role_history(SUPPLIER, SUPPLIER_ROLE, T0).ever_held


# --- persistence -------------------------------------------------------------------------------


def _populated(repository: SmkiRepository) -> SmkiRepository:
    _issue(repository, usage=DS)
    _issue(repository, usage=KA)
    _issue(repository, role=XML_SIGN)
    key = org_key_from_seed(b"m", METER, SUPPLIER_ROLE, KA)
    device = repository.authority.issue_device_certificate(METER, KA, key.public_key())
    repository.add(device, at=T0)
    repository.revoke_all_for(SUPPLIER, SUPPLIER_ROLE, x509.ReasonFlags.key_compromise, T1)
    return repository


def test_save_and_load_round_trip(repository: SmkiRepository, tmp_path: Path) -> None:
    _populated(repository).save(tmp_path)
    loaded = SmkiRepository.load(tmp_path)
    assert loaded.records == repository.records
    assert loaded.authority.seed == repository.authority.seed
    assert loaded.authority.organisation_ca.certificate == (
        repository.authority.organisation_ca.certificate
    )
    for issuer in ("CN=S1,OU=07", "CN=S1 DCA,OU=07"):
        assert loaded.crl(issuer).public_bytes(serialization.Encoding.DER) == repository.crl(
            issuer
        ).public_bytes(serialization.Encoding.DER)
    assert loaded.held_role_and_revoked(SUPPLIER, SUPPLIER_ROLE, T2)
    assert loaded.history(METER)[0].role is None
    # Loaded repositories keep working and save again to the same bytes.
    loaded.save(tmp_path / "again")
    assert (tmp_path / "again" / "index.json").read_bytes() == (
        tmp_path / "index.json"
    ).read_bytes()


def test_saved_folder_layout(repository: SmkiRepository, tmp_path: Path) -> None:
    _populated(repository).save(tmp_path)
    index = json.loads((tmp_path / "index.json").read_text())
    assert index["format"] == "solrsim-smki-repository/1"
    assert len(index["records"]) == 4
    assert index["records"][0]["revocation_reason"] == "keyCompromise"
    assert sorted(p.name for p in (tmp_path / "ca").iterdir()) == [
        "device-ca.pem",
        "organisation-ca.pem",
        "root.pem",
    ]
    crl = x509.load_pem_x509_crl((tmp_path / "crls" / "00.crl.pem").read_bytes())
    oca = x509.load_pem_x509_certificate((tmp_path / "ca" / "organisation-ca.pem").read_bytes())
    assert crl.is_signature_valid(oca.public_key())


def test_load_refuses_a_tampered_crl(repository: SmkiRepository, tmp_path: Path) -> None:
    _populated(repository).save(tmp_path)
    path = tmp_path / "crls" / "00.crl.pem"
    der = bytearray(
        x509.load_pem_x509_crl(path.read_bytes()).public_bytes(serialization.Encoding.DER)
    )
    der[-5] ^= 0x01  # inside the signature
    path.write_bytes(x509.load_der_x509_crl(bytes(der)).public_bytes(serialization.Encoding.PEM))
    with pytest.raises(CrlError, match="signature does not verify"):
        SmkiRepository.load(tmp_path)


def test_load_refuses_an_index_that_disagrees_with_the_crl(
    repository: SmkiRepository, tmp_path: Path
) -> None:
    _populated(repository).save(tmp_path)
    index = json.loads((tmp_path / "index.json").read_text())
    index["records"][0]["revoked_at"] = None
    index["records"][0]["revocation_reason"] = None
    (tmp_path / "index.json").write_text(json.dumps(index))
    with pytest.raises(RepositoryError, match="index and CRL disagree"):
        SmkiRepository.load(tmp_path)


def test_load_refuses_a_ca_that_the_seed_does_not_give(
    repository: SmkiRepository, tmp_path: Path
) -> None:
    _populated(repository).save(tmp_path)
    other = SmkiAuthority.from_seed(b"other").organisation_ca.certificate
    (tmp_path / "ca" / "organisation-ca.pem").write_bytes(
        other.public_bytes(serialization.Encoding.PEM)
    )
    with pytest.raises(RepositoryError, match="not the CA the index's seed gives"):
        SmkiRepository.load(tmp_path)


@pytest.mark.parametrize("content", ["not json", "{}", '{"format": "other"}', "[]"])
def test_load_refuses_a_corrupt_index(tmp_path: Path, content: str) -> None:
    (tmp_path / "index.json").write_text(content)
    with pytest.raises(RepositoryError):
        SmkiRepository.load(tmp_path)


def test_load_refuses_a_missing_folder(tmp_path: Path) -> None:
    with pytest.raises(RepositoryError, match="cannot load"):
        SmkiRepository.load(tmp_path / "absent")


def test_records_are_frozen(repository: SmkiRepository) -> None:
    record = _issue(repository)
    with pytest.raises(AttributeError):
        record.status = CertificateStatus.NOT_IN_USE  # type: ignore[misc]
    assert record.certificate.subject.get_attributes_for_oid(NameOID.ORGANIZATIONAL_UNIT_NAME)


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("recorded_at", "2026-01-01T00:00:00", "naive datetime"),
        ("status", "X", "'X' is not a valid CertificateStatus"),
        ("certificate", "ca/root.pem", "a CA certificate"),
    ],
)
def test_load_refuses_a_bad_record(
    repository: SmkiRepository, tmp_path: Path, field: str, value: str, message: str
) -> None:
    _populated(repository).save(tmp_path)
    index = json.loads((tmp_path / "index.json").read_text())
    index["records"][2][field] = value
    (tmp_path / "index.json").write_text(json.dumps(index))
    with pytest.raises(RepositoryError, match=message):
        SmkiRepository.load(tmp_path)
