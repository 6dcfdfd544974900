"""Enrolling a device: Device certificates in the SMKI profile, issued by the world's Device CA
for the keys the meter really uses, the same keys in the DCC's inventory, byte-identical for a
seed; a certificate the device already has is used only when it certifies a key the meter uses."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.x509.oid import ExtensionOID

from dcc.enrolment import EnrolmentError, enrol_device
from dcc.inventory import DeviceKind
from dcc.smki.authority import SmkiAuthority
from dcc.smki.profile import DEVICE_POLICY, HARDWARE_MODULE_NAME, read_device_certificate
from dcc.smki.repository import CertificateStatus, SmkiRepository
from dcc.smki.roles import RemotePartyRole
from devices.credentials import device_key
from devices.gbcs.frame import decode
from devices.gbcs.keystore import KeyUsage
from devices.gbcs.security import signature_valid
from devices.smets1_frame import decode as decode_smets1
from devices.smets1_frame import signature_valid as smets1_signature_valid
from sim.world.testbed import ESME_ID, GSME_ID, SEED, SMETS1_ID, STEADY_ESME_ID, T0, build_world

DS, KA = KeyUsage.DIGITAL_SIGNING, KeyUsage.KEY_AGREEMENT
SUPPLIER = bytes.fromhex("90B3D51F30010000")
METER = bytes.fromhex("00DB1234567890A0")
OTHER_METER = bytes.fromhex("00DB1234567890A1")
AT = datetime(2026, 1, 1, tzinfo=UTC)
TAMPER = 0x8F3F  # safety critical: the meter signs it


def _repository(seed: bytes = b"tests/enrolment") -> SmkiRepository:
    return SmkiRepository(SmkiAuthority.from_seed(seed))


def _keys(device: bytes, seed: bytes = b"meter", usages=(DS, KA)):
    return {usage: device_key(seed, device, usage).public_key() for usage in usages}


def _der(certificate: x509.Certificate) -> bytes:
    return certificate.public_bytes(serialization.Encoding.DER)


def test_an_esme_gets_ds_and_ka_certificates_in_the_device_profile() -> None:
    smki = _repository()
    keys = _keys(METER)
    record = enrol_device(smki, METER, DeviceKind.ESME, SUPPLIER, keys, AT)
    held = smki.devices(METER)
    assert [r.key_usage for r in held] == [DS, KA]
    device_ca = smki.authority.device_ca
    for stored in held:
        certificate = stored.certificate
        info = read_device_certificate(certificate)
        assert (info.eui64, info.key_usage) == (METER, stored.key_usage)
        assert stored.info == info
        assert len(certificate.subject) == 0
        assert certificate.issuer == device_ca.name != smki.authority.organisation_ca.name
        certificate.verify_directly_issued_by(device_ca.certificate)
        assert certificate.public_key() == keys[stored.key_usage]
        extensions = certificate.extensions
        san = extensions.get_extension_for_oid(ExtensionOID.SUBJECT_ALTERNATIVE_NAME)
        assert san.critical and san.value[0].type_id == HARDWARE_MODULE_NAME
        usage = extensions.get_extension_for_class(x509.KeyUsage)
        assert usage.critical
        assert usage.value.digital_signature is (stored.key_usage is DS)
        assert usage.value.key_agreement is (stored.key_usage is KA)
        policies = extensions.get_extension_for_class(x509.CertificatePolicies)
        assert policies.critical and policies.value[0].policy_identifier == DEVICE_POLICY
        assert certificate.not_valid_before_utc == AT
        assert stored.status_at(AT) is CertificateStatus.IN_USE and not stored.external
    assert record.ds_public_key == keys[DS] and record.ka_public_key == keys[KA]
    assert (record.device_id, record.registered_supplier) == (METER, SUPPLIER)


def test_a_smets1_meter_gets_a_ds_certificate_only() -> None:
    smki = _repository()
    record = enrol_device(smki, METER, DeviceKind.SMETS1, SUPPLIER, _keys(METER, usages=(DS,)), AT)
    assert [r.key_usage for r in smki.devices(METER)] == [DS]
    assert record.ka_public_key is None and record.ds_public_key == _keys(METER)[DS]


def test_a_missing_key_is_refused_and_nothing_is_recorded() -> None:
    smki = _repository()
    with pytest.raises(EnrolmentError, match="ESME needs its KA key"):
        enrol_device(smki, METER, DeviceKind.ESME, SUPPLIER, _keys(METER, usages=(DS,)), AT)
    assert smki.devices(OTHER_METER) == []


def test_issuance_is_byte_identical_for_a_seed_whatever_the_order() -> None:
    first, second = _repository(), _repository()
    for device in (METER, OTHER_METER):
        enrol_device(first, device, DeviceKind.ESME, SUPPLIER, _keys(device), AT)
    for device in (OTHER_METER, METER):
        enrol_device(second, device, DeviceKind.ESME, SUPPLIER, _keys(device), AT)
    for device in (METER, OTHER_METER):
        assert [_der(r.certificate) for r in first.devices(device)] == [
            _der(r.certificate) for r in second.devices(device)
        ]
    other_world = _repository(b"another seed")
    enrol_device(other_world, METER, DeviceKind.ESME, SUPPLIER, _keys(METER), AT)
    assert _der(other_world.devices(METER)[0].certificate) != _der(
        first.devices(METER)[0].certificate
    )


def test_enrolling_again_keeps_the_certificates_held() -> None:
    smki = _repository()
    first = enrol_device(smki, METER, DeviceKind.ESME, SUPPLIER, _keys(METER), AT)
    again = enrol_device(smki, METER, DeviceKind.ESME, SUPPLIER, _keys(METER), AT + timedelta(1))
    assert len(smki.devices(METER)) == 2 and again == first


def test_a_published_certificate_of_the_meters_key_is_used() -> None:
    smki = _repository()
    keys = _keys(METER)
    maker = SmkiAuthority.from_seed(b"the manufacturer's device CA", name="M1")
    published = maker.issue_device_certificate(METER, DS, keys[DS], not_before=AT)
    enrol_device(smki, METER, DeviceKind.ESME, SUPPLIER, keys, AT, certificates=[published])
    ds, ka = smki.devices(METER)
    assert ds.certificate == published and ds.external
    assert ka.issuer == smki.authority.device_ca.name and not ka.external


def test_a_published_certificate_of_another_key_is_not_recorded() -> None:
    smki = _repository()
    keys = _keys(METER)
    maker = SmkiAuthority.from_seed(b"the manufacturer's device CA", name="M1")
    stranger = device_key(b"not the meter's", METER, DS).public_key()
    published = maker.issue_device_certificate(METER, DS, stranger, not_before=AT)
    record = enrol_device(
        smki, METER, DeviceKind.ESME, SUPPLIER, keys, AT, certificates=[published]
    )
    assert all(r.certificate != published for r in smki.devices(METER))
    assert smki.by_serial(published.serial_number) == []
    assert record.ds_public_key == keys[DS]


def test_a_certificate_of_another_device_or_an_organisation_is_refused() -> None:
    smki = _repository()
    keys = _keys(METER)
    authority = smki.authority
    other = authority.issue_device_certificate(OTHER_METER, DS, keys[DS], not_before=AT)
    with pytest.raises(EnrolmentError, match="names device 00-DB-12-34-56-78-90-A1"):
        enrol_device(smki, METER, DeviceKind.ESME, SUPPLIER, keys, AT, certificates=[other])
    organisation = authority.issue_organisation_certificate(
        SUPPLIER, RemotePartyRole.SUPPLIER, DS, keys[DS], not_before=AT
    )
    with pytest.raises(EnrolmentError, match="not a Device certificate"):
        enrol_device(smki, METER, DeviceKind.ESME, SUPPLIER, keys, AT, certificates=[organisation])
    assert smki.devices(METER) == []


def test_the_testbed_meters_signatures_verify_from_smki_alone(tmp_path) -> None:
    world = build_world(tmp_path)
    devices = (ESME_ID, GSME_ID, STEADY_ESME_ID)
    for device, other in zip(devices, devices[1:] + devices[:1], strict=True):
        ds, ka = world.smki.devices(device)
        inventory = world.dcc.services.inventory.get(device)
        assert inventory.ds_public_key == ds.certificate.public_key()
        assert inventory.ka_public_key == ka.certificate.public_key()
        [frame] = world.meters[device].trigger(TAMPER, T0)
        assert signature_valid(decode(frame), ds.certificate.public_key())
        others_ds = world.smki.devices(other)[0]
        assert not signature_valid(decode(frame), others_ds.certificate.public_key())
        assert not signature_valid(decode(frame), ka.certificate.public_key())
    [smets1] = world.smki.devices(SMETS1_ID)
    [frame] = world.meters[SMETS1_ID].trigger(TAMPER, T0)
    assert smets1_signature_valid(decode_smets1(frame), smets1.certificate.public_key())
    assert smets1.certificate.public_key() == device_key(SEED, SMETS1_ID, DS).public_key()
