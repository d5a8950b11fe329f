"""`python -m lutml.bench grade` (`make bench-grade`): how fast a look model grades a 4K still.

Issue 14 item 5's two figures, on a 3840x2160 PNG made from a corpus photo:

- **in process**: CPU seconds to read the PNG, name its look with the trained look estimator
  (NumPy inference from ``look_encoder.npz``), export the 33^3 LUT and apply it to the frame
  (median of `--repeat`); the reference measured in the same run is the same work through
  Keras (``look_encoder.keras``), the path `lutml grade` took before NumPy inference;
- **the whole command**: wall seconds of ``lutml grade STILL --model M -o look.cube`` in a new
  process; the reference in the same run is the wall time of ``import tensorflow`` alone, the
  floor of any command that loads TensorFlow.

Run `make run` first (it trains data/models).
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from lutml.data.corpus import corpus_photos
from lutml.grade import look_of_stills
from lutml.imageio import read_image
from lutml.lut import apply_lut
from lutml.models.files import LOOK_ENCODER_FILE, LOOK_WEIGHTS_FILE
from lutml.models.look_inference import load_look_model

GOAL_CPU_S = 1.0  # in process, CPU seconds for a 4K frame
GOAL_WALL_S = 3.0  # the whole command, wall seconds


def _parse(argv: list[str]) -> argparse.Namespace:
    ap = argparse.ArgumentParser(
        prog="python -m lutml.bench grade", description=__doc__.splitlines()[0]
    )
    ap.add_argument(
        "--model", type=Path, default=Path("data/models"), help="look model folder (data/models)"
    )
    ap.add_argument("--repeat", type=int, default=3, help="timed repeats (median; default 3)")
    ap.add_argument("--size", type=int, default=33, help="LUT size exported (default 33)")
    return ap.parse_args(argv)


def _still_4k(folder: Path) -> Path:
    """A 3840x2160 8-bit PNG of the first corpus photo (Lanczos-resized, centre-cropped to 16:9)."""
    from PIL import Image

    photo = corpus_photos()[0]
    with Image.open(photo.path) as im:
        im = im.convert("RGB")
        w, h = im.size
        crop_h = min(h, round(w * 9 / 16))
        crop_w = min(w, round(crop_h * 16 / 9))
        left, top = (w - crop_w) // 2, (h - crop_h) // 2
        im = im.crop((left, top, left + crop_w, top + crop_h)).resize(
            (3840, 2160), Image.Resampling.LANCZOS
        )
        out = folder / "still_4k.png"
        im.save(out, compress_level=1)
    return out


def _in_process(model_file: Path, still: Path, size: int, repeat: int) -> tuple[float, float]:
    """(median CPU s, median wall s) of read + look + LUT + apply with the model in `model_file`."""
    model = load_look_model(model_file)
    cpu, wall = [], []
    for i in range(repeat + 1):  # the first run warms caches (numba kernels, TF graphs): not timed
        c0, w0 = time.process_time(), time.perf_counter()
        image = read_image(still)
        result = look_of_stills(model, [image], size=size)
        apply_lut(result.lut, image)
        if i:
            cpu.append(time.process_time() - c0)
            wall.append(time.perf_counter() - w0)
    return statistics.median(cpu), statistics.median(wall)


def _wall(cmd: list[str], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        proc = subprocess.run(cmd, capture_output=True, text=True)
        times.append(time.perf_counter() - t0)
        if proc.returncode != 0:
            raise SystemExit(f"{' '.join(cmd)} failed:\n{proc.stderr[-2000:]}")
    return statistics.median(times)


def run_bench(model: Path, size: int = 33, repeat: int = 3) -> dict[str, float]:
    """The figures: in-process CPU/wall seconds (NumPy and Keras inference), the command's wall
    seconds and the TensorFlow import's, for a 3840x2160 still graded with the look model `model`."""
    npz, keras_file = model / LOOK_WEIGHTS_FILE, model / LOOK_ENCODER_FILE
    for f in (npz, keras_file):
        if not f.is_file():
            raise SystemExit(f"{f}: not found; run `make run` first (it trains the look model)")
    with tempfile.TemporaryDirectory(prefix="lutml-bench-grade-") as tmp:
        still = _still_4k(Path(tmp))
        np_cpu, np_wall = _in_process(npz, still, size, repeat)
        k_cpu, k_wall = _in_process(keras_file, still, size, repeat)
        cmd = [sys.executable, "-m", "lutml.cli", "grade", str(still), "--model", str(model)]
        cmd += ["-o", str(Path(tmp) / "look.cube"), "--size", str(size)]
        command = _wall(cmd, repeat)
        tf_import = _wall([sys.executable, "-c", "import tensorflow"], repeat)
    return {
        "numpy_cpu_s": np_cpu,
        "numpy_wall_s": np_wall,
        "keras_cpu_s": k_cpu,
        "keras_wall_s": k_wall,
        "command_wall_s": command,
        "tf_import_wall_s": tf_import,
    }


def main(argv: list[str] | None = None) -> int:
    args = _parse(sys.argv[1:] if argv is None else argv)
    print(f"still: 3840x2160 8-bit PNG; model {args.model}; LUT {args.size}^3")
    r = run_bench(args.model, args.size, args.repeat)
    np_cpu, k_cpu = r["numpy_cpu_s"], r["keras_cpu_s"]
    command, tf_import = r["command_wall_s"], r["tf_import_wall_s"]
    rows = [
        ("NumPy inference (look_encoder.npz)", np_cpu, r["numpy_wall_s"], np_cpu / k_cpu),
        ("Keras inference (reference)", k_cpu, r["keras_wall_s"], 1.0),
    ]
    print(
        f"\n{'in process (read + look + LUT + apply)':<44}{'CPU s':>8}{'wall s':>8}{'x Keras':>9}"
    )
    for name, cpu, wall, ratio in rows:
        print(f"{name:<44}{cpu:>8.2f}{wall:>8.2f}{ratio:>9.2f}")
    print(f"goal: <= {GOAL_CPU_S:.1f} CPU s -> {'met' if np_cpu <= GOAL_CPU_S else 'NOT met'}")
    print(f"\n{'whole command':<44}{'wall s':>8}{'x TF import':>13}")
    for name, wall in (
        ("lutml grade STILL --model M -o look.cube", command),
        ("python -c 'import tensorflow' (reference)", tf_import),
    ):
        print(f"{name:<44}{wall:>8.2f}{wall / tf_import:>13.2f}")
    print(f"goal: <= {GOAL_WALL_S:.1f} wall s -> {'met' if command <= GOAL_WALL_S else 'NOT met'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
