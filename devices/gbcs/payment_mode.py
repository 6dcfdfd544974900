"""Service Request 1.6 "Update Payment Mode": what a command asks for, read from its own payload.

The DCC content check for SoLR rule R5 (the SRP may only switch meters to credit) relies on this
module. The mode therefore comes from the payload values (DLMS ``account_mode_and_status``, ZSE
``Proposed Payment Control Configuration``), never from the message code, and a payload that is
not exactly a 1.6 change raises :class:`GbcsDecodeError`. Whether the code and the payload
agree is a separate question, answered by :func:`message_code_agrees`.

Also here: the 1.6 responses. Facts: spec/gbcs.md §4, RTDS 1.6 files.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from enum import Enum
from typing import Any

from . import dlms, gbz
from ._reader import encode_length, encode_uint
from .content import Protocol, is_gbz
from .errors import GbcsDecodeError, GbcsEncodeError


class PaymentMode(Enum):
    CREDIT = "credit"
    PREPAYMENT = "prepayment"


class Activation(Enum):
    IMMEDIATE = "immediate"
    FUTURE_DATED = "future-dated"
    CANCELLATION = "cancellation"


ECS02 = 0x001A  # Set ESME Payment Mode to Credit
ECS03 = 0x001B  # Set ESME Payment Mode to Prepayment
GCS02 = 0x006C  # Set GSME Payment Mode to Credit
GCS03 = 0x006D  # Set GSME Payment Mode to Prepayment

_CODES: dict[int, tuple[PaymentMode, Protocol]] = {
    ECS02: (PaymentMode.CREDIT, Protocol.DLMS),
    ECS03: (PaymentMode.PREPAYMENT, Protocol.DLMS),
    GCS02: (PaymentMode.CREDIT, Protocol.GBZ),
    GCS03: (PaymentMode.PREPAYMENT, Protocol.GBZ),
}


# --- typed meaning -----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class CreditChargeLink:
    """One DLMS credit_charge_configuration entry: which credit pays which charge.

    ``collection`` is the 3-bit collection configuration as an int, first bit most significant
    (RTDS sends 0b111, or 0b110 to suspend time-based debt when the supply is disabled).
    """

    credit: bytes
    charge: bytes
    collection: int


@dataclass(frozen=True, slots=True)
class DlmsPaymentModeDetails:
    """The raw DLMS values behind a change, for testers and for checks beyond the mode."""

    account_status: int
    credit_charge_configuration: tuple[CreditChargeLink, ...]
    threshold_activation: dlms.CosemDateTime | None


@dataclass(frozen=True, slots=True)
class GbzPaymentModeDetails:
    """The raw ZSE Change Payment Mode fields behind a change."""

    sequence_number: int
    provider_id: int
    issuer_event_id: int
    payment_control_configuration: int
    cut_off_value: int


@dataclass(frozen=True, slots=True)
class PaymentModeChange:
    """What a 1.6 command asks for.

    The suspend-debt flags only mean something for prepayment and are False for credit. The
    disablement threshold is None when the payload leaves it unchanged. ``details`` is set by
    the decoder and ignored by the builder.
    """

    mode: PaymentMode
    activation: Activation
    execute_at: datetime | None = None
    suspend_debt_disabled: bool = False
    suspend_debt_emergency: bool = False
    disablement_threshold: int | None = None
    details: DlmsPaymentModeDetails | GbzPaymentModeDetails | None = None

    def __post_init__(self) -> None:
        if (self.activation is Activation.FUTURE_DATED) != (self.execute_at is not None):
            raise GbcsEncodeError("execute_at is given for FUTURE_DATED changes and only for them")
        if self.mode is PaymentMode.CREDIT and (
            self.suspend_debt_disabled or self.suspend_debt_emergency
        ):
            raise GbcsEncodeError("suspend-debt flags apply to prepayment only")

    @property
    def protocol(self) -> Protocol | None:
        """The payload kind it was decoded from; None for a change built by hand."""
        if isinstance(self.details, DlmsPaymentModeDetails):
            return Protocol.DLMS
        if isinstance(self.details, GbzPaymentModeDetails):
            return Protocol.GBZ
        return None


def message_code_agrees(message_code: int, change: PaymentModeChange) -> bool:
    """True iff the code is a 1.6 code whose mode and device type (ESME: DLMS, GSME: GBZ) are
    the decoded payload's. A disguised command (credit code, prepayment payload) gives False."""
    return _CODES.get(message_code) == (change.mode, change.protocol)


