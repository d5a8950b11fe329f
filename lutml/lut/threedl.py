"""Read and write Autodesk `.3dl` LUTs (Flame/Nuke and Lustre styles): integer codes, blue fastest.

This is the only module that knows the `.3dl` layout::

    # comments                   anywhere ('#' to the end of the line)
    3DMESH                       Lustre style only: the mesh header ...
    Mesh 4 12                    ... 2**4 + 1 = 17 nodes per axis, 12-bit output codes
    0 64 128 ... 960 1023        the input line: the input code of each node (here 10-bit)
    0 0 0                        n**3 rows of output codes r g b; BLUE changes fastest, then
    0 0 255                      green, red slowest -- the row order of `LUT3D.table[r, g, b]`
    ...
    LUT8                         Lustre trailer tokens (ignored)
    gamma 1.0

Bit depths are not written down in the Flame/Nuke style: readers (Flame, Nuke, OpenColorIO)
infer the input depth from the last input code (1023 -> 10 bits) and the output depth from the
largest output code (OpenColorIO's rule: the even depth 8/10/12/16 whose range, allowing 2x
overshoot, holds it). `read_3dl` does the same, unless a Lustre ``Mesh`` line states the output
depth. Input lines within 2 codes of an even spacing are evenly spaced nodes (OpenColorIO's
tolerance: writers put node 16 of 17 at 1023 or 1024 * 16 / 16 - 1 alike); other input lines
are a disguised shaper, which lutml refuses rather than guess its meaning.

The format holds integers in [0, 2**bits - 1] on inputs [0, 1]: `write_3dl` clips outputs outside
[0, 1] and bakes a shaper or another input range into the table, each with a `LutFormatWarning`,
and rounds to the nearest code (12 bits: at most 1.2e-4 off).
"""

from __future__ import annotations

import os
import warnings

import numpy as np

from lutml.atomic import write_text_atomic
from lutml.lut._fileutil import (
    LutFormatWarning,
    clip_unit,
    int_rows,
    numbered,
    parse_rows,
    plain_table,
    read_lines,
)
from lutml.lut.lut3d import LUT3D, MAX_SIZE

BIT_DEPTHS = (8, 10, 12, 16)
STYLES = ("flame", "lustre")
_KEYWORDS = ("3DMESH", "MESH", "LUT8", "LUT10", "LUT12", "LUT16", "GAMMA")
_LOWEST_MAX_CODE = 128  # OpenColorIO: a largest code below this is not a .3dl


def read_3dl(path: str | os.PathLike[str]) -> LUT3D:
    """Read a `.3dl` file into a `LUT3D` on [0, 1] (outputs = codes / (2**bits - 1)).

    Raises
    ------
    ValueError
        ``"<path> line <n>: <problem>"``: rows without 3 whole numbers, a second input line,
        a row count that is not the cube of the node count, an unevenly spaced input line, a
        bit depth that cannot be told, unknown keywords.
    """
    where = str(path)
    lines = read_lines(path)
    comments = [line.strip()[1:].strip() for line in lines if line.strip().startswith("#")]
    mesh, mesh_line, shaper, rows = None, 0, None, []
    for line, text in numbered(lines):
        first = text.split()[0]
        if first[0].isalpha() or first.upper() == "3DMESH":
            if first.upper() not in _KEYWORDS:
                raise ValueError(
                    f"{where} line {line}: unknown keyword {first!r} "
                    "(a .3dl holds rows of whole numbers; 3DMESH, Mesh, LUT8, gamma)"
                )
            if first.upper() == "MESH":
                mesh, mesh_line = (
                    parse_rows([(line, text[len(first) :])], 2, where, integer=True)[0],
                    line,
                )
            continue
        count = len(text.split())
        if count > 3:
            if shaper is not None or rows:
                what = (
                    "a second input line"
                    if shaper is not None
                    else "the input line after table rows"
                )
                raise ValueError(
                    f"{where} line {line}: {what} ({count} numbers); a table row has 3 numbers"
                )
            shaper = (line, parse_rows([(line, text)], count, where, integer=True)[0])
        else:
            rows.append((line, text))
    size = _size(shaper, mesh, mesh_line, rows, where)
    codes = parse_rows(rows, 3, where, integer=True)
    if np.any(codes < 0):
        k = int(np.flatnonzero(np.any(codes < 0, axis=1))[0])
        raise ValueError(f"{where} line {rows[k][0]}: negative code value in a .3dl")
    if shaper is not None:
        _check_even_input(*shaper, where)
    bits = (
        int(mesh[1])
        if mesh is not None
        else _likely_bits(int(codes.max()), where, rows[-1][0], "table")
    )
    table = (codes / (2.0**bits - 1)).reshape(
        size, size, size, 3
    )  # blue fastest = [r, g, b] C order
    title = ""
    if comments and comments[0].startswith("TITLE"):
        title = comments.pop(0)[5:].strip().strip('"')
    return LUT3D(table.astype(np.float32), title=title, comments=comments)


