"""The cryptographic floor weights the SMETS2+ and SMETS1 paths by the meters switched."""

from __future__ import annotations

import pytest

from sim.bench._crypto_floor import CryptoFloor, measure_floor

FLOOR = CryptoFloor(sign=1.0, verify=10.0, ecdh=100.0, gcm=1000.0)


def test_a_smets2_switch_costs_six_signs_five_verifies_two_ecdh_and_two_macs() -> None:
    assert FLOOR.per_switch({"esme": 3, "gsme": 1}) == 6 + 50 + 200 + 2000


def test_a_smets1_switch_costs_four_signs_and_three_verifies() -> None:
    assert FLOOR.per_switch({"smets1": 2}) == 4 + 30


def test_the_paths_are_weighted_by_the_meters_switched() -> None:
    assert FLOOR.per_switch({"esme": 1, "smets1": 3}) == pytest.approx((2256 + 3 * 34) / 4)


def test_no_switch_costs_nothing() -> None:
    assert FLOOR.per_switch({"esme": 0}) == 0.0


def test_every_operation_is_measured() -> None:
    floor = measure_floor()
    assert min(floor.sign, floor.verify, floor.ecdh, floor.gcm) > 0
