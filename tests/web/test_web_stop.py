"""`lutml serve` stops on SIGTERM, also mid-request: waitress's event loop hands any exception a
connection's event raises to that connection's handle_error, except SystemExit, KeyboardInterrupt
and its ExitNow, so the `Terminated` every other command raises was lost there and the server ran
on (4 of 15 SIGTERMs sent under load hung; CI's memory test once waited 30 s for it)."""

from __future__ import annotations

import signal
import subprocess
import sys
import threading
import time
import urllib.request

import pytest
from waitress import wasyncore
from web_helpers import free_port

from lutml.cli import Terminated
from lutml.cli.serve import _stop_on_sigterm, _StopServing


class _RaisesOnEvent:
    """A waitress connection whose read and write events raise `exc`; records swallowed errors."""

    def __init__(self, exc: type[BaseException]):
        self.exc, self.swallowed = exc, 0

    def handle_read_event(self) -> None:
        raise self.exc

    handle_write_event = handle_read_event

    def handle_error(self) -> None:
        self.swallowed += 1


@pytest.mark.parametrize("event", [wasyncore.read, wasyncore.write])
def test_the_serving_sigterm_passes_waitress_event_handlers(event):
    conn = _RaisesOnEvent(_StopServing)
    with pytest.raises(_StopServing):
        event(conn)
    assert conn.swallowed == 0
    lost = _RaisesOnEvent(Terminated)  # why serve needs its own: this one is swallowed
    event(lost)
    assert lost.swallowed == 1


def test_sigterm_handler_is_restored_and_reported():
    before = signal.getsignal(signal.SIGTERM)
    with _stop_on_sigterm() as seen:
        assert signal.getsignal(signal.SIGTERM) is not before
        signal.raise_signal(signal.SIGTERM)  # outside waitress: stops the block, not pytest
        pytest.fail("SIGTERM did not stop the block")
    assert signal.getsignal(signal.SIGTERM) is before
    assert seen == [signal.SIGTERM]


def test_serve_stops_on_sigterm_under_load(tmp_path):
    """Five servers, each sent SIGTERM while four clients keep requesting pages: each exits 143
    with `lutml serve: terminated` within 20 s."""
    for attempt in range(5):
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        proc = subprocess.Popen(
            [sys.executable, "-m", "lutml.cli", "serve", "--port", str(port)]
            + ["--models-dir", str(tmp_path)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        stop = threading.Event()

        def hammer(base: str = base, stop: threading.Event = stop) -> None:
            while not stop.is_set():
                try:
                    urllib.request.urlopen(base + "/", timeout=5).read()
                except OSError:
                    time.sleep(0.05)

        clients = [threading.Thread(target=hammer, daemon=True) for _ in range(4)]
        try:
            deadline = time.monotonic() + 60
            while True:
                try:
                    urllib.request.urlopen(base + "/api/models", timeout=2).close()
                    break
                except OSError:
                    if time.monotonic() > deadline or proc.poll() is not None:
                        raise
                    time.sleep(0.1)
            for c in clients:
                c.start()
            time.sleep(0.2 + 0.1 * attempt)
            proc.terminate()
            try:
                rc = proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                pytest.fail(f"attempt {attempt}: lutml serve still running 20 s after SIGTERM")
            assert rc == 128 + signal.SIGTERM, (attempt, rc)
            assert "lutml serve: terminated" in proc.stderr.read()
        finally:
            stop.set()
            if proc.poll() is None:
                proc.kill()
                proc.wait()
            proc.stderr.close()
            for c in clients:
                if c.is_alive():
                    c.join(timeout=10)
