"""The world around a meter under test: seeded parties, a DCC that builds commands, a supplier
that checks what the meter sends back."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from cryptography.hazmat.primitives.asymmetric import ec

from devices.credentials import DeviceSecurityCredentials, RemoteParty, Role, TrustAnchors
from devices.esme import Esme
from devices.gbcs import gbz
from devices.gbcs.crypto import ecdh, private_key_from_seed
from devices.gbcs.frame import Cra, GbcsMessage, GroupingHeader, OtherInformation, decode, encode
from devices.gbcs.keystore import KeyStore, KeyUsage
from devices.gbcs.payment_mode import Activation, PaymentMode, PaymentModeChange
from devices.gbcs.payment_mode import encode_payment_mode_command as encode_change
from devices.gbcs.security import add_mac, sign
from devices.gbcs.verify import DEFAULT_ACB, Verdict, check_mac, check_signature
from devices.gsme import Gsme
from devices.meter import Account
from devices.smets2 import Smets2Meter

SEED = b"tests/devices"
NOW = datetime(2025, 3, 1, 12, tzinfo=UTC)
ISSUED = gbz.to_gbz_time(datetime(2015, 1, 1, tzinfo=UTC))
ESME_ID = bytes.fromhex("00DB1234567890A0")
GSME_ID = bytes.fromhex("00DB1234567890A1")
PREPAYMENT_ACCOUNT = Account(
    PaymentMode.PREPAYMENT,
    suspend_debt_disabled=True,
    disablement_threshold=100,
    meter_balance=2500,
    emergency_credit=500,
)
CREDIT_NOW = PaymentModeChange(PaymentMode.CREDIT, Activation.IMMEDIATE)
PREPAYMENT_NOW = PaymentModeChange(PaymentMode.PREPAYMENT, Activation.IMMEDIATE)


@dataclass(frozen=True)
class Party:
    """A remote party with the private keys only it holds."""

    eui64: bytes
    ds: ec.EllipticCurvePrivateKey
    ka: ec.EllipticCurvePrivateKey

    def anchor(self, role: Role) -> RemoteParty:
        return RemoteParty(role, self.ds.public_key(), self.ka.public_key())


def seeded_party(eui_hex: str) -> Party:
    eui = bytes.fromhex(eui_hex)
    return Party(
        eui,
        private_key_from_seed(SEED, f"{eui_hex}-ds"),
        private_key_from_seed(SEED, f"{eui_hex}-ka"),
    )


SUPPLIER = seeded_party("90B3D51F30010000")
OTHER_SUPPLIER = seeded_party("90B3D51F30020000")
NETWORK_OPERATOR = seeded_party("90B3D51F30030000")
STRANGER = seeded_party("90B3D51F300F0000")  # no meter holds an anchor for it
ACB = seeded_party(DEFAULT_ACB.hex().upper())
ROGUE_ACB = seeded_party("90B3D51F300000FF")


def anchors(acb: Party = ACB, supplier: Party = SUPPLIER) -> TrustAnchors:
    return TrustAnchors(
        acb.ka.public_key(),
        {
            supplier.eui64: supplier.anchor(Role.SUPPLIER),
            OTHER_SUPPLIER.eui64: OTHER_SUPPLIER.anchor(Role.SUPPLIER),
            NETWORK_OPERATOR.eui64: RemoteParty(
                Role.NETWORK_OPERATOR, NETWORK_OPERATOR.ds.public_key()
            ),
        },
    )


def esme(account: Account = PREPAYMENT_ACCOUNT, **kwargs) -> Esme:
    credentials = DeviceSecurityCredentials(ESME_ID, anchors(), seed=SEED)
    return Esme(credentials, SUPPLIER.eui64, account=account, **kwargs)


def gsme(account: Account = PREPAYMENT_ACCOUNT, **kwargs) -> Gsme:
    credentials = DeviceSecurityCredentials(GSME_ID, anchors(), seed=SEED)
    return Gsme(credentials, SUPPLIER.eui64, account=account, **kwargs)


def command(
    meter: Smets2Meter,
    code: int,
    counter: int,
    change: PaymentModeChange = CREDIT_NOW,
    *,
    originator: Party = SUPPLIER,
    signer: Party | None = SUPPLIER,
    acb: Party | None = ACB,
    recipient: bytes | None = None,
    content: bytes | None = None,
    cra: Cra = Cra.COMMAND,
) -> bytes:
    """A command as the DCC delivers it: signed by ``signer``, then MACed by ``acb``."""
    if content is None:
        content = encode_change(code, counter, change, issuer_event_id=ISSUED)
    header = GroupingHeader(
        cra, counter, originator.eui64, recipient or meter.eui64, OtherInformation(code)
    )
    message = GbcsMessage(header, content, b"")
    if signer is not None:
        message = sign(message, signer.ds)
    if acb is not None:
        device_ka = meter.credentials.public_key(KeyUsage.KEY_AGREEMENT)
        message = add_mac(message, ecdh(acb.ka, device_ka))
    return encode(message)


def supplier_keys(meter: Smets2Meter, supplier: Party = SUPPLIER) -> KeyStore:
    """What a supplier holds to check a meter's frames: the meter's public keys, its own KA."""
    keys = KeyStore()
    keys.add_public(
        meter.eui64,
        KeyUsage.DIGITAL_SIGNING,
        meter.credentials.public_key(KeyUsage.DIGITAL_SIGNING),
    )
    keys.add_public(
        meter.eui64, KeyUsage.KEY_AGREEMENT, meter.credentials.public_key(KeyUsage.KEY_AGREEMENT)
    )
    keys.add_private(supplier.eui64, KeyUsage.KEY_AGREEMENT, supplier.ka)
    return keys


def signed_by(meter: Smets2Meter, frame: bytes) -> GbcsMessage:
    """``frame`` decoded, after checking it is DF only and signed by the meter's DS key."""
    message = decode(frame)
    assert frame[0] == 0xDF
    assert message.mac is None
    assert check_signature(message, supplier_keys(meter)) is Verdict.VALID
    return message


def maced_for(meter: Smets2Meter, frame: bytes, supplier: Party = SUPPLIER) -> GbcsMessage:
    """``frame`` decoded, after checking its MAC with the supplier's KA key."""
    message = decode(frame)
    assert frame[0] == 0xDD
    assert message.signature == b""
    assert check_mac(message, supplier_keys(meter, supplier)) is Verdict.VALID
    return message
