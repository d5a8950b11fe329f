"""Read and write Cinespace `.csp` 3D LUTs: a per-channel pre-LUT shaper, then a float cube.

This is the only module that knows the `.csp` layout::

    CSPLUTV100
    3D
    BEGIN METADATA               optional free text: lutml puts the title first, then comments
    ...
    END METADATA
    2                            pre-LUT of red: number of points,
    -0.1 1.2                     their input values (increasing),
    0 1                          their output values (the cube's [0, 1] coordinate)
    ... the same for green, then blue
    17 17 17                     cube size
    r g b                        n**3 float rows, RED changing fastest (like .cube)

The pre-LUT is interpolated with the Cinespace library's cubic Hermite spline (OpenColorIO
does the same; a 2-point pre-LUT is a straight line) and clamps at its first and last input.
`read_csp` turns it into:

- nothing, when every channel is an identity (OpenColorIO's rule: inputs = outputs within 1e-6);
- the LUT's domain, when every channel has 2 points mapping onto exactly [0, 1] (what
  `write_csp` writes for a LUT without shaper): exact;
- the original points, for `write_csp`'s straight-line form (below);
- otherwise a `LUT1D` shaper sampled from the spline (at the file's own points, plus 2^k - 1
  evenly spaced ones between each, at least 4096 in all, when the inputs are evenly spaced;
  4096 when they are not), followed by the cube on [0, 1].

`write_csp` writes a LUT without shaper as 2-point pre-LUTs (its domain onto [0, 1]: exact in
every reader). A shaper (outputs rescaled to the cube's domain) is written so that the spline
*is* lutml's straight lines between shaper points: each point is flanked by two points 1/1024
of a step away on those lines (`_polyline_points`), so the spline's slopes come from collinear
points everywhere but within 1/1024 of a step around each point (measured: OpenColorIO matches
`apply_lut` to 2e-6 on an x^0.45 shaper), and `read_csp` recognises the form and returns the
original points. Values outside [0, 1] are kept everywhere (floats); 1D `.csp` files are
refused.
"""

from __future__ import annotations

import os

import numpy as np

from lutml.atomic import write_text_atomic
from lutml.lut._fileutil import (
    float_rows,
    format_floats,
    numbered,
    parse_numbers,
    parse_rows,
    read_lines,
)
from lutml.lut.lut3d import LUT1D, LUT3D, MAX_SIZE, MIN_SIZE

SHAPER_SAMPLES = 4096  # fewest shaper entries a resampled pre-LUT spline gets
_IDENTITY_RTOL = 1e-6


def read_csp(path: str | os.PathLike[str]) -> LUT3D:
    """Read a 3D `.csp` file into a `LUT3D` (see the module docstring for the pre-LUT).

    Raises
    ------
    ValueError
        ``"<path> line <n>: <problem>"`` for a wrong header, a 1D file, malformed pre-LUTs
        (counts, decreasing inputs), an uneven cube size, rows without 3 numbers, too few or
        too many rows, NaN/inf.
    """
    where = str(path)
    lines = numbered(read_lines(path), comment=None)
    if not lines or not lines[0][1].upper().startswith("CSPLUTV100"):
        at = lines[0][0] if lines else 1
        raise ValueError(
            f"{where} line {at}: not a Cinespace file (the first line must be CSPLUTV100)"
        )
    kind = lines[1][1].upper() if len(lines) > 1 else ""
    if kind != "3D":
        at = lines[1][0] if len(lines) > 1 else lines[0][0]
        problem = (
            "a 1D .csp; lutml reads 3D .csp files only"
            if kind == "1D"
            else f"expected 3D (or 1D) after CSPLUTV100, got {kind!r}"
        )
        raise ValueError(f"{where} line {at}: {problem}")
    metadata, k = _metadata(lines, 2, where)
    preluts = []
    for channel in "RGB":
        stims, values, k = _prelut(lines, k, channel, where)
        preluts.append((stims, values))
    size, k = _cube_size(lines, k, where)
    rows = lines[k:]
    if len(rows) != size**3:
        if len(rows) < size**3:
            raise ValueError(
                f"{where} line {lines[-1][0]}: file ends after {len(rows)} table rows; "
                f"a {size}^3 cube needs {size**3} (truncated file?)"
            )
        raise ValueError(
            f"{where} line {rows[size**3][0]}: extra table row; a {size}^3 cube needs "
            f"exactly {size**3} rows, the file has {len(rows)}"
        )
    # red fastest -> [b, g, r] -> red first
    table = parse_rows(rows, 3, where).reshape(size, size, size, 3).transpose(2, 1, 0, 3)
    title, comments = (metadata[0], metadata[1:]) if metadata else ("", [])
    lut = LUT3D(table.astype(np.float32), title=title, comments=comments)
    return _with_prelut(lut, preluts)


