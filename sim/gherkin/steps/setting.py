"""Steps that set the scene or change it: the clock, a supplier's failure, Ofgem, SMKI, DCC
Users and responsible officers, ADT files, the DCC operator's dcc.toml and the WAN."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import ec
from pytest_bdd import given, when

from dcc.adt import AdtFile, AdtThreshold, sign_adt
from dcc.anomaly import AdtRefused
from dcc.smki.authority import org_key_from_seed
from dcc.smki.errors import SubscriptionRefused
from dcc.smki.repository import CertificateRecord
from dcc.smki.roles import KeyUsage, RemotePartyRole
from dcc.solr_register import RegisterError
from dcc.users import Officer, OfficerKind, UserRole, UserStatus
from devices.gbcs.crypto import private_key_from_seed
from sim.gherkin.words import Meter, phrase
from sim.gherkin.world import SolrWorld
from sim.world.testbed import SEED, SRP

_DS, _KA = KeyUsage.DIGITAL_SIGNING, KeyUsage.KEY_AGREEMENT
_USAGES = {usage.extension_name: usage for usage in KeyUsage}

# --- the clock ---------------------------------------------------------------------------------


@given(phrase("it is {when:Time}"))
@when(phrase("it is {when:Time}"))
def clock(world: SolrWorld, when: datetime) -> None:
    """Set the simulation clock (UTC); it never goes back. Each event takes a minute."""
    world.set_time(when)


# --- a supplier fails --------------------------------------------------------------------------


@given(phrase("supplier {supplier:Party} has failed and its SMKI certificates are revoked"))
@when(phrase("supplier {supplier:Party} fails and its SMKI certificates are revoked"))
def supplier_fails(world: SolrWorld, supplier: str) -> None:
    """Ofgem's SoLR notification, then its revocation: SMKI revokes every certificate of the
    supplier (Supplier DS and KA, xmlSign) and the DCC suspends its User."""
    world.fail(world.user_id(supplier))


@given(phrase("Ofgem has notified a SoLR event for {supplier:Party}"))
def solr_notification(world: SolrWorld, supplier: str) -> None:
    """Ofgem's SoLR notification only: SMKI has revoked nothing (yet)."""
    world.notify(world.user_id(supplier))


@given(phrase("SMKI has revoked only the Supplier DS certificate of {supplier:Party}"))
def revoke_ds(world: SolrWorld, supplier: str) -> None:
    """The Supplier DS certificate revoked; the KA certificate still valid."""
    (record,) = world.bed.smki.find(world.user_id(supplier), RemotePartyRole.SUPPLIER, _DS)
    world.bed.smki.revoke(record, x509.ReasonFlags.cessation_of_operation, world.tick())


@given(phrase("{party:Party} never held a Supplier certificate"))
def never_held(world: SolrWorld, party: str) -> None:
    """Checked in SMKI's repository: no Supplier (02) certificate was ever issued to the party."""
    assert world.bed.smki.find(world.user_id(party), RemotePartyRole.SUPPLIER) == []


@when(phrase("SMKI issues {supplier:Party} a new Supplier DS certificate"))
def recertify(world: SolrWorld, supplier: str) -> None:
    """The supplier is certified again: no longer are all its Supplier certificates revoked."""
    user_id = world.user_id(supplier)
    key = org_key_from_seed(b"re-certified", user_id, RemotePartyRole.SUPPLIER, _DS)
    world.bed.subscriptions.subscribe(
        None, "IS", user_id, RemotePartyRole.SUPPLIER, _DS, key.public_key(), world.tick()
    )


@when(phrase("SMKI revokes the xmlSign certificate of {user:Actor}"))
def revoke_xml_sign(world: SolrWorld, user: str) -> None:
    """The User's xmlSign certificate revoked for key compromise."""
    (record,) = world.bed.smki.find(world.user_id(user), RemotePartyRole.XML_SIGN)
    world.bed.smki.revoke(record, x509.ReasonFlags.key_compromise, world.tick())


# --- Ofgem -------------------------------------------------------------------------------------


@given(phrase("Ofgem has instructed {srp:Actor} to act for {supplier:Party}"))
def instruct(world: SolrWorld, srp: str, supplier: str) -> None:
    """Ofgem's instruction, following its SoLR notification, naming the SRP and the supplier;
    the alerts the DCC held for the supplier go to the SRP."""
    world.instruct(world.user_id(supplier), world.user_id(srp))


@when(phrase("Ofgem instructs {srp:Actor} to act for {supplier:Party}"))
def instructs(world: SolrWorld, srp: str, supplier: str) -> None:
    """As the Given step, as the action whose deliveries the Then steps look at."""
    world.begin()
    instruct(world, srp, supplier)


