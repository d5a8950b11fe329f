"""Issue 12, CLI items 1, 2, 6, 8: OS errors and signals end in one line, inputs are never
overwritten, outputs are checked before any is written, killed runs leave nothing behind."""

from __future__ import annotations

import errno
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from lutml.atomic import remove_stale_temps, temp_prefix
from lutml.cli import main
from lutml.lut import LUT3D, write_cube

RNG = np.random.default_rng(12)


@pytest.fixture
def files(tmp_path: Path) -> Path:
    """look.cube (5^3 identity) and two 40x60 RGB frames a.png, b.png."""
    write_cube(LUT3D.identity(5), tmp_path / "look.cube")
    for name in ("a.png", "b.png"):
        Image.fromarray(RNG.integers(0, 256, (40, 60, 3), dtype=np.uint8)).save(tmp_path / name)
    return tmp_path


def one_error_line(capsys) -> str:
    err = capsys.readouterr().err
    lines = err.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in err, err
    return lines[0]


def leftovers(folder: Path) -> list[str]:
    """Temporary files of atomic writes (hidden files: the fixtures make none)."""
    return sorted(p.name for p in folder.rglob(".*"))


def test_output_under_a_file_is_one_line(files, capsys):
    assert (
        main(
            [
                "apply",
                str(files / "look.cube"),
                str(files / "a.png"),
                str(files / "a.png" / "out.png"),
            ]
        )
        == 2
    )
    line = one_error_line(capsys)
    assert (
        line.startswith(f"lutml apply: error: {files / 'a.png' / 'out.png'}: ")
        and "not a folder" in line
    )


@pytest.mark.parametrize(
    ("code", "reason"),
    [(errno.ENOSPC, "No space left on device"), (errno.EROFS, "Read-only file system")],
)
def test_write_errors_name_the_output_not_a_temp_file(files, capsys, monkeypatch, code, reason):
    """A full disk fails inside write() (no file name); a read-only folder fails creating the temp file."""
    if code == errno.ENOSPC:

        def save(self, fp, *args, **kwargs):
            Path(fp).write_bytes(b"partial")
            raise OSError(code, os.strerror(code))

        monkeypatch.setattr(Image.Image, "save", save)
    else:

        def mkstemp(prefix="", suffix="", dir=None):
            raise OSError(code, os.strerror(code), os.path.join(dir, f"{prefix}abcd{suffix}"))

        monkeypatch.setattr(tempfile, "mkstemp", mkstemp)
    out = files / "out.png"
    assert main(["apply", str(files / "look.cube"), str(files / "a.png"), str(out)]) == 2
    assert one_error_line(capsys) == f"lutml apply: error: {out}: {reason}"
    assert not out.exists() and leftovers(files) == []


def apply_command(files: Path, image: Path) -> list[str]:
    """`lutml apply look.cube IMAGE out.tif` in `files`, as a child process's argv."""
    cube, out = str(files / "look.cube"), str(files / "out.tif")
    return [sys.executable, "-m", "lutml.cli", "apply", cube, str(image), out]


def test_file_size_limit_is_one_line(files):
    """EFBIG for real: the child runs under a 20 kB file-size limit."""
    big = files / "big.png"
    Image.fromarray(RNG.integers(0, 256, (200, 300, 3), dtype=np.uint8)).save(big)

    def limit() -> None:
        resource.setrlimit(resource.RLIMIT_FSIZE, (20_000, 20_000))

    done = subprocess.run(
        apply_command(files, big),
        capture_output=True,
        text=True,
        preexec_fn=limit,
        timeout=120,
    )
    assert done.returncode == 2, done.stderr
    assert done.stderr.strip() == f"lutml apply: error: {files / 'out.tif'}: File too large"
    assert not (files / "out.tif").exists() and leftovers(files) == []


def test_ctrl_c_exits_130_in_one_line(files, capsys, monkeypatch):
    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr("lutml.lut.apply_lut", interrupted)
    try:
        code = main(
            ["apply", str(files / "look.cube"), str(files / "a.png"), str(files / "out.png")]
        )
    except KeyboardInterrupt:
        pytest.fail("Ctrl-C escaped as a traceback")
    assert code == 130
    assert one_error_line(capsys) == "lutml apply: interrupted"


# SIGTERM while the output is half written (in a child: an unhandled SIGTERM would end pytest).
SIGTERM_CHILD = """
import os, signal, sys
from pathlib import Path
from PIL import Image
def save(self, fp, *args, **kwargs):
    Path(fp).write_bytes(b"half an image")
    os.kill(os.getpid(), signal.SIGTERM)
Image.Image.save = save
from lutml.cli import main
before = signal.getsignal(signal.SIGTERM)
code = main(sys.argv[1:])
assert signal.getsignal(signal.SIGTERM) is before, "handler not restored"
sys.exit(code)
"""