def _metadata(lines: list[tuple[int, str]], k: int, where: str) -> tuple[list[str], int]:
    if k >= len(lines) or lines[k][1].upper() != "BEGIN METADATA":
        return [], k
    for j in range(k + 1, len(lines)):
        if lines[j][1].upper() == "END METADATA":
            return [text for _, text in lines[k + 1 : j]], j + 1
    raise ValueError(f"{where} line {lines[k][0]}: BEGIN METADATA without END METADATA")


def _prelut(lines: list[tuple[int, str]], k: int, channel: str, where: str):
    """(inputs, outputs) of one channel's pre-LUT (None, None for an identity), next index."""
    if k >= len(lines):
        raise ValueError(f"{where} line {lines[-1][0]}: file ends before the {channel} pre-LUT")
    line, text = lines[k]
    count = parse_numbers(line, text, where, integer=True)
    if count.size != 1 or not 0 <= count[0] <= 65536:
        raise ValueError(
            f"{where} line {line}: the {channel} pre-LUT needs its number of points "
            f"(0 to 65536), got {text!r}"
        )
    count = int(count[0])
    if count < 2:  # OpenColorIO: 0 or 1 points mean identity
        return None, None, k + 1
    if k + 2 >= len(lines):
        raise ValueError(f"{where} line {line}: file ends inside the {channel} pre-LUT")
    pair = []
    for j, what in ((k + 1, "inputs"), (k + 2, "outputs")):
        values = parse_numbers(*lines[j], where)
        if values.size != count:
            raise ValueError(
                f"{where} line {lines[j][0]}: the {channel} pre-LUT has {count} points "
                f"but {values.size} {what}"
            )
        pair.append(values)
    if np.any(np.diff(pair[0]) <= 0):
        raise ValueError(
            f"{where} line {lines[k + 1][0]}: the {channel} pre-LUT inputs must increase"
        )
    return pair[0], pair[1], k + 3


def _cube_size(lines: list[tuple[int, str]], k: int, where: str) -> tuple[int, int]:
    if k >= len(lines):
        raise ValueError(f"{where} line {lines[-1][0]}: file ends before the cube size line")
    line, text = lines[k]
    sizes = parse_numbers(line, text, where, integer=True)
    if sizes.size != 3 or len(set(sizes.tolist())) != 1:
        raise ValueError(
            f"{where} line {line}: expected the cube size as 3 equal whole numbers, "
            f"got {text!r} (lutml LUTs have as many nodes on every axis)"
        )
    if not MIN_SIZE <= sizes[0] <= MAX_SIZE:
        raise ValueError(
            f"{where} line {line}: cube size {sizes[0]} is out of range ({MIN_SIZE} to {MAX_SIZE})"
        )
    return int(sizes[0]), k + 1


