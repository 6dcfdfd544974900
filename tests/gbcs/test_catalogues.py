"""The use-case and alert catalogues: pinned entries, and agreement with the RTDS 4.5.0 corpus."""

from __future__ import annotations

from pathlib import Path
from typing import NamedTuple

import pytest

from devices.gbcs.alerts import R7_2_SAFETY_CRITICAL, AlertCode, alert, catalogue
from devices.gbcs.errors import LocalProtocolError
from devices.gbcs.usecases import (
    USE_CASES,
    DeviceType,
    Kind,
    use_case_for,
    use_cases_for_srv,
    use_cases_named,
)
from tests.conformance import read_hex, rtds_files

COMMAND, ALERT = 1, 3


@pytest.mark.parametrize(
    ("code", "name", "critical", "device"),
    [
        (0x001A, "ECS02", True, DeviceType.ESME),
        (0x001B, "ECS03", True, DeviceType.ESME),
        (0x006C, "GCS02", True, DeviceType.GSME),
        (0x006D, "GCS03", True, DeviceType.GSME),
    ],
)
def test_update_payment_mode_use_cases(
    code: int, name: str, critical: bool, device: DeviceType
) -> None:
    uc = use_case_for(code)
    assert uc is not None
    assert (uc.name, uc.srv, uc.critical, uc.device, uc.kind) == (
        name,
        "1.6",
        critical,
        device,
        Kind.COMMAND,
    )
    assert "Payment Mode" in uc.title


def test_srv_1_6_has_exactly_the_four_payment_mode_use_cases() -> None:
    assert {uc.name for uc in use_cases_for_srv("1.6")} == {"ECS02", "ECS03", "GCS02", "GCS03"}


def test_srv_lookup_takes_a_service_reference_or_a_variant() -> None:
    assert {uc.name for uc in use_cases_for_srv("1.1")} == {"ECS01a", "ECS01c", "GCS01a"}
    assert {uc.name for uc in use_cases_for_srv("1.1.2")} == {"ECS01c"}
    assert use_cases_for_srv("6.2") == tuple(
        uc for uc in USE_CASES if any(s.startswith("6.2.") for s in uc.srvs)
    )


def test_one_code_can_serve_several_srvs() -> None:
    ecs70 = use_case_for(0x0062)
    assert ecs70 is not None
    assert ecs70.srvs == ("6.11", "8.1.1")
    assert ecs70 in use_cases_for_srv("8.1.1")


@pytest.mark.parametrize(
    ("code", "critical", "device"),
    [
        (0x00CC, True, DeviceType.ESME),
        (0x00CD, True, DeviceType.GSME),
        (0x1000, True, DeviceType.ANY),
        (0x1001, False, DeviceType.ANY),
    ],
)
def test_alert_message_codes(code: int, critical: bool, device: DeviceType) -> None:
    uc = use_case_for(code)
    assert uc is not None
    assert (uc.kind, uc.critical, uc.device, uc.srv) == (Kind.ALERT, critical, device, None)


def test_cs02b_is_one_use_case_with_ten_codes() -> None:
    assert [uc.message_code for uc in use_cases_named("CS02b")] == list(range(0x0100, 0x010A))


def test_unknown_message_code_is_none() -> None:
    assert use_case_for(0x7FFF) is None
    assert use_cases_named("XCS99") == ()
    assert use_cases_for_srv("99.9") == ()


def test_message_codes_are_unique() -> None:
    codes = [uc.message_code for uc in USE_CASES]
    assert len(codes) == len(set(codes))


def test_the_nine_r7_2_alerts_are_safety_critical_and_named() -> None:
    assert len(R7_2_SAFETY_CRITICAL) == 9
    for code in R7_2_SAFETY_CRITICAL:
        found = alert(code)
        assert found.safety_critical
        assert not found.name.startswith("Unknown")
    assert alert(0x8F1D).name == "GSME Power Supply Loss"
    assert alert(0x8F3F).name == "Unauthorised Physical Access - Tamper Detect"


@pytest.mark.parametrize("code", [0x8F66, 0x8F67, 0x8F30, 0x810E])
def test_other_named_alerts_are_not_safety_critical(code: int) -> None:
    found = alert(code)
    assert not found.safety_critical
    assert not found.name.startswith("Unknown")


def test_unknown_alert_code_gets_a_name_and_is_not_safety_critical() -> None:
    found = alert(0x8FFE)
    assert (found.code, found.name, found.safety_critical) == (
        0x8FFE,
        "Unknown alert 0x8FFE",
        False,
    )


def test_safety_critical_set_can_be_overridden() -> None:
    custom = catalogue([0x8F1F, 0x81A1, 0x8FFE])
    assert custom.alert(0x8F1F).safety_critical
    assert custom.alert(0x81A1).safety_critical
    assert not custom.alert(0x8F3F).safety_critical
    assert custom.alert(0x8FFE) == AlertCode(0x8FFE, "Unknown alert 0x8FFE", True)
    assert {a.code for a in custom.known() if a.safety_critical} == {0x8F1F, 0x81A1}
    assert not any(a.safety_critical for a in catalogue([]).known())


