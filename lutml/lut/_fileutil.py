"""What the LUT file formats share: text lines with their numbers, number rows, format limits.

Each format module (`cube`, `threedl`, `csp`, `clf`, `hald`) owns its layout; this module only
holds the parsing and checking every text format needs, so that each error names the file and
the line (``"look.3dl line 12: expected 3 numbers, got 2"``) the same way, and the one policy for
formats that cannot hold a LUT as it is: clip or bake, and say so with a `LutFormatWarning`.
"""

from __future__ import annotations

import os
import re
import warnings

import numpy as np

from lutml.lut.apply import apply_lut
from lutml.lut.cube import _NUMBER, open_regular  # noqa: F401
from lutml.lut.cube_write import _shortest_float32  # noqa: F401
from lutml.lut.lut3d import LUT3D, identity_table

_F32_MAX = float(np.finfo(np.float32).max)
_INTEGER = re.compile(r"[+-]?\d+", re.ASCII)


class LutFormatWarning(UserWarning):
    """A LUT was changed to fit a file format: values clipped, a shaper baked, precision lost."""


# Largest LUT file the whole-file readers (.3dl, .csp, .clf) take: a 65^3 table is 3-8 MB in
# these formats, 129^3 20-60 MB; parsing holds ~15x the file in memory (Python strings), so
# this bounds it near 1.5 GB. (.cube is read in pieces: `lutml.lut.cube.MAX_CUBE_BYTES`.)
MAX_TEXT_LUT_BYTES = 96 << 20


def read_lines(path: str | os.PathLike[str], what: str = "LUT") -> list[str]:
    """The text lines of `path` (UTF-8 with or without BOM, else Latin-1; any line ends); a
    regular file of at most `MAX_TEXT_LUT_BYTES`."""
    with open_regular(path, MAX_TEXT_LUT_BYTES, what) as fh:
        raw = fh.read()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = raw.decode("latin-1")  # numbers are ASCII; only free text may be Latin-1
    return text.splitlines()


def numbered(lines: list[str], comment: str | None = "#") -> list[tuple[int, str]]:
    """Non-empty lines as (1-based line number, text without comment, stripped)."""
    out = []
    for i, line in enumerate(lines):
        if comment is not None and comment in line:
            line = line[: line.index(comment)]
        text = line.strip()
        if text:
            out.append((i + 1, text))
    return out


def parse_rows(
    rows: list[tuple[int, str]], width: int, where: str, integer: bool = False
) -> np.ndarray:
    """Rows of `width` numbers each -> float64 (or int64) array (len(rows), width).

    Raises ``ValueError("<where> line <n>: <problem>")`` for a row with another count, a token
    that is not an ASCII decimal number (an integer when `integer`), NaN, infinity or a value
    beyond float32.
    """
    for line, text in rows:
        count = len(text.split())
        if count != width:
            raise ValueError(f"{where} line {line}: expected {width} numbers, got {count}")
    joined = " ".join(text for _, text in rows)
    tokens = joined.split()
    if not tokens:
        return np.zeros((0, width), np.int64 if integer else np.float64)
    values = None
    if joined.isascii() and "_" not in joined:  # else a token int()/float() would misread
        try:
            with np.errstate(over="ignore"):
                values = np.array(tokens, dtype=np.int64 if integer else np.float64)
        except (ValueError, OverflowError):
            pass
    if values is None or not integer and not np.all(np.abs(values) <= _F32_MAX):
        _raise_bad_token(tokens, [line for line, _ in rows], width, where, integer)
    return values.reshape(-1, width)


def parse_numbers(line: int, text: str, where: str, integer: bool = False) -> np.ndarray:
    """All numbers of one line (any count) -> float64 or int64 array, or a ValueError naming it."""
    count = len(text.split())
    return parse_rows([(line, text)], count, where, integer).reshape(-1)


