"""Checking a JPEG scan's Huffman-coded data, as a decoder reads it but without the pixels.

libjpeg (inside Pillow) decodes a damaged scan "fine": an invalid code, data that runs out before
the last block, or bytes left over after it are only *warnings* (libjpeg fills in zeros and goes
on), and Pillow never passes warnings on. So a cut, bit-flipped or patched file decodes to a
picture that is partly one flat colour or garbage, with no error. `check_scan` walks one scan's
entropy-coded data exactly as the decoder does (sequential and progressive Huffman coding,
restart intervals, end-of-band runs, refinement bits) and reports the first place where the data
and the frame disagree. It decodes codes, not coefficients: no dequantisation, no IDCT.

Results (`out[0]`): `OK`, `BAD_CODE` (a bit pattern no Huffman table has, or a code a progressive
refinement scan forbids), `RAN_OUT` (the scan's data ends before its last block), `LEFT_OVER`
(whole bytes after the last block: the decoder got out of step), `OVERRUN` (a block's run of zeros
goes past its 64th coefficient), `RESTART` (a restart marker missing or out of order),
`NO_TABLE` (a Huffman table the scan needs is not defined); `out[1]` is the byte offset where it
was found.
"""

from __future__ import annotations

import numba
import numpy as np

OK, BAD_CODE, RAN_OUT, LEFT_OVER, OVERRUN, RESTART, NO_TABLE = range(7)
# The scan kinds: sequential (baseline / extended), then the four progressive ones.
SEQUENTIAL, DC_FIRST, DC_REFINE, AC_FIRST, AC_REFINE = range(5)
# libjpeg drops the bits it prefetched when a scan or restart interval ends: a few whole bytes
# left over pass unnoticed there, so they pass here too (an encoder's odd flush is not damage).
LEFT_OVER_BYTES = 3

# The bit reader's state, a tuple: (byte position, bit buffer, bits in it, how many of those are
# zeros made up after a marker, marker hit 0/1). Reading made-up zeros means the data ran out.


@numba.njit(cache=True)
def _fill(data, end, st):
    """Top the buffer up to more than 48 bits: real bytes (FF 00 -> FF) up to the next marker,
    then zeros."""
    pos, buf, count, fake, hit = st
    while count <= 48:
        b = 0
        if hit == 0:
            if pos >= end:
                hit = 1
            else:
                b = np.int64(data[pos])
                if b == 0xFF:
                    q = pos + 1
                    while q < end and data[q] == 0xFF:  # fill bytes before a marker
                        q += 1
                    if q < end and data[q] == 0:
                        pos = q + 1
                    else:  # a marker (RSTn or the scan's end): stay on it
                        hit = 1
                        b = 0
                else:
                    pos += 1
        if hit == 1:
            fake += 8
        buf = (buf << 8) | b
        count += 8
    return (pos, buf, count, fake, hit)


@numba.njit(cache=True, inline="always")
def _take(data, end, st, n):
    """(the next `n` bits as a number, new state, whether made-up bits were read)."""
    if st[2] < n:
        st = _fill(data, end, st)
    pos, buf, count, fake, hit = st
    count -= n
    value = (buf >> count) & ((1 << n) - 1)
    buf &= (1 << count) - 1
    short = fake > count
    if short:
        fake = count
    return value, (pos, buf, count, fake, hit), short


@numba.njit(cache=True, inline="always")
def _decode(data, end, st, lut):
    """(the next Huffman-coded value, new state, ran short); value -1 for a bit pattern the
    table lacks. `lut`: 16 bits ahead -> (code length << 8) | value, 0 where no code fits."""
    if st[2] < 16:
        st = _fill(data, end, st)
    look = np.int64(lut[(st[1] >> (st[2] - 16)) & 0xFFFF])
    if look == 0:
        return -1, st, False
    _, st, short = _take(data, end, st, look >> 8)
    return look & 255, st, short


