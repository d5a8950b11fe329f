"""Damaged JPEGs: compressed data that runs out before the frame is filled, or is corrupt."""

from __future__ import annotations

import io
import struct
from pathlib import Path

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


def _check_jpeg_data(p: Path, im: Image.Image) -> None:
    """Refuse a JPEG whose compressed data runs out before its frame is filled.

    libjpeg pads a scan that ends early with zeros (one flat colour to the bottom) and only
    warns, which Pillow does not pass on: a cut or corrupt file, or a header patched to a larger
    size, decodes "fine". The test: decode again (at 1/8 scale, cheap) with junk inserted at the
    end of every scan. A complete scan never reads past its data (libjpeg skips what lies
    before the next marker), so both decodes are equal; a scan that ran out reads the junk and
    the pictures differ. (Corruption inside a scan that libjpeg decodes to its end is not seen:
    such a file is damaged in its middle, not short of data.)
    """
    data = p.read_bytes()
    ends, eoi = _jpeg_scans(data)
    if eoi is None or not ends:
        raise ImageReadError(f"{p}: damaged JPEG: its data is cut short (no end-of-image marker)")
    w, h = im.size
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
