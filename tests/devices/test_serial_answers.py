"""What a served meter says besides GBCS: READY when it listens, and an ERROR frame whenever a
frame gets no GBCS answer, so that a tester never waits on silence it cannot explain."""

from __future__ import annotations

import os
import shutil
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric import ec

from devices.esme import Esme
from devices.gbcs.crypto import ecdh
from devices.gbcs.frame import Cra, GbcsMessage, GroupingHeader, OtherInformation, decode, encode
from devices.gbcs.keystore import KeyFile, KeyUsage, load_keystore, write_key_files
from devices.gbcs.payment_mode import ECS02, encode_payment_mode_command
from devices.gbcs.security import add_mac, sign, signature_valid
from devices.gbcs.verify import DEFAULT_ACB
from devices.meter_keys import keystore_credentials, seeded_credentials
from devices.serial import Opened, serve_meter
from devices.serial_framing import Decoder, ErrorCode, Frame, FrameType
from sim.cli.demo import ESME, SUPPLIER
from tests.conformance import require_conformance
from tests.devices.support import CREDIT_NOW, NOW, ROGUE_ACB, command, esme
from tests.devices.test_serial import (
    DEADLINE,
    Clock,
    EchoMeter,
    Recorder,
    pty,
    read_frames,
    serving,
)


@contextmanager
def served(meter: Esme | EchoMeter) -> Iterator[int]:
    """``meter`` served on a pseudo-terminal, its READY read; yields the master fd."""
    with pty() as (master, path), serving(path, meter, Clock(NOW), Recorder()):
        assert read_frames(master, 1) == [Frame.ready(meter.eui64)]
        yield master


def error_of(frames: list[Frame]) -> tuple[ErrorCode | int, str]:
    [frame] = frames
    assert frame.kind is FrameType.ERROR, frame
    return frame.error_reason


def test_an_empty_ready_is_answered_with_the_meter_eui_and_a_full_one_is_not() -> None:
    meter = EchoMeter(eui64=ESME)
    with served(meter) as master:
        os.write(master, Frame.ready().encode())
        assert read_frames(master, 1) == [Frame.ready(ESME)]
        os.write(master, Frame.ready(ESME).encode())
        assert read_frames(master, 1, timeout=0.3) == []


def test_a_gbcs_frame_that_is_not_a_gbcs_message_is_answered_bad_payload() -> None:
    with served(esme()) as master:
        os.write(master, Frame.gbcs(b"hello").encode())
        code, reason = error_of(read_frames(master, 1))
    assert code is ErrorCode.BAD_PAYLOAD
    assert reason.startswith("not a GBCS message: ")


def test_a_refused_command_is_answered_refused_with_the_meter_log_entry() -> None:
    meter = esme()
    with served(meter) as master:
        os.write(master, Frame.gbcs(command(meter, ECS02, 1, acb=ROGUE_ACB)).encode())
        assert error_of(read_frames(master, 1)) == (
            ErrorCode.REFUSED,
            "mac-invalid: command from 90B3D51F30010000: ACB MAC does not verify",
        )
        accepted = command(meter, ECS02, 2)
        os.write(master, Frame.gbcs(accepted).encode())
        assert read_frames(master, 1)[0].kind is FrameType.GBCS
        os.write(master, Frame.gbcs(accepted).encode())
        assert error_of(read_frames(master, 1)) == (
            ErrorCode.REFUSED,
            "replayed-counter: counter 2 <= 2",
        )


@contextmanager
def tcp_listener() -> Iterator[socket.socket]:
    with socket.create_server(("127.0.0.1", 0)) as server:
        server.settimeout(DEADLINE)
        yield server


def read_frame(connection: socket.socket) -> Frame:
    decoder = Decoder()
    while True:
        frames = [e for e in decoder.feed(connection.recv(4096)) if isinstance(e, Frame)]
        if frames:
            return frames[0]


