"""The look estimator under tf.distribute: two CPU workers on 127.0.0.1 (TF_CONFIG), each on its own
shards of the training crops; the crop shards of a photo folder; the default path untouched."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from look_data import make_look_data
from train_fixtures import run_local_cluster

WORKER = """
import json, sys
from pathlib import Path
sys.path.insert(0, sys.argv[5])
from config_helpers import _composed, model_cfg
from lutml.config.train import LookTrainConfig
from lutml.train.look_trainer import train_look_model
pairs, split, luts, out, _, shards = sys.argv[1:7]
train = {**_composed()["train"], **json.loads(sys.argv[7]), "strategy": "multi_worker"}
m = train_look_model(Path(pairs), Path(split), Path(luts), Path(out),
                     model_cfg(name="look_encoder", width=16, set_max=4),
                     LookTrainConfig.from_mapping(train, "train"), seed=3,
                     crop_shards=shards)
print("RESULT " + json.dumps({k: v for k, v in m.items() if k != "model"}))
"""
#: a few palette steps, EMA, no trust model (the every-pixel phase: test_palette_training)
TINY_TRAIN = {
    "epochs": 2,
    "steps_per_epoch": 3,
    "crops_per_batch": 24,
    "val_batches": 3,
    "batch_size": 4,
    "mlflow": False,
    "trust_sets": None,
    "tone_sets": None,
    "palette": 64,
    "full_epochs": 0,
}


def train_workers(data: dict, out: Path, shards: str, workers: int) -> list[dict]:
    """Train in `workers` processes, a TF_CONFIG cluster on 127.0.0.1; their results."""
    args_of = [
        [data["pairs"], data["split"], data["luts"], out / f"models{index}"]
        + [Path(__file__).parents[1], shards, json.dumps(TINY_TRAIN)]
        for index in range(workers)
    ]
    return run_local_cluster(WORKER, args_of, Path(__file__).parents[1])


@pytest.fixture(scope="module")
def data(tmp_path_factory):
    from lutml.data.crop_shards import SHARDS_MANIFEST

    root = tmp_path_factory.mktemp("look")
    d = make_look_data(root)
    shards = root / "shards"  # three shards of the training crops: worker 0 gets 2, worker 1 gets 1
    shards.mkdir()
    for i, part in enumerate(np.array_split(d["crops"], 3)):
        np.savez(shards / f"crops-{i:05d}.npz", crops=part, group=np.zeros(len(part), np.int32))
    (shards / SHARDS_MANIFEST).write_text("{}")
    return {**d, "shards": shards}


@pytest.mark.slow
def test_two_workers_train_the_look_estimator_in_sync_on_their_own_shards(data, tmp_path):
    outputs = train_workers(data, tmp_path, str(data["shards"]), 2)
    assert [o["replicas"] for o in outputs] == [2, 2]
    sizes = [len(p) for p in np.array_split(data["crops"], 3)]
    assert [o["train_crops"] for o in outputs] == [sizes[0] + sizes[2], sizes[1]]
    # synchronous data-parallel training: both workers end with the same weights
    assert outputs[0]["weights_abs_sum"] == pytest.approx(outputs[1]["weights_abs_sum"], rel=1e-6)
    assert outputs[0]["steps"] == 6 and np.isfinite(outputs[0]["val_loss"])
    assert (tmp_path / "models0" / "look_encoder.npz").is_file()  # the chief writes the model
    assert "shrinkage" in outputs[0] and "shrinkage" not in outputs[1]
    assert not (tmp_path / "models1").exists()  # the other worker writes nothing


@pytest.mark.slow
def test_one_replica_mirrored_trains_the_weights_of_the_default_path(data):
    """Worker 0 draws a single-machine run's batches: on one CPU `mirrored` (one replica: the
    distributed datasets, the scope, the all-reduce) ends with the weights of `default`, whose
    path has no tf.distribute at all (measured: bit for bit)."""
    from types import SimpleNamespace

    import keras
    import tensorflow as tf
    from config_helpers import _composed
    from look_data import random_tables

    from lutml.models.look_encoder import LookEncoder
    from lutml.train.look_distribute import Distribution, in_scope
    from lutml.train.look_trainer import fit_encoder

    tf.config.experimental.enable_op_determinism()
    cfg = SimpleNamespace(**{**_composed()["train"], **TINY_TRAIN})
    crops, tables = data["crops"], random_tables(8, 5, 5)
    coefficients = np.random.default_rng(1).normal(0, 1, (8, 6)).astype(np.float32)
    val = {"crops": crops[:8], "tables": tables[:4], "coefficients": coefficients[:4]}
    weights = []
    for dist in (None, Distribution(tf.distribute.MirroredStrategy())):
        keras.utils.set_random_seed(0)
        with in_scope(dist):
            enc = LookEncoder(16, 6, 5, 16)
            enc.build_all()
            rng = np.random.default_rng(1)
            enc.set_basis(rng.normal(0, 0.01, 375), rng.normal(0, 0.01, (6, 375)), np.ones(125))
        h = fit_encoder(enc, crops, tables, coefficients, val, cfg, 4, 0.2, 7, dist=dist)
        assert len(h.history["loss"]) == 2 and np.isfinite(h.history["final_val_loss"][0])
        weights.append([np.asarray(v) for v in enc.weights])
    assert dist.replicas == 1
    assert all(np.array_equal(a, b) for a, b in zip(*weights, strict=True))  # bit for bit


def test_crop_shards_of_a_photo_folder_are_the_synthesize_crops_and_split_by_worker(tmp_path):
    from sample_helpers import make_fake_corpus

    from lutml.data.crop_shards import main, read_crop_shards, shard_files
    from lutml.data.looksynth import random_square_crops
    from lutml.imageio import read_image_full

    photos = sorted((make_fake_corpus(tmp_path / "corpus", n=5, h=40, w=52) / "photos").glob("*"))
    main(
        [str(tmp_path / "corpus"), str(tmp_path / "shards"), "--per-photo", "3", "--size", "16"]
        + ["--shard-photos", "2", "--seed", "9"]
    )
    assert len(shard_files(tmp_path / "shards")) == 3  # 2 + 2 + 1 photos
    crops, group = read_crop_shards(tmp_path / "shards")
    assert crops.shape == (15, 16, 16, 3) and crops.dtype == np.uint8
    np.testing.assert_array_equal(group, np.repeat(np.arange(5), 3))
    for i in (0, 4):  # photo i is cropped as synthesize_looks crops its i-th training photo
        rgb = read_image_full(photos[i]).as_float()
        want = random_square_crops(rgb, 3, 16, (0.3, 1.0), np.random.default_rng([9, 21, i]))
        np.testing.assert_array_equal(crops[3 * i : 3 * i + 3], want)
    w0, g0 = read_crop_shards(tmp_path / "shards", 0, 2)  # shards 0 and 2
    w1, g1 = read_crop_shards(tmp_path / "shards", 1, 2)  # shard 1
    assert sorted(np.concatenate([g0, g1]).tolist()) == group.tolist()
    assert set(g1.tolist()) == {2, 3}
    with pytest.raises(ValueError, match="worker 3 gets none"):
        read_crop_shards(tmp_path / "shards", 3, 4)
    with pytest.raises(FileNotFoundError, match="no crops-"):
        read_crop_shards(tmp_path / "corpus")


def test_worker_position_follows_tf_config(monkeypatch):
    from lutml.train.look_distribute import worker_position

    monkeypatch.delenv("TF_CONFIG", raising=False)
    assert worker_position() == (0, 1)
    cluster = {"chief": ["a:1"], "worker": ["b:1", "c:1"]}
    for task, want in (
        ({"type": "chief", "index": 0}, (0, 3)),
        ({"type": "worker", "index": 1}, (2, 3)),
    ):
        monkeypatch.setenv("TF_CONFIG", json.dumps({"cluster": cluster, "task": task}))
        assert worker_position() == want
    monkeypatch.setenv("TF_CONFIG", json.dumps({"cluster": cluster, "task": {"type": "ps"}}))
    with pytest.raises(ValueError, match="'chief' and 'worker' tasks only"):
        worker_position()
