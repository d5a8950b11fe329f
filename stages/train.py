"""DVC stage `train`: the configured GAN on the split's pairs -> data/models/generator.keras,
model.json (metadata for inference) and train_metrics.json; per-epoch curves go to MLflow."""

from __future__ import annotations

import os

from omegaconf import OmegaConf

from lutml.params import load_params, parse_paths


def main(argv: list[str] | None = None) -> None:
    pairs_dir, split_dir, gt_dir, out_dir = parse_paths(argv, "pairs_dir", "split_dir", "gt_dir", "out_dir")
    p = load_params()
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")  # before TensorFlow loads
    if OmegaConf.select(p, "train.strategy", default="default") == "multi_worker":
        os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "0")  # see lutml.train.strategy
    look = str(OmegaConf.select(p, "look.name", default="default"))
    from lutml.train import TrainingDivergedError, train_model

    try:
        m = train_model(pairs_dir, split_dir, gt_dir, out_dir, OmegaConf.to_container(p.model),
                        OmegaConf.to_container(p.train), seed=int(p.seed), look=look)
    except (TrainingDivergedError, ValueError, FileNotFoundError) as exc:
        raise SystemExit(f"train: {exc}") from exc
    print(f"train: {m['model']['variant']} on look {look!r}, {m['epochs']} epochs in {m['train_seconds']} s "
          f"({m['images_per_second']} img/s); validation LUT mean difference {m.get('val_lut_diff', float('nan')):.4f} "
          f"(identity {m['identity_lut_diff']:.4f}), dE00 {m.get('val_de00', float('nan')):.2f} "
          f"(identity {m['identity_de00']:.2f}) -> {out_dir}")


if __name__ == "__main__":
    main()
