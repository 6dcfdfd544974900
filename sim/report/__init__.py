"""What a run leaves behind: the wire log and its events, the running tallies, and the reports
written from them (report.json, junit.xml, report.html with its charts, events.jsonl), and those
of a feature run (cucumber.json, the scenarios' report.html).

The public modules are listed in ``__all__``; a module whose name starts with an underscore
(charts, the HTML, JSON, JUnit and Cucumber writers) is how :mod:`sim.report.files` and
:mod:`sim.report.feature_files` write the reports, not API.
"""

__all__ = [
    "event_files",  # events.jsonl on disk, plain or compressed, and how to read it back
    "events",  # the event log and what a run hands to its reports
    "feature_files",  # a feature run's report folder
    "feature_run",  # what a feature run hands to its reports
    "figures",  # a run's figures in plain words
    "files",  # the report folder: events.jsonl, report.json, junit.xml, report.html
    "tally",  # the running counts of a rehearsal
    "wire_log",  # the clock and the wire log
]
