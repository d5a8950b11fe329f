"""Output paths of the `lutml` commands, checked before any work is done.

A command validates every output it will write *first*, so that a bad second output cannot
fail after the first was written, and an output can never overwrite one of the command's own
inputs (`lutml fit --source a.png -o a.png` once replaced the image with `.cube` text).
"""

from __future__ import annotations

import errno
import os
from collections.abc import Iterable
from pathlib import Path

from lutml.atomic import remove_stale_temps, symlink_target


def same_file(a: Path, b: Path) -> bool:
    """True if `a` and `b` name one file: same path, or the same inode via symlinks or hard links."""
    try:
        return os.path.samefile(a, b)
    except OSError:  # one of them does not exist (yet): compare where they would be
        return os.path.realpath(a) == os.path.realpath(b)  # (a symlink loop: no error here)


def check_outputs(
    outputs: Iterable[tuple[str, Path, tuple[str, ...]]], inputs: Iterable[Path]
) -> None:
    """Refuse outputs that would destroy an input, collide, are folders, or have the wrong suffix.

    Parameters
    ----------
    outputs : (option as the user typed it, path, accepted lower-case suffixes) per output
    inputs : every file the command reads

    Raises
    ------
    ValueError
        ``"<path>: <problem>"`` for a wrong suffix, an output that is one of the inputs
        (also through a symlink or hard link) or two outputs that are the same file.
    IsADirectoryError
        An output names an existing folder.
    FileNotFoundError
        An output's folder does not exist (the commands never create folders: a typo in a
        folder name would otherwise scatter outputs silently).
    NotADirectoryError
        An output's "folder" is a file.

    An output that is a symbolic link is written through (the file it points to is replaced,
    the link kept); a note says so.
    """
    inputs = list(inputs)
    seen: list[tuple[str, Path]] = []
    for option, path, suffixes in outputs:
        if path.is_symlink() and not path.exists():
            try:
                os.stat(path)
            except OSError as exc:
                if exc.errno == errno.ELOOP:  # a link to itself, or a circle of links
                    raise OSError(
                        errno.ELOOP, f"{option} is a circle of symbolic links", str(path)
                    ) from None
        if path.is_dir():
            raise IsADirectoryError(
                errno.EISDIR, f"{option} names a folder; give a file name", str(path)
            )
        for source in inputs:
            if same_file(path, source):
                raise ValueError(
                    f"{path}: {option} would overwrite the input {source} (same file); "
                    "choose another name"
                )
        for other_option, other in seen:
            if same_file(path, other):
                raise ValueError(f"{path}: {option} and {other_option} are the same file")
        if path.suffix.lower() not in suffixes:
            raise ValueError(
                f"{path}: unsupported {option} format {path.suffix.lower() or 'no suffix'!r}; "
                f"use {', '.join(suffixes)}"
            )
        _check_folder(option, path)
        seen.append((option, path))
    for option, path in seen:
        target = symlink_target(path)
        if target is not None:
            if target.is_dir():
                raise IsADirectoryError(
                    errno.EISDIR, f"{option} is a link to the folder {target}", str(path)
                )
            _check_folder(option, target)
            print(f"note: {path} is a symbolic link: writing through it to {target} (link kept)")
        remove_stale_temps(target or path)  # left by a killed earlier run (see lutml.atomic)


def _check_folder(option: str, path: Path) -> None:
    """The folder `path` goes into must exist and be a folder."""
    folder = path.parent
    if folder.is_dir():
        return
    if folder.exists() or any(p.exists() and not p.is_dir() for p in folder.parents):
        blocker = next(
            (p for p in [folder, *folder.parents] if p.exists() and not p.is_dir()), folder
        )
        raise NotADirectoryError(errno.ENOTDIR, f"{blocker} is a file, not a folder", str(path))
    raise FileNotFoundError(
        errno.ENOENT, f"the folder {folder} of {option} does not exist (create it first)", str(path)
    )
