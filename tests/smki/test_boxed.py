"""The DCC Boxed test key set: every certificate recorded, keys paired by file stem, the
right key chosen at a given time, and revocation of these externally issued certificates."""

from __future__ import annotations

import shutil
from datetime import UTC, datetime
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from dcc.smki.authority import SmkiAuthority, org_key_from_seed
from dcc.smki.boxed import load_boxed_key_set
from dcc.smki.errors import BoxedKeyError
from dcc.smki.repository import CertificateStatus, SmkiRepository
from dcc.smki.roles import KeyUsage, RemotePartyRole

R = RemotePartyRole
DS = KeyUsage.DIGITAL_SIGNING
SUPPLIER = bytes.fromhex("90B3D51F30010000")
DCC = bytes.fromhex("90B3D51F30000002")
IN_2020 = datetime(2020, 1, 1, tzinfo=UTC)
NOW = datetime(2026, 11, 1, tzinfo=UTC)
XML_SIGN_SERIAL = 27572613927499351639968579586655397031  # spec duis-smki §4.3


@pytest.fixture
def boxed(conformance: Path) -> Path:
    return conformance / "duis" / "boxed-keys"


def _key_file(folder: Path, stem: str) -> ec.EllipticCurvePrivateKey:
    key = serialization.load_der_private_key((folder / f"{stem}.key").read_bytes(), None)
    assert isinstance(key, ec.EllipticCurvePrivateKey)
    return key


def _same(a: ec.EllipticCurvePrivateKey, b: ec.EllipticCurvePrivateKey) -> bool:
    return a.private_numbers() == b.private_numbers()


def test_every_certificate_is_recorded_as_external_and_in_use(
    boxed: Path, repository: SmkiRepository
) -> None:
    keys = load_boxed_key_set(boxed, repository, IN_2020)
    assert len(repository.records) == 18
    assert all(record.external and record.user_role is None for record in repository.records)
    assert all(r.status_at(IN_2020) is CertificateStatus.IN_USE for r in repository.records)
    assert set(keys) == {
        (DCC, R.ACCESS_CONTROL_BROKER, DS),
        (DCC, R.DSP_XML_SIGN, DS),
        (bytes.fromhex("90B3D51F30020000"), R.NETWORK_OPERATOR, DS),
        (bytes.fromhex("90B3D51F30020000"), R.XML_SIGN, DS),
        (bytes.fromhex("90B3D51F30000001"), R.RECOVERY, DS),
        (SUPPLIER, R.SUPPLIER, DS),
        (SUPPLIER, R.XML_SIGN, DS),
        (bytes.fromhex("90B3D51F30030000"), R.SUPPLIER, DS),
        (bytes.fromhex("90B3D51F30000004"), R.TRANSITIONAL_COS, DS),
        (bytes.fromhex("90B3D51F30000007"), R.WAN_PROVIDER, DS),
        (bytes.fromhex("00DB123456780004"), R.XML_SIGN, DS),
    }


def test_each_key_belongs_to_the_certificate_a_lookup_returns(
    boxed: Path, repository: SmkiRepository
) -> None:
    keys = load_boxed_key_set(boxed, repository, IN_2020)
    for (eui, role, usage), key in keys.items():
        record = repository.current(eui, role, usage, IN_2020)
        assert record is not None
        assert record.certificate.public_key() == key.public_key()


def test_the_test_supplier_xml_sign_certificate_is_found_by_issuer_and_serial(
    boxed: Path, repository: SmkiRepository
) -> None:
    keys = load_boxed_key_set(boxed, repository, NOW)
    for issuer in ("CN=Z1,OU=07", "CN=Z1, OU=07"):
        record = repository.by_issuer_serial(issuer, XML_SIGN_SERIAL)
        assert record is not None and (record.eui64, record.role) == (SUPPLIER, R.XML_SIGN)
    assert _same(keys[SUPPLIER, R.XML_SIGN, DS], _key_file(boxed, "xml-sign-90B3D51F30010000-ds"))


