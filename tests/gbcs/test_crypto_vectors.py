"""Every vector of conformance/gbcs_vectors.json, reproduced with our primitives."""

from __future__ import annotations

import json

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.kdf.concatkdf import ConcatKDFHash
from hypothesis import given, settings
from hypothesis import strategies as st

from devices.gbcs import crypto
from devices.gbcs.crypto import GbcsCryptoError
from devices.gbcs.frame import Cra, decode, encode, signed_block
from devices.gbcs.security import mac_key, mac_valid, sign, signature_valid
from tests.conformance import conformance_dir

_CRA = {"command": Cra.COMMAND, "response": Cra.RESPONSE, "alert": Cra.ALERT}


def _vectors() -> list:
    root = conformance_dir()
    if root is None:
        return [pytest.param(None, marks=pytest.mark.skip(reason="conformance corpus absent"))]
    data = json.loads((root / "gbcs_vectors.json").read_text())
    return [pytest.param(v, id=v["name"]) for v in data["vectors"]]


def _h(value: str) -> bytes:
    return bytes.fromhex(value)


def _ds_key_of_supplier(conformance):
    pem = (conformance / "rtds" / "keystore" / "90b3d51f30010000-ds.key").read_bytes()
    return serialization.load_pem_private_key(pem, password=None)


def check_signature_vector(vector: dict, conformance) -> None:
    public = crypto.public_key_from_xy(_h(vector["inputs"]["supplierA_ds_public_xy"]))
    message = decode(_h(vector["inputs"]["message_hex"]))
    assert message.signature == _h(vector["expected"]["signature_hex"])
    assert (
        signature_valid(message, public) is vector["expected"]["ecdsa_p256_sha256_signature_valid"]
    )


def check_mac_vector(vector: dict, conformance) -> None:
    inputs = vector["inputs"]
    acb = crypto.private_key_from_scalar(_h(inputs["acb_ka_private"]))
    device = crypto.public_key_from_xy(_h(inputs["deviceA_ka_public_xy"]))
    message = decode(_h(inputs["message_hex"]))
    assert message.mac == _h(vector["expected"]["mac_hex"])
    assert mac_valid(message, crypto.ecdh(acb, device))


def check_intermediates(vector: dict, conformance) -> None:
    inputs, expected = vector["inputs"], vector["expected"]
    acb = crypto.private_key_from_scalar(_h(inputs["acb_ka_private"]))
    device = crypto.public_key_from_xy(_h(inputs["deviceA_ka_public_xy"]))
    assert crypto.public_key_xy(acb.public_key()) == _h(expected["acb_ka_public_xy"])
    z = crypto.ecdh(acb, device)
    assert z == _h(expected["ecdh_shared_secret_z"])
    originator, recipient = bytes.fromhex("123456789ABCDEF0"), bytes.fromhex("FFFFFFFFFFFFFFFE")
    info = crypto.kdf_other_info(originator, b"\x01" + (1).to_bytes(8, "big"), recipient)
    assert info == _h(expected["kdf_otherinfo"])
    key = crypto.kdf(z, info)
    assert key == _h(expected["aes128_key"])
    assert crypto.gcm_iv(originator) == _h(expected["gcm_iv"])
    aad = _h(expected["aad_hex"])
    assert crypto.gmac(key, crypto.gcm_iv(originator), aad, 16) == _h(expected["gmac_tag_16"])
    assert crypto.gmac(key, crypto.gcm_iv(originator), aad) == _h(expected["mac_12"])


def check_key_set(vector: dict, conformance) -> None:
    inputs = vector["inputs"]
    private = crypto.private_key_from_scalar(_h(inputs["supplierA_ds_private"]))
    assert crypto.public_key_xy(private.public_key()) == _h(inputs["supplierA_ds_public_xy"])


def check_gcm(vector: dict, conformance) -> None:
    inputs, expected = vector["inputs"], vector["expected"]
    plaintext = _h(inputs["plaintext"]) if "plaintext" in inputs else inputs["plaintext_ascii"]
    aad = _h(inputs["aad"]) if "aad" in inputs else inputs["aad_ascii"].encode()
    if isinstance(plaintext, str):
        plaintext = plaintext.encode()
    key, iv = _h(inputs["key"]), _h(inputs["iv"])
    if "originator_system_title" in inputs:
        assert crypto.gcm_iv(_h(inputs["originator_system_title"])) == iv
    ciphertext, tag = crypto.gcm_encrypt(key, iv, plaintext, aad, inputs["tag_length"])
    assert ciphertext == _h(expected["ciphertext"])
    assert tag == _h(expected["tag"])
    assert crypto.gcm_decrypt(key, iv, ciphertext, aad, tag) == plaintext


