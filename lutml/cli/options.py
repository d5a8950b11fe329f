"""Options that several `lutml` commands take, defined once: the same flag, type, default, choices
and metavar in each; every command's help says what the option means for it."""

from __future__ import annotations

import argparse


def add_strength(p: argparse.ArgumentParser, help: str) -> None:
    """``--strength`` (float, default 1.0: the full look)."""
    p.add_argument("--strength", type=float, default=1.0, help=help)


def add_interpolation(p: argparse.ArgumentParser, help: str) -> None:
    """``--interpolation`` tetrahedral (default) or trilinear."""
    p.add_argument(
        "--interpolation", choices=["tetrahedral", "trilinear"], default="tetrahedral", help=help
    )


def add_input_space(p: argparse.ArgumentParser, help: str) -> None:
    """``--input-space NAME`` (default None: display sRGB)."""
    p.add_argument("--input-space", default=None, metavar="NAME", help=help)
