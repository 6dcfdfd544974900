"""What every virtual meter offers its hosts (unit test, simpy world, serial bridge), and the
payment account it keeps.

A meter is a sans-IO state machine (DESIGN.md): it takes a frame or an event and the current
time, and returns the frames it sends back. It never sleeps, never reads a clock and starts no
thread; the host owns time and transport. ``next_due`` lets a simpy host schedule the next
``advance`` instead of polling. Every ``now`` is a timezone-aware UTC datetime.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from devices.gbcs.payment_mode import PaymentMode, PaymentModeChange
from devices.logs import LogEntry


class Meter(Protocol):
    @property
    def eui64(self) -> bytes: ...

    def receive(self, frame: bytes, now: datetime) -> list[bytes]:
        """A GBCS frame from the WAN; returns the GBCS frames sent back (responses, alerts)."""
        ...

    def trigger(self, alert_code: int, now: datetime) -> list[bytes]:
        """A physical event (tamper 0x8F3F, low battery 0x8F1F, ...); returns its alert frames."""
        ...

    def advance(self, now: datetime) -> list[bytes]:
        """Carries out the future-dated commands due by ``now``; returns their alert frames."""
        ...

    def next_due(self) -> datetime | None:
        """When ``advance`` next has work, or None."""
        ...

    @property
    def latest_log_entry(self) -> LogEntry | None:
        """The newest entry of the meter's logs: why it answered a frame with nothing."""
        ...


@dataclass(frozen=True, slots=True)
class Account:
    """The payment account: what SR 1.6 changes, and balances a tester can read.

    Amounts are plain integers in the meter's currency unit. Immutable, so that idle meters can
    share one instance and a change is a new value.
    """

    payment_mode: PaymentMode = PaymentMode.CREDIT
    suspend_debt_disabled: bool = False
    suspend_debt_emergency: bool = False
    disablement_threshold: int = 0
    meter_balance: int = 0
    emergency_credit: int = 0

    def apply(self, change: PaymentModeChange) -> Account:
        """The account after ``change``; a threshold the command leaves out stays as it was."""
        threshold = change.disablement_threshold
        return Account(  # built, not replace()d: a switch makes one per meter
            change.mode,
            change.suspend_debt_disabled,
            change.suspend_debt_emergency,
            self.disablement_threshold if threshold is None else threshold,
            self.meter_balance,
            self.emergency_credit,
        )


DEFAULT_ACCOUNT = Account()
