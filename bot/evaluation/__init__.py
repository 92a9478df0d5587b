"""`make evaluate`: how well the running assistant answers the evaluation sets (tests/data/).

cases (reading the sets) -> runner (playing them against the servers) -> judge (each reply) ->
metrics (rates) -> report (tables, README, JSON). The command line is in __main__.
"""
