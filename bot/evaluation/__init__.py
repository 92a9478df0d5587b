"""How well a running assistant answers evaluation cases: a library, no command line.

cases (reading the sets) -> runner (playing them against the servers) -> judge (each reply) ->
metrics (rates) -> report (tables, JSON). `make evaluate` (bot/dev/evaluate.py) and the console's
release gate (bot/console/gate.py) both use it.
"""
