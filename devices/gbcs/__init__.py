"""The GBCS wire layer: framing, cryptography, payload codecs and catalogues. Pure: no I/O
except :func:`devices.gbcs.keystore.load_keystore`, which reads a key folder.

The public modules are listed in ``__all__``; modules whose names start with an underscore (the
bounds-checked reader, the declarative layout fields, the readers and writers compiled from
them) are how the codecs are built, not API.
"""

__all__ = [
    "alert_payload",  # the payloads of the generic and future-dated (8F66) alerts
    "alerts",  # alert codes, names and the safety-critical list
    "content",  # which payload protocol a device speaks
    "crypto",  # ECDSA, ECDH, the KDF and GMAC, through cryptography and OpenSSL
    "dlms",  # DLMS/COSEM APDUs (ESME payloads)
    "errors",  # GbcsError and its local and remote kinds
    "frame",  # the grouping and MAC headers: GbcsMessage, decode, encode
    "gbz",  # GBZ/ZCL payloads (GSME payloads)
    "keystore",  # keys and certificates by EUI-64 and usage
    "payload",  # what a message's content means, by message code
    "payment_mode",  # SR 1.6: the payment-mode change and its responses
    "report",  # a decoded, verified message as plain data
    "security",  # signing and MACing whole messages
    "usecases",  # the GBCS use-case catalogue
    "verify",  # MAC and signature verdicts with a key store
]
