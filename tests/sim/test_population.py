"""The rehearsal's cast and lazy fleet: drawn from the seed, made on first use."""

from __future__ import annotations

import random
from itertools import accumulate
from pathlib import Path

import pytest

from dcc.inventory import DeviceKind
from dcc.smki.errors import SubscriptionRefused
from dcc.smki.roles import KeyUsage as CertificateUsage
from dcc.smki.roles import RemotePartyRole
from dcc.smki.subscription import Subscriptions
from dcc.users import UserRole
from devices import credentials
from devices.gbcs.keystore import KeyUsage
from devices.gbcs.payment_mode import PaymentMode
from devices.smets1 import Smets1Meter
from sim.scenario.model import DeviceClass, load_scenario
from sim.world import population as population_module
from sim.world.cast import grant_supplier_keys
from sim.world.population import DEVICE_BASE, Population

SMALL = Path(__file__).parents[2] / "scenarios" / "solr-small.yaml"
KA_USAGE = CertificateUsage.KEY_AGREEMENT


@pytest.fixture(scope="module")
def population() -> Population:
    return Population(load_scenario(SMALL))


def test_the_fleet_follows_the_mix_and_the_seed(population: Population) -> None:
    counts = population.counts_by_class()
    assert sum(counts.values()) == 300
    assert counts["esme"] > counts["gsme"] > counts["smets1"] > 0
    again = Population(load_scenario(SMALL))
    assert again.failed_supplier_meters() == population.failed_supplier_meters()
    other = Population(load_scenario(SMALL, seed=8))
    assert other.failed_supplier_meters() != population.failed_supplier_meters()


@pytest.mark.parametrize("prepayment_only", [False, True])
@pytest.mark.parametrize("classes", [("esme", "gsme", "smets1"), ("gsme",), ("esme", "smets1"), ()])
def test_the_failed_supplier_meters_are_those_a_meter_by_meter_look_finds(
    population: Population, prepayment_only: bool, classes: tuple[DeviceClass, ...]
) -> None:
    failing = population.scenario.failing_supplier.user_id
    expected = []
    for index in range(population.size):
        device = population.device_id(index)
        meter = population.meter(device)
        if (
            population.supplier_of(device) == bytes.fromhex(failing.replace("-", ""))
            and population.device_class(device) in classes
            and (meter.state.account.payment_mode is PaymentMode.PREPAYMENT or not prepayment_only)
        ):
            expected.append(device)
    found = population.failed_supplier_meters(prepayment_only=prepayment_only, classes=classes)
    assert found == expected
    indices = population.failed_supplier_indices(prepayment_only=prepayment_only, classes=classes)
    assert [population.device_id(index) for index in indices] == expected
    if classes == ("esme", "gsme", "smets1") and not prepayment_only:
        assert 0 < len(expected) < population.size  # some meters are another supplier's


def test_the_fleet_is_drawn_in_blocks_as_in_one_draw(monkeypatch: pytest.MonkeyPatch) -> None:
    """A national fleet is drawn a block at a time; the draws, hence every run's digest, are
    those of one draw of the whole fleet."""
    weights, count = [0.55, 0.35, 0.1], 10_000
    cumulative = list(accumulate(weights))
    whole = bytes(random.Random("s").choices(range(3), cum_weights=cumulative, k=count))
    monkeypatch.setattr(population_module, "_DRAW_BLOCK", 777)
    assert population_module._draw(random.Random("s"), weights, count) == whole


def test_nothing_is_made_until_asked_for() -> None:
    population = Population(load_scenario(SMALL))
    assert population.appeared() == [] and len(population.inventory) == 0
    device = population.failed_supplier_meters(prepayment_only=True, classes=("esme",))[0]
    record = population.inventory.get(device)
    assert record is not None and record.kind is DeviceKind.ESME
    assert population.appeared() == [device] and len(population.inventory) == 1
    meter = population.meter(device)
    assert population.meter(device) is meter
    assert meter.credentials.public_key(KeyUsage.DIGITAL_SIGNING) == record.ds_public_key
    assert meter.state.account.payment_mode is PaymentMode.PREPAYMENT
    assert population.inventory.get((DEVICE_BASE + 300).to_bytes(8, "big")) is None


