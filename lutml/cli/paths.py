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

from lutml.atomic import remove_stale_temps


def same_file(a: Path, b: Path) -> bool:
    """True if `a` and `b` name one file: same path, or the same inode via symlinks or hard links."""
    try:
        return os.path.samefile(a, b)
    except OSError:  # one of them does not exist (yet): compare where they would be
        return a.resolve() == b.resolve()


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
    """
    inputs = list(inputs)
    seen: list[tuple[str, Path]] = []
    for option, path, suffixes in outputs:
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
        seen.append((option, path))
    for _, path in seen:
        remove_stale_temps(path)  # left by a killed earlier run (see lutml.atomic)
