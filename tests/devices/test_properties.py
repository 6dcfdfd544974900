"""Whatever arrives on the WAN, a meter never raises, and only a valid command changes its state."""

from __future__ import annotations

from datetime import timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from devices.gbcs.payment_mode import ECS02, GCS02, Activation, PaymentMode, PaymentModeChange
from devices.smets2 import Smets2Meter
from tests.devices.support import NOW, command, esme, gsme

FUTURE = PaymentModeChange(PaymentMode.CREDIT, Activation.FUTURE_DATED, NOW + timedelta(days=1))
MAKERS = {ECS02: esme, GCS02: gsme}


def _valid(code: int) -> tuple[Smets2Meter, bytes]:
    """A meter and a command it would accept (future-dated, so a pending change is at stake)."""
    meter = MAKERS[code]()
    return meter, command(meter, code, 10, FUTURE)


@st.composite
def _mutations(draw: st.DrawFn, original: bytes) -> bytes:
    data = bytearray(original)
    for _ in range(draw(st.integers(1, 4))):
        kind = draw(st.sampled_from(["flip", "cut", "insert", "delete"]))
        at = draw(st.integers(0, max(len(data) - 1, 0)))
        if kind == "flip" and data:
            data[at] ^= draw(st.integers(1, 255))
        elif kind == "cut":
            del data[at:]
        elif kind == "insert":
            data[at:at] = draw(st.binary(min_size=1, max_size=4))
        elif data:
            del data[at]
    return bytes(data)


_SETTINGS = settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])


@_SETTINGS
@given(code=st.sampled_from(sorted(MAKERS)), data=st.data())
def test_mutated_command_never_raises_nor_changes_state(code: int, data: st.DataObject) -> None:
    meter, original = _valid(code)
    frame = data.draw(_mutations(original))
    before = meter.state
    answer = meter.receive(frame, NOW)
    if frame != original:
        assert meter.state == before
        assert answer == []
    assert meter.advance(NOW) == []


@_SETTINGS
@given(code=st.sampled_from(sorted(MAKERS)), frame=st.binary(max_size=300))
def test_random_bytes_never_raise_nor_change_state(code: int, frame: bytes) -> None:
    meter = MAKERS[code]()
    before = meter.state
    assert meter.receive(frame, NOW) == []
    assert meter.state == before
    assert len(meter.security_log) == 1


@_SETTINGS
@given(
    prefix=st.sampled_from([b"\xdd", b"\xdf\x09\x01", b"\xdd\x00\x00\x00\x00\x00\x00"]),
    tail=st.binary(max_size=200),
)
def test_framing_like_bytes_never_raise(prefix: bytes, tail: bytes) -> None:
    meter = esme()
    before = meter.state
    meter.receive(prefix + tail, NOW)
    assert meter.state == before


def test_the_unmutated_command_does_change_state() -> None:
    """The control for the properties above: the original frame is valid."""
    for code in MAKERS:
        meter, original = _valid(code)
        before = meter.state
        assert meter.receive(original, NOW)
        assert meter.state != before
