"""A rehearsal as data: the scenario model a YAML file is checked against, its loader (errors
name the line and the field), the expectations judged on what a run logged, and the scenarios
shipped in the checkout.

The public modules are listed in ``__all__``.
"""

__all__ = [
    "expectations",  # a scenario's expectations judged on a run
    "loader",  # YAML in, a validated model out, errors pinned to lines
    "model",  # the scenario model
    "shipped",  # the scenarios shipped in the checkout
]
