"""The simpy world of a rehearsal: the population (cast and lazy fleet), the WAN, the DCC and
meter hosts, the SRP, Ofgem, faults and alert bursts, and the runner that drives them; the
testbed builds a small world for the rule tests.

The public modules are listed in ``__all__``; a module whose name starts with an underscore
(alert bursts, faults) is a part the runner drives, not API.
"""

__all__ = [
    "cast",  # the parties of a world and their enrolment
    "dcc_host",  # the DCC inside simpy
    "duis_client",  # what a User's system does with DUIS, as pure functions
    "key_export",  # a rehearsal's keys in the RTDS layout
    "meter_host",  # the fleet's end of the WAN
    "ofgem",  # Ofgem: the supplier fails, its certificates are revoked
    "physical",  # physical meters on serial ports
    "population",  # the cast and the fleet, from scenario and seed
    "runner",  # a rehearsal end to end
    "srp",  # the Shared Resource Provider
    "testbed",  # a small world for the rule tests
    "wan",  # the simulated WAN
]
