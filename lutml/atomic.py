"""Atomic file writes: a reader never sees a half-written output, a failure leaves nothing.

A write goes to a temporary file beside the destination, named
``.<name>.lutml-tmp-<host>-<pid>-<random><suffix>``, and is renamed onto the destination only
when complete. Any exception (also Ctrl-C, and SIGTERM once `lutml.cli` turns it into an
exception) removes the temporary file. A SIGKILL cannot be caught: its temporary file stays,
but its name says which process on which machine wrote it, so `remove_stale_temps` (called by
the `lutml` commands before they write) deletes it once that process is gone.

Replacing a file keeps its permission bits (a ``chmod 600`` output stays 0600, a 0444 one
0444); a new file gets 0666 minus the umask. A destination that is a symbolic link is written
*through*: the file it points to is replaced (atomically, in its own folder) and the link is
kept, as the shell's ``>`` does; `symlink_target` tells a caller that wants to say so. Messages
never show a temporary name: `public_text` turns one back into the destination's name.
"""

from __future__ import annotations

import contextlib
import errno
import os
import re
import socket
import stat
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
# Temporary file -> the destination the user named, while a write is in progress (messages).
_ACTIVE: dict[str, str] = {}
# A temporary name of any writer: ".<name>.lutml-tmp-<host>-<pid>-<random><suffix>".
_TEMP_NAME = re.compile(
    r"(?:[^\s'\"]*/)?\.(?P<name>[^/\s'\"]+?)"
    + re.escape(_TEMP_MARK)
    + r"[0-9a-f]{8}-\d+-[a-z0-9_]{8}(?:\.[A-Za-z0-9]+)?"
)


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


def public_text(text: str) -> str:
    """`text` with every temporary file name of `atomic_path` replaced by its destination's."""
    if _TEMP_MARK not in text:
        return text
    for tmp, dest in sorted(_ACTIVE.items(), key=lambda kv: -len(kv[0])):
        text = text.replace(tmp, dest).replace(os.path.basename(tmp), os.path.basename(dest))
    # a writer gone already: ".<name>.lutml-tmp-...<suffix>" -> "<name>" (the suffix is in it)
    return _TEMP_NAME.sub(_drop_temp, text)


def _drop_temp(m: re.Match[str]) -> str:
    name = m.group("name")
    return m.group(0)[: m.start("name") - m.start(0) - 1] + name


def symlink_target(path: str | os.PathLike[str]) -> Path | None:
    """The file a symbolic link `path` points to (resolved fully), or None if it is no link."""
    p = Path(path)
    return Path(os.path.realpath(p)) if p.is_symlink() else None


def _kept_mode(target: Path) -> int:
    """Permission bits for the new file: those of the file it replaces, else the default."""
    try:
        return stat.S_IMODE(os.stat(target).st_mode)
    except (FileNotFoundError, NotADirectoryError):
        return _FILE_MODE


def _naming(exc: OSError, dest: Path, target: Path | None = None) -> OSError:
    """`exc` re-addressed to `dest` when it names no file or only our temporary file (of
    `target`, the file a symlink `dest` points to)."""
    if exc.errno is None:
        return exc
    if exc.filename is not None and not os.path.basename(exc.filename).startswith(
        temp_prefix(target or dest)
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
    # A symbolic link is written through: the file it names is replaced, the link stays.
    target = symlink_target(dest) or dest
    tmp_path = None
    try:
        _make_parent(target)
        fd, tmp = tempfile.mkstemp(
            prefix=temp_prefix(target), suffix=dest.suffix, dir=target.parent
        )
        os.close(fd)
        tmp_path = Path(tmp)
        _ACTIVE[tmp] = str(dest)
        yield tmp_path
        os.chmod(tmp_path, _kept_mode(target))
        os.replace(tmp_path, target)
    except BaseException as exc:
        if tmp_path is not None:
            with contextlib.suppress(FileNotFoundError):
                tmp_path.unlink()
        if isinstance(exc, OSError):
            renamed = _naming(exc, dest, target)
            if renamed is not exc:
                raise renamed from exc
        if type(exc) is ValueError and tmp_path is not None and _TEMP_MARK in str(exc):
            raise ValueError(public_text(str(exc))) from exc  # a writer named its temp file
        raise
    finally:
        if tmp_path is not None:
            _ACTIVE.pop(str(tmp_path), None)


def write_text_atomic(path: str | os.PathLike[str], text: str) -> None:
    """Write `text` (UTF-8, '\\n' newlines) to `path` atomically."""
    with atomic_path(path) as tmp:
        tmp.write_text(text, encoding="utf-8", newline="\n")
