"""Benchmarks: `python -m lutml.bench NAME` (apply, fit, train, pipeline). Each prints ratios
against the reference implementation measured in the same run."""
