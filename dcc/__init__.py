"""The simulated DCC: the facade every host calls (:mod:`dcc.dcc`), its check/sign pipeline, its
registries, audit trail and state, and the DUIS and SMKI sub-packages. Sans-IO apart from its
SQLite file.

The public modules are listed in ``__all__``; a module whose name starts with an underscore (the
SR 8.2 answer) serves the facade and is not API.
"""

__all__ = [
    "adt",  # Anomaly Detection Threshold files, signed by a party's officer
    "alert_routing",  # where a device alert goes, during SoLR included
    "anomaly",  # request counts against the ADTs, and quarantine
    "audit",  # the audit trail and its records
    "audit_resume",  # an audit trail reopened under a DCC rebuilt from its history
    "config",  # the run-time configuration: eligibility, alerts, limits
    "dcc",  # the DCC facade: submit a request, receive a frame, deliver an alert
    "duis",  # DUIS messages, schema and signatures
    "enrolment",  # enrolling a device in SMKI and the inventory
    "errors",  # LocalProtocolError and RemoteProtocolError
    "identity",  # the DCC's own keys and certificates
    "inventory",  # the device inventory
    "outcome",  # what the DCC answers a request with, and the deliveries that go with it
    "persistence",  # saving a running DCC and restarting from it
    "pipeline",  # the table of stages a request passes
    "s1sp",  # the SMETS1 service provider: SR 1.6 to SMETS1 frames and back
    "smki",  # SMKI certificates, roles, CRLs and the repository
    "solr_register",  # Ofgem's SoLR notifications and instructions, and the SRP arrangements
    "sqlite_file",  # the SQLite file, its schemas, and the base of its components
    "state_store",  # the registries saved in the SQLite file
    "stored_values",  # how the SQLite files spell times and EUI-64s
    "users",  # DCC Users, their roles and responsible officers
]
