"""A meter's keys from a key folder, and the folder a lab gets for a seeded meter."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from devices.gbcs.errors import GbcsKeyError
from devices.gbcs.keystore import KeyFile, KeyUsage, load_keystore, write_key_files
from devices.gbcs.verify import DEFAULT_ACB
from devices.meter_keys import keystore_credentials, lab_key_files, seeded_credentials
from sim.cli.demo import ESME, SUPPLIER
from sim.cli.main import app


def test_a_folder_lacking_keys_names_every_missing_file(tmp_path: Path) -> None:
    with pytest.raises(GbcsKeyError) as raised:
        keystore_credentials(load_keystore(tmp_path), ESME, acb=DEFAULT_ACB, suppliers=[SUPPLIER])
    assert str(raised.value) == (
        "key folder lacks 00db1234567890a0-ds.key, 00db1234567890a0-ka.key, "
        "90b3d51f30000002-ka.pem, 90b3d51f30010000-ds.pem"
    )


def test_the_lab_folder_holds_the_meter_public_keys_and_the_trusted_parties_private_keys(
    tmp_path: Path,
) -> None:
    files = lab_key_files(b"lab", ESME, acb=DEFAULT_ACB, supplier=SUPPLIER)
    written = {path.name for path in write_key_files(tmp_path, files)}
    assert written == {
        "00db1234567890a0-ds.pem",
        "00db1234567890a0-ka.pem",
        "90b3d51f30010000-ds.pem",
        "90b3d51f30010000-ds.key",
        "90b3d51f30010000-ka.pem",
        "90b3d51f30010000-ka.key",
        "90b3d51f30000002-ka.pem",
        "90b3d51f30000002-ka.key",
    }
    store = load_keystore(tmp_path)
    seeded = seeded_credentials(b"lab", ESME, acb=DEFAULT_ACB, suppliers=[SUPPLIER])
    for usage in KeyUsage:
        assert store.public(ESME, usage) == seeded.public_key(usage)
    # What the lab holds agrees with the meter: the same ECDH secret from either side.
    assert store.shared_secret(DEFAULT_ACB, ESME) == seeded.acb_secret()


def test_a_meter_served_from_a_folder_holds_its_keys_and_anchors(tmp_path: Path) -> None:
    seeded = seeded_credentials(b"lab", ESME, acb=DEFAULT_ACB, suppliers=[SUPPLIER])
    own = [
        KeyFile(ESME, KeyUsage.DIGITAL_SIGNING, seeded.ds_private.public_key(), seeded.ds_private)
    ]
    own.append(
        KeyFile(ESME, KeyUsage.KEY_AGREEMENT, seeded.ka_private.public_key(), seeded.ka_private)
    )
    write_key_files(tmp_path, own + lab_key_files(b"lab", ESME, acb=DEFAULT_ACB, supplier=SUPPLIER))
    loaded = keystore_credentials(
        load_keystore(tmp_path), ESME, acb=DEFAULT_ACB, suppliers=[SUPPLIER]
    )
    assert loaded.acb_secret() == seeded.acb_secret()
    assert loaded.party_secret(SUPPLIER) == seeded.party_secret(SUPPLIER)
    assert loaded.anchors.party(SUPPLIER).ds == seeded.anchors.party(SUPPLIER).ds


def test_meter_serve_names_the_files_its_key_folder_lacks(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        app, ["meter", "serve", "--port", "/dev/null", "--keystore", str(tmp_path)]
    )
    assert result.exit_code == 2
    assert "00db1234567890a0-ds.key" in result.output
