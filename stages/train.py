"""DVC stage `train`: the configured model -> data/models/ (model file, model.json, train_metrics.json,
preview.png); per-epoch curves go to MLflow.

The look estimator (default) learns from the random looks of `synthesize`; the pair-trained
models (`-S experiment=pix2pix`) from the (input, target) pairs and their ground-truth LUTs.
"""

from __future__ import annotations

import os

from lutml.config.params import load_params
from lutml.config.stages import TrainStage
from lutml.models import check_mode
from lutml.pipeline.params import parse_paths


def main(argv: list[str] | None = None) -> None:
    pairs_dir, split_dir, luts_dir, out_dir = parse_paths(
        argv, "pairs_dir", "split_dir", "luts_dir", "out_dir"
    )
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")  # before TensorFlow loads
    try:
        cfg = TrainStage.from_params(load_params())
        kind = check_mode(cfg.model.name, cfg.synth_mode)
    except ValueError as exc:
        raise SystemExit(f"train: {exc}") from exc
    if cfg.train.strategy == "multi_worker":
        os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "0")  # see lutml.train.strategy
    if kind == "look":  # look-agnostic: the look (and the frames) are not inputs of this stage
        from lutml.train.look_trainer import train_look_model

        m = train_look_model(
            pairs_dir,
            split_dir,
            luts_dir,
            out_dir,
            cfg.model,
            cfg.train,
            seed=cfg.seed,
        )
        print(
            f"train: {m['model']['variant']}, {m['steps']} steps in {m['train_seconds']} s; validation loss "
            f"{m['val_loss']:.2f} (predicting the mean look: {m['prior_variance']:.2f}) -> {out_dir}"
        )
        return
    from lutml.train import TrainingDivergedError, train_model

    look = (
        cfg.look_name
    )  # pair-trained models learn the look of the pairs (an MLflow experiment per look)
    try:
        m = train_model(
            pairs_dir,
            split_dir,
            luts_dir / "gt",
            out_dir,
            cfg.model,
            cfg.train,
            seed=cfg.seed,
            look=look,
        )
    except (TrainingDivergedError, ValueError, FileNotFoundError) as exc:
        raise SystemExit(f"train: {exc}") from exc
    print(
        f"train: {m['model']['variant']} on look {look!r}, {m['epochs']} epochs in {m['train_seconds']} s "
        f"({m['images_per_second']} img/s); validation LUT mean difference {m.get('val_lut_diff', float('nan')):.4f} "
        f"(identity {m['identity_lut_diff']:.4f}), dE00 {m.get('val_de00', float('nan')):.2f} "
        f"(identity {m['identity_de00']:.2f}) -> {out_dir}"
    )


if __name__ == "__main__":
    main()
