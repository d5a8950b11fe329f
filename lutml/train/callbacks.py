"""Keras callbacks of a lutml training: NaN guard, resumable checkpoints, validation LUT metrics,
MLflow logging. All run inside `fit()`; none writes a file non-atomically."""

from __future__ import annotations

import json
import math
import os
from pathlib import Path

import keras
import numpy as np

from lutml.atomic import write_text_atomic
from lutml.color import mean_delta_e
from lutml.lut import LUT3D, apply_lut, resample_lut
from lutml.models.inference import resize_batch_square

STATE_FILE = "state.json"


class NaNGuard(keras.callbacks.Callback):
    """Stop at the first batch whose losses are not finite and remember where (`self.failure`)."""

    def __init__(self):
        super().__init__()
        self.failure: str | None = None
        self.epoch = 0

    def on_epoch_begin(self, epoch, logs=None):
        self.epoch = epoch

    def on_train_batch_end(self, batch, logs=None):
        bad = [k for k, v in (logs or {}).items() if not math.isfinite(float(v))]
        if bad and self.failure is None:
            self.failure = (
                f"{', '.join(bad)} became non-finite at epoch {self.epoch + 1}, batch {batch + 1}"
            )
            self.model.stop_training = True


class Checkpoint(keras.callbacks.Callback):
    """Every `every` epochs save generator, discriminator and both optimizers' state.

    ``<dir>/ckpt-EEEE.weights.h5`` plus ``state.json`` (epoch, weights file, MLflow run id and a
    fingerprint of the params, so a run with other params does not resume from it),
    written after the weights, so the state only ever names a complete file; older checkpoints are
    removed afterwards. Nothing is saved once the `guard` has seen a NaN: the last good one stays.
    """

    def __init__(
        self,
        directory: Path,
        every: int,
        guard: NaNGuard,
        run_id: str | None = None,
        fingerprint: str = "",
    ):
        super().__init__()
        self.directory = Path(directory)
        self.every = max(1, int(every))
        self.guard = guard
        self.run_id = run_id
        self.fingerprint = fingerprint

    def on_epoch_end(self, epoch, logs=None):
        if self.guard.failure is not None or (epoch + 1) % self.every:
            return
        self.directory.mkdir(parents=True, exist_ok=True)
        name = f"ckpt-{epoch + 1:04d}.weights.h5"
        tmp = self.directory / f"tmp-{os.getpid()}.weights.h5"  # Keras wants the .weights.h5 suffix
        self.model.save_weights(tmp)
        os.replace(tmp, self.directory / name)
        state = {
            "epoch": epoch + 1,
            "weights": name,
            "mlflow_run_id": self.run_id,
            "fingerprint": self.fingerprint,
        }
        write_text_atomic(self.directory / STATE_FILE, json.dumps(state, indent=2))
        for old in self.directory.glob("ckpt-*.weights.h5"):
            if old.name != name:
                old.unlink()


def read_checkpoint(directory: Path) -> dict | None:
    """The saved state (with ``weights`` as a full path), or None when there is nothing to resume."""
    path = Path(directory) / STATE_FILE
    if not path.is_file():
        return None
    state = json.loads(path.read_text(encoding="utf-8"))
    weights = Path(directory) / state["weights"]
    if not weights.is_file():
        raise FileNotFoundError(
            f"{path}: names {weights.name}, which is missing; delete {directory} to restart"
        )
    return {**state, "weights": weights}


class LutMetrics(keras.callbacks.Callback):
    """Every `every` epochs (and after the last): validation LUT mean difference and mean dE00.

    For each validation pair the LUT is what the deployed model would ship — fitted from the model
    input to its output (image models, `lutml.fit.fit_lut`) or predicted (LUT models). Reported:
    ``val_lut_diff`` = mean |LUT - ground-truth LUT| over the ground truth's lattice, and
    ``val_de00`` = mean CIEDE2000 between the LUT applied to the working-size input and the target.
    The identity's scores are in `self.identity` for comparison. Values land in `logs`.
    """

    def __init__(
        self,
        pairs: list[tuple[np.ndarray, np.ndarray, LUT3D]],
        size: int,
        kind: str,
        every: int,
        epochs: int,
        lut_size: int = 17,
    ):
        super().__init__()
        self.pairs, self.size, self.kind = pairs, size, kind
        self.every, self.epochs, self.lut_size = max(1, int(every)), epochs, lut_size
        idents = [LUT3D.identity(2)] * len(pairs)
        self.identity = {"val_lut_diff": self._lut_diff(idents), "val_de00": self._de00(idents)}
        self.last: dict[str, float] = {}

    def _lut_diff(self, luts: list[LUT3D]) -> float:
        return float(
            np.mean(
                [
                    np.abs(resample_lut(lut, gt.size).table - gt.table).mean()
                    for lut, (_, _, gt) in zip(luts, self.pairs, strict=True)
                ]
            )
        )

    def _de00(self, luts: list[LUT3D]) -> float:
        return float(
            np.mean(
                [
                    mean_delta_e(np.clip(apply_lut(lut, inp), 0, 1), tgt)
                    for lut, (inp, tgt, _) in zip(luts, self.pairs, strict=True)
                ]
            )
        )

    def compute(self) -> dict[str, float]:
        """Fit or predict each pair's LUT with the current generator and score it."""
        gen = self.model.generator
        x = resize_batch_square(np.stack([p[0] for p in self.pairs]), self.size)
        out = np.asarray(gen(x, training=False))
        if self.kind == "lut":
            luts = [LUT3D(t) for t in out]
        else:
            from lutml.fit import fit_lut

            src = np.asarray(resize_batch_square(x, out.shape[1]))
            luts = [
                fit_lut(np.clip(s, 0, 1), np.clip(o, 0, 1), size=self.lut_size)
                for s, o in zip(src, out, strict=True)
            ]
        return {"val_lut_diff": self._lut_diff(luts), "val_de00": self._de00(luts)}

    def on_epoch_end(self, epoch, logs=None):
        if (epoch + 1) % self.every == 0 or epoch + 1 == self.epochs:
            self.last = self.compute()
            if logs is not None:
                logs.update(self.last)


class MlflowLogger(keras.callbacks.Callback):
    """Log every epoch's losses and metrics to the active MLflow run (step = epoch number)."""

    def __init__(self, mlflow):
        super().__init__()
        self.mlflow = mlflow

    def on_epoch_end(self, epoch, logs=None):
        finite = {k: float(v) for k, v in (logs or {}).items() if math.isfinite(float(v))}
        self.mlflow.log_metrics(finite, step=epoch + 1)
