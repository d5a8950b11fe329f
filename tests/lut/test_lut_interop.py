"""Files written by lutml, read and applied by independent tools: OpenColorIO and ffmpeg."""

from __future__ import annotations

import subprocess
from pathlib import Path

import imageio_ffmpeg
import numpy as np
import PyOpenColorIO as OCIO
import pytest
from lut_format_helpers import ocio_apply
from sample_helpers import asymmetric_lut

from lutml.lut import LUT1D, LUT3D, apply_lut, identity_table, read_cube, write_cube

RNG = np.random.default_rng(11)


def lattice_points(lut: LUT3D) -> np.ndarray:
    """Input colours of every node, float32 (n**3, 3)."""
    lo, hi = lut.domain_min, lut.domain_max
    return (identity_table(lut.size) * (hi - lo) + lo).reshape(-1, 3)


@pytest.mark.parametrize("size", [2, 17, 33, 65])
def test_opencolorio_reads_lutml_files_exactly(tmp_path: Path, size: int):
    lut = asymmetric_lut(size)
    write_cube(lut, tmp_path / "look.cube")
    at_nodes = ocio_apply(tmp_path / "look.cube", lattice_points(lut))
    np.testing.assert_allclose(at_nodes, lut.table.reshape(-1, 3), rtol=0, atol=2e-7)


@pytest.mark.parametrize("size", [2, 17, 33, 65])
def test_apply_matches_opencolorio_tetrahedral(tmp_path: Path, size: int):
    lut = asymmetric_lut(size)
    lut.domain_min = np.array([-0.1, 0.0, 0.05], np.float32)  # non-default DOMAIN too
    lut.domain_max = np.array([1.2, 1.0, 0.9], np.float32)
    write_cube(lut, tmp_path / "look.cube")
    rgb = RNG.uniform(-0.3, 1.4, (20000, 3)).astype(np.float32)  # includes out-of-domain values
    ours = apply_lut(read_cube(tmp_path / "look.cube"), rgb)
    np.testing.assert_allclose(ours, ocio_apply(tmp_path / "look.cube", rgb), rtol=0, atol=1e-5)


def test_apply_matches_opencolorio_with_shaper(tmp_path: Path):
    """Resolve dialect (shaper + 3D, no TITLE) written by lutml is read and matched by OCIO."""
    ramp = np.linspace(0.0, 1.0, 64)[:, None] ** np.array([0.5, 0.6, 0.45])
    lut = asymmetric_lut(17)
    lut.shaper = LUT1D(ramp, [-0.05] * 3, [1.5] * 3)
    write_cube(lut, tmp_path / "shaped.cube")
    rgb = RNG.uniform(-0.2, 1.6, (20000, 3)).astype(np.float32)
    ours = apply_lut(lut, rgb)
    np.testing.assert_allclose(ours, ocio_apply(tmp_path / "shaped.cube", rgb), rtol=0, atol=1e-5)


def test_1d_only_file_matches_opencolorio(tmp_path: Path):
    ramp = np.linspace(0.0, 1.0, 33)[:, None] ** np.array([2.2, 1.0, 0.5]) * [1.0, 1.5, 0.8]
    rows = "\n".join(" ".join(f"{v:.9g}" for v in row) for row in ramp)
    path = tmp_path / "curve.cube"
    path.write_text(f"LUT_1D_SIZE 33\nDOMAIN_MIN 0 0 -1\nDOMAIN_MAX 1 2 1\n{rows}\n")
    lut = read_cube(path)
    write_cube(lut, tmp_path / "again.cube")  # written back as a 1D file
    assert "LUT_1D_SIZE 33" in (tmp_path / "again.cube").read_text()
    rgb = RNG.uniform(-1.2, 2.2, (20000, 3)).astype(np.float32)
    for written in (path, tmp_path / "again.cube"):
        theirs = ocio_apply(written, rgb, OCIO.INTERP_LINEAR)
        np.testing.assert_allclose(apply_lut(lut, rgb), theirs, rtol=0, atol=1e-5)


def test_trilinear_matches_opencolorio_linear(tmp_path: Path):
    lut = asymmetric_lut(17)
    write_cube(lut, tmp_path / "look.cube")
    rgb = RNG.random((20000, 3), dtype=np.float32)
    theirs = ocio_apply(tmp_path / "look.cube", rgb, OCIO.INTERP_LINEAR)
    np.testing.assert_allclose(apply_lut(lut, rgb, "trilinear"), theirs, rtol=0, atol=1e-5)


def ffmpeg_lut3d(path: Path, rgb8: np.ndarray) -> np.ndarray:
    """ffmpeg's ``lut3d`` filter (tetrahedral) on an 8-bit RGB image, through raw pipes."""
    h, w, _ = rgb8.shape
    cmd = [
        imageio_ffmpeg.get_ffmpeg_exe(),
        "-v",
        "error",
        "-f",
        "rawvideo",
        "-pix_fmt",
        "rgb24",
        "-s",
        f"{w}x{h}",
        "-i",
        "-",
        "-vf",
        f"lut3d=file={path}:interp=tetrahedral",
        "-f",
        "rawvideo",
        "-pix_fmt",
        "rgb24",
        "-",
    ]
    done = subprocess.run(cmd, input=rgb8.tobytes(), capture_output=True, check=True, timeout=60)
    return np.frombuffer(done.stdout, np.uint8).reshape(h, w, 3)


@pytest.mark.parametrize("size", [17, 33])
def test_apply_matches_ffmpeg_lut3d_on_8bit(tmp_path: Path, size: int):
    lut = asymmetric_lut(size)
    lut.table = np.clip(lut.table, 0, 1)  # ffmpeg's 8-bit output clamps anyway
    write_cube(lut, tmp_path / "look.cube")
    img = RNG.integers(0, 256, (96, 128, 3), dtype=np.uint8)
    img[:16] = np.linspace(0, 255, 128).astype(np.uint8)[None, :, None]  # grey ramp
    theirs = ffmpeg_lut3d(tmp_path / "look.cube", img).astype(int)
    ours = apply_lut(lut, img).astype(int)
    # ffmpeg truncates the float result to 8 bits where lutml rounds: ours is theirs or one more.
    assert set(np.unique(ours - theirs)) <= {0, 1}
    # Truncating lutml's float result the same way reproduces ffmpeg (up to float32 slack).
    graded = apply_lut(lut, img.astype(np.float32) / 255) * 255
    assert np.all((theirs <= graded + 1e-3) & (graded < theirs + 1 + 1e-3))
