"""Role histories kept between look-ups, with what each holds for.

What :meth:`~dcc.smki.repository.SmkiRepository.role_history` answers depends on the records and
CRLs and on the time asked about. Kept with the version of the EUI-64's records (one more for
each recorded or revoked) and the CRLs it read, an answer holds until either changes, and for
the times between the instants around the one asked about at which one of the records was
recorded, became valid, expired or was revoked.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from cryptography import x509

from .crl import Revocations
from .names import NameKey, issuer_key

if TYPE_CHECKING:
    from .repository import CertificateRecord

# A certificate is valid up to and including notAfter: it expires a microsecond later.
_EXPIRY_AFTER = timedelta(microseconds=1)


@dataclass(frozen=True)
class KeptHistory:
    version: int
    crls: tuple[tuple[NameKey, x509.CertificateRevocationList], ...]
    since: datetime | None  # the answer holds from here (None: from the beginning)
    until: datetime | None  # up to here, excluded (None: for ever)
    held: tuple[CertificateRecord, ...]
    revoked: tuple[CertificateRecord, ...]
    valid: tuple[CertificateRecord, ...]

    def holds(
        self,
        version: int,
        crls: Mapping[NameKey, x509.CertificateRevocationList],
        at: datetime,
    ) -> bool:
        """Whether this is the answer for the EUI-64's records at ``version`` with ``crls``, at
        ``at``."""
        return (
            version == self.version
            and all(crls.get(key) is crl for key, crl in self.crls)
            and (self.since is None or self.since <= at)
            and (self.until is None or at < self.until)
        )


def kept_history(
    version: int,
    records: Sequence[CertificateRecord],
    at: datetime,
    revocations_of: Callable[[x509.Certificate], Revocations],
) -> KeptHistory:
    """The role history of ``records`` (one EUI-64's, in one role) at ``at``: the held, the
    revoked per their issuers' CRLs, and the in date and unrevoked."""
    held = tuple(record for record in records if record.recorded_at <= at)
    crls, revoked_at = [], []
    for record in held:
        revocations = revocations_of(record.certificate)
        crls.append((issuer_key(record.certificate), revocations.crl))
        revoked_at.append(revocations.time_of(record.certificate))
    revoked = tuple(
        record
        for record, when in zip(held, revoked_at, strict=True)
        if when is not None and when <= at
    )
    valid = tuple(
        record
        for record in held
        if record not in revoked and record.not_before <= at <= record.not_after
    )
    changes = [record.recorded_at for record in records]
    changes += [
        time for record in held for time in (record.not_before, record.not_after + _EXPIRY_AFTER)
    ]
    changes += [when for when in revoked_at if when is not None]
    since = max((time for time in changes if time <= at), default=None)
    until = min((time for time in changes if time > at), default=None)
    return KeptHistory(version, tuple(crls), since, until, held, revoked, valid)