def _size(shaper, mesh, mesh_line: int, rows: list, where: str) -> int:
    """Nodes per axis from the input line, the Mesh line or the row count; rows must match."""
    if shaper is not None:
        size, said = len(shaper[1]), f"the input line (line {shaper[0]}) has {len(shaper[1])} nodes"
    elif mesh is not None:
        size, said = 2 ** int(mesh[0]) + 1, f"Mesh {mesh[0]} means {2 ** int(mesh[0]) + 1} nodes"
    else:
        size = round(len(rows) ** (1 / 3)) if rows else 0
        if size**3 != len(rows) or not rows:
            at = rows[-1][0] if rows else 1
            raise ValueError(
                f"{where} line {at}: {len(rows)} table rows is not n^3 for any n, "
                "and there is no input line to give n"
            )
        said = f"{len(rows)} rows"
    if mesh is not None and 2 ** int(mesh[0]) + 1 != size:
        raise ValueError(
            f"{where} line {mesh_line}: Mesh {mesh[0]} means {2 ** int(mesh[0]) + 1} "
            f"nodes per axis, but {said}"
        )
    if mesh is not None and not 8 <= int(mesh[1]) <= 16:
        raise ValueError(f"{where} line {mesh_line}: output bit depth {mesh[1]} is not 8 to 16")
    if not 2 <= size <= MAX_SIZE:
        raise ValueError(
            f"{where} line {shaper[0] if shaper else mesh_line}: {size} nodes per axis "
            f"is out of range (2 to {MAX_SIZE})"
        )
    if len(rows) != size**3:
        if len(rows) < size**3:
            at = rows[-1][0] if rows else (shaper[0] if shaper else mesh_line)
            raise ValueError(
                f"{where} line {at}: file ends after {len(rows)} table rows; "
                f"{said}, which needs {size**3} (truncated file?)"
            )
        raise ValueError(
            f"{where} line {rows[size**3][0]}: extra table row; {said}, "
            f"which needs exactly {size**3} rows, the file has {len(rows)}"
        )
    return size


def _likely_bits(largest: int, where: str, line: int, what: str) -> int:
    """The bit depth readers infer from the largest code, or a ValueError if it is implausible."""
    if largest < _LOWEST_MAX_CODE:
        raise ValueError(
            f"{where} line {line}: the largest {what} code is {largest}, too low to tell "
            "the bit depth (is this a .3dl file?)"
        )
    return _inferred_bits(largest)


def _inferred_bits(largest: int) -> int:
    """OpenColorIO's inference: the even depth whose range, with 2x overshoot, holds `largest`."""
    for bits in (8, 10, 12, 14):
        if largest <= 2 ** (bits + 1) - 1:
            return 16 if bits == 14 else bits  # 14-bit files are not used in practice
    return 16


def _check_even_input(line: int, codes: np.ndarray, where: str) -> None:
    bits = _likely_bits(int(codes.max()), where, line, "input")
    even = np.arange(len(codes)) * ((2.0**bits - 1) / (len(codes) - 1))
    off = np.abs(codes - even)
    if np.any(off >= 2):
        k = int(np.argmax(off >= 2))
        raise ValueError(
            f"{where} line {line}: the input line is not evenly spaced: node {k} is at code "
            f"{codes[k]}, an even {bits}-bit mesh of {len(codes)} nodes has it at {even[k]:.1f}; "
            "lutml reads only evenly spaced .3dl meshes (an uneven one is a shaper whose meaning "
            "readers disagree on)"
        )


