"""Read and write Academy/ASC Common LUT Format (CLF 3.0) files: XML, float32, ranges kept.

This is the only module that knows the CLF layout. A `LUT3D` is written as one ``ProcessList``::

    <ProcessList compCLFversion="3.0" id="urn:uuid:...">
      <Description>title</Description>            then one per comment
      <Range> or <Matrix>                           the shaper's input range, if not [0, 1]
      <LUT1D><Array dim="m 3">                      the shaper, if any
      <Range> or <Matrix>                           the 3D table's input range, if not [0, 1]
      <LUT3D interpolation="tetrahedral"><Array dim="n n n 3">   rows with BLUE fastest
    </ProcessList>

A range shared by the three channels is a ``Range`` (min/max in -> 0/1 out, clamping, exact);
per-channel ranges are a diagonal ``Matrix`` with offsets (the LUT clamps to [0, 1] after it).
Values are 32-bit float: outputs outside [0, 1] are kept exactly.

`read_clf` takes that form and any CLF (2.0 or 3.0, with or without the SMPTE ST 2136-1
namespace) of the same shape: ``Range`` and diagonal ``Matrix`` operators (any number, composed),
an optional ``LUT1D`` (``dim="m 1"`` or ``"m 3"``), then a ``LUT3D`` (or a ``LUT1D`` alone, read
as a shaper before a pass-through lattice, as `read_cube` does for 1D files), with integer or
float bit depths (``8i`` .. ``32f``; arrays are scaled by the output depth). Operators lutml
cannot hold -- ``Log``, ``Exponent``, ``ASC_CDL``, channel-mixing matrices, half-domain LUTs,
operators after the ``LUT3D`` -- are refused naming the element and its line. ``bypass="true"``
operators are skipped, as the format says.
"""

from __future__ import annotations

import hashlib
import os
import re
import uuid
from dataclasses import dataclass, field
from xml.parsers import expat
from xml.sax.saxutils import escape

import numpy as np

from lutml.atomic import write_text_atomic
from lutml.lut._fileutil import (
    MAX_TEXT_LUT_BYTES,
    float_rows,
    format_floats,
    open_regular,
    parse_numbers,
)
from lutml.lut.cube import _passthrough_3d
from lutml.lut.lut3d import LUT1D, LUT3D, MAX_SIZE, MIN_SIZE

SCALES = {"8i": 255.0, "10i": 1023.0, "12i": 4095.0, "16i": 65535.0, "16f": 1.0, "32f": 1.0}
_METADATA = ("Description", "InputDescriptor", "OutputDescriptor", "Info")
_SUPPORTED = "Range, diagonal Matrix, LUT1D and LUT3D"
# Characters XML 1.0 cannot hold (control codes other than tab/newline): dropped from free text.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


@dataclass
class _Element:
    tag: str
    attrs: dict[str, str]
    line: int
    children: list[_Element] = field(default_factory=list)
    text: list[str] = field(default_factory=list)


def _parse_xml(path: str | os.PathLike[str], where: str) -> _Element:
    """The document as `_Element`s with line numbers; namespaces dropped; no DTD entities."""
    with open_regular(path, MAX_TEXT_LUT_BYTES, ".clf") as fh:
        data = fh.read()
    parser = expat.ParserCreate(namespace_separator=" ")
    stack: list[_Element] = [_Element("", {}, 0)]

    def start(name: str, attrs: dict[str, str]) -> None:
        node = _Element(name.rsplit(" ", 1)[-1], attrs, parser.CurrentLineNumber)
        stack[-1].children.append(node)
        stack.append(node)

    def refuse_entities(*_args) -> None:
        raise ValueError(
            f"{where} line {parser.CurrentLineNumber}: entity declarations are not "
            "allowed in a CLF file"
        )

    parser.StartElementHandler = start
    parser.EndElementHandler = lambda name: stack.pop()
    parser.CharacterDataHandler = lambda text: stack[-1].text.append(text)
    parser.EntityDeclHandler = refuse_entities
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
    try:
        parser.Parse(data, True)
    except expat.ExpatError as exc:
        raise ValueError(
            f"{where} line {exc.lineno}: not well-formed XML ({expat.ErrorString(exc.code)})"
        ) from None
    return stack[0].children[0]


