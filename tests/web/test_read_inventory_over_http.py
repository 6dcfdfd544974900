"""SR 8.2 Read Inventory over DCC Boxed's Non-Device path: the answer comes back on the same
POST, signed by the DCC; a device of another supplier is refused there too."""

from __future__ import annotations

from dcc.duis.codes import ResponseCode
from dcc.duis.inventory import DeviceType, DSPInventory, ReadInventory
from dcc.duis.request import CommandVariant
from dcc.duis.response import ResponseMessage, parse_response
from dcc.duis.xmldsig import DCC_SIGNING_ROLES, verify_document
from dcc.identity import DCC_ID
from sim.world.duis_client import service_request, signed
from tests.web.support import post, start_server


def test_a_supplier_reads_its_meter_on_service_d_and_not_another_suppliers() -> None:
    server = start_server({})
    try:
        population = server.live.population
        bright, steady = population.cast.suppliers
        meters = [population.device_id(i) for i in range(population.size)]
        own = next(m for m in meters if population.supplier_of(m) == steady.user_id)
        other = next(m for m in meters if population.supplier_of(m) == bright.user_id)

        def read(device: bytes, counter: int) -> bytes:
            request = service_request(
                steady.user_id,
                DCC_ID,
                ReadInventory(device_id=device),
                CommandVariant.NON_DEVICE,
                counter,
                "8.2",
            )
            answer = post(server, "/api/v1/serviceD", signed(steady, request))
            assert answer.status_code == 200
            return answer.content

        document = read(own, 1)
        response = parse_response(document)
        assert response.header.response_code is ResponseCode.I0, document
        inventory = response.body.content
        assert isinstance(inventory, DSPInventory)
        (device,) = inventory.devices
        assert device.device_id == own
        kind = population.device_class(own)
        assert device.device_type is (DeviceType.GSME if kind == "gsme" else DeviceType.ESME)
        verify_document(
            document,
            population.cast.smki,
            at=server.live.now,
            expected_signer=DCC_ID,
            allowed_roles=DCC_SIGNING_ROLES,
        )

        refused = parse_response(read(other, 2))
        assert refused.header.response_code is ResponseCode.E4
        assert refused.body == ResponseMessage("8.2", "8.2")
        assert refused.signature is None
    finally:
        server.stop()
