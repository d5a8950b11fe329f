"""Damaged JPEGs: compressed data that is cut short, runs out before the frame is filled, or is
corrupt.

libjpeg (inside Pillow) only *warns* about all three and fills the rest with zeros; Pillow
drops the warnings. So a JPEG is checked from its bytes before it is decoded: its markers are
walked (`_jpeg_layout`), and every scan's Huffman-coded data is read as the decoder would read
it (`lutml.imageio.jpeg_entropy.check_scan`, compiled with numba). Arithmetic-coded, lossless
and hierarchical files, which that walker does not read, get the older, weaker test
(`_check_by_junk`: a decode with junk after every scan must equal the plain decode).
"""

from __future__ import annotations

import io
import math
import mmap
import struct
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image

from lutml.imageio.core import ImageReadError

_JPEG_JUNK = bytes(range(1, 255)) * 16  # no 0xFF: entropy-coded data to a decoder


def _jpeg_scans(data: bytes) -> tuple[list[int], int | None]:
    """(offset where each scan's entropy-coded data ends, offset of the EOI marker ending the
    first image) of a JPEG stream; EOI None when the stream is cut short."""
    pos = 2
    n = len(data)
    ends: list[int] = []
    while pos + 1 < n:
        if data[pos] != 0xFF:
            return ends, None
        while pos + 1 < n and data[pos + 1] == 0xFF:  # fill bytes
            pos += 1
        if pos + 1 >= n:
            return ends, None
        marker = data[pos + 1]
        if marker == 0xD9:
            return ends, pos
        if 0xD0 <= marker <= 0xD7 or marker == 0x01:
            pos += 2
            continue
        if pos + 4 > n:
            return ends, None
        pos += 2 + struct.unpack(">H", data[pos + 2 : pos + 4])[0]
        if marker != 0xDA:
            continue
        while True:  # entropy-coded data: up to the next marker that is not a stuffed 00 or RST
            pos = data.find(b"\xff", pos)
            if pos < 0 or pos + 1 >= n:
                return ends, None
            follower = data[pos + 1]
            if follower == 0x00 or 0xD0 <= follower <= 0xD7:
                pos += 2
                continue
            if follower == 0xFF:
                pos += 1
                continue
            break
        ends.append(pos)
    return ends, None


_SEQUENTIAL_SOF = (0xC0, 0xC1)  # baseline, extended sequential (Huffman)
_PROGRESSIVE_SOF = 0xC2
_OTHER_SOF = (0xC3, 0xC5, 0xC6, 0xC7, 0xC9, 0xCA, 0xCB, 0xCD, 0xCE, 0xCF)  # lossless, arithmetic


@dataclass
class _Scan:
    start: int  # first byte of the entropy-coded data
    end: int  # the marker after it
    components: list[tuple[int, int, int]]  # (frame component index, DC table, AC table)
    ss: int
    se: int
    ah: int
    restart_interval: int
    tables: tuple[np.ndarray, np.ndarray]  # Huffman lookups (8, 65536) and which are defined


@dataclass
class _Layout:
    width: int = 0
    height: int = 0
    progressive: bool = False
    walkable: bool = True  # False: a coding `check_scan` does not read (arithmetic, lossless, ...)
    sampling: list[tuple[int, int]] = field(default_factory=list)  # (H, V) per frame component
    ids: list[int] = field(default_factory=list)
    scans: list[_Scan] = field(default_factory=list)


class _Damaged(Exception):
    """The marker structure itself is broken (message: what)."""


