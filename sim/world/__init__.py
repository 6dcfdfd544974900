"""The simpy world of a rehearsal: the population (cast and lazy fleet), the WAN, the DCC and
meter hosts, the SRP, Ofgem, faults and alert bursts, and the runner that drives them; the
testbed builds a small world for the rule tests."""
