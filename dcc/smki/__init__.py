"""SMKI: the Smart Metering Key Infrastructure's certificates, roles and revocation.

The public modules are listed in ``__all__``; a module whose name starts with an underscore (the
role histories the repository keeps) serves the others and is not API.
"""

__all__ = [
    "authority",  # a seeded test PKI that issues Organisation and Device certificates
    "boxed",  # the DCC Boxed test key set
    "crl",  # CRLs, published and read
    "errors",  # SmkiError and its kinds
    "names",  # issuer names and EUI-64s as SMKI writes them
    "profile",  # the Organisation and Device certificate profiles
    "repository",  # every certificate issued or admitted, its status, and the CRLs
    "roles",  # Remote Party Roles and key usages
    "subscription",  # which certificates each User Role may subscribe for
    "times",  # SMKI times, always UTC
]
