"""Where a device alert goes (R7): to the supplier it is addressed to, or, once that supplier's
certificates are revoked and Ofgem has appointed an SRP, to the SRP. No alert is ever dropped:
a revoked supplier without an SRP yet still gets its alerts under its own User ID, and the
safety-critical ones (configuration, R7.2) are flagged so hosts deliver them first."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from dcc.pipeline import Services
from dcc.smki.roles import RemotePartyRole


@dataclass(frozen=True, slots=True)
class AlertRoute:
    user_id: bytes
    reason: str
    safety_critical: bool


def route_alert(
    services: Services, addressed_to: bytes, alert_code: int, now: datetime
) -> AlertRoute:
    safety_critical = alert_code in services.config.current().safety_critical_alerts
    history = services.smki.role_history(addressed_to, RemotePartyRole.SUPPLIER, now)
    if history.refusal() is not None:
        return AlertRoute(addressed_to, "to the supplier it is addressed to", safety_critical)
    instruction = services.register.instruction_for(addressed_to, now)
    if instruction is None:
        reason = "supplier's certificates revoked, no SRP appointed yet: to the supplier's ID"
        return AlertRoute(addressed_to, reason, safety_critical)
    reason = "supplier's certificates revoked: to its SRP per Ofgem instruction (R7.1)"
    return AlertRoute(instruction.srp_user_id, reason, safety_critical)
