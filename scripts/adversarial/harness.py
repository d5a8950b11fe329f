"""The command-line side of the harness: a `Case` runs `.venv/bin/lutml` with a set of
arguments in the scratch folder and is judged clean or not (see `run_case`)."""

from __future__ import annotations

import os
import resource
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
LUTML = str(Path(sys.executable).parent / "lutml")
MODEL = ROOT / "data" / "models"
AS_LIMIT = 8 << 30


@dataclass
class Case:
    category: str
    name: str
    argv: list[str] | Callable[[], list[str]]
    rc: int | tuple[int, ...] = 0
    expect: str | None = None  # must appear in stdout + stderr
    max_rss_mb: float | None = None
    check: Callable[[], str | None] | None = None  # returns a problem, or None
    signal_after: float | None = None  # send `sig` this many seconds after start
    sig: int = signal.SIGINT
    timeout: float = 600.0
    slow: bool = False
    usage_error: bool = False  # argparse's own error: usage + one line
    absent: str | None = None  # must NOT appear in stdout + stderr
    strict_stderr: bool = False  # stderr must be exactly the one error line


@dataclass
class Row:
    """How one case (command line or web) went: a line of the report."""

    category: str
    name: str
    clean: bool
    problems: list[str] = field(default_factory=list)
    exit: int | None = None
    rss_mb: float = 0.0
    seconds: float = 0.0


def _limit() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (AS_LIMIT, AS_LIMIT))


def run_case(case: Case, work: Path) -> Row:
    argv = case.argv() if callable(case.argv) else case.argv
    before = {p for p in work.rglob(".*lutml-tmp-*")}
    t0 = time.perf_counter()
    proc = subprocess.Popen(
        [LUTML, *argv],
        cwd=work,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        preexec_fn=_limit,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    if case.signal_after is not None:
        time.sleep(case.signal_after)
        if proc.poll() is None:
            proc.send_signal(case.sig)
    try:
        out, err = proc.communicate(timeout=case.timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        out, err = proc.communicate()
        return Row(case.category, case.name, False, ["timed out"], None, 0.0, case.timeout)
    seconds = time.perf_counter() - t0
    rss_mb = 0.0  # measured separately (rss_of) where a case has a bound
    out_s, err_s = out.decode("utf-8", "replace"), err.decode("utf-8", "replace")
    problems = []
    expected_rc = case.rc if isinstance(case.rc, tuple) else (case.rc,)
    if proc.returncode not in expected_rc:
        problems.append(f"exit {proc.returncode}, expected {expected_rc}")
    if "Traceback" in err_s or "Traceback" in out_s:
        problems.append("traceback")
    if "lutml-tmp" in err_s or "lutml-tmp" in out_s:
        problems.append("temporary name shown")
    errors = [ln for ln in err_s.splitlines() if " error: " in ln or ln.startswith("lutml ")]
    if proc.returncode in (130, 143) and err_s.strip() not in ("lutml fit: interrupted",
                                                                "lutml fit: terminated") and not (
        err_s.strip().endswith(("interrupted", "terminated")) and len(errors) == 1
    ):  # fmt: skip
        problems.append(f"interrupt not one line: {err_s.strip()[-300:]!r}")
    if proc.returncode == 2 and not case.usage_error:
        if len(errors) != 1 or not errors[0].startswith("lutml "):
            problems.append(f"error not one line: {err_s.strip()[:300]!r}")
    if case.usage_error and "usage:" not in err_s:
        problems.append("no usage error")
    if case.absent is not None and case.absent in out_s + err_s:
        problems.append(f"printed {case.absent!r}")
    if case.strict_stderr and len(err_s.strip().splitlines()) != 1:
        problems.append(f"stray stderr lines: {err_s.strip()[:300]!r}")
    if case.expect is not None and case.expect not in out_s + err_s:
        problems.append(f"missing {case.expect!r}: {(out_s + err_s).strip()[-300:]!r}")
    left = {p for p in work.rglob(".*lutml-tmp-*")} - before
    if left and proc.returncode != -signal.SIGKILL:
        problems.append(f"temporary files left: {sorted(p.name for p in left)}")
    if case.check is not None and (problem := case.check()):
        problems.append(problem)
    return Row(case.category, case.name, not problems, problems, proc.returncode, rss_mb, seconds)


def rss_of(argv: list[str], work: Path) -> float:
    """Peak RSS (MB) of one command (wait4 of exactly that child)."""
    proc = subprocess.Popen(
        [LUTML, *argv], cwd=work, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        preexec_fn=_limit,
    )  # fmt: skip
    _, _, usage = os.wait4(proc.pid, 0)
    proc.returncode = 0
    return usage.ru_maxrss / 1024
