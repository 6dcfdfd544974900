"""The meter host sorts a meter's answers into responses and alerts by their CRA flag."""

from __future__ import annotations

from devices.gbcs.frame import Cra, GbcsMessage, GroupingHeader, OtherInformation, encode
from sim.report.events import EventKind
from sim.world.meter_host import _uplink_kind

ESME = bytes.fromhex("00DB1234567890A0")
SUPPLIER = bytes.fromhex("90B3D51F30010000")


def _frame(cra: Cra) -> bytes:
    header = GroupingHeader(cra, 9, ESME, SUPPLIER, OtherInformation(0x8F30))
    return encode(GbcsMessage(header, b"\x00\x01", signature=bytes(64), mac=bytes(12)))


def test_an_alert_goes_up_as_an_alert_and_anything_else_as_a_response() -> None:
    assert _uplink_kind(_frame(Cra.ALERT), smets1=False) is EventKind.GBCS_ALERT
    assert _uplink_kind(_frame(Cra.RESPONSE), smets1=False) is EventKind.GBCS_RESPONSE
    assert _uplink_kind(b"", smets1=False) is EventKind.GBCS_RESPONSE


def test_a_malformed_frame_with_an_alert_flag_is_not_called_an_alert() -> None:
    alert = _frame(Cra.ALERT)
    for broken in (alert[:-1], alert + b"\x00", alert[:20]):
        assert _uplink_kind(broken, smets1=False) is EventKind.GBCS_RESPONSE
