"""Atomic file writes: a reader never sees a half-written output, a failure leaves nothing.

A write goes to a temporary file beside the destination, named
``.<name>.lutml-tmp-<host>-<pid>-<random><suffix>``, and is renamed onto the destination only
when complete. Any exception (also Ctrl-C, and SIGTERM once `lutml.cli` turns it into an
exception) removes the temporary file. A SIGKILL cannot be caught: its temporary file stays,
but its name says which process on which machine wrote it, so `remove_stale_temps` (called by
the `lutml` commands before they write) deletes it once that process is gone.
"""

from __future__ import annotations

import contextlib
import errno
import os
import re
import socket
import tempfile
import zlib
from collections.abc import Iterator
from pathlib import Path

# mkstemp creates files 0600; outputs should get the usual mode (0666 minus the umask). Read the
# umask once at import (os.umask can only be read by setting it, which is not thread-safe later).
_UMASK = os.umask(0o022)
os.umask(_UMASK)
_FILE_MODE = 0o666 & ~_UMASK
# Host tag in temp names: a pid means nothing on another machine writing to the same share.
_HOST = f"{zlib.crc32(socket.gethostname().encode()):08x}"
_TEMP_MARK = ".lutml-tmp-"


def temp_prefix(dest: Path) -> str:
    """Start of this process's temporary file names for `dest`."""
    return f".{dest.name}{_TEMP_MARK}{_HOST}-{os.getpid()}-"


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # EPERM: alive, another user's
        return True
    return True


def remove_stale_temps(path: str | os.PathLike[str]) -> list[Path]:
    """Delete temporary files of `path` left by killed writers on this machine; return them.

    Only files named by `atomic_path` for this very destination whose writer process (same
    host, by pid) no longer exists are removed; a write in progress is never touched.
    """
    dest = Path(path)
    pattern = re.compile(re.escape(f".{dest.name}{_TEMP_MARK}{_HOST}-") + r"(\d+)-")
    removed = []
    try:
        entries = list(os.scandir(dest.parent))
    except OSError:
        return removed
    for entry in entries:
        m = pattern.match(entry.name)
        if m and int(m.group(1)) != os.getpid() and not _pid_alive(int(m.group(1))):
            with contextlib.suppress(OSError):
                os.unlink(entry.path)
                removed.append(Path(entry.path))
    return removed


def _naming(exc: OSError, dest: Path) -> OSError:
    """`exc` re-addressed to `dest` when it names no file or only our temporary file."""
    if exc.errno is None:
        return exc
    if exc.filename is not None and not os.path.basename(exc.filename).startswith(
        temp_prefix(dest)
    ):
        return exc
    return type(exc)(exc.errno, exc.strerror or os.strerror(exc.errno), str(dest))


def _make_parent(dest: Path) -> None:
    try:
        dest.parent.mkdir(parents=True, exist_ok=True)
    except FileExistsError:  # a path component is a file
        blocker = next(
            (p for p in reversed(dest.parents) if p.exists() and not p.is_dir()), dest.parent
        )
        raise NotADirectoryError(
            errno.ENOTDIR, f"{blocker} is a file, not a folder", str(dest)
        ) from None


@contextlib.contextmanager
def atomic_path(path: str | os.PathLike[str]) -> Iterator[Path]:
    """Yield a temporary path beside `path`; rename it onto `path` only if the block succeeds.

    The temporary file lives in the destination folder so the final `os.replace` is atomic
    (same file system). On any exception the temporary file is removed and `path` is untouched.
    The temporary name keeps the destination's suffix so writers that infer a format from the
    extension (Pillow, numpy, Keras) still work. An `OSError` that names no file or only the
    temporary one (full disk, read-only folder, file-size limit) is re-raised naming `path`.
    """
    dest = Path(path)
    tmp_path = None
    try:
        _make_parent(dest)
        fd, tmp = tempfile.mkstemp(prefix=temp_prefix(dest), suffix=dest.suffix, dir=dest.parent)
        os.close(fd)
        tmp_path = Path(tmp)
        yield tmp_path
        os.chmod(tmp_path, _FILE_MODE)
        os.replace(tmp_path, dest)
    except BaseException as exc:
        if tmp_path is not None:
            with contextlib.suppress(FileNotFoundError):
                tmp_path.unlink()
        if isinstance(exc, OSError):
            renamed = _naming(exc, dest)
            if renamed is not exc:
                raise renamed from exc
        raise


def write_text_atomic(path: str | os.PathLike[str], text: str) -> None:
    """Write `text` (UTF-8, '\\n' newlines) to `path` atomically."""
    with atomic_path(path) as tmp:
        tmp.write_text(text, encoding="utf-8", newline="\n")
