"""`lutml serve` stops on SIGTERM, also mid-request: waitress's event loop hands any exception a
connection's event raises to that connection's handle_error, except SystemExit, KeyboardInterrupt
and its ExitNow, so the `Terminated` every other command raises was lost there and the server ran
on (4 of 15 SIGTERMs sent under load hung; CI's memory test once waited 30 s for it).
And it leaves no uploads behind: a stills job stopped mid-read left its stills in the temp folder."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import threading
import time
import urllib.request

import pytest
from waitress import wasyncore
from web_helpers import known_grade, make_frame, png_bytes, served_in_child

from lutml.bench.web import _multipart
from lutml.cli import Terminated, main
from lutml.cli.serve import _stop_on_sigterm, _StopServing
from lutml.web import create_app, stop_work
from lutml.web.looks import StillsJob
from lutml.web.tempfolders import TempFolders


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
    """Five servers, each sent SIGTERM while two clients keep requesting pages and two keep
    matching frame pairs: each exits 143 with `lutml serve: terminated` within 20 s and leaves
    no folder in its temp folder."""
    frame = make_frame(600, 800)
    body, ctype = _multipart(
        {"size": "17"},
        {"before": ("b.png", png_bytes(frame)), "after": ("a.png", png_bytes(known_grade(frame)))},
    )
    temp = tmp_path / "tmp"
    temp.mkdir()
    for attempt in range(5):
        stop = threading.Event()
        with served_in_child(
            "--models-dir",
            str(tmp_path),
            env={**os.environ, "TMPDIR": str(temp)},
            stderr=subprocess.PIPE,
        ) as (base, proc):

            def hammer(post: bool, base: str = base, stop: threading.Event = stop) -> None:
                while not stop.is_set():
                    req = urllib.request.Request(base + "/")
                    if post:
                        req = urllib.request.Request(
                            base + "/api/match", data=body, headers={"Content-Type": ctype}
                        )
                    try:
                        urllib.request.urlopen(req, timeout=10).read()
                    except OSError:
                        time.sleep(0.05)

            clients = [
                threading.Thread(target=hammer, args=(post,), daemon=True)
                for post in (False, False, True, True)
            ]
            try:
                for c in clients:
                    c.start()
                time.sleep(0.3 + 0.2 * attempt)
                proc.terminate()
                try:
                    rc = proc.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    proc.kill()
                    pytest.fail(f"attempt {attempt}: lutml serve still running 20 s after SIGTERM")
                assert rc == 128 + signal.SIGTERM, (attempt, rc)
                assert "lutml serve: terminated" in proc.stderr.read()
                assert list(temp.iterdir()) == [], attempt
            finally:
                stop.set()
                proc.stderr.close()
                for c in clients:
                    c.join(timeout=10)


def test_temp_folders_are_removed_after_their_block_and_on_stop(tmp_path):
    folders = TempFolders()
    with pytest.raises(RuntimeError), folders.folder("lutml-web-", tmp_path) as d:
        (d / "upload").write_bytes(b"x")
        raise RuntimeError
    assert list(tmp_path.iterdir()) == [] and folders.live() == []
    left = [folders.make("lutml-web-", tmp_path), folders.make("lutml-job-", tmp_path)]
    (left[0] / "upload").write_bytes(b"x")
    assert folders.live() == sorted(left)
    assert folders.remove_all() == 2
    assert list(tmp_path.iterdir()) == [] and folders.live() == []


def test_stop_work_cancels_jobs_and_removes_what_is_left(tmp_path):
    """A job that checks for cancelling ends (its folder removed by the job); one stuck in a
    step that never checks is left running, and its folder and a request's are removed anyway."""
    app = create_app({"LUTML_MODEL_DIRS": [], "LUTML_TMP_DIR": str(tmp_path)})
    folders, jobs = app.extensions["lutml_temp"], app.extensions["lutml_jobs"]
    release, started = threading.Event(), threading.Event()

    def polite(job: StillsJob) -> None:
        while True:
            job.check()
            time.sleep(0.01)

    def stuck(job: StillsJob) -> None:
        started.set()
        release.wait(30)

    submitted = []
    for work in (polite, stuck):
        folder = folders.make("lutml-job-", tmp_path)
        (folder / "still_000.upload").write_bytes(b"x")
        submitted.append(jobs.submit(StillsJob(total=1, folder=folder), work))
    folders.make("lutml-web-", tmp_path)  # a request whose worker thread never returned
    assert started.wait(10)
    try:
        assert stop_work(app, wait_s=1.0) == 2  # the stuck job's folder and the request's
        assert list(tmp_path.iterdir()) == []
        assert submitted[0].state == "cancelled"
        assert submitted[1].finished is None
    finally:
        release.set()


def test_serve_says_which_address_it_cannot_listen_on(tmp_path, capsys):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        assert main(["serve", "--port", str(port), "--models-dir", str(tmp_path)]) == 2
    err = capsys.readouterr().err.strip()
    assert err == (
        f"lutml serve: error: cannot listen on 127.0.0.1:{port}: address already in use "
        "(another server is listening there: stop it, or choose --port)"
    )
    args = ["--port", str(port), "--models-dir", str(tmp_path)]
    assert main(["serve", "--host", "no-such-host.invalid", *args]) == 2
    assert "cannot listen on no-such-host.invalid:" in capsys.readouterr().err