# --- DLMS objects (spec/gbcs.md §4.1) ---------------------------------------------------------


def _obis(*groups: int) -> bytes:
    return bytes(groups)


ACCOUNT_CLASS = 111
ACCOUNT_OBIS = _obis(0, 1, 19, 0, 0, 255)
EXTENDED_DATA_CLASS = 9000
DISABLEMENT_THRESHOLD_OBIS = _obis(0, 0, 94, 44, 128, 22)

_METER_BALANCE = _obis(0, 0, 19, 10, 0, 255)
_EMERGENCY_CREDIT = _obis(0, 0, 19, 10, 1, 255)
_ACCUMULATED_DEBT = _obis(0, 0, 19, 10, 2, 255)
_TARIFF = _obis(0, 0, 19, 20, 0, 255)
_TIME_DEBT_1 = _obis(0, 0, 19, 20, 1, 255)
_TIME_DEBT_2 = _obis(0, 0, 19, 20, 2, 255)
_PAYMENT_DEBT = _obis(0, 0, 19, 20, 3, 255)
_STANDING_CHARGE = _obis(0, 0, 19, 20, 4, 255)
_SECONDARY_TARIFF = _obis(0, 0, 19, 20, 5, 255)

_COLLECT_ALWAYS = 0b111
_SUSPEND_WHEN_DISABLED = 0b110  # the third collection bit cleared


def _set(class_id: int, obis: bytes, attribute_id: int) -> dlms.RequestSpec:
    return dlms.RequestSpec(dlms.AccessKind.SET, class_id, obis, attribute_id)


_MODE_AND_STATUS = _set(ACCOUNT_CLASS, ACCOUNT_OBIS, 2)
_CREDIT_CHARGE_CONFIG = _set(ACCOUNT_CLASS, ACCOUNT_OBIS, 11)
ACCOUNT_ACTIVATION_TIME_ATTRIBUTE = 13
THRESHOLD_ACTIVATION_TIME_ATTRIBUTE = 6
_ACTIVATION_TIME = _set(ACCOUNT_CLASS, ACCOUNT_OBIS, ACCOUNT_ACTIVATION_TIME_ATTRIBUTE)
_THRESHOLD_VALUE = _set(EXTENDED_DATA_CLASS, DISABLEMENT_THRESHOLD_OBIS, 4)
_THRESHOLD_TIME = _set(
    EXTENDED_DATA_CLASS, DISABLEMENT_THRESHOLD_OBIS, THRESHOLD_ACTIVATION_TIME_ATTRIBUTE
)

_WITHOUT_THRESHOLD = (_MODE_AND_STATUS, _CREDIT_CHARGE_CONFIG, _ACTIVATION_TIME)  # as ECS02
_WITH_THRESHOLD = (  # as ECS03
    _MODE_AND_STATUS,
    _THRESHOLD_VALUE,
    _CREDIT_CHARGE_CONFIG,
    _THRESHOLD_TIME,
    _ACTIVATION_TIME,
)
_DLMS_MODES = {1: PaymentMode.CREDIT, 2: PaymentMode.PREPAYMENT}