def lookup_table(counts: bytes, values: bytes) -> np.ndarray:
    """A DHT table as `_decode`'s lookup: uint16 (65536,). Raises ValueError for a table with
    more codes than fit (JPEG Annex C)."""
    lut = np.zeros(65536, np.uint16)
    code = k = 0
    for length in range(1, 17):
        for _ in range(counts[length - 1]):
            if code >= 1 << length:
                raise ValueError("a Huffman table has more codes than fit")
            shift = 16 - length
            lut[code << shift : (code + 1) << shift] = (length << 8) | values[k]
            code += 1
            k += 1
        code <<= 1
    return lut


@numba.njit(cache=True)
def _segment_end(data, end, st):
    """(whole bytes left over, offset of the marker that ends the segment) at the end of a scan
    or restart interval."""
    pos, buf, count, fake, hit = st
    extra = max(count - fake, 0) // 8
    if hit == 0:  # count the data bytes between the buffer and the marker
        while pos < end:
            if data[pos] == 0xFF:
                q = pos + 1
                while q < end and data[q] == 0xFF:
                    q += 1
                if q < end and data[q] == 0:
                    extra += 1
                    pos = q + 1
                    continue
                break
            extra += 1
            pos += 1
    while pos < end and data[pos] == 0xFF and pos + 1 < end and data[pos + 1] == 0xFF:
        pos += 1  # fill bytes
    return extra, pos


@numba.njit(cache=True, inline="always")
def _ac_band(data, end, st, ac, k, last, eob_runs, bits):
    """One block's AC codes from zig-zag coefficient `k` to `last`, as the sequential (1-63) and
    the progressive first AC scans (their band) read them. A zero-size code other than ZRL ends
    the block; with `eob_runs` (progressive) it also carries r more bits: an end-of-band run over
    the next blocks. Returns (state, ran short, `OK`/`BAD_CODE`/`OVERRUN`, `bits` with each
    nonzero coefficient's bit set, how many of the next blocks the run skips)."""
    short = False
    bad = OK
    eobrun = 0
    one = np.uint64(1)
    while k <= last:
        rs, st, sh = _decode(data, end, st, ac)
        short |= sh
        if rs < 0:
            bad = BAD_CODE
            break
        r = rs >> 4
        s = rs & 15
        if s:
            k += r
            if k > last:
                bad = OVERRUN
                break
            _, st, sh = _take(data, end, st, s)
            short |= sh
            bits |= one << np.uint64(k)
        elif r == 15:
            k += 15
        else:
            if eob_runs:
                run, st, sh = _take(data, end, st, r)
                short |= sh
                eobrun = (1 << r) + run - 1
            break
        k += 1
    return st, short, bad, bits, eobrun


