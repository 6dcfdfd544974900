"""SR 1.6 through the whole DCC pipeline on one core: XML signature verification to the ACB MAC.

The SRP switches ESMEs to credit after a SoLR event, as in :mod:`sim.world.testbed`: a transform
(CV 4) and then the signed pre-command (CV 5) for each meter. Only the DCC's work is timed
(``Dcc.submit``); the SRP's signing is not. The crypto share is the time cProfile finds in
``cryptography``'s primitives (ECDSA, ECDH, AES-GCM, hashing) within those calls.

Run with ``solrsim bench pipeline`` or ``python -m sim.bench.dcc_pipeline``.
"""

from __future__ import annotations

import cProfile
import re
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path
from types import CodeType

from dcc.duis.request import CommandVariant, Credit, SignedPreCommand, UpdatePaymentMode
from dcc.enrolment import enrol_device
from dcc.inventory import DeviceKind
from dcc.outcome import Outcome
from devices.credentials import DeviceSecurityCredentials, TrustAnchors
from devices.esme import Esme
from devices.gbcs.keystore import KeyUsage
from devices.gsme import Gsme
from sim.bench._measure import max_rss_mib
from sim.world.testbed import BRIGHT, SRP, T0, World, build_world

# Built-in methods of cryptography's Rust objects that do the arithmetic.
_CRYPTO = re.compile(
    r"method '(sign|verify|exchange|derive_private_key|finalize|update|"
    r"authenticate_additional_data|encryptor|decryptor)' of|"
    r"openssl|_hashlib|sha256|<built-in method _hashlib"
)


def _add_esmes(world: World, count: int, first: int) -> list[bytes]:
    """``count`` more ESMEs registered to the supplier that fails (keys from the seed)."""
    devices = []
    for n in range(first, first + count):
        device_id = (0x00DB_0000_0000_0000 + n).to_bytes(8, "big")
        credentials = DeviceSecurityCredentials(device_id, _anchors(world), seed=b"bench")
        keys = {usage: credentials.public_key(usage) for usage in KeyUsage}
        record = enrol_device(world.smki, device_id, DeviceKind.ESME, BRIGHT, keys, T0)
        world.dcc.services.inventory.add(record)
        devices.append(device_id)
    return devices


def _anchors(world: World) -> TrustAnchors:
    """The trust anchors the testbed's SMETS2+ meters were made with."""
    return next(m.credentials.anchors for m in world.meters.values() if isinstance(m, Esme | Gsme))


def run(count: int = 300) -> dict[str, float]:
    """Switch ``count`` ESMEs, timed; then as many again under cProfile for the crypto share.
    Prints requests per second and the share of the DCC's time in cryptography."""
    with tempfile.TemporaryDirectory() as folder:
        world = build_world(Path(folder))
        now = world.solr_ready(T0 + timedelta(days=1), count=2 * count + 1)
        busy = _switch_all(world, _add_esmes(world, count, 0), now, None)
        profile = cProfile.Profile()
        _switch_all(world, _add_esmes(world, count, count), now, profile)
        world.audit.close()
    # seconds inside each function, not counting its callees (pstats' tottime)
    inside = {_label(entry.code): entry.inlinetime for entry in profile.getstats()}
    total = sum(inside.values())
    crypto = sum(seconds for where, seconds in inside.items() if _CRYPTO.search(where))
    requests = 2 * count
    rate = requests / busy
    print(f"SR 1.6 through the DCC pipeline: {count:,} meters, {requests:,} requests (CV 4 + CV 5)")
    print(f"{rate:10,.0f} requests/s  ({count / busy:,.0f} meters switched/s) on one core")
    print(f"{crypto / total:10.0%} of the DCC's time in cryptographic primitives (cProfile)")
    print(f"max resident set size: {max_rss_mib():,.1f} MiB")
    return {"requests_per_second": rate, "crypto_share": crypto / total}


def _label(code: CodeType | str) -> str:
    """A profiled function as pstats names it: file, line and name, or a built-in's own text."""
    if isinstance(code, str):
        return code
    return f"{code.co_filename}:{code.co_firstlineno}({code.co_name})"


def _switch_all(
    world: World, devices: list[bytes], now: datetime, profile: cProfile.Profile | None
) -> float:
    """The SRP switches each device; returns the seconds the DCC spent on it."""
    busy = 0.0
    for device in devices:
        transform = world.request(
            SRP, device, UpdatePaymentMode(Credit()), CommandVariant.TRANSFORM
        )
        issued, took = _submit(world, profile, world.signed(transform), now)
        busy += took
        signed = SignedPreCommand(world.sign_pre_command(issued, BRIGHT))
        counter = transform.header.request_id.counter
        send = world.request(
            SRP, device, signed, CommandVariant.SIGNED_SEND_COMMAND, counter=counter
        )
        sent, took = _submit(world, profile, world.signed(send), now)
        busy += took
        if not sent.accepted:
            raise RuntimeError(f"benchmark request refused: {sent.decided_by}: {sent.reason}")
    return busy


def _submit(
    world: World, profile: cProfile.Profile | None, document: bytes, now: datetime
) -> tuple[Outcome, float]:
    """The DCC's answer to ``document`` and the wall time it took."""
    start = time.perf_counter()
    if profile is not None:
        profile.enable()
    outcome = world.dcc.submit(document, now)
    if profile is not None:
        profile.disable()
    return outcome, time.perf_counter() - start


if __name__ == "__main__":
    run()
