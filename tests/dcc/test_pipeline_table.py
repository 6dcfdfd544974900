"""The pipeline's policy lives in one table: the module's docstring, the reports' stage names and
the scenario model's known stages are all read from it."""

from __future__ import annotations

import re

import dcc.pipeline as pipeline
from sim.report.figures import STAGES as REPORTED
from sim.scenario.model import STAGE_NAMES


def test_the_docstring_table_lists_every_stage_in_order_with_its_answer() -> None:
    rows = re.findall(r"^    (\S+) +.*?  (E\d+|quarantine)", pipeline.__doc__ or "", re.MULTILINE)
    assert [name for name, _ in rows] == [stage.name for stage in pipeline.STAGES]
    for (_, answer), stage in zip(rows, pipeline.STAGES, strict=True):
        assert stage.on_failure.startswith(answer)


def test_reports_and_scenarios_know_the_same_stages_as_the_table() -> None:
    names = [stage.name for stage in pipeline.STAGES]
    assert list(REPORTED) == names == list(STAGE_NAMES)
    assert names[-1] == "act", "acting on a request is the table's last stage, not outside it"