def standard_credit_charge_configuration(
    mode: PaymentMode, suspend_debt_disabled: bool, suspend_debt_emergency: bool, twin: bool
) -> tuple[CreditChargeLink, ...]:
    """The credit_charge_configuration the RTDS 1.6 commands carry for these choices.

    Derived from the six RTDS ECS02/ECS03 commands and their DUIS requests (GBCS 18.2.1 was not
    available): suspend-debt-disabled clears the third collection bit of the time-based debt
    links; suspend-debt-emergency adds links from the accumulated debt register; a twin-element
    meter adds links to its secondary tariff.
    """
    time_debt = _SUSPEND_WHEN_DISABLED if suspend_debt_disabled else _COLLECT_ALWAYS
    pairs: list[tuple[bytes, bytes, int]] = [
        (_METER_BALANCE, _TARIFF, _COLLECT_ALWAYS),
        (_METER_BALANCE, _STANDING_CHARGE, _COLLECT_ALWAYS),
    ]
    if mode is PaymentMode.PREPAYMENT:
        pairs += [
            (_METER_BALANCE, _TIME_DEBT_1, time_debt),
            (_METER_BALANCE, _TIME_DEBT_2, time_debt),
            (_METER_BALANCE, _PAYMENT_DEBT, _COLLECT_ALWAYS),
            (_EMERGENCY_CREDIT, _PAYMENT_DEBT, _COLLECT_ALWAYS),
            (_EMERGENCY_CREDIT, _TARIFF, _COLLECT_ALWAYS),
            (_EMERGENCY_CREDIT, _STANDING_CHARGE, _COLLECT_ALWAYS),
            (_EMERGENCY_CREDIT, _TIME_DEBT_1, time_debt),
            (_EMERGENCY_CREDIT, _TIME_DEBT_2, time_debt),
        ]
        if suspend_debt_emergency:
            pairs += [
                (_ACCUMULATED_DEBT, _STANDING_CHARGE, _COLLECT_ALWAYS),
                (_ACCUMULATED_DEBT, _TIME_DEBT_1, _COLLECT_ALWAYS),
                (_ACCUMULATED_DEBT, _TIME_DEBT_2, _COLLECT_ALWAYS),
            ]
    if twin:
        pairs.append((_METER_BALANCE, _SECONDARY_TARIFF, _COLLECT_ALWAYS))
        if mode is PaymentMode.PREPAYMENT:
            pairs.append((_EMERGENCY_CREDIT, _SECONDARY_TARIFF, _COLLECT_ALWAYS))
    return tuple(CreditChargeLink(*pair) for pair in pairs)


# --- ZSE Change Payment Mode (spec/gbcs.md §4.2) ----------------------------------------------

_PREPAYMENT_CLUSTER = 0x0705
_CHANGE_PAYMENT_MODE = 0x06
_CHANGE_PAYMENT_MODE_RESPONSE = 0x02
_DEFAULT_RESPONSE = 0x0B
_COMMAND_FRAME_CONTROL = 0x01  # cluster-specific, client to server
_RESPONSE_FRAME_CONTROL = 0x19  # cluster-specific, server to client, no default response
_DEFAULT_RESPONSE_FRAME_CONTROL = 0x08  # profile-wide, server to client
_ONLY_COMPONENT = gbz.LAST_COMPONENT

# Payment Control Configuration bits (ZSE; zsmartsystems PaymentControlConfigurationBitmap)
_PREPAYMENT_ENABLED = 0x0002
_DEBT_CONFIGURATION = 0x0400  # set: SuspendDebtDisabled (GP zigbee.ts, RTDS DUIS requests)
_EMERGENCY_DEBT_CONFIGURATION = 0x0800  # clear: SuspendDebtEmergency
_GSME_CREDIT = 0x0C94
_GSME_PREPAYMENT_BASE = 0x0097
_ALLOWED_CONFIGURATIONS = frozenset((0x0C94, 0x0097, 0x0497, 0x0897, 0x0C97))  # GBCS table

_IMMEDIATE_TIME = 0x0000_0000
_CANCELLATION_TIME = 0xFFFF_FFFF
_CUT_OFF_UNCHANGED = -1  # FFFFFFFF: "do not change"
_CHANGE_PAYMENT_MODE_SIZE = 18
_ZCL_PAYLOAD_OFFSET = 11  # 01 09, count, control, cluster(2), length(2), ZCL header(3)


