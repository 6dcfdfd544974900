"""DCC Users: User IDs in User Roles, and each party's responsible officers (R1, R4.1).

A User ID (an EUI-64) is registered for one party in one DUIS User Role. The SolrContingency
role (MP134B requirement 1) identifies a Shared Resource Provider acting in that capacity.
Authorised and Senior Responsible Officers sign the party's anomaly detection files.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from cryptography.hazmat.primitives.asymmetric import ec


class UserRole(StrEnum):
    IMPORT_SUPPLIER = "IS"
    EXPORT_SUPPLIER = "ES"
    GAS_SUPPLIER = "GS"
    REGISTERED_SUPPLIER_AGENT = "RSA"
    ELECTRICITY_DISTRIBUTOR = "ED"
    GAS_TRANSPORTER = "GT"
    OTHER_USER = "OU"
    SOLR_CONTINGENCY = "SolrContingency"


SUPPLIER_ROLES = frozenset({UserRole.IMPORT_SUPPLIER, UserRole.GAS_SUPPLIER})


class UserStatus(StrEnum):
    ACTIVE = "active"
    SUSPENDED = "suspended"


class OfficerKind(StrEnum):
    AUTHORISED = "ARO"
    SENIOR = "SRO"


@dataclass(frozen=True, slots=True)
class User:
    user_id: bytes
    party: str
    role: UserRole
    status: UserStatus = UserStatus.ACTIVE


@dataclass(frozen=True, slots=True)
class Officer:
    """A named person of a party who may sign its ADT files with ``public_key``'s private key."""

    officer_id: str
    party: str
    kind: OfficerKind
    public_key: ec.EllipticCurvePublicKey


class RegistrationError(Exception):
    """A registration the DCC refuses (duplicate, unknown party, unknown role)."""


class Users:
    """The DCC's register of Users and officers."""

    def __init__(self) -> None:
        self._users: dict[bytes, User] = {}
        self._officers: dict[str, Officer] = {}

    def register(self, user: User) -> User:
        if len(user.user_id) != 8:
            raise RegistrationError("a User ID is an 8-byte EUI-64")
        if not any(user.user_id):  # a SMETS1 alert reads it as "no command" (smets1_frame)
            raise RegistrationError("User ID 00-00-00-00-00-00-00-00 names no User")
        if user.user_id in self._users:
            raise RegistrationError(f"User ID {user.user_id.hex().upper()} is already registered")
        self._users[user.user_id] = user
        return user

    def get(self, user_id: bytes) -> User | None:
        return self._users.get(user_id)

    def set_status(self, user_id: bytes, status: UserStatus) -> User:
        user = self._users.get(user_id)
        if user is None:
            raise RegistrationError(f"no User ID {user_id.hex().upper()}")
        self._users[user_id] = updated = User(user.user_id, user.party, user.role, status)
        return updated

    def add_officer(self, officer: Officer) -> Officer:
        """A party creates an ARO or SRO (R4.1); the party must hold a registered User ID."""
        if not any(user.party == officer.party for user in self._users.values()):
            raise RegistrationError(f"party {officer.party!r} has no registered User ID")
        if officer.officer_id in self._officers:
            raise RegistrationError(f"officer {officer.officer_id!r} already exists")
        self._officers[officer.officer_id] = officer
        return officer

    def officer(self, officer_id: str) -> Officer | None:
        return self._officers.get(officer_id)

    def officers_of(self, party: str) -> list[Officer]:
        return [o for o in self._officers.values() if o.party == party]

    def users(self) -> list[User]:
        return list(self._users.values())