@given(phrase("{supplier:Party} has arranged for {srp:Actor} to act for it should it fail"))
def arrange_srp(world: SolrWorld, supplier: str, srp: str) -> None:
    """The service an SRP offers its suppliers in advance (MP134B 2.1.1), recorded by the DCC:
    from the revocation of the supplier's certificates, its meters' alerts go to that SRP."""
    world.bed.dcc.arrange_srp(world.user_id(supplier), world.user_id(srp), world.tick())


@when(phrase("Ofgem tries to instruct {srp:Actor} to act for {supplier:Party}"))
def try_to_instruct(world: SolrWorld, srp: str, supplier: str) -> None:
    """An instruction the DCC may refuse (it keeps the refusal for a Then step)."""
    world.begin()
    try:
        instruct(world, srp, supplier)
    except RegisterError as refusal:
        world.result = refusal


# --- DCC Users and responsible officers --------------------------------------------------------


@given(phrase("{party:Party} is DCC User {eui:Quoted} in the {role:Quoted} User Role"))
def registered_user(world: SolrWorld, party: str, eui: str, role: str) -> None:
    """Checked in the DCC's register of Users."""
    user = world.bed.dcc.services.users.get(bytes.fromhex(eui.replace("-", "")))
    assert user is not None, f"{eui} is not a DCC User"
    assert (user.party, user.role) == (party, UserRole(role))


@given(phrase("{party:Party} holds an xmlSign certificate for User ID {eui:Quoted}"))
def unregistered_party(world: SolrWorld, party: str, eui: str) -> None:
    """An xmlSign certificate put in SMKI's repository without subscription (which refuses a
    User ID the DCC has not registered); the DCC has not registered the User ID."""
    user_id = bytes.fromhex(eui.replace("-", ""))
    world.bed.unsubscribed_xml_sign(user_id, party, world.tick())
    world.parties[party] = user_id


@when(
    phrase("an xmlSign certificate of {party:Party} reaches SMKI's repository without subscription")
)
def xml_sign_from_outside(world: SolrWorld, party: str) -> None:
    """A valid xmlSign certificate of the party (a new key) added to SMKI's repository the way
    certificates from outside are, past subscription's checks; the party signs its DUIS with it."""
    world.bed.unsubscribed_xml_sign(world.user_id(party), party, world.tick(), seed=b"outside")


@given(phrase("the DCC has suspended {user:Actor}"))
def suspend(world: SolrWorld, user: str) -> None:
    """The User's status in the DCC's register becomes suspended."""
    world.bed.dcc.services.users.set_status(world.user_id(user), UserStatus.SUSPENDED)


@when(phrase("the DCC reinstates {user:Actor}"))
def reinstate(world: SolrWorld, user: str) -> None:
    """The User's status in the DCC's register becomes active again."""
    world.bed.dcc.services.users.set_status(world.user_id(user), UserStatus.ACTIVE)


@given(phrase("{party:Party} has appointed {kind:OfficerKind} {officer:Quoted}"))
def appoint(world: SolrWorld, party: str, kind: OfficerKind, officer: str) -> None:
    """The party registers a responsible officer (ARO or SRO) and the officer's public key."""
    key = private_key_from_seed(SEED, officer)
    world.bed.dcc.services.users.add_officer(Officer(officer, party, kind, key.public_key()))


# --- ADT files ---------------------------------------------------------------------------------


def _submit_adt(
    world: SolrWorld,
    officer: str,
    rows: tuple[AdtThreshold, ...],
    key: ec.EllipticCurvePrivateKey | None = None,
) -> None:
    world.begin()
    at = world.tick()
    signed = sign_adt(AdtFile(SRP, rows, at), officer, key or private_key_from_seed(SEED, officer))
    try:
        world.result = world.bed.dcc.submit_adt(signed, at)
    except AdtRefused as refusal:
        world.result = refusal


@given(
    phrase(
        "officer {officer:Quoted} has submitted an ADT of {count:d} SR 1.6 a day "
        "for {supplier:Party}"
    )
)
def adt_in_force(world: SolrWorld, officer: str, count: int, supplier: str) -> None:
    """The SRP's ADT file, signed by the officer, accepted by the DCC."""
    _submit_adt(world, officer, (AdtThreshold("1.6", count, world.user_id(supplier)),))
    assert not isinstance(world.result, AdtRefused), world.result


@when(
    phrase("officer {officer:Quoted} submits an ADT of {count:d} SR 1.6 a day for {supplier:Party}")
)
def submit_adt(world: SolrWorld, officer: str, count: int, supplier: str) -> None:
    """The SRP's ADT file (for its SolrContingency User ID), signed by the officer."""
    _submit_adt(world, officer, (AdtThreshold("1.6", count, world.user_id(supplier)),))


