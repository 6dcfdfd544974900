"""Steps about device alerts: a meter raises one (a physical event on the real meter), a forged
one arrives, and what the DCC delivered and recorded in the audit trail."""

from __future__ import annotations

from dataclasses import replace

from lxml import etree
from pytest_bdd import then, when

from dcc.audit import AlertRecord
from dcc.duis.alerts import DeviceAlertMessage
from dcc.duis.elements import sr
from dcc.duis.response import parse_response
from dcc.duis.smets1 import SMETS1ResponseMessage
from dcc.duis.xmlparse import parse_xml
from dcc.smki.authority import org_key_from_seed
from dcc.smki.roles import KeyUsage, RemotePartyRole
from devices.gbcs.alerts import alert as alert_name
from devices.gbcs.crypto import ecdh
from devices.gbcs.frame import decode, encode
from devices.gbcs.security import mac_valid
from devices.smets1 import Smets1Meter
from sim.gherkin.steps.outcomes import _verify_dcc_signature
from sim.gherkin.words import Meter, phrase
from sim.gherkin.world import SolrWorld
from sim.world.testbed import SEED


@when(phrase("the {meter:Meter} raises alert {code:AlertCode} {name:Quoted}"))
def raise_alert(world: SolrWorld, meter: Meter, code: int, name: str) -> None:
    """A physical event on the meter (tamper, low battery, ...): its alert frames go up the WAN
    to the DCC, which delivers them to a User or holds them. The name must be the alert's GBCS
    name."""
    assert alert_name(code).name == name, f"0x{code:04X} is {alert_name(code).name!r}"
    world.begin()
    world.alert_from = meter
    world.raise_alert(meter, code)


@when(
    phrase("alert {code:AlertCode} arrives as if from the {meter:Meter}, stripped of its signature")
)
def forged_alert(world: SolrWorld, code: int, meter: Meter) -> None:
    """The meter's genuine alert frame with its signature taken off, as a forger could send it
    up the WAN."""
    world.begin()
    world.alert_from = meter
    (frame,) = world.bed.meters[meter.device_id].trigger(code, world.now)
    world.uplink(meter, encode(replace(decode(frame), signature=None)))


def _alert(world: SolrWorld) -> tuple[bytes, DeviceAlertMessage]:
    (delivery,) = [d for d in world.delivered if d.kind == "device-alert"]
    body = parse_response(delivery.document).body
    assert isinstance(body, DeviceAlertMessage)
    return delivery.user_id, body


def _s1sp_part(document: bytes) -> bytes:
    """The S1SP's signed part of a SMETS1ResponseMessage (its SMETS1SignedResponse, which
    carries the enveloped signature), as a document of its own."""
    signed = parse_xml(document).getroot().find(f".//{sr('SMETS1SignedResponse')}")
    assert signed is not None, "the SMETS1ResponseMessage has no SMETS1SignedResponse"
    return etree.tostring(signed)


def _alerting(world: SolrWorld) -> Meter:
    assert world.alert_from is not None, "no meter has raised an alert yet"
    return world.alert_from


def _record(world: SolrWorld) -> AlertRecord:
    return world.bed.audit.alerts_for(_alerting(world).device_id)[-1]


@then(phrase("{user:Actor} receives device alert {code:AlertCode}, signed by the DCC"))
def alert_received(world: SolrWorld, user: str, code: int) -> None:
    """One device alert delivered, to the User, carrying the alert code, with the DCC's
    signature (verified against its published certificate): for SMETS2+ a DUIS
    DeviceAlertMessage signed as a whole; for SMETS1 an SMETS1ResponseMessage whose
    SMETS1SignedResponse the DCC signed as S1SP."""
    (delivery,) = [d for d in world.delivered if d.kind == "device-alert"]
    assert delivery.user_id == world.user_id(user)
    body = parse_response(delivery.document).body
    if isinstance(body, SMETS1ResponseMessage):
        _verify_dcc_signature(world, _s1sp_part(delivery.document))
        assert body.alert.target_id == delivery.user_id
        assert body.alert.device_id == _alerting(world).device_id
        assert body.alert.alert_code == code
    else:
        assert isinstance(body, DeviceAlertMessage), type(body).__name__
        _verify_dcc_signature(world, delivery.document)
        assert body.alert_code == code


