"""The server's temporary folders (a request's uploads, a stills job's stills), tracked so that
stopping the server removes what its unfinished requests and jobs still hold.

Each folder is removed when its request or job ends. Worker and job threads are daemon threads,
so on SIGTERM or Ctrl-C their own clean-up never runs: `lutml serve` calls `stop_work`, which
cancels the jobs, waits a little for them to end, and then removes every folder left
(a stills job SIGTERMed mid-read used to leave its uploaded stills in the temp folder).
"""

from __future__ import annotations

import contextlib
import shutil
import tempfile
import threading
from collections.abc import Iterator
from pathlib import Path


class TempFolders:
    """Temporary folders made for this server, until each is removed."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._live: set[Path] = set()

    def make(self, prefix: str, parent: str | Path | None = None) -> Path:
        folder = Path(tempfile.mkdtemp(prefix=prefix, dir=parent))
        with self._lock:
            self._live.add(folder)
        return folder

    def remove(self, folder: Path) -> None:
        shutil.rmtree(folder, ignore_errors=True)
        with self._lock:
            self._live.discard(folder)

    @contextlib.contextmanager
    def folder(self, prefix: str, parent: str | Path | None = None) -> Iterator[Path]:
        """A new folder for the block, removed after it (also when it raises)."""
        folder = self.make(prefix, parent)
        try:
            yield folder
        finally:
            self.remove(folder)

    def live(self) -> list[Path]:
        with self._lock:
            return sorted(self._live)

    def remove_all(self) -> int:
        """Remove every folder not yet removed; how many there were."""
        left = self.live()
        for folder in left:
            self.remove(folder)
        return len(left)
