"""The DCC's own keys: the ACB's key agreement key that MACs commands to SMETS2+ devices, and
the DSP's XML signing key and certificate that sign DUIS responses and countersign SMETS1
Service Requests. Issued by the simulation's SMKI and recorded in its repository."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import ec

from dcc.smki.authority import org_key_from_seed
from dcc.smki.repository import SmkiRepository, newest
from dcc.smki.roles import KeyUsage, RemotePartyRole

# The DCC's User ID in DCC Boxed (spec duis-smki §1.2 and §4.3).
DCC_ID = bytes.fromhex("90B3D51F30000002")


class IdentityError(Exception):
    """The DCC's identity cannot be recovered, with the reason."""


@dataclass(frozen=True)
class DccIdentity:
    dcc_id: bytes
    acb_ka_private: ec.EllipticCurvePrivateKey
    xml_sign_private: ec.EllipticCurvePrivateKey
    xml_sign_certificate: x509.Certificate

    @classmethod
    def issue(cls, repository: SmkiRepository, seed: bytes, at: datetime) -> DccIdentity:
        """Keys from ``seed``; their certificates issued by the repository's authority."""
        ka = org_key_from_seed(seed, DCC_ID, RemotePartyRole.ACCESS_CONTROL_BROKER, _KA)
        signing = org_key_from_seed(seed, DCC_ID, RemotePartyRole.DSP_XML_SIGN, _DS)
        certificates = [
            repository.authority.issue_organisation_certificate(
                DCC_ID, role, usage, key.public_key(), common_name="DCC", not_before=at
            )
            for role, usage, key in (
                (RemotePartyRole.ACCESS_CONTROL_BROKER, _KA, ka),
                (RemotePartyRole.DSP_XML_SIGN, _DS, signing),
            )
        ]
        for certificate in certificates:
            repository.add(certificate, at=at, party="DCC")
        return cls(DCC_ID, ka, signing, certificates[1])

    @classmethod
    def recover(cls, repository: SmkiRepository, seed: bytes) -> DccIdentity:
        """The identity :meth:`issue` made with ``seed``: its keys again, and the newest DSP XML
        signing certificate the repository holds for the DCC."""
        ka = org_key_from_seed(seed, DCC_ID, RemotePartyRole.ACCESS_CONTROL_BROKER, _KA)
        signing = org_key_from_seed(seed, DCC_ID, RemotePartyRole.DSP_XML_SIGN, _DS)
        record = newest(repository.find(DCC_ID, RemotePartyRole.DSP_XML_SIGN, _DS))
        if record is None:
            raise IdentityError("the SMKI repository holds no DSP XML signing certificate")
        return cls(DCC_ID, ka, signing, record.certificate)


_KA = KeyUsage.KEY_AGREEMENT
_DS = KeyUsage.DIGITAL_SIGNING