@pytest.mark.parametrize(
    ("at", "stem"),
    [
        (datetime(2015, 12, 1, tzinfo=UTC), "Z1-supplier-ds"),  # Z1b not yet valid
        (datetime(2020, 1, 1, tzinfo=UTC), "Z1b-supplier-ds"),  # both valid: the newer
        (datetime(2025, 12, 1, tzinfo=UTC), "Z1b-supplier-ds"),  # Z1 expired
        (datetime(2026, 11, 1, tzinfo=UTC), "Z1b-supplier-ds"),  # both expired: the newer
    ],
)
def test_key_chosen_at_the_evaluation_time(
    boxed: Path, repository: SmkiRepository, at: datetime, stem: str
) -> None:
    keys = load_boxed_key_set(boxed, repository, at)
    assert _same(keys[SUPPLIER, R.SUPPLIER, DS], _key_file(boxed, stem))


def test_expired_certificates_load_and_report_expired(
    boxed: Path, repository: SmkiRepository
) -> None:
    load_boxed_key_set(boxed, repository, NOW)
    statuses = {
        record.certificate.serial_number: record.status_at(NOW) for record in repository.records
    }
    assert statuses[0x4FBC525201A1D7586C1BC1C4734DEB9F] is CertificateStatus.EXPIRED  # Z1 supplier
    assert statuses[XML_SIGN_SERIAL] is CertificateStatus.IN_USE  # valid to 2118


def test_dsp_xml_sign_key_is_the_current_certificate_not_the_legacy_one(
    boxed: Path, repository: SmkiRepository
) -> None:
    keys = load_boxed_key_set(boxed, repository, NOW)
    assert _same(
        keys[DCC, R.DSP_XML_SIGN, DS], _key_file(boxed, "dsp-xml-sign-90B3D51F30000002-ds")
    )


def test_revoking_the_test_supplier_uses_an_indirect_crl(
    boxed: Path, repository: SmkiRepository
) -> None:
    load_boxed_key_set(boxed, repository, IN_2020)
    assert not repository.held_role_and_revoked(SUPPLIER, R.SUPPLIER, NOW)
    revoked = repository.revoke_all_for(
        SUPPLIER, R.SUPPLIER, x509.ReasonFlags.cessation_of_operation, NOW
    )
    assert len(revoked) == 2  # Z1 and Z1b
    assert repository.held_role_and_revoked(SUPPLIER, R.SUPPLIER, NOW)
    assert not repository.held_role_and_revoked(SUPPLIER, R.XML_SIGN, NOW)
    crl = repository.crl("CN=Z1, OU=07")
    assert crl.issuer == repository.authority.organisation_ca.name
    assert crl.extensions.get_extension_for_class(x509.IssuingDistributionPoint).value.indirect_crl


def test_the_acb_dsp_xml_sign_certificate_can_be_added(
    conformance: Path, repository: SmkiRepository
) -> None:
    path = conformance / "duis" / "Z1-accessControlBroker-dSPXmlSign.cert.pem"
    record = repository.add(x509.load_pem_x509_certificate(path.read_bytes()), at=NOW)
    assert (record.eui64, record.role, record.external) == (DCC, R.DSP_XML_SIGN, True)
    assert repository.current(DCC, R.DSP_XML_SIGN, DS, NOW) == record


def test_loading_twice_is_refused_and_changes_nothing(
    boxed: Path, repository: SmkiRepository
) -> None:
    load_boxed_key_set(boxed, repository, NOW)
    before = repository.records
    with pytest.raises(BoxedKeyError, match="already in the repository"):
        load_boxed_key_set(boxed, repository, NOW)
    assert repository.records == before


# --- folders built here: pairing rules and bad files, no corpus needed ------------------------

EUI = bytes.fromhex("90B3D51F30050000")