def check_gcm_rejects(vector: dict, conformance) -> None:
    inputs = vector["inputs"]
    with pytest.raises(GbcsCryptoError, match="tag mismatch"):
        crypto.gcm_decrypt(
            _h(inputs["key"]),
            _h(inputs["iv"]),
            _h(inputs["ciphertext"]),
            inputs["aad_ascii"].encode(),
            _h(inputs["tag"]),
        )


def check_kdf(vector: dict, conformance) -> None:
    inputs = vector["inputs"]
    private = serialization.load_pem_private_key(inputs["private_key_pem"].encode(), None)
    assert private.private_numbers().private_value == int(inputs["private_key_d"], 16)
    peer = x509.load_pem_x509_certificate(inputs["peer_public_pem"].encode()).public_key()
    assert crypto.public_key_xy(peer) == _h(inputs["peer_public_xy"])
    transaction = bytes((_CRA[inputs["cra_mode"]],)) + _h(inputs["originator_counter"])
    info = crypto.kdf_other_info(
        _h(inputs["originator_system_title"]), transaction, _h(inputs["recipient_system_title"])
    )
    assert crypto.kdf(crypto.ecdh(private, peer), info) == _h(vector["expected"]["aes128_key"])


def check_sign_precommand(vector: dict, conformance) -> None:
    precommand = _h(vector["inputs"]["precommand_hex"])
    signed = encode(sign(decode(precommand), _ds_key_of_supplier(conformance)))
    null_byte = precommand.endswith(b"\x00") and decode(precommand).signature == b""
    body = precommand[:-1] if null_byte else precommand
    assert len(signed) == len(body) + 1 + 64
    assert signed[: len(body)] == body and signed[len(body)] == 0x40
    cert = (conformance / "rtds" / "keystore" / "90b3d51f30010000-ds.pem").read_bytes()
    public = x509.load_pem_x509_certificate(cert).public_key()
    assert crypto.ecdsa_verify(public, body[1:], signed[-64:])
    assert signed_block(decode(signed))[1:] == body[1:]


def check_mac_validation(vector: dict, conformance) -> None:
    inputs, expected = vector["inputs"], vector["expected"]
    message = decode(_h(inputs["message_hex"]))
    private_d = inputs.get("acb_ka_private_d") or inputs["remote_party_ka_private_d"]
    private = crypto.private_key_from_scalar(_h(private_d))
    device = crypto.public_key_from_xy(_h(inputs["device_ka_public_xy"]))
    assert message.mac == _h(expected["mac_hex"])
    assert message.signature == b""
    assert mac_valid(message, crypto.ecdh(private, device)) is expected["mac_valid"]


_CHECKS = {
    "gbcs_18_4_ecs04b_critical_command_signature": check_signature_vector,
    "gbcs_18_4_ecs04b_critical_command_mac": check_mac_vector,
    "gbcs_18_4_ecs04b_mac_intermediates_INDEPENDENTLY_COMPUTED": check_intermediates,
    "gbcs_18_4_key_set": check_key_set,
    "nist_gcm_example6_96bit_tag": check_gcm,
    "gcm_nominal-aad-only": check_gcm,
    "gcm_nominal-aad-only-short": check_gcm,
    "gcm_nominal": check_gcm,
    "ungcm_invalid-mac": check_gcm_rejects,
    "sign_precommand_missing_signature_byte": check_sign_precommand,
    "sign_precommand_null_signature_byte": check_sign_precommand,
    "mac_validation_sme_c_nc_command": check_mac_validation,
    "mac_validation_sme_c_nc_response": check_mac_validation,
}


@pytest.mark.parametrize("vector", _vectors())
def test_vector_reproduces(vector: dict, conformance) -> None:
    name = vector["name"]
    check = check_kdf if name.startswith("kdf_") else _CHECKS.get(name)
    assert check is not None, f"no check written for vector {name}: every vector must be checked"
    check(vector, conformance)


def test_mac_key_matches_the_18_4_key(conformance) -> None:
    """mac_key derives the KDF inputs from the grouping header itself."""
    data = json.loads((conformance / "gbcs_vectors.json").read_text())
    vector = next(v for v in data["vectors"] if v["name"].endswith("INDEPENDENTLY_COMPUTED"))
    mac_vector = next(v for v in data["vectors"] if v["name"].endswith("critical_command_mac"))
    header = decode(_h(mac_vector["inputs"]["message_hex"])).header
    z = _h(vector["expected"]["ecdh_shared_secret_z"])
    assert mac_key(z, header) == _h(vector["expected"]["aes128_key"])


@settings(max_examples=200)
@given(st.binary(min_size=32, max_size=32), st.binary(max_size=64))
def test_the_kdf_is_the_sp800_56a_concatenation_kdf(secret: bytes, other_info: bytes) -> None:
    """The hashed-directly KDF gives what ``cryptography``'s ConcatKDFHash derives."""
    expected = ConcatKDFHash(hashes.SHA256(), 16, other_info).derive(secret)
    assert crypto.kdf(secret, other_info) == expected
