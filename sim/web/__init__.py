"""DUIS over HTTP: the simulated DCC behind DCC Boxed's web service paths (``solrsim serve``)."""
