"""What a run leaves behind: the wire log and its events, the running tallies, and the reports
written from them (report.json, junit.xml, report.html with its charts, events.jsonl).

The public modules are listed in ``__all__``; a module whose name starts with an underscore
(charts, the HTML, JSON and JUnit writers) is how :mod:`sim.report.files` writes the reports,
not API.
"""

__all__ = [
    "events",  # the event log and what a run hands to its reports
    "figures",  # a run's figures in plain words
    "files",  # the report folder: events.jsonl, report.json, junit.xml, report.html
    "tally",  # the running counts of a rehearsal
    "wire_log",  # the clock and the wire log
]
