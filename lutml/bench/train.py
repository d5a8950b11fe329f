"""`python -m lutml.bench train [--variants a,b] [--batches 1,16] [--seconds S]`: training
throughput (images/s) of each model variant on random data, on this machine's CPU.

Each measurement runs `fit()` (the real train_step: generator, PatchGAN, both Adam updates) for
a warm-up of a few steps, then for about `--seconds` seconds.

`python -m lutml.bench train --look [--steps 30] [--palette 256]`: the look estimator's training
step with every pixel graded (the old step) and with each crop's palette graded
(`train.palette`), side by side in the same run on the same batches (alternating rounds): steps/s of each (`fit()`,
the default model and train config, the training crops and looks of data/pairs + data/split,
random stand-ins without them), the ratio, and the time of each part of a step (input crops and
mosaics, grading through the look, colour features, MLP + Adam update).
"""

from __future__ import annotations

import argparse
import os
import time

from lutml.config.registries import model_config, train_config
from lutml.data.looksynth import load_looks
from lutml.data.split import read_look_split
from lutml.fit.basis import load_basis
from lutml.lut.lut3d import identity_table
from lutml.pipeline.config import compose


def measure(variant: str, batch: int, seconds: float) -> tuple[float, int]:
    """(images per second, generator parameters) of `variant` at batch size `batch`."""
    import numpy as np
    import tensorflow as tf

    from lutml.models.builders import build_gan, model_sizes

    params = compose(["experiment=pix2pix", f"model={variant}"])
    cfg = model_config(params["model"])
    train = train_config(params["train"], cfg)
    size, out = model_sizes(cfg)
    rng = np.random.default_rng(0)
    parts = [
        rng.random((batch, size, size, 3), np.float32),
        rng.random((batch, out, out, 3), np.float32),
    ]
    if cfg.name.startswith("lut_gan"):
        n = cfg.lut_size
        parts.append(rng.random((batch, n, n, n, 3), np.float32))
    data = tf.data.Dataset.from_tensors(tuple(parts)).repeat()
    gan = build_gan(cfg, train.learning_rate, train.beta_1)
    gan.compile(gan.g_optimizer, gan.d_optimizer, jit_compile=False)
    gan.fit(data, steps_per_epoch=3, epochs=1, verbose=0, shuffle=False)  # trace + warm up
    start = time.perf_counter()
    steps = 0
    while time.perf_counter() - start < seconds:
        gan.fit(data, steps_per_epoch=2, epochs=1, verbose=0, shuffle=False)
        steps += 2
    return steps * batch / (time.perf_counter() - start), gan.generator.count_params()


def _look_data(pairs: str, split: str, luts: str, seed: int):
    """(crops, tables, coefficients, basis arrays, source) of the look estimator's training set;
    random stand-ins when the pipeline's outputs are missing."""
    from pathlib import Path

    import numpy as np

    try:
        crops, _, tables, _ = load_looks(pairs)
        sp = read_look_split(split)
        basis = load_basis(Path(luts) / "basis.npz")
        crops, tables = crops[sp["train_crops"]], tables[sp["train_looks"]]
        return (
            crops,
            tables,
            basis.coefficients(tables).astype(np.float32),
            (basis.mean, basis.basis, basis.weights, basis.lut_size),
            f"{pairs}, {split}, {luts}",
        )
    except FileNotFoundError:
        rng = np.random.default_rng(seed)
        base = rng.integers(0, 256, (64, 1, 1, 3))
        grad = rng.normal(0, 40, (64, 48, 48, 3)).cumsum(axis=1).cumsum(axis=2) / 48
        crops = np.clip(base + grad, 0, 255).astype(np.uint8)[np.arange(512) % 64]
        n, k = 17, 48
        ident = identity_table(n)
        tables = (ident + rng.normal(0, 0.03, (256, 1, 1, 1, 3))).astype(np.float32)
        basis = rng.normal(0, 0.01, (k, n**3 * 3)).astype(np.float32)
        coefficients = rng.normal(0, 1, (256, k)).astype(np.float32)
        mean = np.zeros(n**3 * 3, np.float32)
        return crops, tables, coefficients, (mean, basis, np.ones(n**3), n), "random stand-ins"


