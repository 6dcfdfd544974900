"""A rehearsal as data: the scenario model a YAML file is checked against, its loader (errors
name the line and the field), the expectations judged on what a run logged, and the scenarios
shipped in the checkout."""
