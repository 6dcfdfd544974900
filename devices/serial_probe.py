"""``solrsim meter probe``: the checks a lab runs on a meter's serial port before a rehearsal.

Five checks, in order, each judged from the frames that came back (docs/serial.md):

1. ready: an empty READY frame is answered by a READY carrying the expected EUI-64;
2. answered: a harmless command (ECS02 or GCS02 "cancel any pending change", which changes no
   mode or balance) gets a GBCS response from the meter with the command's counter;
3. signature: that response verifies with the meter's DS public key;
4. bad CRC: a frame with a wrong CRC is answered with ERROR BAD_CRC;
5. replay: the same command again (same counter) gets no GBCS response.

A check that cannot run because an earlier one failed fails too: only a meter that passes all
five is ready for a rehearsal.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

from cryptography.hazmat.primitives.asymmetric import ec

from devices.credentials import device_key
from devices.gbcs.crypto import ecdh
from devices.gbcs.errors import GbcsError, GbcsKeyError
from devices.gbcs.frame import Cra, GbcsMessage, GroupingHeader, OtherInformation, decode, encode
from devices.gbcs.keystore import KeyStore, KeyUsage
from devices.gbcs.payment_mode import (
    ECS02,
    GCS02,
    Activation,
    PaymentMode,
    PaymentModeChange,
    encode_payment_mode_command,
)
from devices.gbcs.security import add_mac, sign, signature_valid
from devices.serial import Port, describe_frame, read_available, write_frame
from devices.serial_framing import Decoder, ErrorCode, Frame, FrameType

_DS, _KA = KeyUsage.DIGITAL_SIGNING, KeyUsage.KEY_AGREEMENT
_CANCEL = PaymentModeChange(PaymentMode.CREDIT, Activation.CANCELLATION)
_RTDS_ISSUER_EVENT = 0x1C374A80  # 2015-01-01 in GBZ seconds, as the RTDS GCS02 files have it


@dataclass(frozen=True, slots=True)
class ProbeKeys:
    """What a tester holds: the supplier's DS and the ACB's KA private keys, and the meter's
    public keys."""

    supplier_ds: ec.EllipticCurvePrivateKey
    acb_ka: ec.EllipticCurvePrivateKey
    meter_ds: ec.EllipticCurvePublicKey
    meter_ka: ec.EllipticCurvePublicKey

    @classmethod
    def from_store(cls, store: KeyStore, meter: bytes, *, acb: bytes, supplier: bytes) -> ProbeKeys:
        """From a key folder; :class:`GbcsKeyError` names the files it lacks."""
        supplier_ds, acb_ka = store.private(supplier, _DS), store.private(acb, _KA)
        meter_ds, meter_ka = store.public(meter, _DS), store.public(meter, _KA)
        if supplier_ds is None or acb_ka is None or meter_ds is None or meter_ka is None:
            found = {
                f"{supplier.hex()}-ds.key": supplier_ds,
                f"{acb.hex()}-ka.key": acb_ka,
                f"{meter.hex()}-ds.pem": meter_ds,
                f"{meter.hex()}-ka.pem": meter_ka,
            }
            missing = [name for name, key in found.items() if key is None]
            raise GbcsKeyError(f"key folder lacks {', '.join(missing)}")
        return cls(supplier_ds, acb_ka, meter_ds, meter_ka)

    @classmethod
    def from_seed(cls, seed: bytes, meter: bytes, *, acb: bytes, supplier: bytes) -> ProbeKeys:
        return cls(
            device_key(seed, supplier, _DS),
            device_key(seed, acb, _KA),
            device_key(seed, meter, _DS).public_key(),
            device_key(seed, meter, _KA).public_key(),
        )


@dataclass(frozen=True, slots=True)
class Verdict:
    check: str
    passed: bool
    detail: str


def probe_command(
    keys: ProbeKeys, *, meter: bytes, supplier: bytes, counter: int, gas: bool
) -> bytes:
    """ECS02 (GCS02 for gas) cancelling any pending change: signed by the supplier, MACed by
    the ACB, as docs/serial.md "Keys" describes."""
    code = GCS02 if gas else ECS02
    header = GroupingHeader(Cra.COMMAND, counter, supplier, meter, OtherInformation(code))
    issued = _RTDS_ISSUER_EVENT if gas else None
    content = encode_payment_mode_command(code, counter, _CANCEL, issuer_event_id=issued)
    signed = sign(GbcsMessage(header, content, b""), keys.supplier_ds)
    return encode(add_mac(signed, ecdh(keys.acb_ka, keys.meter_ka)))


class FrameExchange:
    """Send bytes, then take the frames that come back until the line goes quiet."""

    def __init__(self, port: Port, reply_timeout: float, quiet: float) -> None:
        self._port = port
        self._decoder = Decoder()
        self.reply_timeout = reply_timeout
        self.quiet = quiet

    def send(self, data: Frame | bytes) -> list[Frame]:
        """Frames received within ``reply_timeout``, then ``quiet`` after each one."""
        self._port.reset_input_buffer()
        if isinstance(data, Frame):
            write_frame(self._port, data)
        else:
            self._port.write(data)
        frames: list[Frame] = []
        deadline = time.monotonic() + self.reply_timeout
        while time.monotonic() < deadline:
            got = [
                e for e in self._decoder.feed(read_available(self._port)) if isinstance(e, Frame)
            ]
            if got:
                frames += got
                deadline = time.monotonic() + self.quiet
        return frames


def run_probe(
    link: FrameExchange,
    keys: ProbeKeys,
    *,
    meter: bytes,
    supplier: bytes,
    counter: int,
    gas: bool,
    report: Callable[[Verdict], None] = lambda _: None,
) -> list[Verdict]:
    """The five checks of the module docstring, each reported as soon as it is judged."""
    verdicts: list[Verdict] = []

    def judge(check: str, passed: bool, detail: str) -> None:
        verdicts.append(Verdict(check, passed, detail))
        report(verdicts[-1])

    judge("ready", *_judge_ready(link.send(Frame.ready()), meter))
    command = probe_command(keys, meter=meter, supplier=supplier, counter=counter, gas=gas)
    frames = link.send(Frame.gbcs(command))
    response = _response(frames, meter, counter)
    if response is None:
        judge("answered", False, f"no response with counter {counter}: {_summary(frames)}")
        judge("signature", False, "no response to check")
    else:
        judge("answered", True, f"response to counter {counter}")
        valid = signature_valid(response, keys.meter_ds)
        judge("signature", valid, "verifies" if valid else "does not verify with the DS key")
    judge("bad CRC", *_judge_bad_crc(link.send(_bad_crc_frame())))
    replayed = link.send(Frame.gbcs(command))
    answered = _response(replayed, meter, counter) is not None
    judge(
        "replay", not answered, ("answered" if answered else "refused") + f": {_summary(replayed)}"
    )
    return verdicts


def _judge_ready(frames: list[Frame], meter: bytes) -> tuple[bool, str]:
    eui = next((f.payload for f in frames if f.kind is FrameType.READY and f.payload), None)
    if eui is None:
        return False, f"no READY: {_summary(frames)}"
    if eui != meter:
        return False, f"READY from {eui.hex().upper()}, expected {meter.hex().upper()}"
    return True, f"READY {eui.hex().upper()}"


def _judge_bad_crc(frames: list[Frame]) -> tuple[bool, str]:
    for frame in frames:
        if frame.kind is FrameType.ERROR and frame.payload[:1] == bytes((ErrorCode.BAD_CRC,)):
            return True, describe_frame(frame)
    return False, f"no ERROR BAD_CRC: {_summary(frames)}"


def _response(frames: list[Frame], meter: bytes, counter: int) -> GbcsMessage | None:
    """The meter's response to the command with ``counter``, if one came."""
    for frame in frames:
        if frame.kind is not FrameType.GBCS:
            continue
        try:
            message = decode(frame.payload)
        except GbcsError:
            continue
        header = message.header
        if (header.cra, header.originator, header.counter) == (Cra.RESPONSE, meter, counter):
            return message
    return None


def _bad_crc_frame() -> bytes:
    """A GBCS frame whose payload lost a bit after its CRC was computed (no byte is stuffed)."""
    wire = bytearray(Frame.gbcs(bytes(8)).encode())
    wire[4] ^= 0x01
    return bytes(wire)


def _summary(frames: list[Frame]) -> str:
    return "; ".join(describe_frame(frame) for frame in frames) or "silence"
