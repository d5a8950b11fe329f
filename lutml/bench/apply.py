"""`python -m lutml.bench apply`: LUT application speed against OpenColorIO and Pillow.

One 33^3 asymmetric grade on one 3840x2160 frame (skimage's coffee.png, bicubic upscale: a
natural image, so neighbouring pixels share lattice cells as in real footage; ``--noise`` uses
uniform noise instead, the worst case for caches and branch prediction). Contenders:

- float32, tetrahedral: lutml vs OpenColorIO's CPU processor (FileTransform of the same written
  ``.cube``, INTERP_TETRAHEDRAL, packed RGB) and vs a plain-NumPy implementation;
- uint8: lutml tetrahedral and trilinear vs Pillow's ``ImageFilter.Color3DLUT`` (trilinear);
- float32, tetrahedral with a 65^3 LUT (``--big-size``; issue 14 asks for >= 1x OpenColorIO):
  4.4 MB of nodes no longer fit in L2, so this is where cache misses would show.

OpenColorIO grades in place; `apply_lut` returns a new array, and faulting in a fresh 100 MB
frame costs the kernel time (more on a busy machine, where transparent huge pages need
compaction), so lutml is also timed writing into a reused buffer (``out=``): like for like.

Everyone gets the same number of threads (``--threads``, default 1): numba's pool is set to it,
and with more than one, OpenColorIO and Pillow (both single-threaded, both release the GIL) run
on that many horizontal stripes in a thread pool. Runs are interleaved (one of each contender per
round) so that load from other processes hits all of them alike; the table shows medians.
Ratios are throughput ratios: reference seconds / contender seconds (> 1 means faster).
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np

from lutml.lut import LUT3D, apply_lut, identity_table, write_cube
from lutml.lut.reference import apply_lut_numpy


def bench_lut(size: int):
    """A deterministic asymmetric grade: channel mix, red-only gain, a gentle S-curve."""
    grid = identity_table(size).astype(np.float64)
    mix = grid @ np.array([[1.15, 0.05, -0.1], [0.1, 0.9, 0.05], [-0.05, 0.1, 0.85]])
    curve = mix + 0.06 * np.sin(2 * np.pi * mix)
    return LUT3D(np.clip(curve, -0.05, 1.1).astype(np.float32), title=f"bench {size}")


def test_frame(width: int, height: int, noise: bool) -> np.ndarray:
    """uint8 (height, width, 3) frame: coffee.png upscaled, or uniform noise."""
    if noise:
        return np.random.default_rng(0).integers(0, 256, (height, width, 3), dtype=np.uint8)
    import skimage
    from PIL import Image

    path = Path(skimage.__file__).parent / "data" / "coffee.png"
    with Image.open(path) as im:
        return np.asarray(im.convert("RGB").resize((width, height), Image.Resampling.BICUBIC))


def striped(func: Callable[[np.ndarray], object], threads: int) -> Callable[[np.ndarray], object]:
    """Run `func` on `threads` horizontal stripes of a frame in parallel (1: call it directly)."""
    if threads == 1:
        return func
    pool = ThreadPoolExecutor(threads)
    return lambda frame: list(pool.map(func, np.array_split(frame, threads, axis=0)))


def references(lut, cube: Path):
    """(OpenColorIO CPU processor of the written `cube`, Pillow Color3DLUT filter) for `lut`."""
    import PyOpenColorIO as OCIO
    from PIL import ImageFilter

    transform = OCIO.FileTransform(src=str(cube), interpolation=OCIO.INTERP_TETRAHEDRAL)
    ocio = OCIO.Config.CreateRaw().getProcessor(transform).getDefaultCPUProcessor()
    # Pillow wants red-fastest order, like a .cube file.
    pil = ImageFilter.Color3DLUT(lut.size, lut.table.transpose(2, 1, 0, 3).reshape(-1).tolist())
    return ocio, pil


COPY = "(buffer copy before each OCIO run)"
OCIO_CASE = "float32 tetrahedral  OpenColorIO"
PIL_CASE = "uint8   trilinear    Pillow Color3DLUT"
BIG = "float32 tetrahedral  {n}^3 "  # prefix of the big-LUT rows, compared with their own OCIO row


def contenders(
    lut, frame8: np.ndarray, ocio, pil_filter, threads: int, big=None
) -> dict[str, Callable]:
    """name -> zero-argument callable for every timed case (plus the OCIO buffer copy).

    `big` = (LUT, its OpenColorIO processor) adds the big-LUT float32 rows, or None.
    """
    from PIL import Image

    frame32 = frame8.astype(np.float32) / 255
    work = frame32.copy()  # OpenColorIO works in place: it gets a fresh copy every round
    ocio_run = striped(ocio.applyRGB, threads)
    pil_run = striped(lambda stripe: Image.fromarray(stripe).filter(pil_filter), threads)
    pil_image = Image.fromarray(frame8)
    reused = np.empty_like(frame32)
    cases = {
        "float32 tetrahedral  lutml (numba)": lambda: apply_lut(lut, frame32),
        "float32 tetrahedral  lutml, out= buffer": lambda: apply_lut(lut, frame32, out=reused),
        OCIO_CASE: lambda: (np.copyto(work, frame32), ocio_run(work)),
        COPY: lambda: np.copyto(work, frame32),
        "uint8   tetrahedral  lutml (numba)": lambda: apply_lut(lut, frame8),
        "uint8   trilinear    lutml (numba)": lambda: apply_lut(lut, frame8, "trilinear"),
        PIL_CASE: (lambda: pil_image.filter(pil_filter))
        if threads == 1
        else (lambda: pil_run(frame8)),
    }
    if big is not None:
        big_lut, big_ocio = big
        big_run = striped(big_ocio.applyRGB, threads)
        prefix = BIG.format(n=big_lut.size)
        cases |= {
            prefix + "lutml (numba)": lambda: apply_lut(big_lut, frame32),
            prefix + "lutml, out= buffer": lambda: apply_lut(big_lut, frame32, out=reused),
            prefix + "OpenColorIO": lambda: (np.copyto(work, frame32), big_run(work)),
        }
    return cases


def measure(cases: dict[str, Callable], repeats: int) -> dict[str, tuple[float, float]]:
    """Median (wall, CPU) seconds per case over `repeats` interleaved rounds, after a warm-up.

    CPU time (all threads of this process) is reported beside wall time because on a shared
    machine wall time mostly measures the other tenants; with one thread each, CPU seconds are
    the fairer comparison.
    """
    times: dict[str, list[tuple[float, float]]] = {name: [] for name in cases}
    for call in cases.values():
        call()  # warm-up: load numba's cache (or compile), fault in buffers
    for _ in range(repeats):
        for name, call in cases.items():
            wall, cpu = time.perf_counter(), time.process_time()
            call()
            times[name].append((time.perf_counter() - wall, time.process_time() - cpu))
    result = {name: tuple(np.median(np.array(t), axis=0).tolist()) for name, t in times.items()}
    copy = result.pop(COPY)
    for name in result:
        if name.endswith("OpenColorIO"):
            result[name] = (result[name][0] - copy[0], result[name][1] - copy[1])
    return result


def accuracy(lut, frame8: np.ndarray, ocio, pil_filter) -> tuple[float, int]:
    """Largest differences to the references on a crop: they must compute the same thing."""
    from PIL import Image

    crop = np.ascontiguousarray(frame8[:256, :256])
    crop32 = crop.astype(np.float32) / 255
    theirs = crop32.copy()
    ocio.applyRGB(theirs)
    pil = np.asarray(Image.fromarray(crop).filter(pil_filter)).astype(int)
    return (
        float(np.abs(apply_lut(lut, crop32) - theirs).max()),
        int(np.abs(apply_lut(lut, crop, "trilinear").astype(int) - pil).max()),
    )


def run_bench(
    size: int = 33,
    width: int = 3840,
    height: int = 2160,
    repeats: int = 5,
    threads: int = 1,
    noise: bool = False,
    skip_numpy: bool = False,
    big_size: int = 65,
) -> dict:
    """Time every contender, check lutml against the references; the table `format_report` prints.

    Returns
    -------
    dict with
      ``rows``: case -> {"wall", "cpu": median seconds, "mpx_per_s", "reference": the case it is
      compared with (OpenColorIO of the same LUT size; Pillow for uint8 rows), "vs_wall",
      "vs_cpu": throughput ratios reference seconds / case seconds (> 1 = faster)};
      ``big_vs_ocio``: None, or {"out_buffer", "fresh"}: OpenColorIO CPU s / lutml CPU s for the
      `big_size` LUT, lutml writing into a ready buffer or a fresh array;
      ``max_err_ocio`` (float32 tetrahedral), ``max_err_pillow`` (uint8 trilinear, code values);
      ``first_call_s`` (numba cache load or compile); ``setup``: the arguments and versions.
    """
    import numba
    import PIL
    import PyOpenColorIO as OCIO

    numba.set_num_threads(threads)
    lut = bench_lut(size)
    frame8 = test_frame(width, height, noise)
    start = time.perf_counter()
    apply_lut(lut, frame8[:2, :2].astype(np.float32))
    first_call = time.perf_counter() - start
    big = None
    with tempfile.TemporaryDirectory() as tmp:
        write_cube(lut, Path(tmp) / "bench.cube")
        ocio, pil_filter = references(lut, Path(tmp) / "bench.cube")
        if big_size:
            big_lut = bench_lut(big_size)
            write_cube(big_lut, Path(tmp) / "big.cube")
            big = (big_lut, references(big_lut, Path(tmp) / "big.cube")[0])
    seconds = measure(contenders(lut, frame8, ocio, pil_filter, threads, big), repeats)
    if not skip_numpy:
        frame32 = frame8.astype(np.float32) / 255
        wall, cpu = time.perf_counter(), time.process_time()
        apply_lut_numpy(lut, frame32)
        seconds["float32 tetrahedral  plain NumPy (1 run)"] = (
            time.perf_counter() - wall,
            time.process_time() - cpu,
        )
    err_ocio, err_pil = accuracy(lut, frame8, ocio, pil_filter)

    megapixels = width * height / 1e6
    big_prefix = BIG.format(n=big_size)
    rows = {}
    for name, (wall, cpu) in seconds.items():
        reference = (
            PIL_CASE
            if name.startswith("uint8")
            else (big_prefix + "OpenColorIO" if name.startswith(big_prefix) else OCIO_CASE)
        )
        ref_wall, ref_cpu = seconds[reference]
        rows[name] = {
            "wall": wall,
            "cpu": cpu,
            "mpx_per_s": megapixels / wall,
            "reference": reference,
            "vs_wall": ref_wall / wall,
            "vs_cpu": ref_cpu / cpu,
        }
    big_vs_ocio = None
    if big is not None:
        ocio_cpu = seconds[big_prefix + "OpenColorIO"][1]
        big_vs_ocio = {
            "out_buffer": ocio_cpu / seconds[big_prefix + "lutml, out= buffer"][1],
            "fresh": ocio_cpu / seconds[big_prefix + "lutml (numba)"][1],
        }
    setup = {
        "size": size,
        "width": width,
        "height": height,
        "repeats": repeats,
        "threads": threads,
        "noise": noise,
        "big_size": big_size,
        "numba": numba.__version__,
        "ocio": OCIO.__version__,
        "pillow": PIL.__version__,
    }
    return {
        "rows": rows,
        "big_vs_ocio": big_vs_ocio,
        "max_err_ocio": err_ocio,
        "max_err_pillow": err_pil,
        "first_call_s": first_call,
        "setup": setup,
    }


def format_report(report: dict) -> str:
    """The table of `run_bench` as text (what `python -m lutml.bench apply` prints)."""
    s = report["setup"]
    lines = [
        f"LUT application: {s['width']}x{s['height']} {'noise' if s['noise'] else 'photo'} frame, "
        f"{s['size']}^3 LUT, {s['threads']} thread(s) each, median of {s['repeats']} interleaved "
        f"runs (numba {s['numba']}, OpenColorIO {s['ocio']}, Pillow {s['pillow']})",
        f"{'case':46} {'wall s':>7} {'cpu s':>7} {'Mpx/s':>6}  {'vs OCIO wall/cpu':>16}  "
        f"{'vs Pillow wall/cpu':>18}",
    ]
    for name, r in report["rows"].items():
        ratio = f"{r['vs_wall']:.2f}x / {r['vs_cpu']:.2f}x"
        cols = ("", ratio) if r["reference"] == PIL_CASE else (ratio, "")
        lines.append(
            f"{name:46} {r['wall']:7.3f} {r['cpu']:7.3f} {r['mpx_per_s']:6.1f}  {cols[0]:>16}  "
            f"{cols[1]:>18}"
        )
    if report["big_vs_ocio"] is not None:
        b = report["big_vs_ocio"]
        lines.append(
            f"{s['big_size']}^3 float32 tetrahedral, lutml vs OpenColorIO throughput (CPU time; goal >= "
            f"1x): {b['out_buffer']:.2f}x like for like (both in a ready buffer), {b['fresh']:.2f}x with "
            "a fresh output array"
        )
    lines.append(
        f"first apply_lut call of this process (numba cache load or compile): "
        f"{report['first_call_s']:.2f} s; machine load average {os.getloadavg()[0]:.1f} on "
        f"{os.cpu_count()} CPUs"
    )
    lines.append(
        f"max |lutml - OCIO| (float32 tetrahedral): {report['max_err_ocio']:.1e}; "
        f"max |lutml - Pillow| (uint8 trilinear): {report['max_err_pillow']} code value(s)"
    )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m lutml.bench apply", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--size", type=int, default=33, help="LUT nodes per axis (default 33)")
    parser.add_argument("--width", type=int, default=3840)
    parser.add_argument("--height", type=int, default=2160)
    parser.add_argument("--repeats", type=int, default=5, help="timed rounds (median; default 5)")
    parser.add_argument("--threads", type=int, default=1, help="threads for every contender")
    parser.add_argument("--noise", action="store_true", help="uniform noise instead of a photo")
    parser.add_argument("--skip-numpy", action="store_true", help="skip the slow NumPy reference")
    parser.add_argument(
        "--big-size",
        type=int,
        default=65,
        help="also time float32 with a LUT this big vs OCIO (default 65; 0 = skip)",
    )
    args = parser.parse_args(argv)
    print(
        format_report(
            run_bench(
                args.size,
                args.width,
                args.height,
                args.repeats,
                args.threads,
                args.noise,
                args.skip_numpy,
                args.big_size,
            )
        )
    )
    return 0
