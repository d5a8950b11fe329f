"""Benchmarks: `python -m lutml.bench NAME` (apply, fit, looks, synth, train, web). Each prints ratios
against the reference implementation measured in the same run."""

from __future__ import annotations

import argparse


def bench_parser(name: str, doc: str | None) -> argparse.ArgumentParser:
    """The parser of `python -m lutml.bench NAME`: `doc` (the module's docstring) is its help text,
    printed as written."""
    return argparse.ArgumentParser(
        prog=f"python -m lutml.bench {name}",
        description=doc,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
