"""The DCC's registries, kept in the audit trail's SQLite file so the DCC restarts where it stood.

Users with their officers, the device inventory, the SoLR register, each component's own state
as JSON (ADT files and counters, or anything else that can put itself as plain data), and the
folder the SMKI repository saves itself to. Keys are PEM and EUI-64s are text, so a person can
read the file with any SQLite tool. Each save is one transaction of upserts: saving the same
registry twice changes nothing, and as the registries only ever add, nothing is deleted. Loads
rebuild fresh registries through their own ``register``/``add`` checks, in the order saved.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from .inventory import DeviceKind, DeviceRecord, Inventory, InventoryError
from .smki.repository import SmkiRepository
from .solr_register import (
    OfgemInstruction,
    RegisterError,
    SolrNotification,
    SolrRegister,
    SrpArrangement,
)
from .sqlite_file import DatabaseError, SqliteComponent, connect
from .stored_values import eui64_bytes, eui64_text, format_time, parse_time
from .users import Officer, OfficerKind, RegistrationError, User, UserRole, Users, UserStatus

SCHEMA = "state"
SCHEMA_VERSION = 2

JsonValue = dict[str, Any] | list[Any] | str | int | float | bool | None


class StateStoreError(DatabaseError):
    """State that cannot be saved, or a stored row that does not load; says which and why."""


_TABLES = (
    """CREATE TABLE users (
        user_id TEXT PRIMARY KEY,
        party TEXT NOT NULL,
        role TEXT NOT NULL,
        status TEXT NOT NULL
    )""",
    """CREATE TABLE officers (
        officer_id TEXT PRIMARY KEY,
        party TEXT NOT NULL,
        kind TEXT NOT NULL,
        public_key TEXT NOT NULL
    )""",
    """CREATE TABLE devices (
        device_id TEXT PRIMARY KEY,
        kind TEXT NOT NULL,
        registered_supplier TEXT NOT NULL,
        ka_public_key TEXT,
        ds_public_key TEXT
    )""",
    """CREATE TABLE solr_notifications (
        failed_supplier TEXT PRIMARY KEY,
        at TEXT NOT NULL
    )""",
    """CREATE TABLE ofgem_instructions (
        failed_supplier TEXT PRIMARY KEY,
        srp_user_id TEXT NOT NULL,
        at TEXT NOT NULL
    )""",
    """CREATE TABLE srp_arrangements (
        supplier TEXT PRIMARY KEY,
        srp_user_id TEXT NOT NULL,
        at TEXT NOT NULL
    )""",
    """CREATE TABLE component_state (
        name TEXT PRIMARY KEY,
        data TEXT NOT NULL CHECK (json_valid(data))
    )""",
    """CREATE TABLE smki_repository (
        id INTEGER PRIMARY KEY CHECK (id = 1),
        folder TEXT NOT NULL
    )""",
)

_UPSERT_USER = """INSERT INTO users (user_id, party, role, status) VALUES (?, ?, ?, ?)
    ON CONFLICT (user_id) DO UPDATE
    SET party = excluded.party, role = excluded.role, status = excluded.status"""
_UPSERT_OFFICER = """INSERT INTO officers (officer_id, party, kind, public_key) VALUES (?, ?, ?, ?)
    ON CONFLICT (officer_id) DO UPDATE
    SET party = excluded.party, kind = excluded.kind, public_key = excluded.public_key"""
_UPSERT_DEVICE = """INSERT INTO devices
    (device_id, kind, registered_supplier, ka_public_key, ds_public_key) VALUES (?, ?, ?, ?, ?)
    ON CONFLICT (device_id) DO UPDATE
    SET kind = excluded.kind, registered_supplier = excluded.registered_supplier,
        ka_public_key = excluded.ka_public_key, ds_public_key = excluded.ds_public_key"""
_UPSERT_NOTIFICATION = """INSERT INTO solr_notifications (failed_supplier, at) VALUES (?, ?)
    ON CONFLICT (failed_supplier) DO UPDATE SET at = excluded.at"""
_UPSERT_INSTRUCTION = """INSERT INTO ofgem_instructions (failed_supplier, srp_user_id, at)
    VALUES (?, ?, ?)
    ON CONFLICT (failed_supplier) DO UPDATE
    SET srp_user_id = excluded.srp_user_id, at = excluded.at"""
_UPSERT_ARRANGEMENT = """INSERT INTO srp_arrangements (supplier, srp_user_id, at) VALUES (?, ?, ?)
    ON CONFLICT (supplier) DO UPDATE SET srp_user_id = excluded.srp_user_id, at = excluded.at"""
_UPSERT_COMPONENT = """INSERT INTO component_state (name, data) VALUES (?, ?)
    ON CONFLICT (name) DO UPDATE SET data = excluded.data"""
_UPSERT_SMKI = """INSERT INTO smki_repository (id, folder) VALUES (1, ?)
    ON CONFLICT (id) DO UPDATE SET folder = excluded.folder"""


class StateStore(SqliteComponent):
    """Saves and loads the DCC's registries on ``connection`` (see :meth:`open` for a file).

    Built on an :class:`dcc.audit.AuditTrail`'s connection it shares that file and is closed
    with it.
    """

    SCHEMA = SCHEMA
    SCHEMA_VERSION = SCHEMA_VERSION
    TABLES = _TABLES
    ERROR = StateStoreError

    @classmethod
    def open(cls, path: Path | str) -> StateStore:
        """A store on its own connection to the database file at ``path``."""
        return cls(connect(path), owns_connection=True)

    # --- users and officers -------------------------------------------------------------------

    def save_users(self, users: Users) -> None:
        """Every User ID and every officer (each belongs to a party holding a User ID)."""
        registered = users.users()
        user_rows = [
            (eui64_text(user.user_id), user.party, user.role.value, user.status.value)
            for user in registered
        ]
        officer_rows = [
            (officer.officer_id, officer.party, officer.kind.value, _pem(officer.public_key))
            for party in dict.fromkeys(user.party for user in registered)
            for officer in users.officers_of(party)
        ]
        with self._writing("save users") as connection:
            connection.executemany(_UPSERT_USER, user_rows)
            connection.executemany(_UPSERT_OFFICER, officer_rows)

    def load_users(self) -> Users:
        users = Users()
        with _loading("users"):
            for user_id, party, role, status in self._rows(
                "SELECT user_id, party, role, status FROM users ORDER BY rowid"
            ):
                users.register(
                    User(eui64_bytes(user_id), party, UserRole(role), UserStatus(status))
                )
            for officer_id, party, kind, public_key in self._rows(
                "SELECT officer_id, party, kind, public_key FROM officers ORDER BY rowid"
            ):
                key = _public_key(public_key, f"officer {officer_id}")
                users.add_officer(Officer(officer_id, party, OfficerKind(kind), key))
        return users

    # --- device inventory ---------------------------------------------------------------------

    def save_inventory(self, inventory: Inventory) -> None:
        rows = [
            (
                eui64_text(device.device_id),
                device.kind.value,
                eui64_text(device.registered_supplier),
                None if device.ka_public_key is None else _pem(device.ka_public_key),
                None if device.ds_public_key is None else _pem(device.ds_public_key),
            )
            for device in inventory
        ]
        with self._writing("save inventory") as connection:
            connection.executemany(_UPSERT_DEVICE, rows)

    def load_inventory(self) -> Inventory:
        inventory = Inventory()
        query = """SELECT device_id, kind, registered_supplier, ka_public_key, ds_public_key
            FROM devices ORDER BY rowid"""
        with _loading("inventory"):
            for device_id, kind, supplier, ka, ds in self._rows(query):
                what = f"device {device_id}"
                record = DeviceRecord(
                    eui64_bytes(device_id),
                    DeviceKind(kind),
                    eui64_bytes(supplier),
                    None if ka is None else _public_key(ka, f"{what} KA key"),
                    None if ds is None else _public_key(ds, f"{what} DS key"),
                )
                inventory.add(record)
        return inventory

    # --- SoLR register ------------------------------------------------------------------------

    def save_register(self, register: SolrRegister) -> None:
        notifications = [
            (eui64_text(notification.failed_supplier), format_time(notification.at))
            for notification in register.notifications()
        ]
        instructions = [
            (
                eui64_text(instruction.failed_supplier),
                eui64_text(instruction.srp_user_id),
                format_time(instruction.at),
            )
            for instruction in register.instructions()
        ]
        arrangements = [
            (eui64_text(a.supplier), eui64_text(a.srp_user_id), format_time(a.at))
            for a in register.arrangements()
        ]
        with self._writing("save SoLR register") as connection:
            connection.executemany(_UPSERT_NOTIFICATION, notifications)
            connection.executemany(_UPSERT_INSTRUCTION, instructions)
            connection.executemany(_UPSERT_ARRANGEMENT, arrangements)

    def load_register(self) -> SolrRegister:
        """Notifications first, so each instruction finds the notification it needs (R6.2)."""
        register = SolrRegister()
        with _loading("SoLR register"):
            for supplier, at in self._rows(
                "SELECT failed_supplier, at FROM solr_notifications ORDER BY rowid"
            ):
                register.notify(SolrNotification(eui64_bytes(supplier), parse_time(at)))
            for supplier, srp, at in self._rows(
                "SELECT failed_supplier, srp_user_id, at FROM ofgem_instructions ORDER BY rowid"
            ):
                register.instruct(
                    OfgemInstruction(eui64_bytes(supplier), eui64_bytes(srp), parse_time(at))
                )
            for supplier, srp, at in self._rows(
                "SELECT supplier, srp_user_id, at FROM srp_arrangements ORDER BY rowid"
            ):
                register.arrange(
                    SrpArrangement(eui64_bytes(supplier), eui64_bytes(srp), parse_time(at))
                )
        return register

    # --- component state ----------------------------------------------------------------------

    def save_component(self, name: str, data: JsonValue) -> None:
        """Replace ``name``'s state with ``data``: plain JSON data, whatever shape it chooses."""
        try:
            text = json.dumps(data, allow_nan=False)
        except (TypeError, ValueError) as exc:
            raise StateStoreError(
                f"state of component {name!r} is not plain JSON data: {exc}"
            ) from exc
        with self._writing(f"save component {name!r}") as connection:
            connection.execute(_UPSERT_COMPONENT, (name, text))

    def load_component(self, name: str) -> JsonValue:
        """``name``'s saved state, or None when it has saved none."""
        row = self._connection.execute(
            "SELECT data FROM component_state WHERE name = ?", (name,)
        ).fetchone()
        return None if row is None else json.loads(row[0])

    # --- SMKI repository ----------------------------------------------------------------------

    def save_smki(self, repository: SmkiRepository, folder: Path) -> None:
        """Save the repository to ``folder`` by its own format, then remember where it is (as
        an absolute path, so a restart from another working directory finds it)."""
        repository.save(folder)
        with self._writing("save SMKI repository folder") as connection:
            connection.execute(_UPSERT_SMKI, (str(folder.resolve()),))

    def load_smki(self) -> SmkiRepository | None:
        """The repository from the remembered folder, or None if none was saved; a folder that
        no longer loads raises :class:`dcc.smki.errors.RepositoryError` saying why."""
        row = self._connection.execute("SELECT folder FROM smki_repository").fetchone()
        return None if row is None else SmkiRepository.load(Path(row[0]))

    def _rows(self, query: str) -> list[tuple[Any, ...]]:
        return self._connection.execute(query).fetchall()


@contextmanager
def _loading(what: str) -> Iterator[None]:
    """Stored rows the registries refuse become a StateStoreError saying which registry."""
    try:
        yield
    except (RegistrationError, InventoryError, RegisterError, ValueError) as exc:
        raise StateStoreError(f"stored {what} do not load: {exc}") from exc


def _pem(key: ec.EllipticCurvePublicKey) -> str:
    return key.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    ).decode("ascii")


def _public_key(pem: str, what: str) -> ec.EllipticCurvePublicKey:
    try:
        key = serialization.load_pem_public_key(pem.encode("ascii"))
    except ValueError as exc:
        raise StateStoreError(f"{what} is not a PEM public key: {exc}") from exc
    if not isinstance(key, ec.EllipticCurvePublicKey):
        raise StateStoreError(f"{what} is a {type(key).__name__}, not an EC public key")
    return key