def _gsme_configuration(change: PaymentModeChange) -> int:
    if change.mode is PaymentMode.CREDIT:
        return _GSME_CREDIT
    config = _GSME_PREPAYMENT_BASE
    if change.suspend_debt_disabled:
        config |= _DEBT_CONFIGURATION
    if not change.suspend_debt_emergency:
        config |= _EMERGENCY_DEBT_CONFIGURATION
    return config


# --- decoding commands ---------------------------------------------------------------------


class _Mismatch(Exception):
    """A value of the wrong shape; the caller knows where it sits and raises GbcsDecodeError."""


def decode_payment_mode_command(message_code: int, content: bytes) -> PaymentModeChange:
    """Read a 1.6 command payload: GBZ if it starts with the GBZ profile id, else DLMS.

    The message code must be a 1.6 code but does not decide anything: compare it with the
    result through :func:`message_code_agrees`. The change is a frozen value of the bytes, so
    the last few are kept: the DCC reads a pre-command's payload, then the meter the same.
    """
    return _decoded_command(message_code, bytes(content))


@functools.lru_cache(maxsize=256)
def _decoded_command(message_code: int, content: bytes) -> PaymentModeChange:
    if message_code not in _CODES:
        raise GbcsDecodeError(f"message code 0x{message_code:04X} is not an SR 1.6 code", 0)
    if is_gbz(content):
        return _decode_gbz_command(content)
    return _decode_dlms_command(content)


def _decode_dlms_command(content: bytes) -> PaymentModeChange:
    apdu = dlms.decode_dlms(content)
    if not isinstance(apdu, dlms.AccessRequest):
        raise GbcsDecodeError("not a DLMS Access-Request", 0)
    known_shape = apdu.specs in (_WITHOUT_THRESHOLD, _WITH_THRESHOLD)
    if not known_shape or len(apdu.data) != len(apdu.specs):
        raise GbcsDecodeError(
            "requests are not the SR 1.6 Sets of account mode, credit-charge configuration, "
            "activation time [and disablement threshold]",
            dlms.header_size(apdu.date_time),
        )
    values: dict[dlms.RequestSpec, Any] = {}
    for index, (spec, value) in enumerate(zip(apdu.specs, apdu.data, strict=True)):
        try:
            values[spec] = _DLMS_READERS[spec](value)
        except _Mismatch as e:
            raise GbcsDecodeError(str(e), dlms.tail_offset(content, apdu.data[index:])) from None
    mode, status = values[_MODE_AND_STATUS]
    links = values[_CREDIT_CHARGE_CONFIG]
    activation, execute_at = values[_ACTIVATION_TIME]
    prepayment = mode is PaymentMode.PREPAYMENT
    return PaymentModeChange(
        mode,
        activation,
        execute_at,
        suspend_debt_disabled=prepayment and _suspends_when_disabled(links),
        suspend_debt_emergency=prepayment and _suspends_in_emergency(links),
        disablement_threshold=values.get(_THRESHOLD_VALUE),
        details=DlmsPaymentModeDetails(status, links, values.get(_THRESHOLD_TIME)),
    )


def _read_mode_and_status(value: dlms.Data) -> tuple[PaymentMode, int]:
    match value:
        case dlms.Structure((dlms.Enum(mode), dlms.Enum(status))) if mode in _DLMS_MODES:
            return _DLMS_MODES[mode], status
    raise _Mismatch("account_mode_and_status is not {payment_mode 1|2, account_status}")


def _read_links(value: dlms.Data) -> tuple[CreditChargeLink, ...]:
    if not isinstance(value, dlms.Array):
        raise _Mismatch("credit_charge_configuration is not an array")
    return tuple(_read_link(item) for item in value.items)


def _read_link(value: dlms.Data) -> CreditChargeLink:
    match value:
        case dlms.Structure(
            (dlms.OctetString(credit), dlms.OctetString(charge), dlms.BitString(3, bits))
        ) if len(credit) == len(charge) == 6 and bits[0] & 0x1F == 0:
            return CreditChargeLink(credit, charge, bits[0] >> 5)
    raise _Mismatch("credit_charge_configuration entry is not {OBIS, OBIS, 3-bit bit-string}")