def test_safety_critical_override_rejects_codes_wider_than_two_bytes() -> None:
    with pytest.raises(LocalProtocolError, match="2 bytes"):
        catalogue([0x18F1F])


# --- conformance with the RTDS 4.5.0 reference messages -------------------------------------


class Frame(NamedTuple):
    """The header fields of one GBCS message that the catalogues must agree with."""

    cra: int
    mac: bool
    message_code: int
    content: bytes
    signature_length: int | None  # None: a PRECOMMAND, which has no signature-length byte


def _length(data: bytes, i: int) -> tuple[int, int]:
    """A BER length at ``i``: (value, index after it)."""
    if data[i] < 0x80:
        return data[i], i + 1
    n = data[i] & 0x7F
    return int.from_bytes(data[i + 1 : i + 1 + n], "big"), i + 1 + n


def _frame(data: bytes) -> Frame:
    i = 0
    if data[0] == 0xDD:  # MAC header: DD, six 00, length, 5-byte security header
        i = _length(data, 7)[1] + 5
    assert data[i : i + 2] == b"\xdf\x09"
    cra = data[i + 2]
    i += 2 + 9 + 9 + 9  # transaction id, originator and recipient system titles
    i += 1 if data[i] == 0 else 13  # date-time absent, or 0C + 12 bytes
    other_len, i = _length(data, i)
    code = int.from_bytes(data[i : i + 2], "big")
    content_len, i = _length(data, i + other_len)
    content = data[i : i + content_len]
    i += content_len
    return Frame(cra, data[0] == 0xDD, code, content, data[i] if i < len(data) else None)


def _alert_code(content: bytes) -> int:
    """The alert code of a DLMS (0F), GBZ (01 09) or ASN.1 DER (30) alert payload."""
    if content[0] == 0x0F:  # 0F, invoke id (4), 00, structure 02 0n, long-unsigned 12 XXXX
        assert content[8] == 0x12
        return int.from_bytes(content[9:11], "big")
    if content[:2] == b"\x01\x09":  # profile, component count, alert code
        return int.from_bytes(content[3:5], "big")
    i = _length(content, 1)[1]  # SEQUENCE, then INTEGER 02 03 00 XXXX
    assert content[i : i + 3] == b"\x02\x03\x00"
    return int.from_bytes(content[i + 3 : i + 5], "big")


@pytest.fixture(scope="module")
def rtds(conformance: Path) -> list[tuple[Path, Frame]]:
    """Every RTDS file, parsed once; asking for ``conformance`` skips when the corpus is absent."""
    return [(path, _frame(read_hex(path))) for path in rtds_files()]


def test_rtds_corpus_is_complete(rtds: list[tuple[Path, Frame]]) -> None:
    assert len(rtds) == 1275


def test_every_rtds_message_code_has_a_use_case(rtds: list[tuple[Path, Frame]]) -> None:
    codes = {f.message_code for _, f in rtds}
    assert len(codes) == 233
    assert sorted(f"0x{c:04X}" for c in codes if use_case_for(c) is None) == []


def test_rtds_kind_and_srv_agree_with_the_catalogue(rtds: list[tuple[Path, Frame]]) -> None:
    wrong = []
    for path, f in rtds:
        uc = use_case_for(f.message_code)
        assert uc is not None
        srv = path.parent.name.split("_")[0]
        if (uc.kind is Kind.ALERT) != (f.cra == ALERT):
            wrong.append(f"{path.name}: CRA {f.cra} but {uc.kind}")
        elif uc.kind is Kind.COMMAND and srv != "NA" and srv not in uc.srvs:
            wrong.append(f"{path.name}: folder SRV {srv} not in {uc.srvs}")
    assert wrong == []


def test_rtds_framing_agrees_with_the_critical_flag(rtds: list[tuple[Path, Frame]]) -> None:
    """Critical commands are MAC-wrapped and signed; critical alerts signed and not MAC-wrapped.

    A few credential commands (CS02a, CS02f, CS02b by Recovery) are also sent signed without a MAC
    header; they are not SME.C.C commands and only have to carry their signature.
    """
    wrong = []
    for path, f in rtds:
        uc = use_case_for(f.message_code)
        assert uc is not None
        signed = f.signature_length == 0x40
        if f.cra == COMMAND and f.signature_length is not None:
            if not f.mac and not signed:
                wrong.append(f"{path.name}: command with neither MAC header nor signature")
            elif f.mac and signed != uc.critical:
                wrong.append(f"{path.name}: signed={signed} but critical={uc.critical}")
        elif f.cra == ALERT and (signed, not f.mac) != (uc.critical, uc.critical):
            wrong.append(f"{path.name}: signed={signed} mac={f.mac} but critical={uc.critical}")
    assert wrong == []


def test_every_rtds_alert_code_is_named(rtds: list[tuple[Path, Frame]]) -> None:
    codes = {_alert_code(f.content) for _, f in rtds if f.cra == ALERT}
    assert {0x8F30, 0x810E, 0x8F66, 0x8F67} <= codes
    assert sorted(f"0x{c:04X}" for c in codes if alert(c).name.startswith("Unknown")) == []
