"""Throughput and memory measurements of each layer, run by ``solrsim bench`` and the
``bench`` commands of ``gbcs``, ``duis`` and ``meter``; they print figures and assert nothing."""
