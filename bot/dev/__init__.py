"""Developer-only tools: evaluation, benchmarks, load, data builders. Nothing live imports them
(tests/test_layers.py)."""
