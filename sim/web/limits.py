"""The web service's limits and timeouts, in one place; the README's "DUIS over HTTP" lists them.

Imported by the command line without loading the web stack.
"""

from __future__ import annotations

# Seconds a request, headers and body, has from its first byte (or from the connection opening)
# to arrive whole: a DUIS request is at most 1 MiB, seconds on the slowest link a User would use.
REQUEST_TIMEOUT = 15.0
# Seconds a User's endpoint has to answer a POST before it is counted as failed and retried.
DELIVERY_TIMEOUT = 30.0
# How much of a refused request the live wire log keeps, besides its size and SHA-256.
KEPT_BYTES = 512
