"""DUIS: the DCC User Interface Specification's XML messages, their schema and signatures.

The public modules are listed in ``__all__``; a module whose name starts with an underscore (the
declarative element layouts, the text writer) is how the messages are built, not API.
"""

__all__ = [
    "alerts",  # the alerts the DCC sends Users
    "codes",  # DUIS response codes and DCC alert codes
    "elements",  # reading and writing sr: elements, with errors that say where
    "errors",  # DuisError (what a peer sent) and DuisBuildError (our own misuse)
    "ids",  # EUI-64s, RequestID, ResponseID, service references
    "inventory",  # SR 8.2 Read Inventory and the DSPInventory answer
    "request",  # sr:Request and the bodies solrsim simulates
    "response",  # sr:Response and the alerts it delivers
    "schema",  # XSD validation, solrsim's schema or an official one
    "signed_document",  # a signed request with the Request its sender in-process wrote it from
    "smets1",  # SMETS1 device alerts in DUIS
    "values",  # XSD simple values: text on the wire, Python values in the model
    "whitespace",  # the whitespace between elements that signatures do not cover
    "writing",  # a document's bytes, signed or not, written the cheapest exact way
    "xmldsig",  # signing and verifying in the DCC's signature profile
    "xmldsig_profile",  # the signature profile, written down once
    "xmlparse",  # the one way untrusted XML is read
]
