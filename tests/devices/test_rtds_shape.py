"""The meter answers the RTDS 1.6 commands with the RTDS responses and 8F66 alerts, byte for byte
up to the device signature (RTDS device keys are not published; ours are seeded).

Each RTDS command keeps its real supplier signature; only the ACB MAC is redone, with the RTDS
ACB key, for our device's key agreement key. The meter runs it at the time RTDS stamps the
responses with, and starts its alert counter where the RTDS alerts start.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from devices.credentials import DeviceSecurityCredentials, RemoteParty, Role, TrustAnchors
from devices.esme import Esme
from devices.gbcs.crypto import ecdh
from devices.gbcs.frame import GbcsMessage, decode, encode, signed_block
from devices.gbcs.keystore import KeyStore, KeyUsage, load_keystore
from devices.gbcs.payment_mode import decode_payment_mode_command
from devices.gbcs.security import add_mac
from devices.gbcs.verify import DEFAULT_ACB
from devices.gsme import Gsme
from devices.smets2 import Smets2Meter
from tests.conformance import read_hex, rtds_files
from tests.devices.support import PREPAYMENT_ACCOUNT, SEED, signed_by

RTDS_TIME = datetime(2015, 1, 1, tzinfo=UTC)  # the date-time of every RTDS 1.6 response
RTDS_SUPPLIER = bytes.fromhex("90B3D51F30010000")
_COMMAND = "_COMMAND_GBCS.HEX"


def _success_commands() -> list:
    files = [f for f in rtds_files() if "_1.6_" in f.name and f.name.endswith("SUCCESS" + _COMMAND)]
    if not files:
        return [pytest.param(None, marks=pytest.mark.skip(reason="RTDS corpus absent"))]
    return [pytest.param(f, id=f.stem) for f in files]


@pytest.fixture(scope="module")
def rtds_keys(conformance: Path) -> KeyStore:
    return load_keystore(conformance / "rtds" / "keystore")


def _meter(command: GbcsMessage, keys: KeyStore, alert_counter: int) -> Smets2Meter:
    supplier_ds = keys.public(RTDS_SUPPLIER, KeyUsage.DIGITAL_SIGNING)
    acb_ka = keys.public(DEFAULT_ACB, KeyUsage.KEY_AGREEMENT)
    assert supplier_ds is not None and acb_ka is not None
    anchors = TrustAnchors(acb_ka, {RTDS_SUPPLIER: RemoteParty(Role.SUPPLIER, supplier_ds)})
    credentials = DeviceSecurityCredentials(command.header.recipient, anchors, seed=SEED)
    kind = Esme if command.message_code in Esme.commands else Gsme
    return kind(credentials, RTDS_SUPPLIER, account=PREPAYMENT_ACCOUNT, alert_counter=alert_counter)


def _remaced(command: GbcsMessage, meter: Smets2Meter, keys: KeyStore) -> bytes:
    acb_ka = keys.private(DEFAULT_ACB, KeyUsage.KEY_AGREEMENT)
    assert acb_ka is not None
    secret = ecdh(acb_ka, meter.credentials.public_key(KeyUsage.KEY_AGREEMENT))
    return encode(add_mac(replace(command, mac=None), secret))


def _rtds_alerts(command_file: Path) -> list[GbcsMessage]:
    """The 8F66 alerts RTDS has for a future-dated command, in counter order."""
    prefix, scenario = command_file.name.removesuffix(_COMMAND).split("_1.6_")
    files = command_file.parent.glob(f"{prefix}_1.6_8F66_{scenario}_ALERT_*_GBCS.HEX")
    return sorted((decode(read_hex(f)) for f in files), key=lambda m: m.header.counter)


@pytest.mark.parametrize("path", _success_commands())
def test_rtds_command_gets_the_rtds_response_and_alerts(path: Path, rtds_keys: KeyStore) -> None:
    command = decode(read_hex(path))
    rtds_alerts = _rtds_alerts(path)
    first_alert = rtds_alerts[0].header.counter if rtds_alerts else 1
    meter = _meter(command, rtds_keys, alert_counter=first_alert - 1)

    (answer,) = meter.receive(_remaced(command, meter, rtds_keys), RTDS_TIME)

    rtds_response = decode(
        read_hex(path.with_name(path.name.replace(_COMMAND, "_RESPONSE_GBCS.HEX")))
    )
    assert signed_block(signed_by(meter, answer)) == signed_block(rtds_response)

    execute_at = decode_payment_mode_command(command.message_code, command.content).execute_at
    assert (execute_at is not None) == bool(rtds_alerts)
    if execute_at is not None:
        assert meter.advance(execute_at - timedelta(seconds=1)) == []
        alerts = [signed_by(meter, frame) for frame in meter.advance(execute_at)]
        assert [signed_block(a) for a in alerts] == [signed_block(a) for a in rtds_alerts]