def _with_prelut(lut: LUT3D, preluts: list) -> LUT3D:
    """Put the three pre-LUTs into `lut` as its domain or as a sampled shaper."""
    ident = [s is None or _is_identity(s, v) for s, v in preluts]
    if all(ident):
        return lut
    preluts = [
        (np.array([0.0, 1.0]), np.array([0.0, 1.0])) if s is None else (s, v) for s, v in preluts
    ]
    if all(len(s) == 2 and v[0] == 0 and v[1] == 1 for s, v in preluts):
        lut.domain_min = np.array([s[0] for s, _ in preluts], np.float32)
        lut.domain_max = np.array([s[1] for s, _ in preluts], np.float32)
        return lut
    polyline = [_polyline_nodes(s, v) for s, v in preluts]
    if all(p is not None for p in polyline) and len({len(p[1]) for p in polyline}) == 1:
        lut.shaper = LUT1D(
            np.stack([p[1] for p in polyline], axis=1),
            [p[0][0] for p in polyline],
            [p[0][-1] for p in polyline],
        )
        return lut
    count = _samples(preluts)
    columns, lo, hi = [], [], []
    for stims, values in preluts:
        x = np.linspace(stims[0], stims[-1], count)
        x[-1] = stims[-1]
        columns.append(cinespace_spline(stims, values, x))
        lo.append(stims[0])
        hi.append(stims[-1])
    lut.shaper = LUT1D(np.stack(columns, axis=1), lo, hi)
    return lut


def _is_identity(stims: np.ndarray, values: np.ndarray) -> bool:
    scale = np.maximum(np.abs(stims), np.abs(values))
    return bool(np.all(np.abs(stims - values) <= _IDENTITY_RTOL * scale))


def _polyline_nodes(stims: np.ndarray, values: np.ndarray) -> tuple[np.ndarray, np.ndarray] | None:
    """(nodes, values) if the pre-LUT is `write_csp`'s form of a straight-line shaper, else None.

    That form (see `_polyline_points`) is evenly spaced nodes, each flanked by two points close
    to it on the straight lines to its neighbours; the spline through them is those lines.
    """
    if len(stims) < 4 or len(stims) % 3 != 1:
        return None
    nodes, node_values = stims[0::3], values[0::3]
    m = len(nodes)
    step = (nodes[-1] - nodes[0]) / (m - 1)
    if not np.allclose(nodes, nodes[0] + step * np.arange(m), rtol=0, atol=0.01 * step):
        return None
    for offset in (1, 2):  # the point after each node, then the one before the next node
        x, y = stims[offset::3], values[offset::3]
        if not np.all((x > nodes[:-1]) & (x < nodes[1:])):
            return None
        line = np.interp(x, nodes, node_values)
        if not np.allclose(y, line, rtol=0, atol=1e-6 * max(1.0, float(np.ptp(node_values)))):
            return None
    return nodes, node_values


