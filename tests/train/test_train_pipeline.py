"""The train stage end to end on tiny real data: outputs, MLflow run, resume after a kill, NaN stop."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
import tensorflow as tf
import yaml
from config_helpers import gan_train_cfg, gan_train_dict, model_cfg, model_dict
from train_fixtures import make_pairs

from lutml.models.inference import load_model
from lutml.train import TrainingDivergedError, train_model

REPO = Path(__file__).resolve().parents[2]
MODEL = model_dict(name="pix2pix", variant="tiny", size=32, width=8, disc_width=8)
TRAIN = gan_train_dict(
    **{
        "epochs": 3,
        "batch_size": 2,
        "jitter": 1.25,
        "flip": True,
        "checkpoint_every": 1,
        "validate_every": 2,
        "val_pairs": 2,
        "val_lut_size": 9,
        "mlflow": True,
    }
)

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def data(tmp_path_factory):
    return make_pairs(tmp_path_factory.mktemp("pairs"), n_train=4, n_test=2, size=48)


def test_train_model_outputs_and_mlflow(data, tmp_path, monkeypatch):
    import mlflow

    uri = f"sqlite:///{tmp_path / 'mlflow.db'}"
    monkeypatch.setenv("MLFLOW_TRACKING_URI", uri)
    monkeypatch.setenv("DVC_EXP_NAME", "exp-tiny")
    monkeypatch.chdir(tmp_path)  # MLflow artifacts (./mlruns) stay in the temp dir
    out = tmp_path / "models"
    m = train_model(
        data["pairs"],
        data["split"],
        data["gt"],
        out,
        model_cfg(**MODEL),
        gan_train_cfg(**TRAIN),
        seed=3,
        look="known_grade",
    )

    meta = json.loads((out / "model.json").read_text())
    assert meta["kind"] == "image" and meta["input_size"] == 32 and meta["epochs"] == 3
    assert meta["look"] == "known_grade" and meta["variant"] == "tiny"
    saved = json.loads((out / "train_metrics.json").read_text())
    for key in ("l1", "val_l1", "val_lut_diff", "val_de00", "identity_lut_diff", "identity_de00"):
        assert np.isfinite(saved[key]), key
    assert saved["identity_de00"] > 1.0  # the known grade is a visible change
    assert (out / "preview.png").is_file() and not Path(f"{out}.ckpt").exists()
    model = load_model(out)
    _, pred = model.predict(np.full((40, 40, 3), 0.5, np.float32))
    assert pred.shape == (32, 32, 3)

    mlflow.set_tracking_uri(uri)
    run = mlflow.get_run(meta["mlflow_run_id"])
    assert mlflow.get_experiment(run.info.experiment_id).name == "known_grade"
    assert run.data.tags["variant"] == "tiny" and run.data.tags["dvc_exp_name"] == "exp-tiny"
    assert run.data.tags["git_revision"] and run.data.params["model.size"] == "32"
    l1 = mlflow.MlflowClient().get_metric_history(run.info.run_id, "l1")
    assert [p.step for p in l1] == [1, 2, 3]
    assert (
        len(mlflow.MlflowClient().get_metric_history(run.info.run_id, "val_de00")) == 2
    )  # epochs 2 and 3
    arts = {a.path for a in mlflow.MlflowClient().list_artifacts(run.info.run_id, "model")}
    assert {"model/generator.keras", "model/preview.png", "model/model.json"} <= arts
    assert m["epochs_run"] == 3


def _stage_dir(tmp_path: Path, data: dict, epochs: int) -> Path:
    """A working dir with params.yaml for the pair pipeline's stages/train.py."""
    params = {
        "seed": 1,
        "look": {"name": "known_grade"},
        "model": MODEL,
        "synth": {"mode": "grade"},
        "frames": {"source": "embedded", "graded": False},
        "train": {**TRAIN, "epochs": epochs, "validate_every": 100, "strategy": "default"},
    }
    (tmp_path / "params.yaml").write_text(yaml.safe_dump(params))
    return tmp_path


