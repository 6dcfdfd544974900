"""Throughput and memory measurements of each layer, run by ``solrsim bench`` and the
``bench`` commands of ``gbcs``, ``duis`` and ``meter``; they print figures and assert nothing.

The public modules are listed in ``__all__``, one per benchmark; a module whose name starts with
an underscore (how they measure, where the conformance corpus is, the crypto floor a rehearsal
is held against) serves them and is not API.
"""

__all__ = [
    "audit_trail",  # audit rows written per second on a WAL file
    "dcc_pipeline",  # SR 1.6 through the whole pipeline
    "duis_signatures",  # DUIS XML signing and verifying against signxml
    "gbcs_corpus",  # decoding and verifying the RTDS corpus
    "meters",  # virtual meters: commands per second and memory
    "rehearsal",  # a whole rehearsal at several fleet sizes
    "web_load",  # solrsim serve under load over loopback
]