def _read_date_time(value: dlms.Data) -> dlms.CosemDateTime:
    match value:
        case dlms.OctetString(raw) if len(raw) == 12:
            return dlms.CosemDateTime(raw)
    raise _Mismatch("activation time is not a 12-byte date-time octet string")


def _read_double_long(value: dlms.Data) -> int:
    if not isinstance(value, dlms.DoubleLong):
        raise _Mismatch("disablement threshold is not a double-long")
    return value.value


def _read_activation(value: dlms.Data) -> tuple[Activation, datetime | None]:
    when = _read_date_time(value)
    if when.is_not_specified:
        return Activation.IMMEDIATE, None
    if when.is_never:
        return Activation.CANCELLATION, None
    instant = when.to_datetime()
    if instant is None:
        raise _Mismatch("account_activation_time is neither now, never nor a UTC time")
    return Activation.FUTURE_DATED, instant


_DLMS_READERS: dict[dlms.RequestSpec, Callable[[dlms.Data], Any]] = {
    _MODE_AND_STATUS: _read_mode_and_status,
    _CREDIT_CHARGE_CONFIG: _read_links,
    _ACTIVATION_TIME: _read_activation,
    _THRESHOLD_VALUE: _read_double_long,
    _THRESHOLD_TIME: _read_date_time,
}


def _suspends_when_disabled(links: tuple[CreditChargeLink, ...]) -> bool:
    return any(
        link.charge in (_TIME_DEBT_1, _TIME_DEBT_2) and link.collection == _SUSPEND_WHEN_DISABLED
        for link in links
    )


def _suspends_in_emergency(links: tuple[CreditChargeLink, ...]) -> bool:
    return any(link.credit == _ACCUMULATED_DEBT for link in links)


def _decode_gbz_command(content: bytes) -> PaymentModeChange:
    frame = _only_prepayment_frame(content)
    if (frame.frame_control, frame.command_id) != (_COMMAND_FRAME_CONTROL, _CHANGE_PAYMENT_MODE):
        raise GbcsDecodeError("not a ZSE Change Payment Mode command (01 .. 06)", 8)
    if len(frame.payload) != _CHANGE_PAYMENT_MODE_SIZE:
        raise GbcsDecodeError(
            f"Change Payment Mode has {_CHANGE_PAYMENT_MODE_SIZE} bytes of fields, "
            f"not {len(frame.payload)}",
            _ZCL_PAYLOAD_OFFSET,
        )
    p = frame.payload
    provider_id, issuer_event_id, implementation = (
        int.from_bytes(p[i : i + 4], "little") for i in (0, 4, 8)
    )
    config = int.from_bytes(p[12:14], "little")
    cut_off = int.from_bytes(p[14:18], "little", signed=True)
    if config not in _ALLOWED_CONFIGURATIONS:
        raise GbcsDecodeError(
            f"payment control configuration 0x{config:04X} is not one GBCS allows",
            _ZCL_PAYLOAD_OFFSET + 12,
        )
    prepayment = bool(config & _PREPAYMENT_ENABLED)
    activation, execute_at = _gbz_activation(implementation)
    return PaymentModeChange(
        PaymentMode.PREPAYMENT if prepayment else PaymentMode.CREDIT,
        activation,
        execute_at,
        suspend_debt_disabled=prepayment and bool(config & _DEBT_CONFIGURATION),
        suspend_debt_emergency=prepayment and not config & _EMERGENCY_DEBT_CONFIGURATION,
        disablement_threshold=None if cut_off == _CUT_OFF_UNCHANGED else cut_off,
        details=GbzPaymentModeDetails(
            frame.sequence_number, provider_id, issuer_event_id, config, cut_off
        ),
    )


def _gbz_activation(implementation: int) -> tuple[Activation, datetime | None]:
    if implementation == _IMMEDIATE_TIME:
        return Activation.IMMEDIATE, None
    if implementation == _CANCELLATION_TIME:
        return Activation.CANCELLATION, None
    return Activation.FUTURE_DATED, gbz.from_gbz_time(implementation)