def look_step(steps: int, palette: int, seed: int = 0, data=None) -> dict:
    """Steps/s and per-part ms of the look estimator's training step, every pixel vs palettes."""
    import time

    import keras
    import numpy as np
    import tensorflow as tf

    from lutml.models.look_encoder import LookEncoder
    from lutml.train.look_batches import draw_packed_batches
    from lutml.train.look_trainer import LookTrainer

    params = compose([])
    model, train = params["model"], params["train"]
    crops, tables, coefficients, (mean, basis, weights, n), source = data or _look_data(
        "data/pairs", "data/split", "data/luts", seed
    )
    t = int(train["crops_per_batch"])
    idx = draw_packed_batches(
        np.random.default_rng([seed, 11]),
        steps + 4,
        t,
        int(model["set_max"]),
        len(tables),
        len(crops),
        float(model["single_fraction"]),
        mosaic=float(train["mosaic"] or 0.0),
    )
    batches = [{k: tf.constant(v[i]) for k, v in idx.items()} for i in range(steps + 4)]
    out = {"source": source, "crops_per_batch": t, "steps": steps, "palette": palette}
    variants = {"every pixel": 0, f"palette {palette}": palette}
    trainers, setup = {}, {}
    dataset = tf.data.Dataset.from_tensor_slices(dict(idx))
    for name, pal in variants.items():
        keras.utils.set_random_seed(seed)
        encoder = LookEncoder(crops.shape[1], basis.shape[0], n, int(model["width"]))
        encoder.build_all()
        encoder.set_basis(mean, basis, weights)
        start = time.perf_counter()
        trainer = LookTrainer(
            encoder, crops, tables, coefficients, float(train["noise"]), train["key"], pal or None
        )
        setup[name] = time.perf_counter() - start
        trainer.compile(optimizer=keras.optimizers.Adam(1e-3, use_ema=True, ema_momentum=0.995))
        trainer.fit(dataset.take(4), epochs=1, steps_per_epoch=4, verbose=0, shuffle=False)
        trainers[name] = trainer
    # traced and warm: the timed steps, in three rounds taking turns (the same load on both)
    seconds = dict.fromkeys(variants, 0.0)
    chunks = [steps // 3 + (i < steps % 3) for i in range(3)]
    done = 4
    for chunk in (c for c in chunks if c):
        for name, trainer in trainers.items():
            start = time.perf_counter()
            trainer.fit(
                dataset.skip(done), epochs=1, steps_per_epoch=chunk, verbose=0, shuffle=False
            )
            seconds[name] += time.perf_counter() - start
        done += chunk

    def timed(fn) -> float:
        f = tf.function(fn)
        np.asarray(f(batches[0]))
        begin = time.perf_counter()
        for b in batches[1 : 1 + min(steps, 10)]:
            np.asarray(f(b))
        return (time.perf_counter() - begin) / min(steps, 10)

    for name, trainer in trainers.items():
        step = seconds[name] / steps
        inputs = timed(trainer.packed_inputs)
        graded = timed(trainer.packed_graded)
        features = timed(lambda b, tr=trainer: tr.encoder.features(tr.packed_graded(b)))
        out[name] = {
            "steps_per_s": 1.0 / step,
            "ms_per_step": 1000 * step,
            "setup_s": setup[name],
            "parts_ms": {
                "input crops + mosaics": 1000 * inputs,
                "grading (LUT, noise, 8 bits)": 1000 * max(graded - inputs, 0.0),
                "colour features": 1000 * max(features - graded, 0.0),
                "MLP + Adam/EMA update (rest)": 1000 * max(step - features, 0.0),
            },
        }
    out["ratio"] = out[f"palette {palette}"]["steps_per_s"] / out["every pixel"]["steps_per_s"]
    epochs, full = int(train["epochs"]), min(int(train["full_epochs"] or 0), int(train["epochs"]))
    # the configured schedule: palette epochs, then `full_epochs` every-pixel epochs
    out["schedule"] = (epochs, full, epochs / ((epochs - full) / out["ratio"] + full))
    return out


def print_look_step(res: dict) -> None:
    names = [k for k in res if isinstance(res[k], dict)]
    print(
        f"look estimator training step, {res['crops_per_batch']} crops per step, {res['steps']} "
        f"timed steps each in 3 alternating rounds, same batches ({res['source']}; "
        f"{os.cpu_count()} CPUs)"
    )
    print(f"{'part (ms per step)':<32}" + "".join(f"{n:>16}" for n in names))
    for part in res[names[0]]["parts_ms"]:
        print(f"{part:<32}" + "".join(f"{res[n]['parts_ms'][part]:>16.1f}" for n in names))
    print(
        f"{'whole step (fit), ms':<32}" + "".join(f"{res[n]['ms_per_step']:>16.1f}" for n in names)
    )
    print(f"{'steps/s':<32}" + "".join(f"{res[n]['steps_per_s']:>16.2f}" for n in names))
    print(f"{'set-up (palettes), s':<32}" + "".join(f"{res[n]['setup_s']:>16.2f}" for n in names))
    print(f"ratio (palette / every pixel): {res['ratio']:.2f}x steps per second")
    epochs, full, mean = res["schedule"]
    print(
        f"train config ({epochs - full} palette epochs + {full} every-pixel): "
        f"{mean:.2f}x cheaper per step on average than every pixel in all {epochs}"
    )


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    ap = argparse.ArgumentParser(prog="python -m lutml.bench train", description=__doc__)
    ap.add_argument("--look", action="store_true", help="the look estimator's step: old vs palette")
    ap.add_argument("--steps", type=int, default=30, help="--look: timed steps per variant")
    ap.add_argument(
        "--palette",
        type=int,
        default=None,
        help="--look: palette size (default train.palette or 256)",
    )
    ap.add_argument("--threads", type=int, default=2, help="--look: TensorFlow threads")
    ap.add_argument("--variants", default="pix2pix64,pix2pix128,asymmetric,lut_gan,lut_gan_3d")
    ap.add_argument("--batches", default="1,16")
    ap.add_argument("--seconds", type=float, default=3.0, help="timed seconds per measurement")
    args = ap.parse_args(argv)
    if args.look:
        import tensorflow as tf

        tf.config.threading.set_intra_op_parallelism_threads(args.threads)
        tf.config.threading.set_inter_op_parallelism_threads(args.threads)

        palette = args.palette or int(compose([])["train"]["palette"] or 256)
        print_look_step(look_step(args.steps, palette))
        return
    batches = [int(b) for b in args.batches.split(",")]
    print(f"training throughput, images/s (fit() on random data, {os.cpu_count()} CPUs)")
    print(
        f"{'variant':<12} {'params':>10} " + " ".join(f"{'batch ' + str(b):>10}" for b in batches)
    )
    for variant in args.variants.split(","):
        rates = []
        for b in batches:
            rate, params = measure(variant, b, args.seconds)
            rates.append(rate)
        print(f"{variant:<12} {params:>10,} " + " ".join(f"{r:>10.1f}" for r in rates), flush=True)


if __name__ == "__main__":
    main()