def _raise_bad_token(
    tokens: list[str], lines: list[int], width: int, where: str, integer: bool
) -> None:
    pattern = _INTEGER if integer else _NUMBER
    for k, token in enumerate(tokens):
        at = f"{where} line {lines[k // width]}"
        if not pattern.fullmatch(token):
            kind = "a whole number" if integer else "a number"
            raise ValueError(f"{at}: {token!r} is not {kind}")
        if integer:
            continue
        value = float(token)
        if not np.isfinite(value):
            raise ValueError(f"{at}: NaN or infinite value {token!r}")
        if abs(value) > _F32_MAX:
            raise ValueError(f"{at}: {token!r} overflows float32")
    raise ValueError(f"{where}: a number could not be read")  # a 19+ digit integer


def format_floats(values: np.ndarray) -> list[str]:
    """Shortest decimal text of each value that reads back as exactly the same float32."""
    return _shortest_float32(np.asarray(values, dtype=np.float32).ravel())


_ROWS_AT_ONCE = 1 << 16  # rows formatted at a time: a 256^3 table is 50 M numbers


def float_rows(rows: np.ndarray) -> str:
    """(N, 3) numbers as lines of 3 shortest float32 texts, each line ending with a newline
    (formatted a batch of rows at a time: no list of N * 3 strings)."""
    out = []
    for k in range(0, len(rows), _ROWS_AT_ONCE):
        it = iter(format_floats(rows[k : k + _ROWS_AT_ONCE]))
        out.append("".join(f"{a} {b} {c}\n" for a, b, c in zip(it, it, it, strict=True)))
    return "".join(out)


def int_rows(codes: np.ndarray) -> str:
    """(N, 3) integers as lines "r g b" joined by newlines (no final newline), in batches."""
    return "\n".join(
        "\n".join(map(" ".join, codes[k : k + _ROWS_AT_ONCE].astype(str).tolist()))
        for k in range(0, len(codes), _ROWS_AT_ONCE)
    )


def unit_domain(lut: LUT3D) -> bool:
    """True if `lut` is a plain 3D table on [0, 1]: no shaper, default domain."""
    return lut.shaper is None and bool(np.all(lut.domain_min == 0) and np.all(lut.domain_max == 1))


def plain_table(lut: LUT3D, what: str) -> np.ndarray:
    """The (n, n, n, 3) table of `lut` as a plain LUT on [0, 1] inputs, for formats without
    shaper or input range (`what` names the format and file in the warning).

    A LUT with a shaper or another domain is evaluated (tetrahedral, like `apply_lut`) at the
    nodes of an n^3 lattice on [0, 1]; inputs outside its domain are clamped as always.
    """
    if unit_domain(lut):
        return lut.table

    parts = ["1D shaper"] if lut.shaper is not None else []
    if not (np.all(lut.domain_min == 0) and np.all(lut.domain_max == 1)):
        parts.append(f"input range {_vec(lut.domain_min)} to {_vec(lut.domain_max)}")
    warnings.warn(
        f"{what} holds a plain 3D table on inputs [0, 1]; the LUT's {' and '.join(parts)} "
        f"was baked into {lut.size}^3 nodes on [0, 1] (exact at the nodes, interpolated between)",
        LutFormatWarning,
        stacklevel=3,
    )
    nodes = identity_table(lut.size).astype(np.float64)
    return apply_lut(lut, nodes).astype(np.float32)


def clip_unit(table: np.ndarray, what: str) -> np.ndarray:
    """`table` clipped to [0, 1], with a `LutFormatWarning` saying how much was outside."""
    outside = (table < 0) | (table > 1)
    if np.any(outside):
        warnings.warn(
            f"{what} holds outputs in [0, 1] only: {int(outside.sum()):,} of {table.size:,} values "
            f"(range {float(table.min()):.6g} to {float(table.max()):.6g}) were clipped; "
            "write .cube, .csp or .clf to keep them",
            LutFormatWarning,
            stacklevel=3,
        )
    return np.clip(table, 0.0, 1.0)


def _vec(v: np.ndarray) -> str:
    return "[" + ", ".join(f"{float(x):g}" for x in v) + "]"
