"""`python -m lutml.bench grade` on a tiny look model: the figures it returns are real timings."""

from __future__ import annotations

import pytest
from sample_helpers import make_tiny_look_model

from lutml.bench.grade import main, run_bench

pytestmark = pytest.mark.slow


def test_bench_grade_times_numpy_keras_and_the_command(tmp_path, capsys):
    models = make_tiny_look_model(tmp_path / "m")
    r = run_bench(models, size=9, repeat=1)
    assert set(r) == {
        "numpy_cpu_s",
        "numpy_wall_s",
        "keras_cpu_s",
        "keras_wall_s",
        "command_wall_s",
        "tf_import_wall_s",
    }
    assert all(v > 0 for v in r.values())
    # The command never imports TensorFlow: it is faster than the import alone.
    assert r["command_wall_s"] < r["tf_import_wall_s"]
    assert main(["--model", str(models), "--size", "9", "--repeat", "1"]) == 0
    assert "x Keras" in capsys.readouterr().out
    with pytest.raises(SystemExit, match="run `make run` first"):
        run_bench(tmp_path / "nothing", repeat=1)
