"""SR 8.2 Read Inventory through the DCC: addressed to the DCC, answered at once from its
inventory, signed; only the device's registered supplier (or the SRP Ofgem instructed for it)
may read a device.

Every refusal asserts the code and the deciding stage, and that nothing went to a device.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest
from lxml import etree

from dcc.duis.codes import ResponseCode
from dcc.duis.elements import SR, to_bytes
from dcc.duis.inventory import (
    DeviceStatus,
    DeviceType,
    DSPInventory,
    InventoryDevice,
    PropertyFilter,
    ReadInventory,
)
from dcc.duis.request import (
    CommandVariant,
    Credit,
    RequestBody,
    UpdatePaymentMode,
    build_request,
    parse_request,
)
from dcc.duis.response import ResponseMessage, build_response, parse_response
from dcc.duis.schema import official_schema, solrsim_schema, validate
from dcc.duis.xmldsig import sign_document
from dcc.duis.xmlparse import parse_xml
from dcc.identity import DCC_ID
from dcc.outcome import Outcome
from sim.world import duis_client
from sim.world.testbed import (
    BRIGHT,
    ESME_ID,
    GSME_ID,
    NEVER,
    SMETS1_ID,
    SRP,
    STEADY,
    STEADY_ESME_ID,
    World,
)
from tests.dcc.rule_checks import NOW, assert_refused, assert_signed_by_dcc

UNKNOWN = bytes.fromhex("00DB1234567890FF")
DS = "{http://www.w3.org/2000/09/xmldsig#}"


def _read(
    world: World,
    user: bytes,
    body: RequestBody,
    *,
    target: bytes = DCC_ID,
    at=NOW,
) -> Outcome:
    request = duis_client.service_request(
        user, target, body, CommandVariant.NON_DEVICE, world.next_counter(user), "8.2"
    )
    return world.dcc.submit(world.signed(request), at)


def _inventory(world: World, outcome: Outcome) -> tuple[InventoryDevice, ...]:
    """The devices of an accepted 8.2 answer, after checking it is the DCC's, signed."""
    assert (outcome.response_code, outcome.decided_by) == (ResponseCode.I0, None), outcome.reason
    assert (outcome.to_devices, outcome.to_users) == ((), ())
    assert_signed_by_dcc(world, outcome.response, NOW)
    validate(parse_xml(outcome.response), solrsim_schema())
    response = parse_response(outcome.response)
    assert response.header.request_id == outcome.request_id
    assert response.header.response_id is None
    message = response.body
    assert (message.service_reference, message.service_reference_variant) == ("8.2", "8.2")
    assert isinstance(message.content, DSPInventory)
    return message.content.devices


def _assert_refused_unanswered(outcome: Outcome, code: ResponseCode, stage: str) -> None:
    """Refused: an unsigned acknowledgement naming 8.2 and carrying no inventory."""
    assert_refused(outcome, code, stage)
    response = parse_response(outcome.response)
    assert response.header.response_code is code
    assert response.body == ResponseMessage("8.2", "8.2")
    assert response.signature is None


# --- the registered supplier reads its own devices ---------------------------------------------


@pytest.mark.parametrize(
    ("device", "device_type", "version"),
    [
        (ESME_ID, DeviceType.ESME, "SMETS2"),
        (GSME_ID, DeviceType.GSME, "SMETS2"),
        (SMETS1_ID, DeviceType.ESME, "SMETS1"),
    ],
    ids=["ESME", "GSME", "SMETS1"],
)
def test_the_registered_supplier_reads_its_device(
    world: World, device: bytes, device_type: DeviceType, version: str
) -> None:
    before = world.states()
    (found,) = _inventory(world, _read(world, BRIGHT, ReadInventory(device_id=device)))
    assert found == InventoryDevice(
        device,
        device_type,
        "",
        "",
        DeviceStatus.COMMISSIONED,
        smets_chts_version=version,
    )
    assert world.states() == before


def test_each_supplier_reads_its_own_devices_and_only_those(world: World) -> None:
    (steady,) = _inventory(world, _read(world, STEADY, ReadInventory(device_id=STEADY_ESME_ID)))
    assert steady.device_id == STEADY_ESME_ID
    refused = _read(world, STEADY, ReadInventory(device_id=ESME_ID))
    _assert_refused_unanswered(refused, ResponseCode.E4, "registered-supplier")