@numba.njit(cache=True, nogil=True)  # the web's other threads go on meanwhile
def check_scan(
    data, start, end, kind, ss, se, ri,
    comp_h, comp_v, comp_dc, comp_ac, comp_bx, comp_by, comp_stride, comp_offset,
    mcus_x, mcus_y, luts, defined, nonzero, out,
):  # fmt: skip
    """Walk one scan's data, `data[start:end]` (`end`: the marker after it); result in `out`.

    comp_*: per component of the scan, its sampling factors, DC and AC table (0-3; AC tables are
    4-7 in `luts`/`defined`), blocks across and down (non-interleaved scans), blocks per row of
    `nonzero` and its first index there. `nonzero`: one uint64 per block, bit k set once zig-zag
    coefficient k is nonzero (what a progressive refinement scan needs); unused for sequential.
    """
    out[0] = OK
    out[1] = start
    n = comp_h.shape[0]
    for c in range(n):
        needs_dc = kind == SEQUENTIAL or kind == DC_FIRST
        needs_ac = kind == SEQUENTIAL or kind == AC_FIRST or kind == AC_REFINE
        if (needs_dc and not defined[comp_dc[c]]) or (needs_ac and not defined[4 + comp_ac[c]]):
            out[0] = NO_TABLE
            return
    if n > 1 and (kind == AC_FIRST or kind == AC_REFINE):
        out[0] = BAD_CODE  # AC scans of a progressive file hold one component
        return
    st = (np.int64(start), np.int64(0), np.int64(0), np.int64(0), np.int64(0))
    short = False
    eobrun = 0
    restarts = 0
    total = mcus_x * mcus_y if n > 1 else comp_bx[0] * comp_by[0]
    blocks_per_mcu = 0
    for c in range(n):
        blocks_per_mcu += comp_h[c] * comp_v[c] if n > 1 else 1
    one = np.uint64(1)
    for m in range(total):
        if ri > 0 and m > 0 and m % ri == 0:  # a restart marker must come here
            extra, pos = _segment_end(data, end, st)
            if extra > LEFT_OVER_BYTES:
                out[0] = LEFT_OVER
                out[1] = pos
                return
            if pos + 1 >= end or data[pos] != 0xFF or data[pos + 1] != 0xD0 + restarts % 8:
                out[0] = RESTART
                out[1] = pos
                return
            restarts += 1
            st = (np.int64(pos + 2), np.int64(0), np.int64(0), np.int64(0), np.int64(0))
            eobrun = 0
        for j in range(blocks_per_mcu):
            c = 0
            if n == 1:
                by = m // comp_bx[0]
                bx = m % comp_bx[0]
            else:  # interleaved: each component's H x V blocks in turn
                rest = j
                while rest >= comp_h[c] * comp_v[c]:
                    rest -= comp_h[c] * comp_v[c]
                    c += 1
                by = (m // mcus_x) * comp_v[c] + rest // comp_h[c]
                bx = (m % mcus_x) * comp_h[c] + rest % comp_h[c]
            block = comp_offset[c] + by * comp_stride[c] + bx
            dc = luts[comp_dc[c]]
            ac = luts[4 + comp_ac[c]]
            bad = OK
            if kind == SEQUENTIAL or kind == DC_FIRST:
                s, st, sh = _decode(data, end, st, dc)
                short |= sh
                if s < 0 or s > 16:
                    bad = BAD_CODE
                else:
                    _, st, sh = _take(data, end, st, s)
                    short |= sh
            elif kind == DC_REFINE:
                _, st, sh = _take(data, end, st, 1)
                short |= sh
            if kind == SEQUENTIAL and bad == OK:  # coefficients 1-63; EOB ends the block
                st, sh, bad, _, _ = _ac_band(data, end, st, ac, 1, 63, False, np.uint64(0))
                short |= sh
            elif kind == AC_FIRST:
                if eobrun > 0:
                    eobrun -= 1
                else:
                    st, sh, bad, bits, eobrun = _ac_band(
                        data, end, st, ac, ss, se, True, nonzero[block]
                    )
                    short |= sh
                    nonzero[block] = bits
            elif kind == AC_REFINE:
                bits = nonzero[block]
                k = ss
                if eobrun == 0:
                    while k <= se:
                        rs, st, sh = _decode(data, end, st, ac)
                        short |= sh
                        if rs < 0:
                            bad = BAD_CODE
                            break
                        r = rs >> 4
                        s = rs & 15
                        if s:
                            if s != 1:  # a refinement scan only adds coefficients of +-1
                                bad = BAD_CODE
                                break
                            _, st, sh = _take(data, end, st, 1)
                            short |= sh
                        elif r != 15:
                            run, st, sh = _take(data, end, st, r)
                            short |= sh
                            eobrun = (1 << r) + run
                            break
                        while k <= se:  # skip r zero coefficients, refining nonzero ones
                            if (bits >> np.uint64(k)) & one:
                                _, st, sh = _take(data, end, st, 1)
                                short |= sh
                            else:
                                if r == 0:
                                    break
                                r -= 1
                            k += 1
                        if s:
                            if k > se:
                                bad = OVERRUN
                                break
                            bits |= one << np.uint64(k)
                        k += 1
                if eobrun > 0 and bad == OK:
                    while k <= se:  # the rest of the band: correction bits only
                        if (bits >> np.uint64(k)) & one:
                            _, st, sh = _take(data, end, st, 1)
                            short |= sh
                        k += 1
                    eobrun -= 1
                nonzero[block] = bits
            if short:
                bad = RAN_OUT
            if bad != OK:
                out[0] = bad
                out[1] = st[0]
                return
    extra, pos = _segment_end(data, end, st)
    if extra > LEFT_OVER_BYTES or pos + 1 < end:  # bytes, or restart intervals, left over
        out[0] = LEFT_OVER
        out[1] = pos
