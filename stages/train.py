"""DVC stage `train`: the look estimator -> data/models/ (look_encoder.keras, model.json,
train_metrics.json, preview.png); per-epoch curves go to MLflow.

It learns from the random looks of `synthesize` and is look-agnostic: the look (and the frames) are
not inputs of this stage. The pair-trained models train in pipelines/pairs/dvc.yaml.
"""

from __future__ import annotations

from lutml.config.stages import TrainStage
from lutml.pipeline.params import train_stage_start


def main(argv: list[str] | None = None) -> None:
    (pairs_dir, split_dir, luts_dir, out_dir), cfg = train_stage_start(argv, TrainStage)
    from lutml.train.look_trainer import train_look_model

    m = train_look_model(
        pairs_dir, split_dir, luts_dir, out_dir, cfg.model, cfg.train, seed=cfg.seed
    )
    print(
        f"train: {m['model']['variant']}, {m['steps']} steps in {m['train_seconds']} s; validation loss "
        f"{m['val_loss']:.2f} (predicting the mean look: {m['prior_variance']:.2f}); held-out looks' "
        f"LUTs {m['val_ratio']:.3f} x no grade's error, {m['val_worse']:.0%} worse -> {out_dir}"
    )


if __name__ == "__main__":
    main()
