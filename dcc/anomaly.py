"""Threshold anomaly detection (spec §6): ADT submissions, request counts and quarantine.

The SolrContingency role is held at zero by default (R6.1): every request quarantined until its
party's officer submits an ADT (R4.2), and the DCC takes non-zero rows only for a supplier that
Ofgem has instructed this SRP to act for (R6.2). SolrContingency rows must name that supplier
*(choice)*: the SRP acts per instructed supplier, never across the whole estate.

Counting *(choice)*: fixed windows of the configured ``adt_period``, aligned on the Unix epoch
in UTC, on the simulation clock passed in as ``now`` (never the wall clock). One counter per
(User ID, SRV, supplier) is enough, runs replay exactly, and a window matches the per-period
figures of a quarantine report. A change of ``adt_period`` starts a new window at once.
Quarantined requests are not counted: they were not actioned.

Not modelled: the DCC-wide threshold per SRV (``ADDCCThresholdBreach``), because DccConfig has
no setting for it yet.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from dcc.adt import AdtFile, AdtFileError, SignedAdt
from dcc.config import DccConfig
from dcc.duis.alerts import BreachKind
from dcc.duis.ids import format_eui64
from dcc.errors import RemoteProtocolError
from dcc.solr_register import SolrRegister
from dcc.users import User, UserRole, Users
from devices.gbcs.payment_mode import PaymentMode

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
UPDATE_PAYMENT_MODE = "1.6"


class AnomalyError(Exception):
    """A question anomaly detection cannot answer: an unknown User ID or a time without zone."""


class AdtRefused(RemoteProtocolError):
    """An ADT submission the DCC refuses; ``rule`` is the requirement that decided (R4.2, R6.2)."""

    def __init__(self, rule: str, reason: str) -> None:
        super().__init__(f"{rule}: {reason}")
        self.rule = rule
        self.reason = reason


@dataclass(frozen=True, slots=True)
class AdtSubmission:
    """One ADT submission for the audit trail; ``refusal`` is None when it was accepted."""

    signed: SignedAdt
    at: datetime
    refusal: str | None

    @property
    def accepted(self) -> bool:
        return self.refusal is None


@dataclass(frozen=True, slots=True)
class Admitted:
    """A request within its thresholds: it is actioned."""

    reason: str

    @property
    def admitted(self) -> bool:
        return True


@dataclass(frozen=True, slots=True)
class Quarantined:
    """A request held for ``breach``, under the next quarantine event reference."""

    breach: BreachKind
    quarantine_event_ref: int
    reason: str

    @property
    def admitted(self) -> bool:
        return False


# The verdict on one request.
Admission = Admitted | Quarantined


@dataclass(frozen=True, slots=True)
class CounterState:
    """Requests actioned for one (User ID, SRV, supplier) in the window from ``window_start``."""

    user_id: bytes
    srv: str
    supplier: bytes | None
    window_start: datetime
    count: int


@dataclass(frozen=True, slots=True)
class AnomalyState:
    """Everything anomaly detection must keep across a restart, as plain values."""

    adts: tuple[SignedAdt, ...]
    counters: tuple[CounterState, ...]
    submissions: tuple[AdtSubmission, ...]
    last_event_ref: int


def _aware(now: datetime) -> None:
    if now.tzinfo is None:
        raise AnomalyError(f"time {now.isoformat()} has no time zone")


class AnomalyDetection:
    """ADTs in force, counts per period and quarantine decisions; ``config`` is read per call,
    so a configuration reloaded while running takes effect at the next request (R3.3)."""

    def __init__(
        self, users: Users, register: SolrRegister, config: Callable[[], DccConfig]
    ) -> None:
        self._users = users
        self._register = register
        self._config = config
        self._in_force: dict[bytes, tuple[AdtFile, SignedAdt]] = {}
        self._counters: dict[tuple[bytes, str, bytes | None], CounterState] = {}
        self._submissions: list[AdtSubmission] = []
        self._last_event_ref = 0

    # --- ADT files ----------------------------------------------------------------------------

    def submit_adt(self, signed: SignedAdt, now: datetime) -> AdtFile:
        """Accept ``signed`` in place of the User ID's ADT in force, or raise AdtRefused.

        Every submission is kept, with the reason when refused, for the audit trail.
        """
        _aware(now)
        try:
            adt = self._check(signed, now)
        except AdtRefused as refusal:
            self._submissions.append(AdtSubmission(signed, now, str(refusal)))
            raise
        self._in_force[adt.user_id] = (adt, signed)
        self._submissions.append(AdtSubmission(signed, now, None))
        return adt

    def _check(self, signed: SignedAdt, now: datetime) -> AdtFile:
        officer = self._users.officer(signed.officer_id)
        if officer is None:
            raise AdtRefused("R4.2", f"{signed.officer_id!r} is not a responsible officer")
        if not signed.verifies(officer.public_key):
            raise AdtRefused("R4.2", f"signature does not verify with officer {officer.officer_id}")
        try:
            adt = AdtFile.parse(signed.content)
        except AdtFileError as exc:
            raise AdtRefused("R4.2", f"malformed ADT file: {exc}") from None
        user = self._users.get(adt.user_id)
        if user is None:
            raise AdtRefused("R4.2", f"no User ID {format_eui64(adt.user_id)}")
        if officer.party != user.party:
            raise AdtRefused(
                "R4.2",
                f"officer {officer.officer_id} is of party {officer.party!r}, "
                f"User ID {format_eui64(user.user_id)} of party {user.party!r}",
            )
        self._check_date(adt, now)
        if user.role is UserRole.SOLR_CONTINGENCY:
            self._check_solr_rows(adt, now)
        return adt

    def _check_date(self, adt: AdtFile, now: datetime) -> None:
        """A file dated later than ``now``, or not later than the one in force, is refused: a
        captured file replayed must not undo the officer's newer one *(choice)*."""
        if adt.issued_at > now:
            raise AdtRefused(
                "R4.2", f"issued at {adt.issued_at.isoformat()}, after {now.isoformat()}"
            )
        in_force = self._in_force.get(adt.user_id)
        if in_force is not None and adt.issued_at <= in_force[0].issued_at:
            raise AdtRefused(
                "R4.2",
                f"issued at {adt.issued_at.isoformat()}, not after the ADT in force "
                f"(issued at {in_force[0].issued_at.isoformat()}): stale or replayed",
            )

    def _check_solr_rows(self, adt: AdtFile, now: datetime) -> None:
        for row in adt.thresholds:
            if row.supplier is None:
                raise AdtRefused(
                    "R4.2", f"SRV {row.srv}: a SolrContingency row must name its supplier"
                )
            if row.count and not self._instructed(adt.user_id, row.supplier, now):
                supplier, srp = format_eui64(row.supplier), format_eui64(adt.user_id)
                raise AdtRefused(
                    "R6.2",
                    f"SRV {row.srv}: threshold {row.count} for supplier {supplier} needs an "
                    f"Ofgem instruction naming SRP {srp} for it",
                )

    def _instructed(self, srp: bytes, supplier: bytes | None, at: datetime) -> bool:
        instruction = None if supplier is None else self._register.instruction_for(supplier, at)
        return instruction is not None and instruction.srp_user_id == srp

    def adt_in_force(self, user_id: bytes) -> AdtFile | None:
        in_force = self._in_force.get(user_id)
        return None if in_force is None else in_force[0]

    def submissions(self) -> tuple[AdtSubmission, ...]:
        return tuple(self._submissions)

    # --- thresholds and counts ----------------------------------------------------------------

    def threshold(self, user_id: bytes, srv: str, supplier: bytes | None, now: datetime) -> int:
        """How many ``srv`` requests to ``supplier``'s devices are actioned per period."""
        _aware(now)
        return self._threshold(self._user(user_id), srv, supplier, now, self._config())

    def _threshold(
        self, user: User, srv: str, supplier: bytes | None, now: datetime, config: DccConfig
    ) -> int:
        """The ADT row in force, else the role's default. A non-zero SolrContingency row holds
        only while the instruction it was accepted under is on record at ``now`` (R6.2)."""
        adt = self.adt_in_force(user.user_id)
        row = None if adt is None else adt.row(srv, supplier)
        if row is not None and (
            user.role is not UserRole.SOLR_CONTINGENCY
            or row.count == 0
            or self._instructed(user.user_id, row.supplier, now)
        ):
            return row.count
        return config.default_threshold_for(user.role)

    def admit(self, user_id: bytes, srv: str, supplier: bytes | None, now: datetime) -> Admission:
        """Count the request, or quarantine it when the User ID's threshold for the period is
        reached (the attribute limits are checked before, on the decoded content)."""
        _aware(now)
        user = self._user(user_id)
        config = self._config()
        limit = self._threshold(user, srv, supplier, now, config)
        start = EPOCH + (now - EPOCH) // config.adt_period * config.adt_period
        key = (user_id, srv, supplier)
        counter = self._counters.get(key)
        count = counter.count if counter is not None and counter.window_start == start else 0
        where = f"SRV {srv} to {'any supplier' if supplier is None else format_eui64(supplier)}"
        if count >= limit:
            return self.quarantine(
                BreachKind.USER_THRESHOLD,
                f"{where}: threshold {limit} reached in the period from {start.isoformat()}",
            )
        self._counters[key] = CounterState(user_id, srv, supplier, start, count + 1)
        return Admitted(f"{where}: request {count + 1} of {limit} this period")

    def remaining(self, user_id: bytes, srv: str, supplier: bytes | None, now: datetime) -> int:
        """How many more ``srv`` requests to ``supplier``'s devices may be actioned in the period
        ``now`` is in, at the threshold in force at ``now``."""
        _aware(now)
        config = self._config()
        limit = self._threshold(self._user(user_id), srv, supplier, now, config)
        start = EPOCH + (now - EPOCH) // config.adt_period * config.adt_period
        counter = self._counters.get((user_id, srv, supplier))
        count = counter.count if counter is not None and counter.window_start == start else 0
        return max(0, limit - count)

    def counts(self) -> tuple[tuple[CounterState, ...], int]:
        """What the counting shares between devices: the counters and the last quarantine event
        reference (a sharded run hands them from worker to worker, docs/scaling.md)."""
        return tuple(self._counters.values()), self._last_event_ref

    def adopt_counts(self, counters: tuple[CounterState, ...], last_event_ref: int) -> None:
        """Count on from ``counters`` and ``last_event_ref``, as :meth:`counts` gave them."""
        self._counters = {(c.user_id, c.srv, c.supplier): c for c in counters}
        self._last_event_ref = last_event_ref

    @staticmethod
    def attribute_limits(user_role: UserRole, srv: str, payment_mode: PaymentMode) -> bool:
        """The ADA check: a SolrContingency 1.6 may only switch to credit (R5); False means
        quarantine with BreachKind.ATTRIBUTE_LIMITS. Other roles and SRVs have no limit here."""
        return (
            user_role != UserRole.SOLR_CONTINGENCY
            or srv != UPDATE_PAYMENT_MODE
            or payment_mode is PaymentMode.CREDIT
        )

    def quarantine(self, kind: BreachKind, reason: str) -> Quarantined:
        """Quarantine a request for ``kind``: its QuarantineEventRef is the next in sequence."""
        self._last_event_ref += 1
        return Quarantined(kind, self._last_event_ref, reason)

    def _user(self, user_id: bytes) -> User:
        user = self._users.get(user_id)
        if user is None:
            raise AnomalyError(f"no User ID {user_id.hex().upper()}")
        return user

    # --- persistence --------------------------------------------------------------------------

    def state(self) -> AnomalyState:
        return AnomalyState(
            tuple(signed for _, signed in self._in_force.values()),
            tuple(self._counters.values()),
            tuple(self._submissions),
            self._last_event_ref,
        )

    @classmethod
    def restore(
        cls,
        users: Users,
        register: SolrRegister,
        config: Callable[[], DccConfig],
        state: AnomalyState,
    ) -> AnomalyDetection:
        """Anomaly detection as ``state`` left it; a stored ADT that no longer parses raises
        AdtFileError. Signatures are not checked again: the store is the DCC's own."""
        detection = cls(users, register, config)
        for signed in state.adts:
            adt = AdtFile.parse(signed.content)
            detection._in_force[adt.user_id] = (adt, signed)
        detection._counters = {(c.user_id, c.srv, c.supplier): c for c in state.counters}
        detection._submissions = list(state.submissions)
        detection._last_event_ref = state.last_event_ref
        return detection
