"""Benchmarks: `python -m lutml.bench NAME` (apply, fit, looks, synth, train, web). Each prints ratios
against the reference implementation measured in the same run."""
