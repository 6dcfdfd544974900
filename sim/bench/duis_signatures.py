"""DUIS XML signatures on one core: solrsim's DCC-profile signer and verifier against signxml.

Run with ``python -m sim.bench.duis_signatures``; ``run()`` is what a CLI command calls. The
document is the RTDS ECS02 SR 1.6 request (``templates/`` in the DUIS corpus, placeholder
signature removed) and the key is the DCC Boxed test supplier's xmlSign key. The baseline is
plain signxml: ``XMLSigner`` with its default shape (ECDSA-SHA256, certificate in KeyInfo; the
DCC would refuse it) and ``XMLVerifier`` given the certificate. solrsim's verify makes every
DCC check (profile, certificate, validity, revocation, role, signer, digest, signature), on
the signed request as solrsim writes it (one line) and indented, which it first undoes.

Memory is the tracemalloc peak of Python allocations over 100 operations; libxml2 and OpenSSL
allocate outside Python and are not counted.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import load_der_private_key
from lxml import etree
from signxml.algorithms import DigestAlgorithm, SignatureMethod
from signxml.signer import XMLSigner
from signxml.verifier import XMLVerifier

from dcc.duis.elements import SIGNATURE
from dcc.duis.xmldsig import InMemoryResolver, sign_document, verify_document
from sim.bench._corpus import conformance_dir, run_on_corpus
from sim.bench._measure import max_rss_mib, measure

REQUEST = "templates/ECS02_1.6_IMMEDIATE_SINGLE_SUCCESS_REQUEST_DUIS.XML"
KEY = "boxed-keys/xml-sign-90B3D51F30010000-ds.key"
CERTIFICATE = "boxed-keys/xml-sign-90B3D51F30010000-ds.pem"
_MEMORY_ROUNDS = 100
_BATCH = 50


def find_corpus() -> Path | None:
    """The DUIS part of the conformance corpus, or None when it is absent."""
    root = conformance_dir()
    return root / "duis" if root is not None and (root / "duis" / REQUEST).is_file() else None


def operations(folder: Path) -> dict[str, Callable[[bytes], object]]:
    """Each measured operation, taking the unsigned request."""
    key = load_der_private_key((folder / KEY).read_bytes(), None)
    if not isinstance(key, ec.EllipticCurvePrivateKey):
        raise ValueError(f"{KEY} is not an EC private key")
    pem = (folder / CERTIFICATE).read_bytes()
    certificate = x509.load_pem_x509_certificate(pem)
    resolver = InMemoryResolver([certificate])
    now = datetime.now(UTC)
    signer = XMLSigner(
        signature_algorithm=SignatureMethod.ECDSA_SHA256, digest_algorithm=DigestAlgorithm.SHA256
    )

    def signxml_sign(data: bytes) -> bytes:
        return etree.tostring(signer.sign(etree.fromstring(data), key=key, cert=pem.decode()))

    unsigned = unsigned_request(folder)
    ours = sign_document(unsigned, key, certificate)
    indented = etree.fromstring(ours)
    etree.indent(indented)
    ours_indented = etree.tostring(indented)
    theirs = signxml_sign(unsigned)
    return {
        "solrsim sign (DCC profile)": lambda data: sign_document(data, key, certificate),
        "signxml sign (default shape)": signxml_sign,
        "solrsim verify (all DCC checks)": lambda _: verify_document(ours, resolver, at=now),
        "solrsim verify, indented": lambda _: verify_document(ours_indented, resolver, at=now),
        "signxml verify (signature only)": lambda _: XMLVerifier().verify(
            theirs, x509_cert=pem.decode()
        ),
    }


def unsigned_request(folder: Path) -> bytes:
    root = etree.fromstring((folder / REQUEST).read_bytes())
    for signature in list(root.iter(SIGNATURE)):
        root.remove(signature)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")


def run(folder: Path, seconds: float = 2.0) -> dict[str, tuple[float, int]]:
    """Print and return operations per second and peak Python memory for each operation."""
    request = unsigned_request(folder)
    print(f"SR 1.6 request (ECS02), {len(request):,} bytes unsigned; one core, {seconds:g} s each")
    results = {}
    for name, operation in operations(folder).items():
        rate, peak = measure(operation, [request] * _BATCH, seconds, [request] * _MEMORY_ROUNDS)
        results[name] = (rate, peak)
        print(f"{name:34} {rate:9,.0f} /s   peak {peak / 1024:7,.1f} KiB")
    print(f"max resident set size: {max_rss_mib():,.1f} MiB")
    return results


if __name__ == "__main__":
    run_on_corpus(find_corpus, run)
