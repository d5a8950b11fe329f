"""`python -m lutml.bench train [--variants a,b] [--batches 1,16] [--seconds S]`: training
throughput (images/s) of each model variant on random data, on this machine's CPU.

Each measurement runs `fit()` (the real train_step: generator, PatchGAN, both Adam updates) for
a warm-up of a few steps, then for about `--seconds` seconds.
"""

from __future__ import annotations

import argparse
import os
import time


def measure(variant: str, batch: int, seconds: float) -> tuple[float, int]:
    """(images per second, generator parameters) of `variant` at batch size `batch`."""
    import numpy as np
    import tensorflow as tf

    from lutml.config.registries import model_config, train_config
    from lutml.models.builders import build_gan, model_sizes
    from lutml.pipeline.config import compose

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


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    ap = argparse.ArgumentParser(prog="python -m lutml.bench train", description=__doc__)
    ap.add_argument("--variants", default="pix2pix64,pix2pix128,asymmetric,lut_gan,lut_gan_3d")
    ap.add_argument("--batches", default="1,16")
    ap.add_argument("--seconds", type=float, default=3.0, help="timed seconds per measurement")
    args = ap.parse_args(argv)
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
