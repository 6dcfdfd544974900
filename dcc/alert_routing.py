"""Where a device alert goes (R7). While the supplier it is addressed to holds Supplier
certificates that are not all revoked, to that supplier. From the moment they are all revoked,
never to it again (MP134B 2.8: alerts are "routed to the failed Supplier's SRP"):

- to the SRP Ofgem has instructed to act for the supplier, once the instruction is in force;
- before that, to the SRP the supplier arranged in advance, if it arranged one;
- otherwise the DCC holds the alert and hands it to the instructed SRP the moment Ofgem
  instructs one (see :meth:`dcc.dcc.Dcc.ofgem_instruction`).

No alert is dropped, and the safety-critical ones (configuration, R7.2) are flagged so hosts
deliver them first.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from dcc.pipeline import Services
from dcc.smki.roles import RemotePartyRole


@dataclass(frozen=True, slots=True)
class AlertRoute:
    """``user_id`` is None when the DCC holds the alert for an SRP not yet instructed."""

    user_id: bytes | None
    reason: str
    safety_critical: bool

    @property
    def held(self) -> bool:
        return self.user_id is None


TO_SUPPLIER = "to the supplier it is addressed to"
HELD = "supplier's certificates revoked, no SRP arranged or instructed: held for Ofgem's SRP"


def route_alert(
    services: Services, addressed_to: bytes, alert_code: int, now: datetime
) -> AlertRoute:
    safety_critical = alert_code in services.config.current().safety_critical_alerts
    history = services.smki.role_history(addressed_to, RemotePartyRole.SUPPLIER, now)
    if history.refusal() is not None:
        return AlertRoute(addressed_to, TO_SUPPLIER, safety_critical)
    instruction = services.register.instruction_for(addressed_to, now)
    if instruction is not None:
        reason = "supplier's certificates revoked: to its SRP per Ofgem instruction (R7.1)"
        return AlertRoute(instruction.srp_user_id, reason, safety_critical)
    arranged = services.register.arranged_srp(addressed_to, now)
    if arranged is not None:
        reason = "supplier's certificates revoked: to the SRP it arranged (R7.1)"
        return AlertRoute(arranged, reason, safety_critical)
    return AlertRoute(None, HELD, safety_critical)