def read_clf(path: str | os.PathLike[str]) -> LUT3D:
    """Read a CLF file into a `LUT3D` (see the module docstring for what it may hold).

    Raises
    ------
    ValueError
        ``"<path> line <n>: <problem>"``: not XML, not a ProcessList, an unsupported operator,
        a bad bit depth or Array (dimensions, count of numbers, NaN/inf).
    """
    where = str(path)
    root = _parse_xml(path, where)
    if root.tag != "ProcessList":
        raise ValueError(
            f"{where} line {root.line}: the root element is <{root.tag}>, "
            "a CLF file holds a <ProcessList>"
        )
    texts = [" ".join("".join(c.text).split()) for c in root.children if c.tag == "Description"]
    ops = [
        c
        for c in root.children
        if c.tag not in _METADATA and c.attrs.get("bypass", "false").lower() != "true"
    ]
    before: list[_Element] = []
    shaper_ops: list[_Element] | None = None
    lut1d = lut3d = None
    for op in ops:
        if lut3d is not None:
            raise ValueError(
                f"{where} line {op.line}: <{op.tag}> after the LUT3D; lutml LUTs end "
                f"with the 3D table (supported: {_SUPPORTED})"
            )
        if op.tag in ("Range", "Matrix"):
            before.append(op)
        elif op.tag == "LUT1D" and lut1d is None:
            lut1d, shaper_ops, before = op, before, []
        elif op.tag == "LUT3D":
            lut3d = op
        else:
            what = "a second LUT1D" if op.tag == "LUT1D" else f"<{op.tag}>"
            raise ValueError(
                f"{where} line {op.line}: {what} is not supported; lutml reads CLF "
                f"files made of {_SUPPORTED} (a LUT, optionally with a shaper)"
            )
    if lut3d is None and lut1d is None:
        raise ValueError(f"{where} line {root.line}: the ProcessList holds no LUT3D or LUT1D")
    title, comments = (texts[0], texts[1:]) if texts else ("", [])
    shaper = None
    if lut1d is not None:
        lo, hi = _domain(shaper_ops, lut1d, where)
        shaper = LUT1D(_lut1d_table(lut1d, where), lo, hi)
    if lut3d is None:  # a 1D-only file: pass-through lattice over the shaper's outputs
        if before:
            raise ValueError(
                f"{where} line {before[0].line}: <{before[0].tag}> after the only LUT "
                f"(supported: {_SUPPORTED}, ending with a LUT)"
            )
        table, lo, hi = _passthrough_3d(shaper.table)
        return LUT3D(table, lo, hi, title, shaper, comments)
    lo, hi = _domain(before, lut3d, where)
    return LUT3D(_lut3d_table(lut3d, where), lo, hi, title, shaper, comments)


def _scales(op: _Element, where: str) -> tuple[float, float]:
    out = []
    for key in ("inBitDepth", "outBitDepth"):
        depth = op.attrs.get(key, "32f")
        if depth not in SCALES:
            raise ValueError(
                f"{where} line {op.line}: <{op.tag}> {key}={depth!r} is not a CLF bit "
                f"depth ({', '.join(SCALES)})"
            )
        out.append(SCALES[depth])
    return out[0], out[1]


def _child_number(op: _Element, tag: str, where: str) -> float | None:
    found = [c for c in op.children if c.tag == tag]
    if not found:
        return None
    values = parse_numbers(found[0].line, "".join(found[0].text), where)
    if values.size != 1:
        raise ValueError(
            f"{where} line {found[0].line}: <{tag}> needs one number, got {values.size}"
        )
    return float(values[0])


