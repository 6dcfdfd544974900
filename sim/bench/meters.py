"""Virtual meters on one core: SR 1.6 commands per second through one ESME, and the memory of an
idle meter in a large fleet.

Run with ``python -m sim.bench.meters``; ``run()`` is what a CLI command calls. The commands are
valid ECS02 and ECS03 (immediate, alternately) with increasing counters, signed and MACed before
the clock starts, so the figure is the meter's own work: decode, MAC check, signature check,
replay check, payload decode, state change, signed response. Memory is what tracemalloc sees of
a fleet of idle meters (made, never used), divided by their number: Python objects only, and no
keys, since an idle meter has derived none yet.
"""

from __future__ import annotations

import time
import tracemalloc
from datetime import UTC, datetime

from cryptography.hazmat.primitives.asymmetric import ec

from devices.credentials import RemoteParty, Role, TrustAnchors, device_key
from devices.fleet import Fleet
from devices.gbcs.crypto import ecdh, private_key_from_seed
from devices.gbcs.frame import Cra, GbcsMessage, GroupingHeader, OtherInformation, encode
from devices.gbcs.keystore import KeyUsage
from devices.gbcs.payment_mode import (
    ECS02,
    ECS03,
    Activation,
    PaymentMode,
    PaymentModeChange,
    encode_payment_mode_command,
)
from devices.gbcs.security import add_mac, sign
from devices.gbcs.verify import DEFAULT_ACB

SEED = b"sim.bench.meters"
SUPPLIER = bytes.fromhex("90B3D51F30010000")
ESME = bytes.fromhex("00DB1234567890A0")
NOW = datetime(2025, 1, 1, tzinfo=UTC)
_CHANGES = (
    (ECS02, PaymentModeChange(PaymentMode.CREDIT, Activation.IMMEDIATE)),
    (
        ECS03,
        PaymentModeChange(
            PaymentMode.PREPAYMENT,
            Activation.IMMEDIATE,
            suspend_debt_disabled=True,
            disablement_threshold=556677,
        ),
    ),
)


def _supplier_ds() -> ec.EllipticCurvePrivateKey:
    return private_key_from_seed(SEED, f"{SUPPLIER.hex()}-ds")


def _acb_ka() -> ec.EllipticCurvePrivateKey:
    return private_key_from_seed(SEED, f"{DEFAULT_ACB.hex()}-ka")


def fleet() -> Fleet:
    """A fleet whose meters trust the seeded supplier and ACB."""
    supplier = RemoteParty(Role.SUPPLIER, _supplier_ds().public_key())
    return Fleet(SEED, TrustAnchors(_acb_ka().public_key(), {SUPPLIER: supplier}), SUPPLIER)


def commands(count: int) -> list[bytes]:
    """``count`` valid ECS02/ECS03 commands for ``ESME``, counters 1, 2, ..."""
    supplier_ds = _supplier_ds()
    secret = ecdh(_acb_ka(), device_key(SEED, ESME, KeyUsage.KEY_AGREEMENT).public_key())
    frames = []
    for counter in range(1, count + 1):
        code, change = _CHANGES[counter % 2]
        header = GroupingHeader(Cra.COMMAND, counter, SUPPLIER, ESME, OtherInformation(code))
        content = encode_payment_mode_command(code, counter, change)
        signed = sign(GbcsMessage(header, content, b""), supplier_ds)
        frames.append(encode(add_mac(signed, secret)))
    return frames


def commands_per_second(frames: list[bytes]) -> float:
    """Runs every frame through one fresh ESME; fails loudly if one is not answered."""
    meter = fleet().esme(ESME)
    meter.receive(frames[0], NOW)  # derive keys and secrets outside the clock
    start = time.perf_counter()
    for frame in frames[1:]:
        if not meter.receive(frame, NOW):
            raise RuntimeError(f"command refused: {meter.security_log[-1:]}")
    return (len(frames) - 1) / (time.perf_counter() - start)


def bytes_per_idle_meter(size: int) -> float:
    """Python memory a fleet of ``size`` made-but-unused ESMEs takes, per meter."""
    meters = fleet()
    tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0]
    for n in range(size):
        meters.esme(n.to_bytes(8, "big"))
    used = tracemalloc.get_traced_memory()[0] - before
    tracemalloc.stop()
    return used / size


def run(count: int = 2_000, fleet_size: int = 100_000) -> dict[str, float]:
    frames = commands(count + 1)
    rate = commands_per_second(frames)
    memory = bytes_per_idle_meter(fleet_size)
    print(f"ECS02/ECS03 through one ESME: {rate:10,.0f} commands/s ({count:,} commands)")
    print(f"idle meter in a fleet of {fleet_size:,}: {memory:10,.0f} bytes")
    return {"commands_per_second": rate, "bytes_per_idle_meter": memory}


if __name__ == "__main__":
    run()