def test_the_corpus_template_is_answered_once_signed_by_its_originator(
    world: World, conformance: Path
) -> None:
    """The RTDS 8.2 template as DCC Boxed clients send it: from the test supplier (Bright's
    User ID) to the DCC's ID, CV 8. Its device is not in this inventory, so it is E19; asking
    for one of Bright's meters instead, it is answered."""
    path = conformance / "duis" / "templates" / "8.2_READ_INVENTORY_REQUEST_DUIS.XML"
    template = replace(parse_request(path.read_bytes()), signature=None)
    assert template.header.request_id.originator == BRIGHT
    assert template.header.request_id.target == DCC_ID

    as_is = world.dcc.submit(world.signed(template), NOW)
    assert_refused(as_is, ResponseCode.E19, "device")
    assert "00DB1234567890A2 is unknown" in as_is.reason

    header = replace(
        template.header,
        request_id=replace(
            template.header.request_id, counter=template.header.request_id.counter + 1
        ),
    )
    ours = replace(template, header=header, body=ReadInventory(device_id=ESME_ID))
    (found,) = _inventory(world, world.dcc.submit(world.signed(ours), NOW))
    assert found.device_id == ESME_ID


# --- who may not see a device ------------------------------------------------------------------


def test_another_supplier_is_refused_e4_without_learning_who_supplies_it(world: World) -> None:
    outcome = _read(world, STEADY, ReadInventory(device_id=ESME_ID))
    _assert_refused_unanswered(outcome, ResponseCode.E4, "registered-supplier")
    assert BRIGHT.hex().upper() not in outcome.reason
    assert b"DSPInventory" not in outcome.response


def test_a_user_with_no_relation_to_devices_is_refused_e4(world: World) -> None:
    """8.2 is eligible for Other Users (DUIS matrix), but the DCC records no relation of one to
    any device, so it may read none."""
    outcome = _read(world, NEVER, ReadInventory(device_id=ESME_ID))
    _assert_refused_unanswered(outcome, ResponseCode.E4, "registered-supplier")
    assert "User Role OU" in outcome.reason


def test_the_srp_may_not_read_the_inventory_by_default(world: World) -> None:
    """R3.1: SolrContingency is eligible for 1.6 only, even once Ofgem has instructed it."""
    ready = world.solr_ready(NOW)
    outcome = _read(world, SRP, ReadInventory(device_id=ESME_ID), at=ready)
    _assert_refused_unanswered(outcome, ResponseCode.E2, "srv")


def test_an_srp_allowed_8_2_reads_only_the_meters_of_the_supplier_it_acts_for(
    world: World,
) -> None:
    world.configure('[eligible_srvs]\nSolrContingency = ["1.6", "8.2"]\n')
    before_failure = _read(world, SRP, ReadInventory(device_id=ESME_ID))
    assert_refused(before_failure, ResponseCode.E4, "solr-instruction")

    ready = world.solr_ready(NOW)
    (found,) = _inventory(world, _read(world, SRP, ReadInventory(device_id=ESME_ID), at=ready))
    assert found.device_id == ESME_ID
    steady = _read(world, SRP, ReadInventory(device_id=STEADY_ESME_ID), at=ready)
    assert_refused(steady, ResponseCode.E4, "solr-instruction")


# --- what the DCC cannot answer ----------------------------------------------------------------


def test_an_unknown_device_is_e19(world: World) -> None:
    outcome = _read(world, BRIGHT, ReadInventory(device_id=UNKNOWN))
    _assert_refused_unanswered(outcome, ResponseCode.E19, "device")
    assert "00DB1234567890FF is unknown" in outcome.reason


def test_the_dcc_is_no_device_to_read(world: World) -> None:
    outcome = _read(world, BRIGHT, ReadInventory(device_id=DCC_ID))
    _assert_refused_unanswered(outcome, ResponseCode.E19, "device")
    assert "90B3D51F30000002 is the DCC, not a device" in outcome.reason


def test_a_device_request_addressed_to_the_dcc_is_e19(world: World) -> None:
    request = world.request(BRIGHT, DCC_ID, UpdatePaymentMode(Credit()), CommandVariant.TRANSFORM)
    outcome = world.dcc.submit(world.signed(request), NOW)
    assert_refused(outcome, ResponseCode.E19, "device")
    assert "is the DCC, not a device" in outcome.reason


def test_a_read_inventory_addressed_to_a_device_is_refused(world: World) -> None:
    outcome = _read(world, BRIGHT, ReadInventory(device_id=ESME_ID), target=ESME_ID)
    _assert_refused_unanswered(outcome, ResponseCode.E1000, "device")
    assert "addressed to the DCC, not 00DB1234567890A0" in outcome.reason