def _array(op: _Element, where: str) -> tuple[list[int], np.ndarray, int]:
    """(dim, numbers, line) of the op's <Array>; a Matrix "3 3 3" (CLF 2) holds 3 x 3 numbers."""
    arrays = [c for c in op.children if c.tag == "Array"]
    if len(arrays) != 1:
        raise ValueError(f"{where} line {op.line}: <{op.tag}> needs one <Array>, has {len(arrays)}")
    arr = arrays[0]
    dim_text = arr.attrs.get("dim", "")
    if not re.fullmatch(r"\s*\d+(\s+\d+)*\s*", dim_text, re.ASCII):
        raise ValueError(f"{where} line {arr.line}: <Array dim={dim_text!r}> needs whole numbers")
    dim = [int(d) for d in dim_text.split()]
    text = "".join(arr.text)
    values = parse_numbers(arr.line, text, where) if text.strip() else np.zeros(0)
    count = dim[0] * dim[1] if op.tag == "Matrix" and len(dim) == 3 else int(np.prod(dim))
    if values.size != count:
        raise ValueError(
            f'{where} line {arr.line}: <Array dim="{dim_text}"> needs {count} '
            f"numbers, has {values.size}"
        )
    return dim, values, arr.line


def _affine(op: _Element, where: str) -> tuple[np.ndarray, np.ndarray, tuple | None]:
    """(scale, offset, clamp) of a Range or diagonal Matrix in normalised units; clamp = (lo, hi)."""
    s_in, s_out = _scales(op, where)
    if op.tag == "Range":
        lo_in, hi_in = (
            _child_number(op, "minInValue", where),
            _child_number(op, "maxInValue", where),
        )
        lo_out, hi_out = (
            _child_number(op, "minOutValue", where),
            _child_number(op, "maxOutValue", where),
        )
        if None in (lo_in, hi_in, lo_out, hi_out):
            raise ValueError(
                f"{where} line {op.line}: a <Range> without all of minInValue, maxInValue, "
                "minOutValue, maxOutValue is not supported"
            )
        lo_in, hi_in, lo_out, hi_out = lo_in / s_in, hi_in / s_in, lo_out / s_out, hi_out / s_out
        if not hi_in > lo_in or not hi_out > lo_out:
            raise ValueError(
                f"{where} line {op.line}: <Range> must map an increasing input range "
                "onto an increasing output range"
            )
        scale = (hi_out - lo_out) / (hi_in - lo_in)
        return np.full(3, scale), np.full(3, lo_out - lo_in * scale), (lo_out, hi_out)
    dim, values, line = _array(op, where)
    if dim[:2] not in ([3, 3], [3, 4]) or len(dim) not in (2, 3):
        raise ValueError(
            f'{where} line {line}: Matrix <Array dim> must be "3 3" or "3 4", got {dim}'
        )
    m = values.reshape(3, dim[1])
    diag = np.diag(m[:, :3]).copy()
    if np.any(m[:, :3] != np.diag(diag)) or np.any(diag <= 0):
        raise ValueError(
            f"{where} line {line}: this Matrix mixes or flips channels; lutml reads "
            "only diagonal matrices with positive gains (an input range)"
        )
    offset = m[:, 3] / s_out if dim[1] == 4 else np.zeros(3)
    return diag * s_in / s_out, offset, None


def _domain(ops: list[_Element], lut: _Element, where: str) -> tuple[np.ndarray, np.ndarray]:
    """Input range [lo, hi] that `ops` map onto the LUT's [0, 1] (walked back from the LUT)."""
    _scales(lut, where)  # validated; a LUT's input is [0, 1] in normalised units at any depth
    lo, hi = np.zeros(3), np.ones(3)
    for op in reversed(ops):
        scale, offset, clamp = _affine(op, where)
        if clamp is not None and (np.any(lo < clamp[0] - 1e-7) or np.any(hi > clamp[1] + 1e-7)):
            raise ValueError(
                f"{where} line {op.line}: this <Range> clamps inside the LUT's input "
                "range, which a lutml LUT cannot hold"
            )
        lo, hi = (lo - offset) / scale, (hi - offset) / scale
    return lo, hi


