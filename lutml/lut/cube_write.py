"""Write `.cube` LUT files: the writing half of `lutml.lut.cube` (which reads them and documents
the format, the dialects and the 1D-only form). Rows list lattice nodes with red changing fastest.
"""

from __future__ import annotations

import os

import numpy as np

from lutml.atomic import atomic_path
from lutml.lut.cube import is_1d_only
from lutml.lut.lut3d import LUT1D, LUT3D


def write_cube(lut: LUT3D, path: str | os.PathLike[str]) -> None:
    """Write `lut` to `path` atomically (temp file + rename; nothing is left on failure).

    A LUT without shaper is written in the Iridas/Adobe dialect (``TITLE``, ``LUT_3D_SIZE``,
    ``DOMAIN_*`` only when not [0, 1]); a 1D-only LUT (see module docstring) as ``LUT_1D_SIZE``;
    a shaper + 3D LUT in the Resolve dialect (``LUT_*_INPUT_RANGE``, needing one range for all
    three channels). Resolve files carry no ``TITLE`` (OpenColorIO's Resolve parser refuses it):
    the title goes into the first comment. Numbers are written with the fewest significant digits
    that read back as exactly the same float32 (rounded, never truncated).
    """
    with atomic_path(path) as tmp, open(tmp, "w", encoding="utf-8", newline="\n") as fh:
        for piece in _cube_pieces(lut):  # a 256^3 table is 50 M numbers: written in pieces
            fh.write(piece)


def format_cube(lut: LUT3D) -> str:
    """The `.cube` text `write_cube` writes (see there)."""
    return "".join(_cube_pieces(lut))


def _cube_pieces(lut: LUT3D):
    """`format_cube`'s text in pieces: the header, then the rows a batch at a time."""
    title = " ".join(lut.title.replace('"', "'").splitlines())
    comments = [" ".join(c.splitlines()) for c in lut.comments]
    out: list[str] = []
    if lut.shaper is not None and not is_1d_only(lut):
        out += [f"# {title}"] if title else []
        out += [f"# {c}" if c else "#" for c in comments]
        for dim, (lo, hi), n in (
            ("1D", _shared_range(lut.shaper, "shaper"), lut.shaper.size),
            ("3D", _shared_range(lut, "3D table"), lut.size),
        ):
            out.append(f"LUT_{dim}_SIZE {n}")
            if (lo, hi) != (0.0, 1.0):
                out.append(f"LUT_{dim}_INPUT_RANGE {_format_numbers(np.array([lo, hi]))}")
        yield "\n".join(out) + "\n"
        yield _format_rows(lut.shaper.table)
        yield from _rows_3d(lut)
        return
    out += [f'TITLE "{title}"'] if title else []
    out += [f"# {c}" if c else "#" for c in comments]
    if lut.shaper is not None:  # 1D-only
        shaper = lut.shaper
        lo, hi, size, rows = (
            shaper.domain_min,
            shaper.domain_max,
            f"LUT_1D_SIZE {shaper.size}",
            iter([_format_rows(shaper.table)]),
        )
    else:
        lo, hi, size, rows = (
            lut.domain_min,
            lut.domain_max,
            f"LUT_3D_SIZE {lut.size}",
            _rows_3d(lut),
        )
    out.append(size)
    if np.any(lo != 0) or np.any(hi != 1):
        out += [f"DOMAIN_MIN {_format_numbers(lo)}", f"DOMAIN_MAX {_format_numbers(hi)}"]
    yield "\n".join(out) + "\n"
    yield from rows


def _shared_range(lut: LUT3D | LUT1D, what: str) -> tuple[float, float]:
    lo, hi = lut.domain_min, lut.domain_max
    if np.ptp(lo) or np.ptp(hi):
        raise ValueError(
            f"cannot write a per-channel domain for the {what} of a shaper + 3D .cube "
            f"(the Resolve dialect has one range for all channels): {lo} to {hi}"
        )
    return float(lo[0]), float(hi[0])


def _rows_3d(lut: LUT3D):
    """The 3D rows' text, a blue slice (or a part of one) at a time."""
    # [r, g, b] -> [b, g, r] so that flattening makes red change fastest.
    by_blue = lut.table.transpose(2, 1, 0, 3)
    for b in range(by_blue.shape[0]):
        yield _format_rows(np.ascontiguousarray(by_blue[b]).reshape(-1, 3))


def _format_numbers(values: np.ndarray) -> str:
    return " ".join(_shortest_float32(np.asarray(values, dtype=np.float32).ravel()))


def _format_rows(rows: np.ndarray) -> str:
    """Rows of 3 numbers, one per line, ending with a newline."""
    it = iter(_shortest_float32(rows.ravel()))
    return "\n".join(map(" ".join, zip(it, it, it, strict=True))) + "\n"


def _shortest_float32(values: np.ndarray) -> list[str]:
    """Shortest decimal text of each float32 that reads back as exactly that float32.

    NumPy's float32 ``str`` is the shortest round-trip form; it is re-checked with the reader's
    own parse (float64, then float32) so what is written is exactly what `read_cube` returns.
    ``-0`` is written as ``0`` and ``1.0`` as ``1``.
    """
    values = np.asarray(values, dtype=np.float32) + np.float32(0.0)
    text = [t[:-2] if t.endswith(".0") else t for t in map(str, values)]
    back = np.array(text, dtype=np.float64).astype(np.float32)
    for k in np.flatnonzero(back != values):  # double rounding (never seen): fall back to 9 digits
        text[k] = f"{float(values[k]):.9g}"
        if np.float32(float(text[k])) != values[k]:
            raise AssertionError(f"float32 {values[k]!r} does not round-trip as {text[k]}")
    return text
