"""SR 1.6: the mode is read from the payload, builders reproduce RTDS, responses and alerts."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from devices.gbcs import dlms, gbz
from devices.gbcs.alert_payload import (
    CosemTarget,
    FutureDatedAlert,
    GenericAlert,
    ZclTarget,
    decode_future_dated_alert,
    decode_generic_alert,
    encode_future_dated_alert,
    encode_generic_alert,
)
from devices.gbcs.content import Protocol
from devices.gbcs.errors import GbcsDecodeError, GbcsEncodeError
from devices.gbcs.frame import Cra
from devices.gbcs.payment_mode import (
    ECS02,
    ECS03,
    GCS02,
    GCS03,
    Activation,
    DlmsPaymentModeDetails,
    DlmsSetResults,
    GbzPaymentModeDetails,
    PaymentMode,
    PaymentModeChange,
    PaymentModeResponse,
    ZclChangePaymentModeResponse,
    ZclDefaultResponse,
    decode_payment_mode_command,
    decode_payment_mode_response,
    encode_payment_mode_command,
    encode_payment_mode_response,
    message_code_agrees,
    standard_credit_charge_configuration,
)
from tests.gbcs.rtds_payloads import RtdsPayload, payload_params, rtds_payloads

JAN_2015 = datetime(2015, 1, 1, tzinfo=UTC)
ISSUED = gbz.to_gbz_time(JAN_2015)  # the issuer event id of every RTDS GBZ command
AT_NINE = datetime(2030, 1, 15, 9, tzinfo=UTC)
CODES = {"ECS02": ECS02, "ECS03": ECS03, "GCS02": GCS02, "GCS03": GCS03}
MODES = {"ECS02": PaymentMode.CREDIT, "GCS02": PaymentMode.CREDIT}
EXECUTE_AT = {"GCS03": datetime(2030, 1, 15, tzinfo=UTC)}  # the others run at 09:00
# (suspend debt disabled, suspend debt emergency) as the matching RTDS DUIS requests give them
SUSPEND = {
    ("ECS03", Activation.IMMEDIATE): (True, True),
    ("ECS03", Activation.FUTURE_DATED): (True, False),
    ("ECS03", Activation.CANCELLATION): (False, True),
    ("GCS03", Activation.IMMEDIATE): (False, False),
    ("GCS03", Activation.FUTURE_DATED): (False, True),
    ("GCS03", Activation.CANCELLATION): (True, False),
}
THRESHOLD = {"ECS03": 556677, "GCS03": 0}


def _in_16(payload: RtdsPayload, *kinds: str) -> bool:
    return payload.name[:5] in CODES and "_1.6_" in payload.name and payload.name.endswith(kinds)


def _commands(payload: RtdsPayload) -> bool:
    return _in_16(payload, "_COMMAND_GBCS", "_PRECOMMAND_GBCS")


def _responses(payload: RtdsPayload) -> bool:
    return _in_16(payload, "_RESPONSE_GBCS")


def _future_dated_alerts(payload: RtdsPayload) -> bool:
    return _in_16(payload, "_GBCS") and "_8F66_" in payload.name


def _generic_alerts(payload: RtdsPayload) -> bool:
    return payload.name.startswith(("GCA-", "GNCA-"))


def _activation_named(name: str) -> Activation:
    for activation in Activation:
        if f"_{activation.name}_" in name:
            return activation
    raise AssertionError(name)


# --- RTDS commands -----------------------------------------------------------------------------


@pytest.mark.parametrize("payload", payload_params(_commands))
def test_rtds_command_reads_as_its_file_says(payload: RtdsPayload) -> None:
    use_case, activation = payload.name[:5], _activation_named(payload.name)
    change = decode_payment_mode_command(payload.message_code, payload.content)
    assert change.mode is MODES.get(use_case, PaymentMode.PREPAYMENT)
    assert change.activation is activation
    if activation is Activation.FUTURE_DATED:
        assert change.execute_at == EXECUTE_AT.get(use_case, AT_NINE)
    else:
        assert change.execute_at is None
    suspend = (change.suspend_debt_disabled, change.suspend_debt_emergency)
    assert suspend == SUSPEND.get((use_case, activation), (False, False))
    assert change.disablement_threshold == THRESHOLD.get(use_case)
    assert change.protocol is (Protocol.DLMS if use_case[0] == "E" else Protocol.GBZ)
    assert message_code_agrees(payload.message_code, change)


@pytest.mark.parametrize("payload", payload_params(_commands))
def test_builder_reproduces_rtds_command(payload: RtdsPayload) -> None:
    assert _rebuilt(payload) == payload.content


def _rebuilt(payload: RtdsPayload) -> bytes:
    """The RTDS command built again from what it means."""
    change = decode_payment_mode_command(payload.message_code, payload.content)
    return encode_payment_mode_command(
        payload.message_code,
        payload.counter,
        replace(change, details=None),
        twin_element="_TWIN_" in payload.name,
        issuer_event_id=ISSUED,
    )


def test_builders_kept_configurations_never_cross_between_commands() -> None:
    """Each change's credit-charge configuration is made once and kept: building every RTDS
    command, then all again in the opposite order, still gives each its own bytes."""
    payloads = [payload for payload in rtds_payloads() if _commands(payload)]
    if not payloads:
        pytest.skip("RTDS corpus absent")
    assert len({payload.content for payload in payloads}) > 1
    for order in (payloads, payloads[::-1]):
        for payload in order:
            assert _rebuilt(payload) == payload.content, payload.name


def test_builder_from_meaning_alone_gives_rtds_forms() -> None:
    credit = PaymentModeChange(PaymentMode.CREDIT, Activation.IMMEDIATE)
    esme = encode_payment_mode_command(ECS02, 0x3EA, credit)
    assert esme[:21].hex() == "d9200003ea000302006f0001130000ff0202006f00"
    assert esme.endswith(bytes.fromhex("090c0000000000000000008000ff"))
    gsme = encode_payment_mode_command(GCS02, 0x3E8, credit, issuer_event_id=ISSUED)
    assert gsme.hex() == "010901010705001501000600000000804a371c00000000940cffffffff"


def test_decoded_details_keep_the_raw_values() -> None:
    prepay = PaymentModeChange(
        PaymentMode.PREPAYMENT, Activation.IMMEDIATE, disablement_threshold=-5
    )
    esme = decode_payment_mode_command(ECS03, encode_payment_mode_command(ECS03, 1, prepay))
    assert esme.details == DlmsPaymentModeDetails(
        1,
        standard_credit_charge_configuration(PaymentMode.PREPAYMENT, False, False, False),
        dlms.CosemDateTime.NOT_SPECIFIED,
    )
    assert esme.disablement_threshold == -5
    gsme_bytes = encode_payment_mode_command(GCS03, 1, prepay, issuer_event_id=7, provider_id=9)
    gsme = decode_payment_mode_command(GCS03, gsme_bytes)
    assert gsme.details == GbzPaymentModeDetails(0, 9, 7, 0x0897, -5)


# --- the content check: mode from the payload, agreement with the code -------------------------


def test_disguised_prepayment_is_read_as_prepayment_and_disagrees() -> None:
    prepay = PaymentModeChange(PaymentMode.PREPAYMENT, Activation.IMMEDIATE)
    disguised = encode_payment_mode_command(ECS02, 0x3EA, prepay)
    change = decode_payment_mode_command(ECS02, disguised)
    assert change.mode is PaymentMode.PREPAYMENT
    assert not message_code_agrees(ECS02, change)
    gsme = encode_payment_mode_command(GCS02, 1, prepay, issuer_event_id=ISSUED)
    assert decode_payment_mode_command(GCS02, gsme).mode is PaymentMode.PREPAYMENT
    assert not message_code_agrees(GCS02, decode_payment_mode_command(GCS02, gsme))


def _credit_commands(payload: RtdsPayload) -> bool:
    return _commands(payload) and MODES.get(payload.name[:5]) is PaymentMode.CREDIT


@pytest.mark.parametrize("payload", payload_params(_credit_commands))
def test_rtds_credit_command_patched_to_prepayment_reads_prepayment(payload: RtdsPayload) -> None:
    """One payload value changed (DLMS payment_mode 1 -> 2; ZSE 0x0C94 -> 0x0897)."""
    old, new = ("0202160116", "0202160216") if payload.content[0] == 0xD9 else ("940c", "9708")
    patched = _swap(payload.content, old, new)
    change = decode_payment_mode_command(payload.message_code, patched)
    assert change.mode is PaymentMode.PREPAYMENT
    assert not message_code_agrees(payload.message_code, change)


def test_agreement_needs_matching_device_type_and_a_decoded_change() -> None:
    credit = PaymentModeChange(PaymentMode.CREDIT, Activation.IMMEDIATE)
    gsme = encode_payment_mode_command(GCS02, 1, credit, issuer_event_id=ISSUED)
    assert not message_code_agrees(ECS02, decode_payment_mode_command(ECS02, gsme))
    assert message_code_agrees(GCS02, decode_payment_mode_command(ECS02, gsme))
    assert not message_code_agrees(ECS02, credit)  # built by hand: no payload kind known
    assert not message_code_agrees(0x0019, decode_payment_mode_command(GCS02, gsme))


def _esme() -> bytes:
    change = PaymentModeChange(PaymentMode.CREDIT, Activation.IMMEDIATE)
    return encode_payment_mode_command(ECS02, 0x3EA, change)


def _gsme() -> bytes:
    change = PaymentModeChange(PaymentMode.CREDIT, Activation.IMMEDIATE)
    return encode_payment_mode_command(GCS02, 0x3EA, change, issuer_event_id=ISSUED)


def _dlms_response() -> bytes:
    return encode_payment_mode_response(PaymentModeResponse(DlmsSetResults((0, 0, 0))), 0x3EA)


def _gbz_response() -> bytes:
    detail = ZclChangePaymentModeResponse(0, 1, 2, 3, 4)
    return encode_payment_mode_response(PaymentModeResponse(detail), 0)


def _swap(content: bytes, old: str, new: str) -> bytes:
    assert bytes.fromhex(old) in content
    return content.replace(bytes.fromhex(old), bytes.fromhex(new), 1)


def _edited(content: bytes, **changes: object) -> bytes:
    """The DLMS APDU of ``content`` with some fields replaced, re-encoded."""
    return dlms.encode_dlms(replace(dlms.decode_dlms(content), **changes))


def _esme_with_data(index: int, value: dlms.Data) -> bytes:
    data = list(dlms.decode_dlms(_esme()).data)
    data[index] = value
    return _edited(_esme(), data=tuple(data))


_SPECS = dlms.decode_dlms(_esme()).specs
_DATA = dlms.decode_dlms(_esme()).data
_SHORT_OBIS_LINK = dlms.Structure(
    (dlms.OctetString(bytes(5)), dlms.OctetString(bytes(6)), dlms.BitString(3, b"\xe0"))
)
# ESME credit command layout: requests from 6, data from 37: mode at 38, links at 44, time at 88


@pytest.mark.parametrize(
    ("code", "content", "reason", "offset"),
    [
        (0x0019, _esme(), "not an SR 1.6 code", 0),
        (ECS02, b"", "truncated APDU tag", 0),
        (ECS02, _esme()[:-1], "truncated string", 90),
        (ECS02, _esme() + b"\x00", "trailing", 102),
        (ECS02, _dlms_response(), "not a DLMS Access-Request", 0),
        (ECS02, _swap(_esme(), "02006f0001130000ff02", "02006f0001130000ff03"), "1.6 Sets", 6),
        (ECS02, _swap(_esme(), "02006f0001130000ff0b", "02006e0001130000ff0b"), "1.6 Sets", 6),
        (ECS02, _swap(_esme(), "02006f0001130000ff0b", "01006f0001130000ff0b"), "1.6 Sets", 6),
        (ECS02, _edited(_esme(), specs=_SPECS[:2], data=_DATA[:2]), "1.6 Sets", 6),
        (ECS02, _edited(_esme(), specs=_SPECS * 2, data=_DATA * 2), "1.6 Sets", 6),
        (ECS02, _edited(_esme(), data=_DATA[:2]), "1.6 Sets", 6),
        (ECS02, _swap(_esme(), "020216011601", "020216031601"), "account_mode_and_status", 38),
        (ECS02, _swap(_esme(), "020216011601", "020216011101"), "account_mode_and_status", 38),
        (ECS02, _swap(_esme(), "0403e0", "0404e0"), "3-bit bit-string", 44),
        (ECS02, _swap(_esme(), "0403e0", "0403e1"), "3-bit bit-string", 44),
        (ECS02, _esme_with_data(1, dlms.Array((_SHORT_OBIS_LINK,))), "3-bit bit-string", 44),
        (ECS02, _esme_with_data(1, dlms.OctetString(b"")), "not an array", 44),
        (ECS02, _swap(_esme(), "090c00000000000000", "090c07ee0d0fff0900"), "neither now", 88),
        (ECS02, _swap(_esme(), "090c0000000000", "0a0c0000000000"), "12-byte date-time", 88),
        (ECS03, _esme_with_data(2, dlms.Null()), "12-byte date-time", 88),
        (GCS02, _swap(_gsme(), "010901", "010902"), "truncated GBZ extended header", 29),
        (GCS02, _swap(_gsme(), "01070500", "00070500"), "one plaintext component", 3),
        (GCS02, _swap(_gsme(), "0107050015", "0307050015"), "ciphered information", 15),
        (GCS02, _swap(_gsme(), "0107050015", "0107040015"), "not Prepayment", 4),
        (GCS02, _swap(_gsme(), "01000600", "01000500"), "Change Payment Mode command", 8),
        (GCS02, _swap(_gsme(), "01000600", "09000600"), "Change Payment Mode command", 8),
        (GCS02, _swap(_gsme(), "0015010006", "0014010006")[:-1], "18 bytes of fields", 11),
        (GCS02, _swap(_gsme(), "940c", "950c"), "0x0C95 is not one GBCS allows", 23),
    ],
)
def test_payload_that_is_not_a_16_change_is_refused(
    code: int, content: bytes, reason: str, offset: int
) -> None:
    with pytest.raises(GbcsDecodeError) as caught:
        decode_payment_mode_command(code, content)
    assert reason in caught.value.reason
    assert caught.value.offset == offset


@settings(max_examples=300)
@given(st.sampled_from([_esme(), _gsme()]), st.integers(0, 200), st.integers(0, 255))
def test_mutated_commands_decode_or_refuse(content: bytes, index: int, byte: int) -> None:
    index %= len(content)
    mutated = content[:index] + bytes((byte,)) + content[index + 1 :]
    try:
        change = decode_payment_mode_command(ECS02, mutated)
    except GbcsDecodeError as e:
        assert 0 <= e.offset <= len(mutated)
    else:
        assert change.mode in PaymentMode


def test_inconsistent_changes_cannot_be_made() -> None:
    with pytest.raises(GbcsEncodeError, match="execute_at"):
        PaymentModeChange(PaymentMode.CREDIT, Activation.FUTURE_DATED)
    with pytest.raises(GbcsEncodeError, match="execute_at"):
        PaymentModeChange(PaymentMode.CREDIT, Activation.IMMEDIATE, AT_NINE)
    with pytest.raises(GbcsEncodeError, match="prepayment only"):
        PaymentModeChange(PaymentMode.CREDIT, Activation.IMMEDIATE, suspend_debt_disabled=True)


def test_builder_refusals() -> None:
    credit = PaymentModeChange(PaymentMode.CREDIT, Activation.IMMEDIATE)
    with pytest.raises(GbcsEncodeError, match=r"not an SR 1\.6 code"):
        encode_payment_mode_command(0x0019, 1, credit)
    with pytest.raises(GbcsEncodeError, match="issuer_event_id"):
        encode_payment_mode_command(GCS02, 1, credit)
    with pytest.raises(GbcsEncodeError):
        encode_payment_mode_command(GCS02, 1, credit, issuer_event_id=2**32)
    with pytest.raises(GbcsEncodeError):
        encode_payment_mode_command(ECS03, 1, replace(credit, disablement_threshold=2**31))


def test_future_dated_builds_read_back() -> None:
    for code in (ECS03, GCS03):
        change = PaymentModeChange(
            PaymentMode.PREPAYMENT,
            Activation.FUTURE_DATED,
            AT_NINE,
            suspend_debt_emergency=True,
            disablement_threshold=100,
        )
        content = encode_payment_mode_command(code, 5, change, issuer_event_id=ISSUED)
        assert replace(decode_payment_mode_command(code, content), details=None) == change


# --- responses ---------------------------------------------------------------------------------


@pytest.mark.parametrize("payload", payload_params(_responses))
def test_rtds_response_reads_and_rebuilds(payload: RtdsPayload) -> None:
    response = decode_payment_mode_response(payload.content)
    assert response.success is ("_SUCCESS_" in payload.name)
    assert encode_payment_mode_response(response, payload.counter) == payload.content


def test_responses_of_both_kinds_round_trip() -> None:
    for detail in (
        DlmsSetResults((0, 1, 0xFA)),
        ZclChangePaymentModeResponse(3, 1, 2, 1_000_000, 200_000),
        ZclDefaultResponse(3, 0xC0),
    ):
        response = PaymentModeResponse(detail)
        assert decode_payment_mode_response(encode_payment_mode_response(response, 9)) == response
    assert not PaymentModeResponse(DlmsSetResults((0, 1))).success
    assert PaymentModeResponse(ZclDefaultResponse(0, 0)).success


@pytest.mark.parametrize(
    ("content", "reason", "offset"),
    [
        (b"", "truncated APDU tag", 0),
        (_esme(), "not a DLMS Access-Response", 0),
        (_edited(_dlms_response(), request_specs=_SPECS), "echo", 6),
        (_edited(_dlms_response(), data=(dlms.Null(), dlms.Unsigned(1), dlms.Null())), "null", 9),
        (_swap(_dlms_response(), "02000200", "02000100"), "Set results", 14),
        (_swap(_dlms_response(), "03000000030200", "020000030200"), "as many", 7),
        (_swap(_gbz_response(), "190002", "190003"), "Default Response to it", 8),
        (_gbz_response()[:-1].replace(b"\x00\x10", b"\x00\x0f"), "Default Response to it", 8),
        (bytes.fromhex("010901010705000508000b07c0"), "Default Response to it", 8),
    ],
)
def test_response_that_is_not_a_16_response_is_refused(
    content: bytes, reason: str, offset: int
) -> None:
    with pytest.raises(GbcsDecodeError) as caught:
        decode_payment_mode_response(content)
    assert reason in caught.value.reason
    assert caught.value.offset == offset


# --- alerts ------------------------------------------------------------------------------------


@pytest.mark.parametrize("payload", payload_params(_future_dated_alerts))
def test_rtds_future_dated_alert_reads_and_rebuilds(payload: RtdsPayload) -> None:
    alert = decode_future_dated_alert(payload.content)
    assert alert.succeeded
    assert alert.message_code == CODES[payload.name[:5]]
    assert alert.timestamp == EXECUTE_AT.get(payload.name[:5], AT_NINE)
    assert encode_future_dated_alert(alert, payload.counter) == payload.content


@pytest.mark.parametrize("payload", payload_params(_generic_alerts))
def test_rtds_generic_alert_reads_and_rebuilds(payload: RtdsPayload) -> None:
    assert payload.cra == Cra.ALERT
    alert = decode_generic_alert(payload.content)
    assert alert.alert_code == int(payload.name.split("_")[2], 16)
    assert alert.timestamp == JAN_2015
    assert alert.protocol is (Protocol.DLMS if "DLMS" in payload.name else Protocol.GBZ)
    assert encode_generic_alert(alert, payload.counter) == payload.content


def test_future_dated_alert_wire_forms() -> None:
    esme = FutureDatedAlert(
        0x8F67, AT_NINE, ECS02, 0x3ED, CosemTarget(111, bytes((0, 1, 19, 0, 0, 255)), 13)
    )
    content = encode_future_dated_alert(esme, 0x7D2)
    assert content.hex() == (
        "0f200007d2000203128f67090c07ee010fff090000008000ff"
        "0913001a00000000000003ed006f0001130000ff0d"
    )
    assert decode_future_dated_alert(content) == esme
    assert not esme.succeeded
    gsme = FutureDatedAlert(0x8F66, AT_NINE, GCS02, 0x3E9, ZclTarget(0x0705, 0x01, 0x06))
    content = encode_future_dated_alert(gsme, 0xBB8)
    assert content.hex() == "0109018f66388188900e006c00000000000003e907050106"
    assert decode_future_dated_alert(content) == gsme


@pytest.mark.parametrize("code", [0x8F3F, 0x8F1F, 0x8F1D, 0x8F73])
def test_meter_alerts_build_and_read_back(code: int) -> None:
    for protocol in Protocol:
        alert = GenericAlert(protocol, code, JAN_2015)
        assert decode_generic_alert(encode_generic_alert(alert, 0x7D0)) == alert
    dlms_with_extra = GenericAlert(Protocol.DLMS, code, JAN_2015, bytes.fromhex("1200051100"))
    assert decode_generic_alert(encode_generic_alert(dlms_with_extra, 1)) == dlms_with_extra
    gbz_with_extra = GenericAlert(Protocol.GBZ, code, JAN_2015, b"\x00\x05")
    assert encode_generic_alert(gbz_with_extra, 1)[2] == 1
    assert decode_generic_alert(encode_generic_alert(gbz_with_extra, 1)) == gbz_with_extra


def test_generic_alert_dlms_wire_form() -> None:
    content = encode_generic_alert(GenericAlert(Protocol.DLMS, 0x8F3F, JAN_2015), 0x7D0)
    assert content.hex() == "0f200007d0000202128f3f090c07df0101ff000000008000ff"


def test_generic_alert_with_bad_extra_is_refused() -> None:
    with pytest.raises(GbcsEncodeError, match="A-XDR"):
        encode_generic_alert(GenericAlert(Protocol.DLMS, 0x8F3F, JAN_2015, b"\x12\x00"), 1)


_ESME_ALERT = (
    "0f200007d2000203128f66090c07ee010fff090000008000ff0913001a00000000000003ed006f0001130000ff0d"
)
_GSME_ALERT = "0109018f66388188900e006c00000000000003e907050106"


@pytest.mark.parametrize(
    ("hex_", "reason", "offset"),
    [
        (_ESME_ALERT.replace("8f66", "8f30"), "not 8F66/8F67", 9),
        (_ESME_ALERT.replace("0203128f66", "0203108f66"), "not a long-unsigned", 8),
        (_ESME_ALERT.replace("0913001a", "0a13001a"), "19-byte octet string", 25),
        (_ESME_ALERT.replace("090c07ee010f", "090c07ee0d0f"), "not a UTC date-time", 11),
        (_ESME_ALERT.replace("020312", "020212")[:50], "structure", 6),
        ("da200003ea00000000", "not a DLMS Data-Notification", 0),
        ("", "truncated APDU tag", 0),
        (_GSME_ALERT.replace("8f66", "8f30"), "not 8F66/8F67", 3),
        ("0109018f66", "truncated alert time stamp", 5),
        (_GSME_ALERT.replace("0109018f", "0109008f"), "counts one component", 2),
        (_GSME_ALERT[:-2], "0E + 14 bytes", 9),
    ],
)
def test_malformed_future_dated_alert_is_refused(hex_: str, reason: str, offset: int) -> None:
    with pytest.raises(GbcsDecodeError) as caught:
        decode_future_dated_alert(bytes.fromhex(hex_))
    assert reason in caught.value.reason
    assert caught.value.offset == offset


@pytest.mark.parametrize(
    ("hex_", "reason", "offset"),
    [
        ("0f200007d0000201128f30", "structure", 6),
        ("0f200007d00012", "truncated", 7),
        ("0109018f301c374a80", "1 component iff", 2),
        ("0109008f301c374a8000", "1 component iff", 2),
    ],
)
def test_malformed_generic_alert_is_refused(hex_: str, reason: str, offset: int) -> None:
    with pytest.raises(GbcsDecodeError) as caught:
        decode_generic_alert(bytes.fromhex(hex_))
    assert reason in caught.value.reason
    assert caught.value.offset == offset


def test_rtds_16_files_are_all_covered(conformance: Path) -> None:
    counts = [
        len(payload_params(accept))
        for accept in (_commands, _responses, _future_dated_alerts, _generic_alerts)
    ]
    assert counts == [32, 16, 5, 4]


def test_a_payload_read_again_is_the_same_change_and_a_bad_one_is_refused_each_time() -> None:
    content = _esme()
    assert decode_payment_mode_command(ECS02, content) == decode_payment_mode_command(
        ECS02, bytearray(content)
    )
    for _ in range(2):
        with pytest.raises(GbcsDecodeError):
            decode_payment_mode_command(ECS02, content[:-3])
        with pytest.raises(GbcsDecodeError, match=r"not an SR 1\.6 code"):
            decode_payment_mode_command(0x0001, content)