def _lut1d_table(op: _Element, where: str) -> np.ndarray:
    for key in ("halfDomain", "rawHalfs"):
        if op.attrs.get(key, "false").lower() == "true":
            raise ValueError(f"{where} line {op.line}: a LUT1D with {key} is not supported")
    dim, values, line = _array(op, where)
    if len(dim) != 2 or dim[1] not in (1, 3) or not 2 <= dim[0] <= 65536:
        raise ValueError(
            f'{where} line {line}: LUT1D <Array dim> must be "m 1" or "m 3" with '
            f"2 <= m <= 65536, got {dim}"
        )
    table = values.reshape(dim) / _scales(op, where)[1]
    return np.repeat(table, 3, axis=1) if dim[1] == 1 else table


def _lut3d_table(op: _Element, where: str) -> np.ndarray:
    dim, values, line = _array(op, where)
    n = dim[0]
    if len(dim) != 4 or dim != [n, n, n, 3] or not MIN_SIZE <= n <= MAX_SIZE:
        raise ValueError(
            f'{where} line {line}: LUT3D <Array dim> must be "n n n 3" with '
            f"{MIN_SIZE} <= n <= {MAX_SIZE}, got {dim}"
        )
    # blue fastest: C order of [r, g, b]
    return (values / _scales(op, where)[1]).reshape(n, n, n, 3).astype(np.float32)


def write_clf(lut: LUT3D, path: str | os.PathLike[str]) -> None:
    """Write `lut` as a CLF 3.0 ProcessList atomically (32-bit float; nothing kept on failure)."""
    write_text_atomic(path, format_clf(lut))


def format_clf(lut: LUT3D) -> str:
    """The CLF text `write_clf` writes (see there)."""
    digest = hashlib.sha1(lut.table.tobytes() + repr((lut.title, lut.comments)).encode())
    ident = uuid.UUID(bytes=digest.digest()[:16])
    out = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        f'<ProcessList compCLFversion="3.0" id="urn:uuid:{ident}">',
    ]
    for text in [lut.title, *lut.comments] if lut.title or lut.comments else []:
        out.append(f"    <Description>{escape(_xml_text(text))}</Description>")
    if lut.shaper is not None:
        s = lut.shaper
        out += _domain_op(s.domain_min, s.domain_max)
        out += [
            '    <LUT1D inBitDepth="32f" outBitDepth="32f" interpolation="linear">',
            f'        <Array dim="{s.size} 3">',
            float_rows(s.table).rstrip("\n"),
            "        </Array>",
            "    </LUT1D>",
        ]
    out += _domain_op(lut.domain_min, lut.domain_max)
    n = lut.size
    out += [
        '    <LUT3D inBitDepth="32f" outBitDepth="32f" interpolation="tetrahedral">',
        f'        <Array dim="{n} {n} {n} 3">',
        float_rows(lut.table.reshape(-1, 3)).rstrip("\n"),
        "        </Array>",
        "    </LUT3D>",
        "</ProcessList>",
    ]
    return "\n".join(out) + "\n"


def _xml_text(text: str) -> str:
    return _NOT_XML.sub("", " ".join(text.splitlines()))


def _domain_op(lo: np.ndarray, hi: np.ndarray) -> list[str]:
    """XML lines mapping [lo, hi] onto [0, 1]: none, a Range (shared) or a diagonal Matrix."""
    if np.all(lo == 0) and np.all(hi == 1):
        return []
    if np.ptp(lo) == 0 and np.ptp(hi) == 0:
        a, b = format_floats(np.array([lo[0], hi[0]]))
        return [
            '    <Range inBitDepth="32f" outBitDepth="32f">',
            f"        <minInValue>{a}</minInValue>",
            f"        <maxInValue>{b}</maxInValue>",
            "        <minOutValue>0</minOutValue>",
            "        <maxOutValue>1</maxOutValue>",
            "    </Range>",
        ]
    lo64 = lo.astype(np.float64)
    scale = 1.0 / (hi.astype(np.float64) - lo64)
    rows = np.zeros((3, 4))
    rows[:, :3] = np.diag(scale)
    rows[:, 3] = -lo64 * scale
    text = [" ".join(format_floats(r)) for r in rows]
    return [
        '    <Matrix inBitDepth="32f" outBitDepth="32f">',
        '        <Array dim="3 4">',
        *text,
        "        </Array>",
        "    </Matrix>",
    ]