def _jpeg_layout(data: bytes, on_scan: Callable[[_Layout, _Scan, int], None]) -> _Layout:
    """The frame and every scan of the first image of a JPEG stream; `on_scan(layout, scan,
    number)` is called as each scan is reached, with the Huffman tables and restart interval
    then in force (`scan.tables` are the live tables: a later DHT changes them, so nothing is
    copied per scan however many scans a file has). Raises `_Damaged` for a broken structure."""
    out = _Layout()
    from lutml.imageio.jpeg_entropy import lookup_table

    luts = np.zeros((8, 65536), np.uint16)
    defined = np.zeros(8, np.bool_)
    restart = 0
    ends, eoi = _jpeg_scans(data)
    if eoi is None or not ends:
        raise _Damaged(
            "its data is cut short or its markers are damaged (no end-of-image marker after "
            "its scans)"
        )
    pos, n, scan = 2, len(data), 0
    while pos < eoi:
        while data[pos + 1] == 0xFF:
            pos += 1
        marker = data[pos + 1]
        if 0xD0 <= marker <= 0xD7 or marker == 0x01:
            pos += 2
            continue
        length = struct.unpack(">H", data[pos + 2 : pos + 4])[0]
        body = data[pos + 4 : pos + 2 + length]
        if length < 2 or pos + 2 + length > n:
            raise _Damaged(f"marker 0xFF{marker:02X} has a broken length")
        if marker in _SEQUENTIAL_SOF or marker == _PROGRESSIVE_SOF or marker in _OTHER_SOF:
            if out.sampling:
                raise _Damaged("it has two frame headers")
            if len(body) < 6:
                raise _Damaged("its frame header is cut short")
            out.height, out.width = struct.unpack(">HH", body[1:5])
            count = body[5]
            if len(body) < 6 + 3 * count or not 1 <= count <= 4:
                raise _Damaged("its frame header is damaged")
            for c in range(count):
                cid, hv = body[6 + 3 * c], body[7 + 3 * c]
                if not (1 <= hv >> 4 <= 4 and 1 <= hv & 15 <= 4):
                    raise _Damaged("its frame header has impossible sampling factors")
                out.ids.append(cid)
                out.sampling.append((hv >> 4, hv & 15))
            out.progressive = marker == _PROGRESSIVE_SOF
            out.walkable = marker not in _OTHER_SOF and out.height > 0  # 0: height in a DNL
        elif marker == 0xC4:  # DHT: one or more tables
            at = 0
            while at < len(body):
                if at + 17 > len(body):
                    raise _Damaged("a Huffman table is cut short")
                tc, th = body[at] >> 4, body[at] & 15
                counts = body[at + 1 : at + 17]
                total = sum(counts)
                if tc > 1 or th > 3 or total > 256 or at + 17 + total > len(body):
                    raise _Damaged("a Huffman table is damaged")
                try:
                    luts[4 * tc + th] = lookup_table(counts, body[at + 17 : at + 17 + total])
                except ValueError as exc:
                    raise _Damaged(str(exc)) from None
                defined[4 * tc + th] = True
                at += 17 + total
        elif marker == 0xDD:  # DRI
            if len(body) < 2:
                raise _Damaged("its restart interval marker is cut short")
            restart = struct.unpack(">H", body[:2])[0]
        elif marker == 0xDA:  # SOS
            if not out.sampling:
                raise _Damaged("a scan comes before the frame header")
            count = body[0] if body else 0
            if not 1 <= count <= 4 or len(body) < 4 + 2 * count:
                raise _Damaged("a scan header is damaged")
            comps = []
            for c in range(count):
                cid, tables = body[1 + 2 * c], body[2 + 2 * c]
                if cid not in out.ids:
                    raise _Damaged("a scan names a component the frame does not have")
                comps.append((out.ids.index(cid), tables >> 4, tables & 15))
            ss, se, a = body[1 + 2 * count], body[2 + 2 * count], body[3 + 2 * count]
            if any(dc > 3 or ac > 3 for _, dc, ac in comps) or ss > 63 or se > 63:
                raise _Damaged("a scan header is damaged")
            needed = [dc for _, dc, _ in comps if ss == 0 and a >> 4 == 0]
            needed += [4 + ac for _, _, ac in comps if ss > 0 or not out.progressive]
            if not all(defined[t] for t in needed):
                out.walkable = False  # no table: libjpeg-turbo uses the standard ones (MJPEG)
            start = pos + 2 + length
            out.scans.append(
                _Scan(start, ends[scan], comps, ss, se, a >> 4, restart, (luts, defined))
            )
            scan += 1
            if out.walkable:
                on_scan(out, out.scans[-1], scan)
            pos = ends[scan - 1]
            continue
        pos += 2 + length
    return out


class _Found(Exception):
    """A damaged scan: args (result code, byte offset, scan number)."""


class _Walker:
    """`_jpeg_layout`'s `on_scan`: walks each scan's data as it is reached (`check_scan`)."""

    def __init__(self, data: Any):
        self.buffer = np.frombuffer(data, np.uint8)
        self.out = np.zeros(2, np.int64)
        self.nonzero: np.ndarray | None = None

    def __call__(self, layout: _Layout, scan: _Scan, number: int) -> None:
        from lutml.imageio import jpeg_entropy as je

        hmax = max(h for h, _ in layout.sampling)
        vmax = max(v for _, v in layout.sampling)
        mcus_x = math.ceil(layout.width / (8 * hmax))
        mcus_y = math.ceil(layout.height / (8 * vmax))
        strides = [mcus_x * h for h, _ in layout.sampling]
        offsets = np.cumsum(
            [0] + [s * mcus_y * v for s, (_, v) in zip(strides, layout.sampling, strict=True)]
        )
        if self.nonzero is None:  # one uint64 per block, for progressive refinement scans
            self.nonzero = np.zeros(int(offsets[-1]) if layout.progressive else 1, np.uint64)
        if not layout.progressive:
            kind = je.SEQUENTIAL
        elif scan.ss == 0:
            kind = je.DC_REFINE if scan.ah else je.DC_FIRST
        else:
            kind = je.AC_REFINE if scan.ah else je.AC_FIRST
        idx = [c for c, _, _ in scan.components]
        sampling = [layout.sampling[c] for c in idx]

        def arr(values: list[int]) -> np.ndarray:
            return np.asarray(values, np.int64)

        je.check_scan(
            self.buffer, scan.start, scan.end, kind, scan.ss, scan.se, scan.restart_interval,
            arr([h for h, _ in sampling]), arr([v for _, v in sampling]),
            arr([dc for _, dc, _ in scan.components]), arr([ac for _, _, ac in scan.components]),
            arr([math.ceil(layout.width * h / (8 * hmax)) for h, _ in sampling]),
            arr([math.ceil(layout.height * v / (8 * vmax)) for _, v in sampling]),
            arr([strides[c] for c in idx]), arr([int(offsets[c]) for c in idx]),
            mcus_x, mcus_y, *scan.tables, self.nonzero, self.out,
        )  # fmt: skip
        if self.out[0] != je.OK:
            raise _Found(int(self.out[0]), int(self.out[1]), number)