def _polyline_points(stims: np.ndarray, values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Pre-LUT points whose Cinespace spline is the straight lines between (stims, values).

    Each node gets a point just after and just before it (1/1024 of a step away, on the lines
    to its neighbours): inside a step the spline's slopes then come from collinear points, so it
    is exactly the line; only within 1/1024 of a step around a node can it round the corner.
    Positions are rounded to float32 first, so the values are on the line as written.
    """
    step = (stims[-1] - stims[0]) / (len(stims) - 1)
    after = (stims[:-1] + step / 1024).astype(np.float32).astype(np.float64)
    before = (stims[1:] - step / 1024).astype(np.float32).astype(np.float64)
    x = np.empty(3 * len(stims) - 2)
    x[0::3], x[1::3], x[2::3] = stims, after, before
    return x, np.interp(x, stims, values)


def _samples(preluts: list) -> int:
    """Shaper entries: the file's points plus evenly spaced ones between, when that fits all."""
    counts = set()
    for stims, _ in preluts:
        m = len(stims)
        step = (stims[-1] - stims[0]) / (m - 1)
        even = np.allclose(stims, stims[0] + step * np.arange(m), rtol=0, atol=0.01 * step)
        if not even or m == 2:
            counts.add(None if m > 2 else SHAPER_SAMPLES)
            continue
        per = 1 << max(0, int(np.ceil(np.log2((SHAPER_SAMPLES - 1) / (m - 1)))))
        counts.add(min((m - 1) * per + 1, 65536))
    return counts.pop() if len(counts) == 1 and None not in counts else SHAPER_SAMPLES


def cinespace_spline(stims: np.ndarray, values: np.ndarray, x: np.ndarray) -> np.ndarray:
    """The Cinespace pre-LUT curve through (stims, values) at `x`, clamped at both ends.

    Cubic Hermite per segment with slopes from the neighbouring points (one-sided quadratic
    segments at both ends; a straight line for 2 points), as in the Cinespace reference library
    that OpenColorIO embeds. Computed in float64.
    """
    s, f = np.asarray(stims, np.float64), np.asarray(values, np.float64)
    x = np.clip(np.asarray(x, np.float64), s[0], s[-1])
    i = np.clip(np.searchsorted(s, x, side="right") - 1, 0, len(s) - 2)
    width = s[i + 1] - s[i]
    z = (x - s[i]) / width
    f0, f1 = f[i], f[i + 1]
    if len(s) == 2:
        return f0 + z * (f1 - f0)
    fn1, f2 = f[np.maximum(i - 1, 0)], f[np.minimum(i + 2, len(s) - 1)]
    left = (s[i] - s[np.maximum(i - 1, 0)]) / width
    right = (s[np.minimum(i + 2, len(s) - 1)] - s[i + 1]) / width
    d0 = (f1 - fn1) / (1.0 + left)
    d1 = (f2 - f0) / (1.0 + right)
    first, last = i == 0, i == len(s) - 2
    a = f0
    b = np.where(first, -2 * f0 + 2 * f1 - d1, d0)
    c = np.where(first, f0 - f1 + d1, np.where(last, -f0 + f1 - d0, -3 * f0 - 2 * d0 + 3 * f1 - d1))
    d = np.where(first | last, 0.0, 2 * f0 + d0 - 2 * f1 + d1)
    return a + z * (b + z * (c + d * z))


def write_csp(lut: LUT3D, path: str | os.PathLike[str]) -> None:
    """Write `lut` as a 3D `.csp` atomically; domain and shaper go into the pre-LUT, floats kept."""
    write_text_atomic(path, format_csp(lut))


def format_csp(lut: LUT3D) -> str:
    """The `.csp` text `write_csp` writes (see there)."""
    meta = [" ".join(t.splitlines()).strip() for t in [lut.title, *lut.comments]]
    meta = [t for t in meta if t and t.upper() not in ("END METADATA", "BEGIN METADATA")]
    out = ["CSPLUTV100", "3D", "", "BEGIN METADATA", *meta, "END METADATA", ""]
    lo = lut.domain_min.astype(np.float64)
    span = lut.domain_max.astype(np.float64) - lo
    for c in range(3):
        if lut.shaper is None:
            stims, values = np.array([lut.domain_min[c], lut.domain_max[c]]), np.array([0.0, 1.0])
        else:
            s = lut.shaper
            stims = np.linspace(float(s.domain_min[c]), float(s.domain_max[c]), s.size)
            values = (s.table[:, c].astype(np.float64) - lo[c]) / span[c]
            if 3 * s.size - 2 <= 65536:
                stims, values = _polyline_points(
                    stims.astype(np.float32).astype(np.float64), values
                )
        out += [str(len(stims)), " ".join(format_floats(stims)), " ".join(format_floats(values))]
    n = lut.size
    out += ["", f"{n} {n} {n}"]
    # [r, g, b] -> [b, g, r] so that flattening makes red change fastest.
    return "\n".join(out) + "\n" + float_rows(lut.table.transpose(2, 1, 0, 3).reshape(-1, 3))
