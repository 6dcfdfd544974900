"""Each stage reads the context of the phase it relies on, and the type checker holds the
pipeline to it: a stage placed before the stage that hands on its phase does not type-check."""

from __future__ import annotations

from pathlib import Path

import mypy.api

_PIPELINES = """\
from dcc.pipeline import Pipeline, Received, Stage, check_schema, check_xml, read_header

ordered = (
    Pipeline.reading(Received)
    .then(Stage("xml", "", "", "", check_xml))
    .then(Stage("schema", "", "", "", check_schema))
)
header_first = Pipeline.reading(Received).then(Stage("header", "", "", "", read_header))
"""


def test_a_stage_before_the_phase_it_reads_is_a_type_error(tmp_path: Path) -> None:
    source = tmp_path / "pipelines.py"
    source.write_text(_PIPELINES)
    report, _, status = mypy.api.run(
        ["--strict", "--follow-imports=silent", "--cache-dir", str(tmp_path / "cache"), str(source)]
    )
    errors = [line for line in report.splitlines() if ": error:" in line]
    assert status == 1 and len(errors) == 1, report
    assert errors[0].startswith(f"{source}:8: error:")
    assert "[Services, Verified]" in errors[0] and "[Services, Received]" in errors[0]
