"""DUIS over HTTP: the simulated DCC behind DCC Boxed's web service paths (``solrsim serve``).

The public modules are listed in ``__all__``; a module whose name starts with an underscore (body
reading, deadlines, refusals, the SMKI lookup) is how the server is built, not API.
"""

__all__ = [
    "app",  # the Starlette app: DCC Boxed's DUIS paths and the SMKI lookup
    "boxed",  # a population with the DCC Boxed test identities
    "boxed_smki",  # DCC Boxed's SMKI interface as its clients call it
    "delivery",  # asynchronous documents to each User's receiver
    "journal",  # the state folder of solrsim serve --state
    "limits",  # the web service's limits and timeouts
    "live",  # the world on a wall clock
    "resume",  # the world rebuilt from its state folder
    "server",  # uvicorn and the live simulation together
    "smki_port",  # SMKI over HTTP around a live simulation
]
