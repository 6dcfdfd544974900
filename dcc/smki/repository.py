"""The SMKI repository: every certificate ever issued or admitted, its status, and the CRLs.

History is the point. MP134B lets the SRP act for a supplier only if that supplier's EUI-64
*previously held* Supplier (02) certificates and they are *now revoked* (R6.3-R6.5), so records
are never deleted: revocation adds a time and a reason to the record and an entry to the
issuer's CRL. Relying parties ask :meth:`SmkiRepository.is_revoked`, which reads the signed CRL,
not the record; :meth:`CertificateRecord.status_at` is the registry's own view for listings,
and loading a saved repository checks that both agree.

Saved form (a folder): ``index.json`` (authority seed and the records' registry fields),
``certs/NNNN-<serial>.pem``, ``crls/NN.crl.pem`` and the CA certificates in ``ca/`` (PEM, so
``openssl crl -CAfile`` can check them).
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from datetime import datetime
from enum import StrEnum
from pathlib import Path
from typing import Any

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from dcc._by_identity import by_identity

from ._kept_history import KeptHistory, kept_history
from .authority import CertificateAuthority, SmkiAuthority
from .crl import Revocations, RevokedEntry, check_crl, issue_crl, revocation_time
from .errors import CrlError, RepositoryError, SmkiInputError, SmkiProfileError
from .names import NameKey, as_name, check_eui64, eui64_text, issuer_key, name_key, parse_dn
from .profile import DeviceCertificateInfo, OrgCertificateInfo, read_certificate
from .roles import KeyUsage, RemotePartyRole
from .times import check_utc, parse_time, to_seconds

INDEX_FILE = "index.json"
INDEX_FORMAT = "solrsim-smki-repository/1"

# Enrols a device the repository holds no certificates for, when they are first asked for.
DeviceEnroller = Callable[[bytes], object]


class CertificateStatus(StrEnum):
    """SMKI repository status codes (dccboxed-keystore ``certificateSearch.ts``)."""

    PENDING = "P"
    IN_USE = "I"
    NOT_IN_USE = "N"
    EXPIRED = "E"
    REVOKED = "R"


# What the registry records; EXPIRED and REVOKED follow from time and revocation.
LIFECYCLE_STATUSES = frozenset(
    {CertificateStatus.PENDING, CertificateStatus.IN_USE, CertificateStatus.NOT_IN_USE}
)


@dataclass(frozen=True)
class CertificateRecord:
    """One certificate in the repository with its registry fields.

    ``status`` is the lifecycle status set when recorded; ``user_role`` the DUIS User Role it
    was subscribed in (None when admitted from outside, e.g. the DCC Boxed key set);
    ``external`` says whether another CA issued it.
    """

    certificate: x509.Certificate
    info: OrgCertificateInfo | DeviceCertificateInfo
    status: CertificateStatus
    user_role: str | None
    party: str | None
    recorded_at: datetime
    external: bool
    revoked_at: datetime | None = None
    revocation_reason: x509.ReasonFlags | None = None

    def __post_init__(self) -> None:
        if self.status not in LIFECYCLE_STATUSES:
            raise RepositoryError(
                f"status {self.status.name} follows from time or revocation; record "
                "PENDING, IN_USE or NOT_IN_USE"
            )

    @property
    def eui64(self) -> bytes:
        return self.info.eui64

    @property
    def role(self) -> RemotePartyRole | None:
        """The Remote Party Role; None for a Device certificate."""
        return self.info.role if isinstance(self.info, OrgCertificateInfo) else None

    @property
    def key_usage(self) -> KeyUsage:
        return self.info.key_usage

    @property
    def issuer(self) -> x509.Name:
        return self.certificate.issuer

    @property
    def serial(self) -> int:
        return self.certificate.serial_number

    @property
    def not_before(self) -> datetime:
        return self.certificate.not_valid_before_utc

    @property
    def not_after(self) -> datetime:
        return self.certificate.not_valid_after_utc

    def status_at(self, at: datetime) -> CertificateStatus:
        """The status at ``at``: revoked, else expired, else pending before its validity, else
        the recorded lifecycle status."""
        at = check_utc(at)
        if self.revoked_at is not None and self.revoked_at <= at:
            return CertificateStatus.REVOKED
        if at > self.not_after:
            return CertificateStatus.EXPIRED
        if at < self.not_before:
            return CertificateStatus.PENDING
        return self.status

    def describe(self) -> str:
        """``90-B3-D5-1F-30-01-00-00 supplier (02) DS serial 0x...``, for reasons and logs."""
        what = "device" if self.role is None else self.role.label
        return f"{eui64_text(self.eui64)} {what} {self.key_usage.code} serial {self.serial:#x}"


@dataclass(frozen=True)
class RoleHistory:
    """What the repository knows, at ``at``, about one EUI-64's certificates in one role: the
    facts behind R6.3-R6.5, kept apart so a refusal can say which one failed."""

    eui64: bytes
    role: RemotePartyRole
    at: datetime
    held: tuple[CertificateRecord, ...]
    revoked: tuple[CertificateRecord, ...]
    valid: tuple[CertificateRecord, ...]

    @property
    def ever_held(self) -> bool:
        return bool(self.held)

    @property
    def all_revoked(self) -> bool:
        """Held at least one, and every one is revoked per its issuer's CRL."""
        return self.ever_held and len(self.revoked) == len(self.held)

    @property
    def still_valid(self) -> bool:
        return bool(self.valid)

    def refusal(self) -> str | None:
        """Why this EUI-64 does not qualify as a revoked former holder, or None if it does."""
        if self.all_revoked and not self.still_valid:
            return None
        who = eui64_text(self.eui64)
        if not self.ever_held:
            return f"{who} never held a {self.role.label} certificate"
        if self.still_valid:
            serials = ", ".join(f"{record.serial:#x}" for record in self.valid)
            return f"{who} still holds valid {self.role.label} certificates: {serials}"
        if not self.all_revoked:
            unrevoked = [record for record in self.held if record not in self.revoked]
            serials = ", ".join(f"{record.serial:#x}" for record in unrevoked)
            return f"{who} has {self.role.label} certificates that are not revoked: {serials}"
        return None


