"""The GBCS walk-through behind ``solrsim demo``: one ECS02 command from supplier to ESME.

Supplier signs the pre-command, the DCC's Access Control Broker adds the MAC, the ESME
decodes and verifies it with only the keys a meter holds; then a tampered copy is refused.
"""

from __future__ import annotations

from rich.console import Console
from rich.table import Table

from devices.gbcs.crypto import ecdh, private_key_from_seed
from devices.gbcs.frame import Cra, GbcsMessage, GroupingHeader, OtherInformation, decode, encode
from devices.gbcs.keystore import KeyStore, KeyUsage
from devices.gbcs.payment_mode import ECS02, Activation, PaymentMode, PaymentModeChange
from devices.gbcs.payment_mode import encode_payment_mode_command as encode_ecs02
from devices.gbcs.report import describe
from devices.gbcs.security import add_mac, sign

SUPPLIER = bytes.fromhex("90B3D51F30010000")
ACB = bytes.fromhex("90B3D51F30000002")
ESME = bytes.fromhex("00DB1234567890A0")
COUNTER = 0x0000_0100_0000_0001


def run_demo(seed: bytes, console: Console | None = None) -> int:
    """Print each step; 0 when the command verifies and its tampered copy does not."""
    console = console or Console()
    supplier_ds = private_key_from_seed(seed, f"{SUPPLIER.hex()}-ds")
    acb_ka = private_key_from_seed(seed, f"{ACB.hex()}-ka")
    esme_ka = private_key_from_seed(seed, f"{ESME.hex()}-ka")

    change = PaymentModeChange(PaymentMode.CREDIT, Activation.IMMEDIATE)
    header = GroupingHeader(Cra.COMMAND, COUNTER, SUPPLIER, ESME, OtherInformation(ECS02))
    precommand = GbcsMessage(header, encode_ecs02(ECS02, COUNTER, change), signature=b"")
    signed = sign(precommand, supplier_ds)
    command = encode(add_mac(signed, ecdh(acb_ka, esme_ka.public_key())))

    console.rule("ECS02: set ESME payment mode to credit")
    console.print(f"[bold]pre-command[/] (DCC → supplier)  {encode(precommand).hex().upper()}")
    console.print(f"[bold]signed[/] (supplier's DS key)    {encode(signed).hex().upper()}")
    console.print(f"[bold]command[/] (ACB adds the MAC)    {command.hex().upper()}")

    meter_keys = KeyStore()  # what the ESME holds: its own KA key and its trust anchors
    meter_keys.add_private(ESME, KeyUsage.KEY_AGREEMENT, esme_ka)
    meter_keys.add_public(ACB, KeyUsage.KEY_AGREEMENT, acb_ka.public_key())
    meter_keys.add_public(SUPPLIER, KeyUsage.DIGITAL_SIGNING, supplier_ds.public_key())

    received = describe(decode(command), meter_keys, ACB)
    tampered_bytes = bytearray(command)
    tampered_bytes[len(command) // 2] ^= 0x01
    tampered = describe(decode(bytes(tampered_bytes)), meter_keys, ACB)

    table = Table(title="At the ESME", title_justify="left")
    for column in ("", "as sent", "one byte flipped"):
        table.add_column(column)
    for field in ("use_case", "cra", "originator", "recipient", "counter", "mac", "signature"):
        table.add_row(field, str(received[field]), str(tampered[field]))
    table.add_row("payload", received["summary"], tampered.get("summary", tampered.get("error")))
    console.print(table)

    ok = received["mac"] == received["signature"] == "valid"
    refused = "valid" not in (tampered["mac"], tampered["signature"])
    verdict = "[green]verified; tampered copy refused[/]" if ok and refused else "[red]FAILED[/]"
    console.print(verdict)
    return 0 if ok and refused else 1