def _write_identity(
    folder: Path, authority: SmkiAuthority, stem: str, key_form: str = ".key"
) -> ec.EllipticCurvePrivateKey:
    key = org_key_from_seed(stem.encode(), EUI, R.XML_SIGN, DS)
    certificate = authority.issue_organisation_certificate(EUI, R.XML_SIGN, DS, key.public_key())
    (folder / f"{stem}.pem").write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    encoding = serialization.Encoding.DER if key_form == ".key" else serialization.Encoding.PEM
    key_bytes = key.private_bytes(
        encoding, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    (folder / f"{stem}{key_form}").write_bytes(key_bytes)
    return key


def test_key_pem_variant_pairs_by_stem(tmp_path: Path) -> None:
    foreign = SmkiAuthority.from_seed(b"foreign", name="Z9")
    key = _write_identity(tmp_path, foreign, "xml-sign-a", key_form=".key.pem")
    repository = SmkiRepository(SmkiAuthority.from_seed(b"ours"))
    keys = load_boxed_key_set(tmp_path, repository, datetime(2025, 1, 1, tzinfo=UTC))
    assert _same(keys[EUI, R.XML_SIGN, DS], key)
    assert repository.records[0].external


def test_a_key_that_is_not_the_certificates_is_refused(tmp_path: Path) -> None:
    foreign = SmkiAuthority.from_seed(b"foreign", name="Z9")
    _write_identity(tmp_path, foreign, "a")
    _write_identity(tmp_path, foreign, "b")
    shutil.copy(tmp_path / "a.key", tmp_path / "b.key")
    repository = SmkiRepository(SmkiAuthority.from_seed(b"ours"))
    with pytest.raises(BoxedKeyError, match=r"b\.key is not the private key of b\.pem"):
        load_boxed_key_set(tmp_path, repository, datetime(2025, 1, 1, tzinfo=UTC))
    assert repository.records == ()


def test_a_file_that_is_not_a_certificate_is_refused(tmp_path: Path) -> None:
    (tmp_path / "junk.pem").write_text("not a certificate")
    repository = SmkiRepository(SmkiAuthority.from_seed(b"ours"))
    with pytest.raises(BoxedKeyError, match=r"junk\.pem: not a PEM certificate"):
        load_boxed_key_set(tmp_path, repository, datetime(2025, 1, 1, tzinfo=UTC))


def test_a_certificate_out_of_profile_is_refused(tmp_path: Path) -> None:
    ca = SmkiAuthority.from_seed(b"foreign").organisation_ca.certificate
    (tmp_path / "ca.pem").write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    repository = SmkiRepository(SmkiAuthority.from_seed(b"ours"))
    with pytest.raises(BoxedKeyError, match=r"ca\.pem: a CA certificate"):
        load_boxed_key_set(tmp_path, repository, datetime(2025, 1, 1, tzinfo=UTC))


def test_an_empty_folder_is_refused(tmp_path: Path) -> None:
    repository = SmkiRepository(SmkiAuthority.from_seed(b"ours"))
    with pytest.raises(BoxedKeyError, match="no certificates"):
        load_boxed_key_set(tmp_path, repository, datetime(2025, 1, 1, tzinfo=UTC))


def test_cert_pem_pairs_with_key_of_the_same_stem(tmp_path: Path) -> None:
    foreign = SmkiAuthority.from_seed(b"foreign", name="Z9")
    key = _write_identity(tmp_path, foreign, "acb-dsp")
    (tmp_path / "acb-dsp.pem").rename(tmp_path / "acb-dsp.cert.pem")
    repository = SmkiRepository(SmkiAuthority.from_seed(b"ours"))
    keys = load_boxed_key_set(tmp_path, repository, datetime(2025, 1, 1, tzinfo=UTC))
    assert _same(keys[EUI, R.XML_SIGN, DS], key)


def test_a_certificate_without_a_key_is_recorded_without_an_entry(tmp_path: Path) -> None:
    foreign = SmkiAuthority.from_seed(b"foreign", name="Z9")
    _write_identity(tmp_path, foreign, "lonely")
    (tmp_path / "lonely.key").unlink()
    repository = SmkiRepository(SmkiAuthority.from_seed(b"ours"))
    assert load_boxed_key_set(tmp_path, repository, datetime(2025, 1, 1, tzinfo=UTC)) == {}
    assert len(repository.records) == 1