@pytest.mark.parametrize(
    "body",
    [
        ReadInventory(uprn=123456789012),
        ReadInventory(mpxn="1234567890123"),
        ReadInventory(property_filter=PropertyFilter("SW1A 1AA", "10")),
    ],
    ids=["UPRN", "MPxN", "address"],
)
def test_searches_the_inventory_cannot_answer_are_refused(world: World, body) -> None:
    outcome = _read(world, BRIGHT, body)
    _assert_refused_unanswered(outcome, ResponseCode.E1000, "device")
    assert "SR 8.2 by DeviceID only" in outcome.reason


@pytest.mark.parametrize("variant", ["1", "2", "4", "5"])
def test_read_inventory_travels_with_cv_8_only(world: World, variant: str) -> None:
    request = duis_client.service_request(
        BRIGHT,
        DCC_ID,
        ReadInventory(device_id=ESME_ID),
        CommandVariant.NON_DEVICE,
        world.next_counter(BRIGHT),
        "8.2",
    )
    element = build_request(request)
    element.find(f"{{{SR}}}Header/{{{SR}}}CommandVariant").text = variant
    party = world.parties[BRIGHT]
    outcome = world.dcc.submit(sign_document(element, party.xml_key, party.xml_certificate), NOW)
    _assert_refused_unanswered(outcome, ResponseCode.E12, "request")
    assert f"travels with CommandVariant 8, not {variant}" in outcome.reason


def test_a_replayed_read_inventory_is_refused(world: World) -> None:
    request = duis_client.service_request(
        BRIGHT, DCC_ID, ReadInventory(device_id=ESME_ID), CommandVariant.NON_DEVICE, 5000, "8.2"
    )
    document = world.signed(request)
    assert world.dcc.submit(document, NOW).response_code is ResponseCode.I0
    assert_refused(world.dcc.submit(document, NOW), ResponseCode.E1000, "replay")


# --- the answer against the official schema and DCC Boxed's own 8.2 response -------------------


def _tags(element: etree._Element) -> list[str]:
    return [etree.QName(child).localname for child in element]


def test_the_answer_is_shaped_as_dcc_boxed_answers_8_2(world: World, conformance: Path) -> None:
    outcome = _read(world, BRIGHT, ReadInventory(device_id=ESME_ID))
    ours = parse_xml(outcome.response).getroot()
    sample = parse_xml(
        (conformance / "duis" / "read-inventory-response-5.4.signed.xml").read_bytes()
    ).getroot()
    validate(ours, official_schema(conformance / "duis" / "xsd"))

    for root in (ours, sample):
        assert (root.tag, root.get("schemaVersion")) == (f"{{{SR}}}Response", "5.4")
        assert _tags(root) == ["Header", "Body", "Signature"]
        assert _tags(root[0]) == ["RequestID", "ResponseCode", "ResponseDateTime"]
        (message,) = root[1]
        assert _tags(message) == ["ServiceReference", "ServiceReferenceVariant", "DSPInventory"]
    # the sample's hub reports more; what the DCC reports comes first, in the same order
    ours_device = ours.find(f".//{{{SR}}}Device")
    sample_hub = sample.find(f".//{{{SR}}}Device")
    reported = _tags(ours_device)
    assert (
        reported
        == _tags(sample_hub)[: len(reported)]
        == [
            "DeviceID",
            "DeviceType",
            "DeviceStatus",
            "DeviceManufacturer",
            "DeviceModel",
            "SMETSCHTSVersion",
        ]
    )
    for path in (["SignedInfo"], ["SignedInfo", "Reference"], ["KeyInfo", "X509Data"]):
        steps = "/".join(f"{DS}{step}" for step in ["Signature", *path])
        ours_shape, sample_shape = (
            [(etree.QName(e).localname, e.get("Algorithm")) for e in root.find(steps)]
            for root in (ours, sample)
        )
        assert ours_shape == sample_shape, path


def test_the_answer_round_trips_through_the_codec(world: World, conformance: Path) -> None:
    outcome = _read(world, BRIGHT, ReadInventory(device_id=GSME_ID))
    assert len(_inventory(world, outcome)) == 1
    response = parse_response(outcome.response)
    rebuilt = build_response(response)
    assert parse_response(to_bytes(rebuilt)) == response
    validate(rebuilt, official_schema(conformance / "duis" / "xsd"))