def _only_prepayment_frame(content: bytes) -> gbz.ZclFrame:
    """The plaintext ZCL frame of a payload made of one Prepayment-cluster component."""
    components = gbz.decode_gbz(content).components
    if len(components) != 1:
        raise GbcsDecodeError(f"{len(components)} GBZ components where 1.6 has one", 2)
    component = components[0]
    if component.control != _ONLY_COMPONENT or not isinstance(component.frame, gbz.ZclFrame):
        raise GbcsDecodeError("1.6 sends one plaintext component (control 01)", 3)
    if component.cluster_id != _PREPAYMENT_CLUSTER:
        raise GbcsDecodeError(f"cluster 0x{component.cluster_id:04X} is not Prepayment", 4)
    return component.frame


# --- building commands -------------------------------------------------------------------------


def encode_payment_mode_command(
    message_code: int,
    counter: int,
    change: PaymentModeChange,
    *,
    twin_element: bool = False,
    issuer_event_id: int | None = None,
    provider_id: int = 0,
    sequence_number: int = 0,
) -> bytes:
    """The content of a 1.6 command, as the RTDS pre-commands have it.

    The message code picks the payload kind (ESME codes DLMS, GSME codes GBZ); the mode comes
    from ``change``, so a disguised payload can be built for tests. DLMS uses ``counter`` (for
    the invoke id) and ``twin_element``; GBZ needs ``issuer_event_id`` (GBZ seconds).

    The content is a function of these values alone, so the last few are kept: a SoLR sends
    the same change under the same counter to meter after meter.
    """
    return _encoded_command(
        message_code, counter, change, twin_element, issuer_event_id, provider_id, sequence_number
    )


@functools.lru_cache(maxsize=64)
def _encoded_command(
    message_code: int,
    counter: int,
    change: PaymentModeChange,
    twin_element: bool,
    issuer_event_id: int | None,
    provider_id: int,
    sequence_number: int,
) -> bytes:
    if message_code not in _CODES:
        raise GbcsEncodeError(f"message code 0x{message_code:04X} is not an SR 1.6 code")
    if _CODES[message_code][1] is Protocol.DLMS:
        return _encode_dlms_command(counter, change, twin_element)
    if issuer_event_id is None:
        raise GbcsEncodeError("a GBZ Change Payment Mode needs an issuer_event_id")
    return _encode_gbz_command(change, issuer_event_id, provider_id, sequence_number)


def _encode_dlms_command(counter: int, change: PaymentModeChange, twin: bool) -> bytes:
    activation = dlms.OctetString(_activation_time(change).raw)
    values = {
        _MODE_AND_STATUS: dlms.Structure(
            (dlms.Enum(1 if change.mode is PaymentMode.CREDIT else 2), dlms.Enum(1))
        ),
        _CREDIT_CHARGE_CONFIG: _credit_charge_array(
            change.mode, change.suspend_debt_disabled, change.suspend_debt_emergency, twin
        ),
        _ACTIVATION_TIME: activation,
        _THRESHOLD_TIME: activation,
    }
    specs: tuple[dlms.RequestSpec, ...] = _WITHOUT_THRESHOLD
    if change.disablement_threshold is not None:
        specs = _WITH_THRESHOLD
        values[_THRESHOLD_VALUE] = dlms.DoubleLong(change.disablement_threshold)
    request = dlms.AccessRequest(
        dlms.invoke_id_for(counter), None, specs, tuple(values[spec] for spec in specs)
    )
    return dlms.encode_dlms(request)


@functools.lru_cache(maxsize=32)
def _credit_charge_array(
    mode: PaymentMode, suspend_debt_disabled: bool, suspend_debt_emergency: bool, twin: bool
) -> dlms.Array:
    """The credit-charge configuration a change sets, as DLMS data: a frozen value of the four
    things it depends on, made once for each (every command of a SoLR sets the same one)."""
    links = standard_credit_charge_configuration(
        mode, suspend_debt_disabled, suspend_debt_emergency, twin
    )
    return dlms.Array(tuple(_link_value(link) for link in links))


