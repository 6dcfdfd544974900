"""Virtual meters, the sans-IO state machines every host drives, and the serial bridge.

The public modules are listed in ``__all__``; a module whose name starts with an underscore is
how the meters are built, not API. The GBCS wire layer is the sub-package :mod:`devices.gbcs`.
"""

__all__ = [
    "credentials",  # a device's keys and the trust anchors it holds
    "esme",  # the SMETS2+ electricity meter
    "fleet",  # meters created on first use, by EUI-64
    "gbcs",  # the GBCS wire layer
    "gsme",  # the SMETS2+ gas meter
    "logs",  # a meter's Event and Security Logs
    "meter",  # the Meter protocol every host drives, and the payment account
    "meter_keys",  # a meter's keys from a lab's key folder or from a seed
    "serial",  # a meter behind a serial port, and the lab client
    "serial_framing",  # the frames on that serial line
    "serial_probe",  # a lab's smoke test of a meter on a serial port
    "smets1",  # the SMETS1 meter
    "smets1_frame",  # the frames between the S1SP and a SMETS1 meter
    "smets2",  # what the ESME and GSME share: checks, account, alerts
]