@when(phrase("officer {officer:Quoted} submits an ADT for the SRP:"))
def submit_adt_table(world: SolrWorld, officer: str, datatable: list[list[str]]) -> None:
    """An ADT file of several rows: a table with columns SRV, per day and supplier."""
    header, *rows = datatable
    assert header == ["SRV", "per day", "supplier"], header
    thresholds = tuple(
        AdtThreshold(srv, int(count), world.user_id(supplier)) for srv, count, supplier in rows
    )
    _submit_adt(world, officer, thresholds)


@when(
    phrase(
        "an ADT of {count:d} SR 1.6 a day for {supplier:Party} is submitted in the name of "
        "officer {officer:Quoted} but signed with another key"
    )
)
def submit_forged_adt(world: SolrWorld, count: int, supplier: str, officer: str) -> None:
    """An ADT file that names the officer but whose signature is not the officer's."""
    rows = (AdtThreshold("1.6", count, world.user_id(supplier)),)
    _submit_adt(world, officer, rows, key=private_key_from_seed(SEED, f"not {officer}"))


# --- SMKI subscriptions ------------------------------------------------------------------------


@when(
    phrase(
        "{party:Party} asks SMKI, in the {user_role:Quoted} User Role, for an Organisation "
        "Certificate with Remote Party Role {role:Quoted} and key usage {usage:Quoted}"
    )
)
def subscribe(world: SolrWorld, party: str, user_role: str, role: str, usage: str) -> None:
    """A certificate request, granted only in the User Role the DCC registered for the party's
    User ID; SMKI's answer (the issued record, or its refusal) is kept."""
    world.begin()
    user_id = world.user_id(party)
    remote_role, key_usage = RemotePartyRole.parse(role), _USAGES[usage]
    key = org_key_from_seed(b"bdd subscription", user_id, remote_role, key_usage)
    try:
        record = world.bed.subscriptions.subscribe(
            party, user_role, user_id, remote_role, key_usage, key.public_key(), world.tick()
        )
    except SubscriptionRefused as refusal:
        world.result = refusal
    else:
        world.result = record
        world.new_key = key


@when(phrase("{user:Actor} signs its DUIS with the new certificate from now on"))
def use_new_certificate(world: SolrWorld, user: str) -> None:
    """The User's DUIS signing key and certificate become the ones SMKI just issued; any
    Supplier keys it holds stay as they were."""
    user_id = world.user_id(user)
    party, key, record = world.bed.parties[user_id], world.new_key, world.result
    assert key is not None and isinstance(record, CertificateRecord), "SMKI issued none"
    world.bed.parties[user_id] = replace(party, xml_key=key, xml_certificate=record.certificate)


# --- the DCC operator's dcc.toml ---------------------------------------------------------------


@when(
    phrase(
        "the DCC operator sets the SRVs of the {role:Quoted} User Role to {srvs:Quoted} in dcc.toml"
    )
)
def set_srvs(world: SolrWorld, role: str, srvs: str) -> None:
    """Edit ``[eligible_srvs]`` of the running DCC's dcc.toml: e.g. "1.6, 1.5"."""
    listed = ", ".join(f'"{srv.strip()}"' for srv in srvs.split(","))
    world.configure("eligible_srvs", f"{role} = [{listed}]")


@when("the DCC operator saves a dcc.toml with a syntax error")
def break_config(world: SolrWorld) -> None:
    """A careless edit: an unclosed list that would have added SR 1.5 for the SRP."""
    world.bed.configure('[eligible_srvs]\nSolrContingency = ["1.6", "1.5"\n')


def _safety_critical(world: SolrWorld, codes: set[int]) -> None:
    world.safety_critical = codes
    listed = ", ".join(f'"{code:04X}"' for code in sorted(codes))
    world.configure("alerts", f"safety_critical = [{listed}]")


@when(
    phrase("the DCC operator adds alert {code:AlertCode} to the safety-critical alerts in dcc.toml")
)
def add_safety_critical(world: SolrWorld, code: int) -> None:
    """Edit ``[alerts] safety_critical`` of the running DCC's dcc.toml."""
    _safety_critical(world, world.safety_critical | {code})


@when(
    phrase(
        "the DCC operator removes alert {code:AlertCode} from the safety-critical alerts "
        "in dcc.toml"
    )
)
def remove_safety_critical(world: SolrWorld, code: int) -> None:
    """Edit ``[alerts] safety_critical`` of the running DCC's dcc.toml."""
    _safety_critical(world, world.safety_critical - {code})


# --- the WAN -----------------------------------------------------------------------------------


@given(phrase("the {meter:Meter} cannot be reached over the WAN"))
def unreachable(world: SolrWorld, meter: Meter) -> None:
    """A WAN fault: the meter's communications hub is offline, and the WAN loses every frame to
    or from it (the DCC answers a command for it E21 when its response timeout passes)."""
    world.cut_off(meter)


@when(phrase("the {meter:Meter} can be reached again"))
def reachable(world: SolrWorld, meter: Meter) -> None:
    """The fault is over: the WAN carries the meter's frames again."""
    world.reconnect(meter)