def _activation_time(change: PaymentModeChange) -> dlms.CosemDateTime:
    if change.execute_at is not None:
        return dlms.CosemDateTime.from_datetime(change.execute_at)
    if change.activation is Activation.IMMEDIATE:
        return dlms.CosemDateTime.NOT_SPECIFIED
    return dlms.CosemDateTime.NEVER


def _link_value(link: CreditChargeLink) -> dlms.Structure:
    return dlms.Structure(
        (
            dlms.OctetString(link.credit),
            dlms.OctetString(link.charge),
            dlms.BitString(3, bytes((link.collection << 5,))),
        )
    )


def _encode_gbz_command(
    change: PaymentModeChange, issuer_event_id: int, provider_id: int, sequence_number: int
) -> bytes:
    if change.execute_at is not None:
        implementation = gbz.to_gbz_time(change.execute_at)
    elif change.activation is Activation.IMMEDIATE:
        implementation = _IMMEDIATE_TIME
    else:
        implementation = _CANCELLATION_TIME
    threshold = change.disablement_threshold
    fields = (
        _le(provider_id, 4, "provider id")
        + _le(issuer_event_id, 4, "issuer event id")
        + _le(implementation, 4, "implementation date time")
        + _le(_gsme_configuration(change), 2, "payment control configuration")
        + _le(_CUT_OFF_UNCHANGED if threshold is None else threshold, 4, "cut off", signed=True)
    )
    frame = gbz.ZclFrame(_COMMAND_FRAME_CONTROL, sequence_number, _CHANGE_PAYMENT_MODE, fields)
    return _encode_prepayment_frame(frame)


def _encode_prepayment_frame(frame: gbz.ZclFrame) -> bytes:
    component = gbz.GbzComponent(_ONLY_COMPONENT, _PREPAYMENT_CLUSTER, frame)
    return gbz.encode_gbz(gbz.GbzPayload((component,)))


def _le(value: int, size: int, what: str, *, signed: bool = False) -> bytes:
    """ZCL fields are little-endian."""
    return encode_uint(value, size, what, "little", signed=signed)


# --- responses ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class DlmsSetResults:
    """An ESME response: one data-access result per Set, in request order."""

    results: tuple[int, ...]

    @property
    def success(self) -> bool:
        return all(r == dlms.DataAccessResult.SUCCESS for r in self.results)


@dataclass(frozen=True, slots=True)
class ZclChangePaymentModeResponse:
    """A GSME success: the ZSE Change Payment Mode Response and the values it reports."""

    sequence_number: int
    friendly_credit: int
    friendly_credit_calendar_id: int
    emergency_credit_limit: int
    emergency_credit_threshold: int

    @property
    def success(self) -> bool:
        return True


@dataclass(frozen=True, slots=True)
class ZclDefaultResponse:
    """A GSME refusal: a ZCL Default Response to Change Payment Mode with a status code."""

    sequence_number: int
    status: int

    @property
    def success(self) -> bool:
        return self.status == 0


@dataclass(frozen=True, slots=True)
class PaymentModeResponse:
    detail: DlmsSetResults | ZclChangePaymentModeResponse | ZclDefaultResponse

    @property
    def success(self) -> bool:
        return self.detail.success


_CHANGE_RESPONSE_SIZE = 13
_DEFAULT_RESPONSE_SIZE = 2


def decode_payment_mode_response(content: bytes) -> PaymentModeResponse:
    """Read a 1.6 response payload: GBZ if it starts with the GBZ profile id, else DLMS."""
    if is_gbz(content):
        return PaymentModeResponse(_decode_gbz_response(content))
    return PaymentModeResponse(_decode_dlms_response(content))


