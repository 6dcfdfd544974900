"""Steps in which a User sends the DCC a DUIS request: SR 1.6 the whole way, a transform and the
signed pre-command sent back (as issued or altered), another SRV, a request signed with the
wrong certificate or under another User ID, and a replay."""

from __future__ import annotations

from pytest_bdd import given, when

from dcc.duis.elements import SR
from dcc.duis.request import (
    CommandVariant,
    Credit,
    SignedPreCommand,
    UpdatePaymentMode,
    build_request,
)
from dcc.duis.xmldsig import sign_document
from dcc.smki.roles import KeyUsage
from devices.gbcs.frame import encode
from devices.gbcs.security import sign
from sim.gherkin.alterations import ALTERATIONS
from sim.gherkin.words import Meter, phrase
from sim.gherkin.world import SolrWorld, made_up_pre_command, transform_body


@when(phrase("{user:Actor} sends SR 1.6 {what:Request} to the {meter:Meter}"))
def send(world: SolrWorld, user: str, what: str, meter: Meter) -> None:
    """SR 1.6 "Credit", "Prepayment" or "Prepayment disguised as Credit", the whole way: for
    SMETS1 sent (CV 1); for SMETS2+ transformed (CV 4), signed with the Supplier DS key of the
    meter's supplier and sent back (CV 5). What the DCC sends goes to the meter if it can be
    reached, and the meter's answer back through the DCC."""
    world.begin()
    world.send_payment_mode(world.user_id(user), meter, what)


@given(phrase("{user:Actor} has sent SR 1.6 {what:Request} to the {meter:Meter}"))
def sent(world: SolrWorld, user: str, what: str, meter: Meter) -> None:
    """As the When step, and the DCC must have sent the command on."""
    send(world, user, what, meter)
    assert world.last.outcome.to_devices, world.last.outcome.reason


@when(phrase("{user:Actor} sends SR 1.6 {what:Request} to every meter of {supplier:Party}"))
def send_to_all(world: SolrWorld, user: str, what: str, supplier: str) -> None:
    """The same SR 1.6 to each meter whose customer the supplier served, one after another."""
    world.begin()
    for meter in world.meters_of(supplier):
        world.send_payment_mode(world.user_id(user), meter, what)


@when(
    phrase(
        "{user:Actor} sends SR 1.6 {what:Request} to the {meter:Meter} in the name of {other:Party}"
    )
)
def send_as_another(world: SolrWorld, user: str, what: str, meter: Meter, other: str) -> None:
    """A request whose RequestID names another User as originator, signed with the User's own
    xmlSign certificate."""
    world.begin()
    request = world.first_request(world.user_id(other), meter, what)
    world.submit(world.user_id(user), meter, world.signed(request, by=world.user_id(user)))


@when(
    phrase(
        "{user:Actor} sends SR 1.6 {what:Request} to the {meter:Meter} with its DUIS signed by the "
        "Supplier DS certificate of {supplier:Party}"
    )
)
def send_signed_by_supplier(
    world: SolrWorld, user: str, what: str, meter: Meter, supplier: str
) -> None:
    """The User signs its DUIS with a Supplier DS key and certificate (the SRP holds the failed
    supplier's) instead of its own xmlSign certificate."""
    world.begin()
    world.request_signed_with(
        world.user_id(user),
        meter,
        what,
        world.supplier_ds(supplier),
        world.supplier_certificate(supplier, KeyUsage.DIGITAL_SIGNING),
    )


@when(phrase("{user:Actor} sends an SRV {srv} request to the {meter:Meter}"))
def send_srv(world: SolrWorld, user: str, srv: str, meter: Meter) -> None:
    """A signed request whose header names SRV ``srv`` (over a 1.6 body: the SRV check comes
    first, so the body does not matter)."""
    world.begin()
    user_id = world.user_id(user)
    request = world.bed.request(
        user_id, meter.device_id, UpdatePaymentMode(Credit()), CommandVariant.TRANSFORM
    )
    element = build_request(request)
    reference = element.find(f"{{{SR}}}Header/{{{SR}}}ServiceReference")
    variant = element.find(f"{{{SR}}}Header/{{{SR}}}ServiceReferenceVariant")
    assert reference is not None and variant is not None, "a built request names its SRV"
    reference.text = ".".join(srv.split(".")[:2])
    variant.text = srv
    party = world.bed.parties[user_id]
    world.submit(user_id, meter, sign_document(element, party.xml_key, party.xml_certificate))


# --- a transform and the signed pre-command ----------------------------------------------------


@when(phrase("{user:Actor} asks the DCC to transform SR 1.6 {what:Request} for the {meter:Meter}"))
def transform(world: SolrWorld, user: str, what: str, meter: Meter) -> None:
    """SR 1.6 with CommandVariant 4: the DCC answers with the GBCS pre-command to sign."""
    world.begin()
    user_id = world.user_id(user)
    request = world.bed.request(
        user_id, meter.device_id, transform_body(what), CommandVariant.TRANSFORM
    )
    world.ask_transform(user_id, meter, request)


def _send_back(world: SolrWorld, user: str, alteration: str | None, signer: str | None) -> None:
    assert world.transform is not None and world.transform.user == world.user_id(user)
    issued = world.issued_pre_command()
    message = issued if alteration is None else ALTERATIONS[alteration](issued, world.now)
    world.send_back(message, signer)


@when(
    phrase(
        "{user:Actor} sends back the pre-command, signed with the Supplier DS key of {signer:Party}"
    )
)
def send_back(world: SolrWorld, user: str, signer: str) -> None:
    """The issued pre-command, as issued, signed with the supplier's DS key, sent with CV 5."""
    _send_back(world, user, None, signer)


@when(
    phrase(
        "{user:Actor} sends back the pre-command with {alteration}, signed with the Supplier DS "
        "key of {signer:Party}"
    )
)
def send_back_altered(world: SolrWorld, user: str, alteration: str, signer: str) -> None:
    """The issued pre-command altered before signing; the alterations are listed in
    sim/gherkin/alterations.py ALTERATIONS (e.g. "its DLMS payment mode set to prepayment under the
    ECS02 code")."""
    if alteration not in ALTERATIONS:
        raise KeyError(f"no alteration {alteration!r}; known: {', '.join(ALTERATIONS)}")
    _send_back(world, user, alteration, signer)


@when(phrase("{user:Actor} sends back the pre-command unsigned"))
def send_back_unsigned(world: SolrWorld, user: str) -> None:
    """The issued pre-command sent with CV 5 without any signature."""
    _send_back(world, user, None, None)


@when(
    phrase(
        "{user:Actor} sends a credit pre-command of its own making for the {meter:Meter}, signed "
        "with the Supplier DS key of {signer:Party}"
    )
)
def send_made_up(world: SolrWorld, user: str, meter: Meter, signer: str) -> None:
    """A valid credit pre-command in every way but one: the DCC never issued it."""
    world.begin()
    user_id = world.user_id(user)
    counter, message = made_up_pre_command(world, user_id, meter)
    payload = encode(sign(message, world.supplier_ds(signer)))
    request = world.bed.request(
        user_id,
        meter.device_id,
        SignedPreCommand(payload),
        CommandVariant.SIGNED_SEND_COMMAND,
        counter=counter,
    )
    world.submit(user_id, meter, world.signed(request))


@when("an attacker replays the last request")
def replay(world: SolrWorld) -> None:
    """The last DUIS request, captured on its way to the DCC, sent again byte for byte."""
    last = world.last
    world.begin()
    world.submit(last.user, last.meter, last.raw)
