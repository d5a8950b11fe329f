"""MultiWorkerMirroredStrategy for real: two CPU worker processes on 127.0.0.1 (TF_CONFIG)."""

from __future__ import annotations

from pathlib import Path

import pytest
from train_fixtures import make_pairs, run_local_cluster

pytestmark = pytest.mark.slow

WORKER = """
import json, sys
from pathlib import Path
sys.path.insert(0, sys.argv[5])
from config_helpers import gan_train_cfg, model_cfg
from lutml.train import train_model
pairs, split, gt, out = map(Path, sys.argv[1:5])
m = train_model(pairs, split, gt, out, model_cfg(size=32, width=4, disc_width=4),
                gan_train_cfg(epochs=2, batch_size=4, strategy="multi_worker", mlflow=False,
                              validate_every=2, val_pairs=2, val_lut_size=5), seed=0)
print("RESULT " + json.dumps({k: v for k, v in m.items() if k != "model"}))
"""


def test_two_workers_train_in_sync(tmp_path):
    data = make_pairs(tmp_path / "data", n_train=8, n_test=4, size=32)
    args_of = [
        [
            data["pairs"],
            data["split"],
            data["gt"],
            tmp_path / f"models{index}",
            Path(__file__).parents[1],  # tests/, for config_helpers
        ]
        for index in range(2)
    ]
    outputs = run_local_cluster(WORKER, args_of, Path(__file__).parents[1])
    assert [o["replicas"] for o in outputs] == [2, 2]
    # Synchronous data-parallel training: every worker ends with the same weights.
    assert outputs[0]["generator_abs_sum"] == pytest.approx(
        outputs[1]["generator_abs_sum"], rel=1e-6
    )
    assert outputs[0]["epochs_run"] == 2
    assert (tmp_path / "models0" / "generator.keras").is_file()  # the chief writes the model
    assert not (tmp_path / "models1").exists()  # the other worker writes nothing


def test_multi_worker_needs_tf_config(monkeypatch):
    from lutml.train.strategy import make_strategy

    monkeypatch.delenv("TF_CONFIG", raising=False)
    with pytest.raises(ValueError, match="needs TF_CONFIG"):
        make_strategy("multi_worker")