def _stage(cwd: Path, data: dict) -> list[str]:
    return [
        sys.executable,
        str(REPO / "pipelines" / "pairs" / "stages" / "train.py"),
        str(data["pairs"]),
        str(data["split"]),
        str(data["gt"].parent),
        str(cwd / "models"),
    ]  # the stage reads <luts>/gt


def test_killed_training_resumes_to_the_same_epoch_count(data, tmp_path):
    # killed as soon as epoch 1's checkpoint exists (polled every 50 ms; an epoch takes >= 0.5 s)
    epochs = 10
    cwd = _stage_dir(tmp_path, data, epochs)
    env = {**os.environ, "MLFLOW_TRACKING_URI": f"sqlite:///{tmp_path / 'mlflow.db'}"}
    state = cwd / "models.ckpt" / "state.json"
    proc = subprocess.Popen(
        _stage(cwd, data), cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT
    )
    deadline = time.time() + 240
    while not state.exists() and proc.poll() is None and time.time() < deadline:
        time.sleep(0.05)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    done = json.loads(state.read_text())["epoch"]
    assert 1 <= done < epochs, "the kill should land mid-training"
    assert not (cwd / "models" / "generator.keras").exists()

    rerun = subprocess.run(
        _stage(cwd, data), cwd=cwd, env=env, capture_output=True, text=True, timeout=600
    )
    assert rerun.returncode == 0, rerun.stdout + rerun.stderr
    assert f"(epoch {done} of {epochs})" in rerun.stdout  # resumed where the killed run stopped
    meta = json.loads((cwd / "models" / "model.json").read_text())
    metrics = json.loads((cwd / "models" / "train_metrics.json").read_text())
    assert meta["epochs"] == epochs and metrics["epochs"] == epochs
    assert metrics["epochs_run"] <= epochs - 1
    import mlflow

    mlflow.set_tracking_uri(env["MLFLOW_TRACKING_URI"])
    steps = [p.step for p in mlflow.MlflowClient().get_metric_history(meta["mlflow_run_id"], "l1")]
    assert (
        steps[-1] == epochs and len(mlflow.search_runs(experiment_names=["known_grade"])) == 1
    )  # same run continued


def test_nan_loss_stops_with_a_clear_message_and_keeps_the_last_checkpoint(data, tmp_path):
    import keras

    from lutml.models.builders import build_gan
    from lutml.train.callbacks import Checkpoint, NaNGuard, read_checkpoint

    # Through train_model: a NaN loss from the first batch, nothing written.
    bad = {**MODEL, "lambda_l1": float("nan")}
    with pytest.raises(TrainingDivergedError, match="became non-finite at epoch 1, batch 1"):
        train_model(
            data["pairs"],
            data["split"],
            data["gt"],
            tmp_path / "m",
            model_cfg(**bad),
            gan_train_cfg(**{**TRAIN, "mlflow": False}),
            seed=42,
        )
    assert not (tmp_path / "m").exists()

    # The mechanism: a good epoch is checkpointed, the NaN epoch stops training and is not saved.
    keras.utils.set_random_seed(0)
    gan = build_gan(model_cfg(**MODEL), 2e-4, 0.5)
    gan.compile(gan.g_optimizer, gan.d_optimizer, jit_compile=False)
    gan.build_optimizers()
    good = np.full((1, 32, 32, 3), 0.5, np.float32)
    ds = tf.data.Dataset.from_tensor_slices(
        (np.stack([good, good * np.nan]), np.stack([good, good]))
    )
    guard = NaNGuard()
    gan.fit(
        ds,
        epochs=3,
        steps_per_epoch=1,
        verbose=0,
        shuffle=False,
        callbacks=[guard, Checkpoint(tmp_path / "ckpt", 1, guard)],
    )
    assert guard.failure.endswith("at epoch 2, batch 1")
    state = read_checkpoint(tmp_path / "ckpt")
    assert state["epoch"] == 1 and state["weights"].is_file()
    restored = build_gan(model_cfg(**MODEL), 2e-4, 0.5)
    restored.build_optimizers()
    restored.load_weights(state["weights"])
    w = restored.generator.get_weights()
    assert all(np.all(np.isfinite(a)) for a in w)
    assert int(restored.g_optimizer.iterations.numpy()) == 1  # optimizer state is in the checkpoint
