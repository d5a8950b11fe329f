"""Read and write `.cube` LUT files: the Iridas/Adobe and the DaVinci Resolve dialects.

This is the only module that knows the `.cube` line order: table rows list lattice nodes with
**red changing fastest**, then green, then blue; `LUT3D.table` is indexed ``[r, g, b]``.

Accepted keywords (case-sensitive, before the first table row): ``TITLE``, ``LUT_3D_SIZE``,
``LUT_1D_SIZE``, ``DOMAIN_MIN``/``DOMAIN_MAX`` (Adobe, three numbers, for a file holding one LUT),
``LUT_1D_INPUT_RANGE``/``LUT_3D_INPUT_RANGE`` (Resolve, two numbers). A Resolve file may hold a
1D shaper and a 3D table: the shaper rows come first. Comments (``#``, also at the end of a row),
blank lines, CRLF or CR line ends, a UTF-8 byte-order mark and scientific notation are accepted.

Decisions worth knowing:

- A 1D-only file becomes a `LUT3D` whose `shaper` holds the 1D table, followed by a size-2
  identity 3D table spanning the shaper's output range. Identity is affine, so tetrahedral and
  trilinear lookups reproduce the 1D result exactly; `write_cube` recognises that form and writes
  a 1D-only file again.
- ``LUT_1D_INPUT_RANGE`` in a file without ``LUT_1D_SIZE`` (or the 3D range without a 3D table) is
  ignored, as colour-science and OpenColorIO do.
- Anything else doubtful is refused with ``ValueError("<file> line <n>: <problem>")``: unknown
  keywords, keywords after table data, sizes outside 2-256 (3D) or 2-65536 (1D), rows without
  exactly three numbers, NaN/inf, too few or too many rows, DOMAIN lines in a shaper + 3D file.
- Memory is bounded whatever the file: it is read in pieces of whole lines (the table goes
  straight into its float32 array: 256^3, the largest, takes 201 MB; `read_cube` peaks near
  twice that), a line over `MAX_LINE_CHARS` is refused, at most `MAX_COMMENTS` comment lines
  (`MAX_COMMENT_CHARS` each) are kept, and a device, FIFO or folder is refused before reading
  (`open_regular`). `write_cube` writes the rows in pieces too.

Writing (`write_cube`, `format_cube`) lives in `lutml.lut.cube_write`; `lutml.lut` exports both.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field

import numpy as np

from lutml.lut.lut3d import LUT1D, LUT3D, MAX_SIZE, MIN_SIZE, identity_table

MAX_1D_SIZE = 65536
MAX_LINE_CHARS = 1 << 20  # one line of a .cube is a few dozen characters; a title or comment more
MAX_COMMENTS = 1000  # comment lines kept (and shown by `lutml info`); more are counted
MAX_COMMENT_CHARS = 1000
MAX_CUBE_BYTES = 4 << 30  # 256^3 rows of three 20-digit numbers are 1 GB; more is not a LUT
_PIECE = 1 << 20  # bytes read at a time
_ROWS_AT_ONCE = 1 << 14  # table rows converted to numbers at a time
_F32_MAX = float(np.finfo(np.float32).max)
# A number as .cube writers print it: ASCII decimal, optional exponent (NaN/inf are refused later,
# by value). Python's float() would also take "1_0", "٣" or fullwidth digits; .cube files never do.
_NUMBER = re.compile(
    r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?|[+-]?(?:nan|inf|infinity)", re.IGNORECASE | re.ASCII
)
KEYWORDS = (
    "TITLE",
    "LUT_3D_SIZE",
    "LUT_1D_SIZE",
    "DOMAIN_MIN",
    "DOMAIN_MAX",
    "LUT_1D_INPUT_RANGE",
    "LUT_3D_INPUT_RANGE",
)


@dataclass
class _Header:
    """Keyword values of one file, each with the line number it came from (for messages)."""

    values: dict[str, object] = field(default_factory=dict)
    lines: dict[str, int] = field(default_factory=dict)
    comments: list[str] = field(default_factory=list)


def read_cube(path: str | os.PathLike[str]) -> LUT3D:
    """Read a `.cube` file (either dialect) into a `LUT3D`.

    Parameters
    ----------
    path : str or path-like
        The `.cube` file.

    Returns
    -------
    LUT3D
        ``table`` float32 ``(n, n, n, 3)`` indexed ``[r, g, b]``; the 1D shaper, if any, in
        ``shaper``. Values are the file's numbers rounded to float32.

    Raises
    ------
    ValueError
        ``"<path> line <n>: <problem>"`` for any malformed or unsupported content.
    FileNotFoundError
        If `path` does not exist.
    """
    where = str(path)
    with open_regular(path, MAX_CUBE_BYTES, ".cube") as fh:
        lines = _numbered_lines(fh, where)
        header, first = _parse_header(lines, where)
        size_1d = int(header.values.get("LUT_1D_SIZE", 0))
        size_3d = int(header.values.get("LUT_3D_SIZE", 0))
        if not size_1d and not size_3d:
            at = f" line {first[0]}" if first is not None else ""
            raise ValueError(f"{where}{at}: no LUT_3D_SIZE or LUT_1D_SIZE line before the table")
        rows = _parse_rows(lines, first, size_1d + size_3d**3, where, _size_text(size_1d, size_3d))
    dom_1d, dom_3d = _domains(header, size_1d, size_3d, where)
    shaper = LUT1D(rows[:size_1d], *dom_1d) if size_1d else None
    if size_3d:
        n = size_3d
        # .cube rows: red fastest -> reshape to [b, g, r], then put red first.
        table = rows[size_1d:].reshape(n, n, n, 3).transpose(2, 1, 0, 3)
        lo, hi = dom_3d
    else:
        table, lo, hi = _passthrough_3d(shaper.table)
    return LUT3D(table, lo, hi, str(header.values.get("TITLE", "")), shaper, header.comments)


class _Lines:
    """The lines of a file as (1-based number, text), read a piece at a time.

    UTF-8 (a BOM dropped) unless a piece is not UTF-8, then Latin-1 from there on (numbers are
    ASCII; only free text may be Latin-1). Any line end (LF, CRLF, CR) counts, as
    `str.splitlines` does. `count` is the number of lines read so far.
    """

    def __init__(self, fh, where: str):
        self.fh, self.where = fh, where
        self.count = 0
        self.latin1 = False
        self.first = True

    def __iter__(self):
        carry = b""
        while True:
            chunk = self.fh.read(_PIECE)
            data = carry + chunk
            if not chunk:
                if data:
                    yield from self._decode(data)
                return
            cut = max(data.rfind(b"\n"), data.rfind(b"\r"))
            if cut == len(data) - 1 and data.endswith(b"\r"):
                cut -= 1  # a CR at the end may be half of a CRLF: keep it for the next piece
                cut = max(data.rfind(b"\n", 0, cut + 1), data.rfind(b"\r", 0, cut + 1))
            if cut < 0:
                if len(data) > MAX_LINE_CHARS:
                    raise ValueError(
                        f"{self.where} line {self.count + 1}: a line of over "
                        f"{MAX_LINE_CHARS:,} characters: not a LUT file"
                    )
                carry = data
                continue
            carry = data[cut + 1 :]
            yield from self._decode(data[: cut + 1])

    def _decode(self, data: bytes):
        text = None
        if not self.latin1:
            try:
                text = data.decode("utf-8-sig" if self.first else "utf-8")
            except UnicodeDecodeError:
                self.latin1 = True
        if text is None:
            text = data.decode("latin-1")
            if self.first and text.startswith("\xef\xbb\xbf"):
                text = text[3:]
        self.first = False
        for line in text.splitlines():
            self.count += 1
            if len(line) > MAX_LINE_CHARS:
                raise ValueError(
                    f"{self.where} line {self.count}: a line of over {MAX_LINE_CHARS:,} "
                    "characters: not a LUT file"
                )
            yield self.count, line


def _numbered_lines(fh, where: str):
    lines = _Lines(fh, where)
    return lines, iter(lines)


def open_regular(path: str | os.PathLike[str], max_bytes: int, what: str = "LUT"):
    """`path` opened for binary reading, once it is known to be a regular file of at most
    `max_bytes` (a symlink to /dev/zero, a FIFO or a folder would read forever or fail late).

    Raises ValueError ``"<path>: <problem>"``, or FileNotFoundError.
    """
    import stat

    st = os.stat(path)  # follows symlinks: what would be read
    if stat.S_ISDIR(st.st_mode):
        raise IsADirectoryError(21, "a folder, not a LUT file", str(path))
    if not stat.S_ISREG(st.st_mode):
        raise ValueError(
            f"{path}: not a regular file (a device, pipe or socket): cannot be a {what} file"
        )
    if st.st_size > max_bytes:
        raise ValueError(
            f"{path}: {st.st_size / 2**20:,.0f} MB is larger than any {what} file lutml reads "
            f"(at most {max_bytes / 2**20:,.0f} MB)"
        )
    return open(path, "rb")


def _size_text(size_1d: int, size_3d: int) -> str:
    parts = [f"LUT_1D_SIZE {size_1d}"] if size_1d else []
    return " + ".join(parts + ([f"LUT_3D_SIZE {size_3d}"] if size_3d else []))


def _split_comment(line: str) -> tuple[str, str | None]:
    """Return (content, comment) of one line; comment is None when there is none.

    A ``#`` inside double quotes (``TITLE "Look #3"``) does not start a comment.
    """
    cut = line.find("#")
    if cut > 0 and '"' in line[:cut]:
        cut = _unquoted_hash(line)
    if cut < 0:
        return line.strip(), None
    return line[:cut].strip(), line[cut + 1 :].strip()


def _unquoted_hash(line: str) -> int:
    quoted = False
    for k, char in enumerate(line):
        if char == '"':
            quoted = not quoted
        elif char == "#" and not quoted:
            return k
    return -1


def _is_keyword(token: str) -> bool:
    if not (token[0].isalpha() or token[0] == "_"):
        return False
    try:
        float(token)  # "nan", "inf" are data (refused later as non-finite), not keywords
    except ValueError:
        return True
    return False


def _parse_header(lines, where: str) -> tuple[_Header, tuple[int, str] | None]:
    """Parse keyword and comment lines up to the first table row; return (header, that row as
    (line number, text), or None if the file has no table row)."""
    header = _Header()
    dropped = 0
    _, it = lines
    for number, line in it:
        content, comment = _split_comment(line)
        if comment is not None and not content:
            if len(header.comments) < MAX_COMMENTS:
                header.comments.append(comment[:MAX_COMMENT_CHARS])
            else:
                dropped += 1
        if not content:
            continue
        keyword, rest = (content.split(None, 1) + [""])[:2]
        if not _is_keyword(keyword):
            _note_dropped(header, dropped)
            return header, (number, line)
        if keyword not in KEYWORDS:
            raise ValueError(
                f"{where} line {number}: unknown keyword {keyword!r} "
                f"(supported: {', '.join(KEYWORDS)})"
            )
        if keyword in header.values:
            raise ValueError(
                f"{where} line {number}: {keyword} given twice "
                f"(first on line {header.lines[keyword]})"
            )
        header.values[keyword] = _keyword_value(keyword, rest.strip(), f"{where} line {number}")
        header.lines[keyword] = number
    _note_dropped(header, dropped)
    return header, None


def _note_dropped(header: _Header, dropped: int) -> None:
    if dropped:
        header.comments.append(f"... {dropped:,} more comment lines not kept")


def _keyword_value(keyword: str, rest: str, at: str) -> object:
    if keyword == "TITLE":
        return rest[1:-1] if len(rest) >= 2 and rest[0] == rest[-1] == '"' else rest
    args = rest.split()
    if keyword.endswith("_SIZE"):
        top = MAX_SIZE if keyword == "LUT_3D_SIZE" else MAX_1D_SIZE
        if len(args) != 1 or not (args[0].isascii() and args[0].isdigit()):
            raise ValueError(f"{at}: {keyword} needs one whole number, got {rest!r}")
        if not MIN_SIZE <= int(args[0]) <= top:
            raise ValueError(f"{at}: {keyword} {args[0]} is out of range ({MIN_SIZE} to {top})")
        return int(args[0])
    count = 3 if keyword.startswith("DOMAIN") else 2
    numbers = [float(a) for a in args if _NUMBER.fullmatch(a)]
    if len(numbers) != count or not np.all(np.abs(numbers) <= _F32_MAX):
        raise ValueError(f"{at}: {keyword} needs {count} finite numbers, got {rest!r}")
    return numbers


def _parse_rows(
    lines, first: tuple[int, str] | None, expected: int, where: str, sizes: str
) -> np.ndarray:
    """Parse the table rows from `first` on into float32 (expected, 3), a batch at a time, or a
    ValueError naming the line."""
    counter, it = lines
    out = np.empty((expected, 3), np.float32)
    filled = 0
    content: list[str] = []
    numbers: list[int] = []

    def flush() -> None:
        nonlocal filled
        if not content:
            return
        if filled + len(content) > expected:
            k = expected - filled
            raise ValueError(
                f"{where} line {numbers[k]}: extra table row; "
                f"{sizes} needs exactly {expected} rows, the file has more"
            )
        out[filled : filled + len(content)] = _numbers(content, numbers, where)
        filled += len(content)
        content.clear()
        numbers.clear()

    rows = [first] if first is not None else []
    for number, line in _chain(rows, it):
        text, _ = _split_comment(line) if "#" in line else (line.strip(), None)
        if not text:
            continue
        count = len(text.split())
        if count != 3:
            head = text.split()[0]
            if _is_keyword(head):
                problem = f"keyword {head!r} after the table data began (keywords go first)"
            else:
                problem = f"expected 3 numbers, got {count}"
            raise ValueError(f"{where} line {number}: {problem}")
        content.append(text)
        numbers.append(number)
        if len(content) >= _ROWS_AT_ONCE:
            flush()
    flush()
    if filled < expected:
        raise ValueError(
            f"{where} line {counter.count}: file ends after {filled} table rows; "
            f"{sizes} needs {expected} (truncated file?)"
        )
    return out


def _chain(first: list, rest):
    yield from first
    yield from rest


def _numbers(content: list[str], numbers: list[int], where: str) -> np.ndarray:
    """Rows of three number texts -> float32 (len, 3), or a ValueError naming the bad one."""
    joined = " ".join(content)
    tokens = joined.split()
    values = None
    if joined.isascii() and "_" not in joined:  # else a token float() would misread; located below
        try:
            with np.errstate(over="ignore"):
                values = np.array(tokens, dtype=np.float64).astype(np.float32)
        except ValueError:
            pass
    if values is None or not np.all(np.isfinite(values)):
        _raise_bad_number(tokens, numbers, where)
    return values.reshape(-1, 3)


def _raise_bad_number(tokens: list[str], numbers: list[int], where: str) -> None:
    for k, token in enumerate(tokens):
        if not _NUMBER.fullmatch(token):
            raise ValueError(f"{where} line {numbers[k // 3]}: {token!r} is not a number")
        value = float(token)
        if not np.isfinite(value):
            raise ValueError(f"{where} line {numbers[k // 3]}: NaN or infinite value {token!r}")
        if abs(value) > _F32_MAX:
            raise ValueError(f"{where} line {numbers[k // 3]}: {token!r} overflows float32")
    raise AssertionError("unreachable: a bad number was detected but not located")


def _domains(header: _Header, size_1d: int, size_3d: int, where: str) -> tuple[tuple, tuple]:
    """Resolve (shaper domain, 3D domain), each a (min, max) pair of 3-vectors."""
    v, at = header.values, header.lines
    default = ([0.0] * 3, [1.0] * 3)
    has_domain = "DOMAIN_MIN" in v or "DOMAIN_MAX" in v
    if has_domain and size_1d and size_3d:
        line = at.get("DOMAIN_MIN", at.get("DOMAIN_MAX"))
        raise ValueError(
            f"{where} line {line}: DOMAIN_MIN/DOMAIN_MAX are ambiguous in a file with "
            "a 1D shaper and a 3D table; use LUT_1D_INPUT_RANGE and LUT_3D_INPUT_RANGE"
        )
    domain = (v.get("DOMAIN_MIN", default[0]), v.get("DOMAIN_MAX", default[1]))
    result = []
    for dim, present in (("1D", size_1d), ("3D", size_3d)):
        key = f"LUT_{dim}_INPUT_RANGE"
        if key in v and has_domain and present:
            raise ValueError(f"{where} line {at[key]}: {key} conflicts with DOMAIN_MIN/DOMAIN_MAX")
        if key in v and present:
            lo, hi = v[key]
            pair = ([lo] * 3, [hi] * 3)
        else:
            pair = domain if has_domain else default
        if present and np.any(np.asarray(pair[1]) <= np.asarray(pair[0])):
            line = at.get(key) or at.get("DOMAIN_MAX") or at.get("DOMAIN_MIN")
            raise ValueError(
                f"{where} line {line}: domain maximum {pair[1]} must exceed "
                f"the minimum {pair[0]} on every channel"
            )
        result.append(pair)
    return result[0], result[1]


def _passthrough_3d(shaper_table: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Size-2 identity table (and its domain) covering every output of a 1D shaper."""
    lo = shaper_table.min(axis=0)
    hi = shaper_table.max(axis=0)
    hi = np.where(hi > lo, hi, lo + np.float32(1.0))  # a constant channel still needs a range
    return identity_table(2) * (hi - lo) + lo, lo, hi


def is_1d_only(lut: LUT3D) -> bool:
    """True if `lut` is a 1D-only LUT in the form `read_cube` builds (see module docstring)."""
    if lut.shaper is None or lut.size != 2:
        return False
    lo, hi = lut.domain_min, lut.domain_max
    shaped = lut.shaper.table
    covers = np.all(lo <= shaped.min(axis=0)) and np.all(hi >= shaped.max(axis=0))  # no clamping
    return bool(covers and np.array_equal(lut.table, identity_table(2) * (hi - lo) + lo))
