"""The fleet: meters made on first use, deterministic keys, shared immutable parts."""

from __future__ import annotations

import pytest

from devices.credentials import device_key
from devices.esme import Esme
from devices.fleet import Fleet
from devices.gbcs.crypto import public_key_xy
from devices.gbcs.keystore import KeyUsage
from devices.gbcs.payment_mode import ECS02, PaymentMode
from devices.gsme import Gsme
from tests.devices.support import (
    NOW,
    PREPAYMENT_ACCOUNT,
    SEED,
    SUPPLIER,
    anchors,
    command,
    signed_by,
)

EUIS = [bytes.fromhex(f"00DB0000000000{i:02X}") for i in range(4)]


def _fleet(seed: bytes = SEED) -> Fleet:
    return Fleet(seed, anchors(), SUPPLIER.eui64, account=PREPAYMENT_ACCOUNT)


def test_meters_are_made_on_first_use_and_kept() -> None:
    fleet = _fleet()
    assert len(fleet) == 0 and EUIS[0] not in fleet
    meter = fleet.esme(EUIS[0])
    assert isinstance(meter, Esme) and meter.eui64 == EUIS[0]
    assert fleet.esme(EUIS[0]) is meter
    assert isinstance(fleet.gsme(EUIS[1]), Gsme)
    assert fleet[EUIS[0]] is meter
    assert list(fleet) == EUIS[:2]
    with pytest.raises(KeyError):
        fleet[EUIS[2]]


def test_a_meter_keeps_its_device_type() -> None:
    fleet = _fleet()
    fleet.gsme(EUIS[0])
    with pytest.raises(TypeError, match="is a Gsme, not Esme"):
        fleet.esme(EUIS[0])


def test_same_seed_same_keys() -> None:
    first, second, other = _fleet(), _fleet(), _fleet(b"another run")
    for usage in KeyUsage:
        keys = [
            public_key_xy(f.esme(EUIS[0]).credentials.public_key(usage))
            for f in (first, second, other)
        ]
        assert keys[0] == keys[1] != keys[2]


def test_meters_share_the_immutable_parts() -> None:
    fleet = _fleet()
    a, b = fleet.esme(EUIS[0]), fleet.gsme(EUIS[1])
    assert a.credentials.anchors is b.credentials.anchors
    assert a.state.account is b.state.account is PREPAYMENT_ACCOUNT
    assert a.registered_supplier is b.registered_supplier


def test_a_fleet_meter_runs_a_command_macd_for_its_seeded_key() -> None:
    """The DCC side needs only the seed and the EUI-64 to MAC for a fleet meter."""
    fleet = _fleet()
    meter = fleet.esme(EUIS[3])
    derived = device_key(SEED, EUIS[3], KeyUsage.KEY_AGREEMENT).public_key()
    assert public_key_xy(derived) == public_key_xy(
        meter.credentials.public_key(KeyUsage.KEY_AGREEMENT)
    )
    (answer,) = meter.receive(command(meter, ECS02, 1), NOW)
    signed_by(meter, answer)
    assert meter.state.account.payment_mode is PaymentMode.CREDIT
    assert fleet.esme(EUIS[2]).state.account.payment_mode is PaymentMode.PREPAYMENT