def test_sigterm_mid_write_exits_143_and_leaves_nothing(files):
    out = files / "out.png"
    done = subprocess.run(
        [
            sys.executable,
            "-c",
            SIGTERM_CHILD,
            "apply",
            str(files / "look.cube"),
            str(files / "a.png"),
            str(out),
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 143, done.stderr
    assert done.stderr.strip() == "lutml apply: terminated"
    assert not out.exists() and leftovers(files) == []


def _dead_pid() -> int:
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


def test_temp_files_of_killed_runs_are_removed(files, capsys):
    """SIGKILL cannot be caught; the next run removes what the dead writer left (never a live one's)."""
    out = files / "out.png"
    own = temp_prefix(out)
    host_and_pid = own.removeprefix(f".{out.name}.lutml-tmp-").rstrip("-")
    host = host_and_pid.rsplit("-", 1)[0]
    stale = files / f".{out.name}.lutml-tmp-{host}-{_dead_pid()}-x1y2.png"
    live = files / f".{out.name}.lutml-tmp-{host}-{os.getppid()}-x1y2.png"  # our parent: alive
    other_host = files / f".{out.name}.lutml-tmp-ffffffff-{_dead_pid()}-x1y2.png"
    for p in (stale, live, other_host):
        p.write_bytes(b"partial")
    assert main(["apply", str(files / "look.cube"), str(files / "a.png"), str(out)]) == 0
    assert not stale.exists() and live.exists() and other_host.exists()
    assert remove_stale_temps(out) == []


def test_killed_apply_leaves_no_temp_after_the_next_run(files):
    """The real thing: SIGKILL a `lutml apply` while it writes, then run it again."""
    big = files / "big.png"
    Image.fromarray(RNG.integers(0, 256, (1500, 2000, 3), dtype=np.uint8)).save(big)
    proc = subprocess.Popen(
        apply_command(files, big), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    try:
        for _ in range(3000):  # up to 30 s for the temp file to appear
            if leftovers(files) or proc.poll() is not None:
                break
            time.sleep(0.01)
        proc.kill()
    finally:
        proc.wait(timeout=30)
    if not leftovers(files):
        pytest.skip("the write finished before the kill")
    assert (
        subprocess.run(
            apply_command(files, files / "a.png"), capture_output=True, timeout=120
        ).returncode
        == 0
    )
    assert leftovers(files) == []


@pytest.mark.parametrize("how", ["same path", "symlink", "hard link"])
def test_fit_never_overwrites_an_input(files, capsys, how):
    a = files / "a.png"
    original = a.read_bytes()
    out = {"same path": a, "symlink": files / "link.cube", "hard link": files / "hard.cube"}[how]
    if how == "symlink":
        out.symlink_to(a)
    elif how == "hard link":
        os.link(a, out)
    for args in (["--source", str(a), "--target", str(files / "b.png")], ["--pair", str(a)]):
        assert main(["fit", *args, "-o", str(out), "--size", "5"]) == 2
        line = one_error_line(capsys)
        assert f"would overwrite the input {a}" in line
        assert a.read_bytes() == original


def fit_argv(files: Path, out: Path) -> list[str]:
    """`lutml fit` of the pair a.png -> b.png in `files`, written to `out`."""
    return [
        "fit",
        "--source",
        str(files / "a.png"),
        "--target",
        str(files / "b.png"),
        "-o",
        str(out),
    ]


def test_fit_output_must_be_a_cube(files, capsys):
    out = files / "look.txt"
    assert main(fit_argv(files, out)) == 2
    assert "unsupported -o/--output format '.txt'; use .cube" in one_error_line(capsys)
    assert not out.exists()


def test_apply_never_overwrites_its_input(files, capsys):
    a = files / "a.png"
    original = a.read_bytes()
    assert main(["apply", str(files / "look.cube"), str(a), str(a)]) == 2
    assert "would overwrite the input" in one_error_line(capsys)
    assert a.read_bytes() == original


def test_fit_checks_every_output_before_writing_any(files, capsys):
    out = files / "look.cube"
    out.unlink()
    base = [*fit_argv(files, out), "--size", "5"]
    assert main([*base, "--coverage-png", str(files / "c.bmp")]) == 2
    assert "unsupported --coverage-png format '.bmp'" in one_error_line(capsys)
    assert main([*base, "--coverage-png", str(files / "b.png")]) == 2  # an input: refused too
    assert "would overwrite the input" in one_error_line(capsys)
    assert main([*base, "--coverage-png", str(files)]) == 2
    assert "names a folder" in one_error_line(capsys)
    assert not out.exists() and leftovers(files) == []
    assert main([*base, "--coverage-png", str(files / "c.png")]) == 0
    assert out.exists() and (files / "c.png").exists()