def newest(records: Iterable[CertificateRecord]) -> CertificateRecord | None:
    """The latest issued (latest notBefore; of equals, the one recorded last)."""
    best: CertificateRecord | None = None
    for record in records:
        if best is None or record.not_before >= best.not_before:
            best = record
    return best


class SmkiRepository:
    """Records by issuer and serial, lookups by EUI-64 / role / usage, revocation through CRLs.

    Lookups by EUI-64 and by serial are indexed: a rehearsal's repository holds the Device
    certificates of every meter that took part, thousands of them.
    """

    def __init__(self, authority: SmkiAuthority) -> None:
        self._authority = authority
        self._records: list[CertificateRecord] = []
        self._positions: dict[tuple[NameKey, int], int] = {}
        self._by_eui: dict[bytes, list[int]] = {}
        self._by_serial: dict[int, list[int]] = {}
        self._device_enroller: DeviceEnroller | None = None
        self._crls: dict[NameKey, x509.CertificateRevocationList] = {}
        self._crl_subjects: dict[NameKey, x509.Name] = {}
        # Each issuer's current CRL, checked and read once per issue, not per look-up.
        self._revocations: dict[NameKey, Revocations] = {}
        # EUI-64 -> one more for each of its records added or revoked: what a kept role history
        # of it depends on besides the CRLs (other EUI-64s' records, Device ones too, do not count)
        self._versions: dict[bytes, int] = {}
        self._histories: dict[tuple[bytes, RemotePartyRole], KeptHistory] = {}

    @property
    def authority(self) -> SmkiAuthority:
        return self._authority

    @property
    def records(self) -> tuple[CertificateRecord, ...]:
        """Every record, in the order recorded."""
        return tuple(self._records)

    def add(
        self,
        certificate: x509.Certificate,
        *,
        at: datetime,
        user_role: str | None = None,
        party: str | None = None,
        status: CertificateStatus = CertificateStatus.IN_USE,
    ) -> CertificateRecord:
        """Record ``certificate``; it must be in profile, and if it names one of our CAs as
        issuer, signed by it. Others are recorded as externally issued."""
        record = CertificateRecord(
            certificate=certificate,
            info=read_certificate(certificate),
            status=status,
            user_role=user_role,
            party=party,
            recorded_at=to_seconds(at),
            external=self._is_external(certificate),
        )
        return self._keep(record, certificate.issuer)

    def issue_device_certificate(
        self, eui64: bytes, key_usage: KeyUsage, public_key: ec.EllipticCurvePublicKey, at: datetime
    ) -> CertificateRecord:
        """A Device certificate from our Device CA, valid and recorded (IN_USE) from ``at``.
        What our own authority just issued is recorded without reading it back or checking its
        signature again: a fleet enrols thousands of devices."""
        certificate = self._authority.issue_device_certificate(
            eui64, key_usage, public_key, not_before=at
        )
        record = CertificateRecord(
            certificate=certificate,
            info=DeviceCertificateInfo(eui64, key_usage),
            status=CertificateStatus.IN_USE,
            user_role=None,
            party=None,
            recorded_at=to_seconds(at),
            external=False,
        )
        return self._keep(record, self._authority.device_ca.name)

    def _keep(self, record: CertificateRecord, issuer: x509.Name) -> CertificateRecord:
        """Insert ``record`` issued by ``issuer`` (given, not read from the certificate: reading
        it makes the certificate hold a parsed copy, a kilobyte a device), publishing a first CRL
        for a new issuer."""
        self._insert(record, name_key(issuer))
        if name_key(issuer) not in self._crls:
            self._publish_crl(issuer, record.recorded_at)
        return record

    def find(
        self, eui64: bytes, role: RemotePartyRole, key_usage: KeyUsage | None = None
    ) -> list[CertificateRecord]:
        """Organisation certificate records of ``eui64`` in ``role`` (and usage), any status."""
        return [
            record
            for record in self.history(eui64)
            if record.role == role and (key_usage is None or record.key_usage is key_usage)
        ]

    def set_device_enroller(self, enroller: DeviceEnroller) -> None:
        """Who enrols a device whose certificates are asked for before the device took part:
        a lazy fleet issues them then, not up front."""
        self._device_enroller = enroller

    def devices(self, eui64: bytes) -> list[CertificateRecord]:
        """Device certificate records of ``eui64``, any status, in the order recorded; a device
        held nowhere yet is first enrolled by the device enroller, if there is one."""
        records = [record for record in self.history(eui64) if record.role is None]
        if not records and self._device_enroller is not None:
            self._device_enroller(eui64)
            records = [record for record in self.history(eui64) if record.role is None]
        return records

    def by_serial(self, serial: int) -> list[CertificateRecord]:
        """The records with serial number ``serial``, from any issuer, in the order recorded
        (DCC Boxed's SMKI interface names a certificate by serial alone)."""
        return [self._records[position] for position in self._by_serial.get(serial, ())]

    def current(
        self, eui64: bytes, role: RemotePartyRole, key_usage: KeyUsage, at: datetime
    ) -> CertificateRecord | None:
        """The newest certificate of ``eui64`` / ``role`` / ``key_usage`` in use at ``at``."""
        return newest(
            record
            for record in self.find(eui64, role, key_usage)
            if record.status_at(at) is CertificateStatus.IN_USE
        )

    def by_issuer_serial(self, issuer: x509.Name | str, serial: int) -> CertificateRecord | None:
        """The record DUIS KeyInfo names: ``X509IssuerName`` (x509.Name or RFC 2253 text, with or
        without spaces) and ``X509SerialNumber``."""
        position = self._positions.get((name_key(issuer), serial))
        return None if position is None else self._records[position]

    def resolve(self, issuer: x509.Name | str, serial: int) -> x509.Certificate | None:
        """The certificate a DUIS signature names, as the XML signature verifier asks for it."""
        record = self.by_issuer_serial(issuer, serial)
        return None if record is None else record.certificate

    def history(self, eui64: bytes) -> list[CertificateRecord]:
        """Every record ever held by ``eui64``, revoked ones included, in the order recorded."""
        return [self._records[position] for position in self._by_eui.get(check_eui64(eui64), ())]

    def revoke(
        self, record: CertificateRecord, reason: x509.ReasonFlags, at: datetime
    ) -> CertificateRecord:
        """Revoke one certificate from ``at`` and re-issue its issuer's CRL."""
        at = to_seconds(at)
        position = self._positions.get((name_key(record.issuer), record.serial))
        if position is None:
            raise RepositoryError(f"no such certificate in the repository: {record.describe()}")
        stored = self._records[position]
        if stored.revoked_at is not None:
            raise RepositoryError(
                f"{stored.describe()} was already revoked at {stored.revoked_at.isoformat()}"
            )
        if at < stored.recorded_at:
            raise RepositoryError(
                f"{stored.describe()} cannot be revoked at {at.isoformat()}, before it was "
                f"recorded ({stored.recorded_at.isoformat()})"
            )
        revoked = replace(stored, revoked_at=at, revocation_reason=reason)
        self._records[position] = revoked
        self._changed(stored.eui64)
        crl = self._crls[name_key(stored.issuer)]
        self._publish_crl(stored.issuer, max(at, crl.last_update_utc))
        return revoked

    def revoke_all_for(
        self, eui64: bytes, role: RemotePartyRole, reason: x509.ReasonFlags, at: datetime
    ) -> list[CertificateRecord]:
        """Revoke every unrevoked certificate of ``eui64`` in ``role``, as Ofgem does for a
        failed supplier's Supplier certificates; returns what was revoked (maybe nothing)."""
        return [
            self.revoke(record, reason, at)
            for record in self.find(eui64, role)
            if record.revoked_at is None
        ]

    def crl(self, issuer: x509.Name | str) -> x509.CertificateRevocationList:
        """The current CRL covering certificates issued by ``issuer``."""
        crl = self._crls.get(name_key(issuer))
        if crl is None:
            raise CrlError(f"no CRL for issuer {as_name(issuer).rfc4514_string()}")
        return crl

    def is_revoked(self, certificate: x509.Certificate, at: datetime) -> bool:
        """Whether ``certificate`` is revoked at ``at``, read from its issuer's CRL after
        checking that CRL's signer and signature (CrlError if it cannot be trusted)."""
        at = check_utc(at)
        issuer, serial = _names_of(certificate)
        when = self._revocations_for(issuer, certificate).time_for(certificate, issuer, serial)
        return when is not None and when <= at

    def _revocations_of(self, certificate: x509.Certificate) -> Revocations:
        """The current CRL of the certificate's issuer, checked and read once per issue."""
        return self._revocations_for(_names_of(certificate)[0], certificate)

    def _revocations_for(self, key: NameKey, certificate: x509.Certificate) -> Revocations:
        crl = self._crls.get(key)
        if crl is None:
            raise CrlError(f"no CRL for issuer {certificate.issuer.rfc4514_string()}")
        revocations = self._revocations.get(key)
        if revocations is None or revocations.crl is not crl:
            check_crl(crl, self._authority.crl_signer(certificate.issuer).certificate)
            revocations = self._revocations[key] = Revocations(crl)
        return revocations

    def role_history(self, eui64: bytes, role: RemotePartyRole, at: datetime) -> RoleHistory:
        """The certificates ``eui64`` held in ``role`` as recorded by ``at``; which of them the
        CRLs say are revoked, and which are in date and unrevoked.

        The DCC asks this of every SolrContingency request, so the answer is kept until the
        repository changes (a record added or revoked, a CRL issued or replaced) or ``at``
        reaches an instant at which it could change (a record's recording, validity or
        revocation)."""
        at = check_utc(at)
        kept = self._histories.get((eui64, role))
        version = self._versions.get(eui64, 0)
        if kept is None or not kept.holds(version, self._crls, at):
            records = self.find(eui64, role)
            kept = kept_history(version, records, at, self._revocations_of)
            self._histories[(eui64, role)] = kept
        return RoleHistory(eui64, role, at, kept.held, kept.revoked, kept.valid)

    def held_role_and_revoked(self, eui64: bytes, role: RemotePartyRole, at: datetime) -> bool:
        """R6.3 / R6.4: did ``eui64`` ever hold a ``role`` certificate, and are all of them
        revoked at ``at``? :meth:`role_history` gives the reason when not."""
        return self.role_history(eui64, role, at).all_revoked

    def save(self, folder: Path) -> None:
        """Write the repository to ``folder`` (created if missing); the index is replaced
        atomically, last, so a crash leaves the previous index consistent."""
        for sub in ("ca", "certs", "crls"):
            (folder / sub).mkdir(parents=True, exist_ok=True)
        for file_name, ca in self._ca_files().items():
            _write(folder / "ca" / file_name, _pem(ca.certificate))
        records = []
        for number, record in enumerate(self._records):
            cert_file = f"certs/{number:04d}-{record.serial:032x}.pem"
            _write(folder / cert_file, _pem(record.certificate))
            records.append(_record_json(record, cert_file))
        crls = []
        for number, (key, crl) in enumerate(self._crls.items()):
            crl_file = f"crls/{number:02d}.crl.pem"
            _write(folder / crl_file, crl.public_bytes(serialization.Encoding.PEM))
            crls.append({"issuer": self._crl_subjects[key].rfc4514_string(), "file": crl_file})
        index = {
            "format": INDEX_FORMAT,
            "authority": {
                "name": self._authority.name,
                "seed": self._authority.seed.hex(),
                "epoch": self._authority.epoch.isoformat(),
            },
            "records": records,
            "crls": crls,
        }
        _write(folder / INDEX_FILE, json.dumps(index, indent=2).encode() + b"\n")

    @classmethod
    def load(cls, folder: Path) -> SmkiRepository:
        """A repository saved by :meth:`save`; RepositoryError (or CrlError for a CRL that does
        not verify) says what is wrong with the folder."""
        try:
            index = json.loads((folder / INDEX_FILE).read_text())
            if index.get("format") != INDEX_FORMAT:
                raise RepositoryError(f"{folder / INDEX_FILE}: not a {INDEX_FORMAT} index")
            authority = SmkiAuthority.from_seed(
                bytes.fromhex(index["authority"]["seed"]),
                index["authority"]["name"],
                parse_time(index["authority"]["epoch"]),
            )
            repository = cls(authority)
            repository._check_ca_files(folder)
            for entry in index["records"]:
                record = repository._record_from_json(folder, entry)
                repository._insert(record, name_key(record.issuer))
            for entry in index["crls"]:
                crl = x509.load_pem_x509_crl((folder / entry["file"]).read_bytes())
                issuer = parse_dn(entry["issuer"])
                repository._crls[name_key(issuer)] = crl
                repository._crl_subjects[name_key(issuer)] = issuer
        except (SmkiInputError, SmkiProfileError) as exc:
            raise RepositoryError(f"cannot load SMKI repository {folder}: {exc.reason}") from None
        except (OSError, KeyError, TypeError, ValueError, AttributeError) as exc:
            raise RepositoryError(f"cannot load SMKI repository {folder}: {exc!r}") from None
        repository._check_crls_match_records()
        return repository

    def _is_external(self, certificate: x509.Certificate) -> bool:
        ca = self._authority.issuer_of(certificate.issuer)
        if ca is None:
            return True
        try:
            certificate.verify_directly_issued_by(ca.certificate)
        except (ValueError, TypeError, InvalidSignature):
            raise RepositoryError(
                f"certificate serial {certificate.serial_number:#x} names "
                f"{ca.name.rfc4514_string()} as issuer but that CA did not sign it"
            ) from None
        return False

    def _changed(self, eui64: bytes) -> None:
        self._versions[eui64] = self._versions.get(eui64, 0) + 1

    def _insert(self, record: CertificateRecord, issuer: NameKey) -> None:
        key = (issuer, record.serial)
        if key in self._positions:
            raise RepositoryError(f"already recorded: {record.describe()}")
        self._changed(record.eui64)
        position = len(self._records)
        self._positions[key] = position
        self._by_eui.setdefault(record.eui64, []).append(position)
        self._by_serial.setdefault(record.serial, []).append(position)
        self._records.append(record)

    def _publish_crl(self, issuer: x509.Name, this_update: datetime) -> None:
        key = name_key(issuer)
        entries = [
            RevokedEntry(record.serial, record.revoked_at, record.revocation_reason)
            for record in self._records
            if record.revoked_at is not None
            and record.revocation_reason is not None
            and name_key(record.issuer) == key
        ]
        signer = self._authority.crl_signer(issuer)
        self._crls[key] = issue_crl(signer, issuer, entries, this_update)
        self._crl_subjects.setdefault(key, issuer)

    def _ca_files(self) -> dict[str, CertificateAuthority]:
        return {
            "root.pem": self._authority.root,
            "organisation-ca.pem": self._authority.organisation_ca,
            "device-ca.pem": self._authority.device_ca,
        }

    def _check_ca_files(self, folder: Path) -> None:
        for file_name, ca in self._ca_files().items():
            if (folder / "ca" / file_name).read_bytes() != _pem(ca.certificate):
                raise RepositoryError(
                    f"{folder / 'ca' / file_name} is not the CA the index's seed gives"
                )

    def _record_from_json(self, folder: Path, entry: dict[str, Any]) -> CertificateRecord:
        certificate = x509.load_pem_x509_certificate((folder / entry["certificate"]).read_bytes())
        reason = entry["revocation_reason"]
        revoked_at = entry["revoked_at"]
        return CertificateRecord(
            certificate=certificate,
            info=read_certificate(certificate),
            status=CertificateStatus(entry["status"]),
            user_role=entry["user_role"],
            party=entry["party"],
            recorded_at=parse_time(entry["recorded_at"]),
            external=self._is_external(certificate),
            revoked_at=None if revoked_at is None else parse_time(revoked_at),
            revocation_reason=None if reason is None else x509.ReasonFlags(reason),
        )

    def _check_crls_match_records(self) -> None:
        """Every record's issuer has a trusted CRL that agrees with the record's revocation."""
        for record in self._records:
            key = name_key(record.issuer)
            if key not in self._crls:
                raise RepositoryError(f"no CRL for the issuer of {record.describe()}")
            signer = self._authority.crl_signer(record.issuer)
            when = revocation_time(self._crls[key], record.certificate, signer.certificate)
            if when != record.revoked_at:
                raise RepositoryError(
                    f"index and CRL disagree about {record.describe()}: index says "
                    f"{record.revoked_at}, CRL says {when}"
                )


def _record_json(record: CertificateRecord, cert_file: str) -> dict[str, Any]:
    return {
        "certificate": cert_file,
        "eui64": eui64_text(record.eui64),
        "role": None if record.role is None else record.role.display_name,
        "key_usage": record.key_usage.value,
        "status": record.status.value,
        "user_role": record.user_role,
        "party": record.party,
        "recorded_at": record.recorded_at.isoformat(),
        "revoked_at": None if record.revoked_at is None else record.revoked_at.isoformat(),
        "revocation_reason": (
            None if record.revocation_reason is None else record.revocation_reason.value
        ),
    }


def _pem(certificate: x509.Certificate) -> bytes:
    return certificate.public_bytes(serialization.Encoding.PEM)


def _write(path: Path, data: bytes) -> None:
    temporary = path.with_name(path.name + ".tmp")
    temporary.write_bytes(data)
    os.replace(temporary, path)


@by_identity(maxsize=4096)
def _names_of(certificate: x509.Certificate) -> tuple[NameKey, int]:
    """The certificate's issuer key and serial, read once per certificate object: the DCC asks
    about the same few signers' certificates on every request (a certificate is immutable)."""
    return issuer_key(certificate), certificate.serial_number
