"""Bad training input fails early with one clear message, before any training or output."""

from __future__ import annotations

import numpy as np
import pytest
from config_helpers import gan_train_cfg, model_cfg
from train_fixtures import make_pairs

from lutml.imageio import write_image
from lutml.train import train_model

MODEL = {"name": "pix2pix", "size": 32, "width": 4}
TRAIN = {"epochs": 1, "batch_size": 2, "mlflow": False}


@pytest.fixture(scope="module")
def data(tmp_path_factory):
    return make_pairs(tmp_path_factory.mktemp("pairs"), n_train=2, n_test=1, size=32)


def run(paths, model=MODEL, train=TRAIN, **changes):
    p = {**paths, **changes}
    model, train = model_cfg(**model), gan_train_cfg(**train)
    return train_model(p["pairs"], p["split"], p["gt"], p["models"], model, train, seed=0)


def test_missing_split(data, tmp_path):
    with pytest.raises(FileNotFoundError, match="train.txt: split list missing"):
        run(data, split=tmp_path / "nosplit")


def test_empty_split(data, tmp_path):
    (tmp_path / "train.txt").write_text("\n")
    (tmp_path / "test.txt").write_text("00000\n")
    with pytest.raises(ValueError, match="train.txt: no training pairs listed"):
        run(data, split=tmp_path)
    (tmp_path / "train.txt").write_text("00000\n")
    (tmp_path / "test.txt").write_text("")
    with pytest.raises(ValueError, match="test.txt: no test pairs listed"):
        run(data, split=tmp_path)


def test_unknown_model_lists_valid_names(data):
    with pytest.raises(
        ValueError,
        match="unknown model.name 'gan9'; valid names: asymmetric, look_encoder, lut_gan",
    ):
        run(data, model={"name": "gan9", "size": 32})


def test_size_not_power_of_two(data):
    with pytest.raises(ValueError, match="model.size must be a power of two"):
        run(data, model={"name": "pix2pix", "size": 48})


def test_wrong_image_size(data, tmp_path):
    pairs = tmp_path / "pairs"
    for side in ("input", "target"):
        write_image(pairs / side / "00000.png", np.zeros((32, 40, 3), np.float32))
    with pytest.raises(ValueError, match=r"00000.png: expected a square image, got \(32, 40\)"):
        run(data, pairs=pairs)


def test_missing_ground_truth_lut_for_lut_models(data, tmp_path):
    with pytest.raises(FileNotFoundError, match="00000.cube: ground-truth LUT missing"):
        run(data, gt=tmp_path, model={"name": "lut_gan", "size": 32, "lut_size": 5})


def test_bad_strategy(data):
    with pytest.raises(ValueError, match="unknown train.strategy 'tpu'"):
        run(data, train={**TRAIN, "strategy": "tpu"})
    assert not data["models"].exists()