def _walk_jpeg(p: Path) -> tuple[str, Any]:
    """("ok", None), ("damaged", what), ("found", (code, offset, scan, scans, size)) or
    ("junk", (data, scan ends)) for a coding the walker does not read. The file is mapped, not
    read: a JPEG with a huge tail costs no memory."""
    with open(p, "rb") as fh:
        data = mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ)  # unmapped when dropped
    try:
        layout = _jpeg_layout(data, _Walker(data))
    except _Damaged as exc:
        return "damaged", str(exc)
    except _Found as exc:
        code, offset, number = exc.args
        return "found", (code, offset, number, len(_jpeg_scans(data)[0]), len(data))
    except (IndexError, struct.error, ValueError):
        return "damaged", "its markers are damaged"
    if not layout.walkable:
        return "junk", (data, [s.end for s in layout.scans])
    return "ok", None


def _check_jpeg_data(p: Path, im: Image.Image) -> None:
    """Refuse a JPEG whose compressed data is cut short, runs out before its frame is filled
    (a header patched to a larger size), or is corrupt (an invalid code, bytes left over, a
    restart marker out of place): the error names the file, the problem and where it is."""
    from lutml.imageio import jpeg_entropy as je

    w, h = im.size
    verdict, found = _walk_jpeg(p)
    if verdict == "damaged":
        raise ImageReadError(f"{p}: damaged JPEG: {found}")
    if verdict == "junk":
        _check_by_junk(p, bytes(found[0]), found[1], (w, h))
    if verdict != "found":
        return
    code, offset, number, scans, size = found
    if code == je.RAN_OUT:
        raise ImageReadError(
            f"{p}: damaged JPEG: its compressed data ends before the {w}x{h} frame is filled "
            f"(scan {number} of {scans} runs out at byte {offset}: a cut or corrupt "
            "file, or an altered header); the rest would be one flat colour"
        )
    what = {
        je.BAD_CODE: "a bit pattern no Huffman table holds",
        je.LEFT_OVER: "data left over after the last block",
        je.OVERRUN: "a block longer than 64 coefficients",
        je.RESTART: "a restart marker missing or out of order",
        je.NO_TABLE: "a Huffman table that is not defined",
    }.get(code, "an error")
    raise ImageReadError(
        f"{p}: damaged JPEG: corrupt compressed data ({what} in scan {number} of {scans}, near "
        f"byte {offset} of {size}); the picture would be "
        "garbled from there on"
    )


def _check_by_junk(p: Path, data: bytes, ends: list[int], size: tuple[int, int]) -> None:
    """The weaker test for codings `check_scan` does not read: decode again (at 1/8 scale,
    cheap) with junk inserted at the end of every scan. A complete scan never reads past its
    data (libjpeg skips what lies before the next marker), so both decodes are equal; a scan
    that ran out reads the junk and the pictures differ."""
    w, h = size
    pieces, last = [], 0
    for at in ends:
        pieces += [data[last:at], _JPEG_JUNK]
        last = at
    altered = b"".join(pieces) + data[last:]

    def small(blob: bytes) -> np.ndarray:
        with Image.open(io.BytesIO(blob)) as probe:
            probe.draft(probe.mode, (max(1, w // 8), max(1, h // 8)))
            probe.load()
            return np.asarray(probe)

    try:
        same = np.array_equal(small(altered), small(data))
    except Exception:  # the altered copy did not decode: a scan read into the junk
        same = False
    if not same:
        raise ImageReadError(
            f"{p}: damaged JPEG: its compressed data ends before the {w}x{h} frame is filled "
            "(a cut or corrupt file, or an altered header); the rest would be one flat colour"
        )