@then(
    phrase(
        "{user:Actor} receives device alerts {first:AlertCode} and {second:AlertCode} in the "
        "order raised, signed by the DCC"
    )
)
def alerts_received_in_order(world: SolrWorld, user: str, first: int, second: int) -> None:
    """Exactly two device alerts delivered, both to the User, in the order the meter raised
    them, each with the DCC's signature (see the single-alert step)."""
    deliveries = [d for d in world.delivered if d.kind == "device-alert"]
    codes = []
    for delivery in deliveries:
        assert delivery.user_id == world.user_id(user)
        body = parse_response(delivery.document).body
        if isinstance(body, SMETS1ResponseMessage):
            _verify_dcc_signature(world, _s1sp_part(delivery.document))
            assert body.alert.target_id == delivery.user_id
            codes.append(body.alert.alert_code)
        else:
            assert isinstance(body, DeviceAlertMessage), type(body).__name__
            _verify_dcc_signature(world, delivery.document)
            codes.append(body.alert_code)
    assert codes == [first, second]


@then(phrase("the DCC holds {count:d} alerts for {supplier:Party}"))
def holds(world: SolrWorld, count: int, supplier: str) -> None:
    """The alerts the DCC keeps for the SRP Ofgem has yet to instruct for the supplier."""
    assert len(world.bed.dcc.held_alerts.get(world.user_id(supplier), [])) == count


@then(phrase("the DCC holds no alerts for {supplier:Party}"))
def holds_none(world: SolrWorld, supplier: str) -> None:
    holds(world, 0, supplier)


@then(
    phrase(
        "the audit trail records the alert as addressed to {addressee:Party} and held for "
        "Ofgem's SRP"
    )
)
def alert_held(world: SolrWorld, addressee: str) -> None:
    record = _record(world)
    assert (record.addressed_to, record.delivered_to) == (world.user_id(addressee), None)
    assert record.deliveries == () and "held" in record.reason, record.reason


@then("nobody receives an alert")
def no_alert(world: SolrWorld) -> None:
    assert world.delivered == []


@then(
    phrase(
        "the audit trail records the alert as addressed to {addressee:Party} and delivered to "
        "{recipient:Actor}"
    )
)
def alert_routed(world: SolrWorld, addressee: str, recipient: str) -> None:
    record = _record(world)
    assert (record.addressed_to, record.delivered_to) == (
        world.user_id(addressee),
        world.user_id(recipient),
    ), record.reason


@then(phrase("the audit trail {flags:Flags} the alert as safety-critical"))
def flagged(world: SolrWorld, flags: bool) -> None:
    """Whether the DCC flagged the alert safety-critical (the configured list), as recorded."""
    assert _record(world).safety_critical is flags


@then(phrase("the audit trail records no alert from the {meter:Meter}"))
def no_alert_recorded(world: SolrWorld, meter: Meter) -> None:
    assert world.bed.audit.alerts_for(meter.device_id) == []


@then(
    phrase(
        "the alert's GBCS frame is MACed with the Supplier KA key of {supplier:Party}, not signed"
    )
)
def maced_alert(world: SolrWorld, supplier: str) -> None:
    """The GBCS frame inside the delivered DeviceAlertMessage carries no signature, and its MAC
    verifies with the key agreed between the meter and the supplier's Supplier KA key (which
    the SRP holds for the failed supplier)."""
    frame = decode(_alert(world)[1].gbcs_payload)
    assert not frame.is_signed and frame.mac is not None
    supplier_ka = org_key_from_seed(
        SEED, world.user_id(supplier), RemotePartyRole.SUPPLIER, KeyUsage.KEY_AGREEMENT
    )
    meter = world.bed.meters[_alerting(world).device_id]
    assert not isinstance(meter, Smets1Meter), "a SMETS1 meter's alerts carry no MAC"
    meter_ka = meter.credentials.public_key(KeyUsage.KEY_AGREEMENT)
    assert mac_valid(frame, ecdh(supplier_ka, meter_ka))


@then(phrase("the alert's GBCS frame is signed by the {meter:Meter}"))
def signed_alert(world: SolrWorld, meter: Meter) -> None:
    frame = decode(_alert(world)[1].gbcs_payload)
    assert frame.is_signed and frame.header.originator == meter.device_id


@then(phrase("SMKI's CRL lists every Supplier certificate of {supplier:Party} as revoked"))
def all_revoked(world: SolrWorld, supplier: str) -> None:
    """Read from the published CRLs, certificate by certificate."""
    records = world.bed.smki.find(world.user_id(supplier), RemotePartyRole.SUPPLIER)
    assert records
    for record in records:
        assert world.bed.smki.is_revoked(record.certificate, world.now), record.describe()
