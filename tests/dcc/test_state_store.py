"""The state store: the DCC's registries saved in the audit file and loaded after a restart."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import ec

from dcc.audit import AuditTrail
from dcc.inventory import DeviceKind, DeviceRecord, Inventory
from dcc.smki.authority import SmkiAuthority, org_key_from_seed
from dcc.smki.repository import SmkiRepository
from dcc.smki.roles import KeyUsage, RemotePartyRole
from dcc.solr_register import OfgemInstruction, SolrNotification, SolrRegister
from dcc.sqlite_file import SchemaVersionError
from dcc.state_store import StateStore, StateStoreError
from dcc.users import Officer, OfficerKind, User, UserRole, Users, UserStatus

SUPPLIER = bytes.fromhex("90B3D51F30010000")
GAS_SUPPLIER = bytes.fromhex("90B3D51F30030000")
SRP = bytes.fromhex("90B3D51F30020000")
ESME = bytes.fromhex("00DB1234567890A0")
GSME = bytes.fromhex("00DB1234567890B0")
SMETS1 = bytes.fromhex("00DB1234567890C0")
T0 = datetime(2026, 3, 1, tzinfo=UTC)
ADT_STATE = {
    "files": [{"user": "90-B3-D5-1F-30-02-00-00", "srv": "1.6", "threshold": 500}],
    "counters": {"90-B3-D5-1F-30-02-00-00/1.6": 12},
    "period_start": "2026-03-01T00:00:00+00:00",
}


def _key(number: int) -> ec.EllipticCurvePublicKey:
    return ec.derive_private_key(number, ec.SECP256R1()).public_key()


def _users() -> Users:
    users = Users()
    users.register(User(SUPPLIER, "Failing Energy", UserRole.IMPORT_SUPPLIER))
    users.register(User(SRP, "Shared Resource Ltd", UserRole.SOLR_CONTINGENCY))
    users.register(User(GAS_SUPPLIER, "Failing Energy", UserRole.GAS_SUPPLIER))
    users.set_status(SUPPLIER, UserStatus.SUSPENDED)
    users.add_officer(Officer("srp-sro", "Shared Resource Ltd", OfficerKind.SENIOR, _key(1)))
    users.add_officer(Officer("srp-aro", "Shared Resource Ltd", OfficerKind.AUTHORISED, _key(2)))
    users.add_officer(Officer("fe-aro", "Failing Energy", OfficerKind.AUTHORISED, _key(3)))
    return users


def _inventory() -> Inventory:
    inventory = Inventory()
    inventory.add(DeviceRecord(ESME, DeviceKind.ESME, SUPPLIER, _key(4), _key(5)))
    inventory.add(DeviceRecord(GSME, DeviceKind.GSME, GAS_SUPPLIER, _key(6), _key(7)))
    inventory.add(DeviceRecord(SMETS1, DeviceKind.SMETS1, SUPPLIER))
    return inventory


def _register() -> SolrRegister:
    register = SolrRegister()
    register.notify(SolrNotification(SUPPLIER, T0))
    register.notify(SolrNotification(GAS_SUPPLIER, T0))
    register.instruct(OfgemInstruction(SUPPLIER, SRP, T0 + timedelta(hours=2)))
    return register


def _smki() -> SmkiRepository:
    repository = SmkiRepository(SmkiAuthority.from_seed(b"tests/dcc/state_store"))
    role, usage = RemotePartyRole.SUPPLIER, KeyUsage.DIGITAL_SIGNING
    key = org_key_from_seed(b"state_store", SUPPLIER, role, usage)
    certificate = repository.authority.issue_organisation_certificate(
        SUPPLIER, role, usage, key.public_key(), not_before=T0
    )
    record = repository.add(certificate, at=T0, user_role="IS", party="Failing Energy")
    repository.revoke(record, x509.ReasonFlags.cessation_of_operation, T0 + timedelta(hours=1))
    return repository


@pytest.fixture
def path(tmp_path: Path) -> Path:
    return tmp_path / "dcc.sqlite3"


def _officers(users: Users) -> list[Officer]:
    parties = dict.fromkeys(user.party for user in users.users())
    return [officer for party in parties for officer in users.officers_of(party)]


def test_a_restart_loses_nothing(path: Path, tmp_path: Path) -> None:
    users, inventory, register, smki = _users(), _inventory(), _register(), _smki()
    with AuditTrail(path) as trail:
        store = StateStore(trail.connection)
        store.save_users(users)
        store.save_inventory(inventory)
        store.save_register(register)
        store.save_component("adt", ADT_STATE)
        store.save_smki(smki, tmp_path / "smki")

    with StateStore.open(path) as store:
        loaded_users = store.load_users()
        loaded_inventory = store.load_inventory()
        loaded_register = store.load_register()
        adt = store.load_component("adt")
        loaded_smki = store.load_smki()

    assert loaded_users.users() == users.users()
    assert loaded_users.get(SUPPLIER).status is UserStatus.SUSPENDED
    assert _officers(loaded_users) == _officers(users)
    assert loaded_users.officer("srp-sro").public_key == _key(1)
    assert list(loaded_inventory) == list(inventory)
    assert loaded_register.notifications() == register.notifications()
    assert loaded_register.instructions() == register.instructions()
    assert loaded_register.instruction_for(SUPPLIER, T0 + timedelta(hours=3)) is not None
    assert adt == ADT_STATE
    assert loaded_smki is not None
    assert [r.certificate for r in loaded_smki.records] == [r.certificate for r in smki.records]
    assert [r.revoked_at for r in loaded_smki.records] == [T0 + timedelta(hours=1)]


def test_repeated_saves_are_idempotent_and_take_changes(path: Path) -> None:
    users = _users()
    with StateStore.open(path) as store:
        store.save_users(users)
        store.save_users(users)
        store.save_inventory(_inventory())
        store.save_inventory(_inventory())
        users.set_status(SUPPLIER, UserStatus.ACTIVE)
        users.register(User(bytes.fromhex("90B3D51F30040000"), "New Supplier", UserRole.OTHER_USER))
        store.save_users(users)
        loaded = store.load_users()
        assert loaded.users() == users.users()
        assert len(store.load_inventory()) == 3
    with sqlite3.connect(path) as connection:
        assert connection.execute("SELECT count(*) FROM users").fetchone() == (4,)
        assert connection.execute("SELECT count(*) FROM officers").fetchone() == (3,)
    connection.close()


def test_component_state_is_replaced_and_absent_is_none(path: Path) -> None:
    with StateStore.open(path) as store:
        assert store.load_component("adt") is None
        store.save_component("adt", {"counters": {"a": 1}})
        store.save_component("adt", {"counters": {"a": 2}})
        store.save_component("replay", [1, 2, 3])
        assert store.load_component("adt") == {"counters": {"a": 2}}
        assert store.load_component("replay") == [1, 2, 3]


def test_state_that_is_not_json_is_refused(path: Path) -> None:
    with StateStore.open(path) as store:
        with pytest.raises(StateStoreError, match="component 'adt' is not plain JSON data"):
            store.save_component("adt", {"at": T0})
        with pytest.raises(StateStoreError, match="not plain JSON data"):
            store.save_component("adt", float("nan"))
        assert store.load_component("adt") is None


def test_no_smki_folder_saved_loads_none(path: Path) -> None:
    with StateStore.open(path) as store:
        assert store.load_smki() is None


def test_a_stored_row_the_registry_refuses_says_why(path: Path) -> None:
    with StateStore.open(path) as store:
        store.save_users(_users())
    with sqlite3.connect(path) as connection:
        connection.execute("UPDATE users SET role = 'Wizard' WHERE party = 'Failing Energy'")
    connection.close()
    with StateStore.open(path) as store, pytest.raises(StateStoreError, match="'Wizard'"):
        store.load_users()


def test_a_corrupt_public_key_names_its_owner(path: Path) -> None:
    with StateStore.open(path) as store:
        store.save_inventory(_inventory())
    with sqlite3.connect(path) as connection:
        connection.execute("UPDATE devices SET ds_public_key = 'junk' WHERE kind = 'GSME'")
    connection.close()
    with StateStore.open(path) as store, pytest.raises(StateStoreError, match="B0 DS key"):
        store.load_inventory()


def test_a_newer_state_schema_is_refused(path: Path) -> None:
    StateStore.open(path).close()
    with sqlite3.connect(path) as connection:
        connection.execute("UPDATE schema_version SET version = 3 WHERE component = 'state'")
    connection.close()
    with pytest.raises(SchemaVersionError, match="state schema version 3 is newer"):
        StateStore.open(path)
    AuditTrail(path).close()  # the audit tables, at their own version, still open


def test_a_store_on_the_trail_leaves_the_connection_to_it(path: Path) -> None:
    with AuditTrail(path) as trail:
        with StateStore(trail.connection) as store:
            store.save_component("adt", {})
        assert trail.counts().requests == 0  # still open
