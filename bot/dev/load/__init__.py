"""`make load` and the cluster benchmark: locust patients (locustfile.py, run in locust's own
virtual environment) and what their ledger shows (report.py)."""
