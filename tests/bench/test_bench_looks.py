"""The frames curve of `python -m lutml.bench looks`: seeded draws of the graded frames."""

import numpy as np
import pytest

from lutml.bench.looks import _parse, frame_draws


def test_frame_draws_sizes_and_seed():
    draws = frame_draws(30, [8, 4, 4, 30, 50], 3, seed=7)
    assert sorted(draws) == [4, 8, 30]  # duplicates merged, counts above the total become "all"
    assert [len(d) for d in draws[4]] == [4, 4, 4]
    assert all(len(np.unique(d)) == len(d) and d.max() < 30 for d in draws[8])
    assert len(draws[30]) == 1 and np.array_equal(draws[30][0], np.arange(30))
    # the draws differ from each other, and the same seed gives the same draws
    assert not np.array_equal(draws[8][0], draws[8][1])
    again = frame_draws(30, [8, 4, 4, 30, 50], 3, seed=7)
    assert all(np.array_equal(a, b) for n in draws for a, b in zip(draws[n], again[n], strict=True))
    other = frame_draws(30, [8], 3, seed=8)
    assert not np.array_equal(draws[8][0], other[8][0])


def test_frames_curve_rejects_nonsense(capsys):
    with pytest.raises(SystemExit):
        _parse(["--frames-curve", "0"])
    assert "must be >= 1" in capsys.readouterr().err
    assert _parse(["--frames-curve", "4", "8"]).frames_curve == [4, 8]
