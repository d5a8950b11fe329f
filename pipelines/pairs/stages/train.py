"""Pair pipeline stage `train`: the configured pair-trained model (pix2pix, asymmetric, LUT-GANs) ->
data/models/ (generator.keras, model.json, train_metrics.json, preview.png); per-epoch curves go
to MLflow, in an experiment named after the look of the pairs.
"""

from __future__ import annotations

from lutml.config.stages import PairTrainStage
from lutml.pipeline.params import train_stage_start


def main(argv: list[str] | None = None) -> None:
    (pairs_dir, split_dir, luts_dir, out_dir), cfg = train_stage_start(argv, PairTrainStage)
    from lutml.train import TrainingDivergedError, train_model

    look = cfg.look_name  # the look of the pairs (an MLflow experiment per look)
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
