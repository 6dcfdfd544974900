"""What a run leaves behind: the wire log and its events, the running tallies, and the reports
written from them (report.json, junit.xml, report.html with its charts, events.jsonl)."""