def _decode_dlms_response(content: bytes) -> DlmsSetResults:
    apdu = dlms.decode_dlms(content)
    if not isinstance(apdu, dlms.AccessResponse):
        raise GbcsDecodeError("not a DLMS Access-Response", 0)
    body = dlms.header_size(apdu.date_time)
    if apdu.request_specs is not None:
        raise GbcsDecodeError("a 1.6 response does not echo its requests", body)
    results_size = len(encode_length(len(apdu.results))) + 2 * len(apdu.results)
    for index, value in enumerate(apdu.data):
        if not isinstance(value, dlms.Null):
            offset = dlms.tail_offset(content, apdu.data[index:], results_size)
            raise GbcsDecodeError("a Set response carries null data", offset)
    for index, spec in enumerate(apdu.results):
        if spec.kind is not dlms.AccessKind.SET:
            offset = len(content) - 2 * (len(apdu.results) - index)
            raise GbcsDecodeError("a 1.6 response holds Set results", offset)
    if len(apdu.data) != len(apdu.results):
        raise GbcsDecodeError("as many null data as results are needed", body + 1)
    return DlmsSetResults(tuple(spec.result for spec in apdu.results))


def _decode_gbz_response(content: bytes) -> ZclChangePaymentModeResponse | ZclDefaultResponse:
    frame = _only_prepayment_frame(content)
    p = frame.payload
    if (frame.frame_control, frame.command_id) == (
        _RESPONSE_FRAME_CONTROL,
        _CHANGE_PAYMENT_MODE_RESPONSE,
    ) and len(p) == _CHANGE_RESPONSE_SIZE:
        return ZclChangePaymentModeResponse(
            frame.sequence_number,
            friendly_credit=p[0],
            friendly_credit_calendar_id=int.from_bytes(p[1:5], "little"),
            emergency_credit_limit=int.from_bytes(p[5:9], "little"),
            emergency_credit_threshold=int.from_bytes(p[9:13], "little"),
        )
    if (
        (frame.frame_control, frame.command_id)
        == (_DEFAULT_RESPONSE_FRAME_CONTROL, _DEFAULT_RESPONSE)
        and len(p) == _DEFAULT_RESPONSE_SIZE
        and p[0] == _CHANGE_PAYMENT_MODE
    ):
        return ZclDefaultResponse(frame.sequence_number, p[1])
    raise GbcsDecodeError("neither a Change Payment Mode Response nor a Default Response to it", 8)


def encode_payment_mode_response(response: PaymentModeResponse, counter: int) -> bytes:
    """The content of a 1.6 response; ``counter`` (the command's) gives the DLMS invoke id.
    A function of the two alone, so the last few are kept: meter after meter answers the same
    change under the same counter with the same content."""
    return _encoded_response(response, counter)


@functools.lru_cache(maxsize=64)
def _encoded_response(response: PaymentModeResponse, counter: int) -> bytes:
    detail = response.detail
    if isinstance(detail, DlmsSetResults):
        apdu = dlms.AccessResponse(
            dlms.invoke_id_for(counter),
            None,
            None,
            tuple(dlms.Null() for _ in detail.results),
            tuple(dlms.ResponseSpec(dlms.AccessKind.SET, r) for r in detail.results),
        )
        return dlms.encode_dlms(apdu)
    if isinstance(detail, ZclChangePaymentModeResponse):
        fields = (
            _le(detail.friendly_credit, 1, "friendly credit")
            + _le(detail.friendly_credit_calendar_id, 4, "friendly credit calendar id")
            + _le(detail.emergency_credit_limit, 4, "emergency credit limit")
            + _le(detail.emergency_credit_threshold, 4, "emergency credit threshold")
        )
        frame = gbz.ZclFrame(
            _RESPONSE_FRAME_CONTROL,
            detail.sequence_number,
            _CHANGE_PAYMENT_MODE_RESPONSE,
            fields,
        )
    else:
        status = bytes((_CHANGE_PAYMENT_MODE,)) + _le(detail.status, 1, "status")
        frame = gbz.ZclFrame(
            _DEFAULT_RESPONSE_FRAME_CONTROL, detail.sequence_number, _DEFAULT_RESPONSE, status
        )
    return _encode_prepayment_frame(frame)