def test_a_meters_certificates_are_issued_when_smki_is_first_asked_for_them() -> None:
    """Not when the DCC first looks the meter up: a rehearsal checks device messages with its
    inventory, and pays for no certificate nobody asks for."""
    population = Population(load_scenario(SMALL))
    smki = population.cast.smki
    cast_records = len(smki.records)
    assert all(record.role is not None for record in smki.records)
    esme, other = population.failed_supplier_meters(classes=("esme",))[:2]
    record = population.inventory.get(esme)
    assert len(smki.records) == cast_records
    ds, ka = smki.devices(esme)
    assert len(smki.records) == cast_records + 2
    assert (ds.key_usage, ka.key_usage) == (CertificateUsage.DIGITAL_SIGNING, KA_USAGE)
    assert record.ds_public_key == ds.certificate.public_key()
    assert record.ka_public_key == ka.certificate.public_key()
    assert ds.not_before == population.enrolled_at
    # Asked for through SMKI first: the certificates are of the keys the inventory then holds.
    assert len(smki.devices(other)) == 2 and population.inventory.get(other) is not None
    assert len(population.inventory) == 2 and len(smki.records) == cast_records + 4
    outside = (DEVICE_BASE + population.size).to_bytes(8, "big")
    assert smki.devices(outside) == [] and len(smki.records) == cast_records + 4


def test_a_meters_certificates_are_the_same_in_every_run_whenever_asked_for() -> None:
    first, second = Population(load_scenario(SMALL)), Population(load_scenario(SMALL))
    devices = first.failed_supplier_meters()[:5]
    for device in devices:
        first.meter(device)
        first.inventory.get(device)
    for device in reversed(devices):
        second.cast.smki.devices(device)
    for device in devices:
        ours = [r.certificate for r in first.cast.smki.devices(device)]
        theirs = [r.certificate for r in second.cast.smki.devices(device)]
        assert [c.tbs_certificate_bytes for c in ours] == [c.tbs_certificate_bytes for c in theirs]
        assert ours == theirs


@pytest.mark.parametrize("device_class", ["esme", "smets1"])
def test_a_meters_keys_are_derived_once_for_the_meter_and_its_dcc_record(
    monkeypatch: pytest.MonkeyPatch, device_class: str
) -> None:
    population = Population(load_scenario(SMALL))
    device = population.failed_supplier_meters(classes=(device_class,))[0]
    derived: list[str] = []
    real = credentials.private_key_from_seed

    def counted(seed: bytes, label: str):
        derived.append(label)
        return real(seed, label)

    monkeypatch.setattr(credentials, "private_key_from_seed", counted)
    record = population.inventory.get(device)
    meter = population.meter(device)
    if isinstance(meter, Smets1Meter):
        assert meter.public_key == record.ds_public_key
    else:
        assert meter.credentials.public_key(KeyUsage.KEY_AGREEMENT) == record.ka_public_key
        assert meter.credentials.public_key(KeyUsage.DIGITAL_SIGNING) == record.ds_public_key
    assert len(derived) == len(set(derived)) == (1 if device_class == "smets1" else 2)


def test_smets1_meters_trust_the_dcc_and_sign_with_their_seeded_key(
    population: Population,
) -> None:
    device = population.failed_supplier_meters(classes=("smets1",))[0]
    meter = population.meter(device)
    assert isinstance(meter, Smets1Meter)
    record = population.inventory.get(device)
    assert record.kind is DeviceKind.SMETS1 and record.ka_public_key is None
    assert record.ds_public_key == meter.public_key
    [certificate] = population.cast.smki.devices(device)
    assert certificate.key_usage is CertificateUsage.DIGITAL_SIGNING
    assert certificate.certificate.public_key() == meter.public_key


def test_the_cast_is_enrolled(population: Population) -> None:
    cast = population.cast
    users = population.dcc.services.users
    assert users.get(cast.srp.user_id).role is UserRole.SOLR_CONTINGENCY
    assert all(users.get(s.user_id).role is UserRole.IMPORT_SUPPLIER for s in cast.suppliers)
    failing = population.scenario.suppliers.index(population.scenario.failing_supplier)
    assert cast.srp.supplier_ds is cast.suppliers[failing].supplier_ds
    assert users.officers_of(population.scenario.srp.name)


def test_r2_2_the_srp_holds_one_certificate_its_xml_sign(population: Population) -> None:
    """It signs GBCS with the failed supplier's DS key (MP134B 2.1.2), never with its own."""
    srp = population.cast.srp
    (record,) = [r for r in population.cast.smki.records if r.eui64 == srp.user_id]
    assert (record.role, record.key_usage, record.user_role) == (
        RemotePartyRole.XML_SIGN,
        CertificateUsage.DIGITAL_SIGNING,
        "SolrContingency",
    )
    assert record.certificate == srp.xml_certificate


@pytest.mark.parametrize("role", [UserRole.IMPORT_SUPPLIER, UserRole.SOLR_CONTINGENCY])
def test_r2_2_supplier_keys_for_the_srp_are_refused(role: UserRole) -> None:
    population = Population(load_scenario(SMALL))
    smki, srp = population.cast.smki, population.cast.srp
    records = smki.records
    subscriptions = Subscriptions(smki, population.dcc.services.users)
    with pytest.raises(SubscriptionRefused, match="SolrContingency"):
        grant_supplier_keys(subscriptions, population.seed, srp, role, population.scenario.start)
    assert smki.records == records