def test_serving_opens_a_failed_port_again_and_says_ready_each_time() -> None:
    meter, recorder, stop = EchoMeter(eui64=ESME), Recorder(), threading.Event()
    with tcp_listener() as server:
        url = f"socket://127.0.0.1:{server.getsockname()[1]}"
        thread = threading.Thread(
            target=serve_meter,
            args=(url, meter),
            kwargs={"clock": Clock(), "stop_event": stop, "on_event": recorder},
            daemon=True,
        )
        thread.start()
        try:
            first, _ = server.accept()
            with first:
                assert read_frame(first) == Frame.ready(ESME)
            again, _ = server.accept()  # the meter end lost its port and opened it anew
            with again:
                again.settimeout(DEADLINE)
                assert read_frame(again) == Frame.ready(ESME)
                again.sendall(Frame.gbcs(b"after").encode())
                assert read_frame(again) == Frame.gbcs(b"echo:after")
        finally:
            stop.set()
            thread.join(timeout=DEADLINE)
    assert not thread.is_alive()
    assert len(recorder.of(Opened)) == 2


def rtds_command(store_folder: Path, meter_ka: ec.EllipticCurvePublicKey, counter: int) -> bytes:
    """ECS02 signed with the RTDS supplier's DS key and MACed with the RTDS ACB's KA key."""
    rtds = load_keystore(store_folder)
    header = GroupingHeader(Cra.COMMAND, counter, SUPPLIER, ESME, OtherInformation(ECS02))
    content = encode_payment_mode_command(ECS02, counter, CREDIT_NOW)
    signed = sign(
        GbcsMessage(header, content, b""), rtds.private(SUPPLIER, KeyUsage.DIGITAL_SIGNING)
    )
    acb_ka = rtds.private(DEFAULT_ACB, KeyUsage.KEY_AGREEMENT)
    return encode(add_mac(signed, ecdh(acb_ka, meter_ka)))


@pytest.fixture
def rtds_keystore(tmp_path: Path) -> Path:
    """The RTDS supplier and ACB keys, and keys of our own for the meter (RTDS has none)."""
    source = require_conformance() / "rtds" / "keystore"
    for name in ("90b3d51f30010000-ds", "90b3d51f30010000-ka", "90b3d51f30000002-ka"):
        for suffix in (".pem", ".key"):
            shutil.copy(source / f"{name}{suffix}", tmp_path / f"{name}{suffix}")
    meter_keys = []
    for usage in KeyUsage:
        private = ec.generate_private_key(ec.SECP256R1())
        meter_keys.append(KeyFile(ESME, usage, private.public_key(), private))
    write_key_files(tmp_path, meter_keys)
    return tmp_path


def test_rtds_keyed_commands_are_answered_by_a_meter_served_from_that_keystore(
    rtds_keystore: Path,
) -> None:
    credentials = keystore_credentials(
        load_keystore(rtds_keystore), ESME, acb=DEFAULT_ACB, suppliers=[SUPPLIER]
    )
    meter = Esme(credentials, SUPPLIER)
    meter_ka = credentials.public_key(KeyUsage.KEY_AGREEMENT)
    with served(meter) as master:
        os.write(master, Frame.gbcs(rtds_command(rtds_keystore, meter_ka, 7)).encode())
        [answer] = read_frames(master, 1)
    response = decode(answer.payload)
    assert (response.header.cra, response.header.counter) == (Cra.RESPONSE, 7)
    assert signature_valid(response, credentials.public_key(KeyUsage.DIGITAL_SIGNING))


def test_a_seeded_meter_says_why_it_refuses_an_rtds_keyed_command(rtds_keystore: Path) -> None:
    credentials = seeded_credentials(b"solrsim", ESME, acb=DEFAULT_ACB, suppliers=[SUPPLIER])
    meter_ka = credentials.public_key(KeyUsage.KEY_AGREEMENT)  # even knowing the meter's key
    with served(Esme(credentials, SUPPLIER)) as master:
        os.write(master, Frame.gbcs(rtds_command(rtds_keystore, meter_ka, 7)).encode())
        code, reason = error_of(read_frames(master, 1))
    assert (code, reason.split(":")[0]) == (ErrorCode.REFUSED, "mac-invalid")