def write_3dl(
    lut: LUT3D,
    path: str | os.PathLike[str],
    *,
    input_bits: int = 10,
    output_bits: int = 12,
    style: str = "flame",
) -> None:
    """Write `lut` as a `.3dl` atomically (nothing is left on failure).

    Parameters
    ----------
    input_bits : 8, 10 (default), 12 or 16
        Bit depth of the input line (node positions).
    output_bits : 8, 10, 12 (default) or 16
        Bit depth of the output codes.
    style : "flame" (default: input line + rows, as Flame, Nuke, Resolve and OpenColorIO write)
        or "lustre" (adds ``3DMESH`` / ``Mesh m bits`` and the ``LUT8`` / ``gamma`` trailer;
        needs 2**m + 1 nodes per axis).

    Warns
    -----
    LutFormatWarning
        Outputs outside [0, 1] were clipped; a shaper or input range was baked in; the largest
        output code is so low that readers inferring the bit depth would misread it.
    """
    write_text_atomic(
        path,
        format_3dl(
            lut, input_bits=input_bits, output_bits=output_bits, style=style, where=str(path)
        ),
    )


def format_3dl(
    lut: LUT3D,
    *,
    input_bits: int = 10,
    output_bits: int = 12,
    style: str = "flame",
    where: str = ".3dl",
) -> str:
    """The `.3dl` text `write_3dl` writes (see there)."""
    n = lut.size
    for name, bits in (("input_bits", input_bits), ("output_bits", output_bits)):
        if bits not in BIT_DEPTHS:
            raise ValueError(f"{where}: .3dl {name} must be one of {BIT_DEPTHS}, got {bits}")
    if style not in STYLES:
        raise ValueError(f"{where}: .3dl style must be one of {STYLES}, got {style!r}")
    if n < 4:
        raise ValueError(
            f"{where}: a .3dl needs at least 4 nodes per axis (its input line of {n} "
            "numbers would read as a table row); resample the LUT (lutml convert --size 17)"
        )
    mesh_bits = (n - 1).bit_length() - 1
    if style == "lustre" and 2**mesh_bits + 1 != n:
        raise ValueError(
            f"{where}: the Lustre .3dl style needs 2^m + 1 nodes per axis (17, 33, 65, "
            f"129, 257), not {n}; use style 'flame' or resample"
        )
    what = f"{where} (.3dl, {output_bits}-bit integers)"
    table = clip_unit(plain_table(lut, what), what)
    top = 2**output_bits - 1
    codes = np.floor(table.astype(np.float64) * top + 0.5).astype(np.int64).reshape(-1, 3)
    if output_bits > 8 and codes.max() < 2 ** (output_bits - 1):
        warnings.warn(
            f"{where}: the largest output code is {codes.max()} of {top}; Flame, Nuke and "
            f"OpenColorIO infer the bit depth from the largest value and would read this "
            f"{output_bits}-bit file as {_inferred_bits(int(codes.max()))}-bit (far too bright)",
            LutFormatWarning,
            stacklevel=3,
        )
    out = [f'# TITLE "{" ".join(lut.title.splitlines())}"'] if lut.title else []
    out += [f"# {' '.join(c.splitlines())}".rstrip() for c in lut.comments]
    if style == "lustre":
        out += ["3DMESH", f"Mesh {mesh_bits} {output_bits}"]
    out += [" ".join(map(str, _input_codes(n, input_bits))), ""]
    body = int_rows(codes)
    tail = "\n\nLUT8\ngamma 1.0\n" if style == "lustre" else "\n"
    return "\n".join(out) + "\n" + body + tail


def _input_codes(n: int, bits: int) -> list[int]:
    """Input code of each node: Autodesk's i * 2**bits / (n - 1) capped at the top code when
    n - 1 divides 2**bits (0 64 ... 960 1023), else the nearest code of i / (n - 1)."""
    top = 2**bits - 1
    if (2**bits) % (n - 1) == 0:
        return [min(i * 2**bits // (n - 1), top) for i in range(n)]
    return [int(np.floor(i * top / (n - 1) + 0.5)) for i in range(n)]
