"""Built-in looks: range, determinism, channel asymmetry, smoothness, config round trip."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import yaml

from lutml.data.looks import LOOKS, get_look, jitter_look, look_params

CONF_LOOK = Path(__file__).resolve().parents[2] / "conf" / "look"
BUILTIN = [n for n in LOOKS if n != "cube"]


@pytest.fixture(scope="module")
def colours() -> np.ndarray:
    """A 9^3 grid of the RGB cube plus random colours, shape (1241, 3)."""
    g = np.linspace(0.0, 1.0, 9, dtype=np.float32)
    grid = np.stack(np.meshgrid(g, g, g, indexing="ij"), -1).reshape(-1, 3)
    rand = np.random.default_rng(0).random((512, 3), dtype=np.float32)
    return np.concatenate([grid, rand])


@pytest.mark.parametrize("name", BUILTIN)
def test_range_dtype_shape_and_determinism(name: str, colours: np.ndarray) -> None:
    look = get_look(name)
    img = colours.reshape(17, 73, 3)
    out = look(img)
    assert out.dtype == np.float32 and out.shape == img.shape
    assert np.isfinite(out).all() and out.min() >= 0.0 and out.max() <= 1.0
    np.testing.assert_array_equal(out, get_look(name)(img))
    # the look really changes colours (not an identity by accident)
    assert np.abs(out - img).mean() > 0.02


@pytest.mark.parametrize("name", BUILTIN)
def test_channel_asymmetric(name: str, colours: np.ndarray) -> None:
    """Swapping red and blue before the look differs from swapping after: a transposed LUT
    axis would be caught by any test that uses these looks."""
    look = get_look(name)
    swap = colours[:, ::-1]
    diff = np.abs(look(swap) - look(colours)[:, ::-1]).max()
    assert diff > 0.03, f"{name} is (nearly) symmetric under a red/blue swap: {diff}"


@pytest.mark.parametrize("name", BUILTIN)
def test_smooth(name: str) -> None:
    """No jumps: along random lines through the cube, a step of 1/1024 moves the output
    at most a small multiple of the step (Lipschitz-like bound)."""
    look = get_look(name)
    rng = np.random.default_rng(1)
    a, b = rng.random((2, 64, 3), dtype=np.float32)
    t = np.linspace(0, 1, 1025, dtype=np.float32)[:, None, None]
    line = a + t * (b - a)  # (1025, 64, 3)
    out = look(line)
    step = np.abs(np.diff(out, axis=0)).max()
    assert step < 12.0 / 1024, f"{name} jumps by {step} between neighbouring colours"


def test_conf_files_match_builder_defaults(colours: np.ndarray) -> None:
    """Each conf/look/<name>.yaml names its builder and states its defaults (what params.yaml uses)."""
    for name in BUILTIN:
        cfg = yaml.safe_load((CONF_LOOK / f"{name}.yaml").read_text())
        assert cfg["name"] == name
        np.testing.assert_array_equal(get_look(cfg)(colours), get_look(name)(colours))


def test_omegaconf_mapping_and_override(colours: np.ndarray) -> None:
    from omegaconf import OmegaConf

    cfg = OmegaConf.create({"name": "hue_shift", "degrees": -40.0, "saturation": 1.0})
    out = get_look(cfg)(colours)
    assert np.abs(out - get_look("hue_shift")(colours)).max() > 0.1
    assert look_params(cfg) == ("hue_shift", {"degrees": -40.0, "saturation": 1.0})


def test_teal_orange_is_teal_and_orange() -> None:
    look = get_look("teal_orange")
    dark, light = np.float32([[0.15] * 3]), np.float32([[0.85] * 3])
    d, lt = look(dark)[0], look(light)[0]
    assert d[2] > d[0] + 0.03 and d[1] > d[0]  # teal shadows: blue and green above red
    assert lt[0] > lt[2] + 0.05  # orange highlights: red above blue


def test_bad_specs() -> None:
    with pytest.raises(ValueError, match="unknown look 'nope'"):
        get_look("nope")
    with pytest.raises(ValueError, match="'name'"):
        get_look({"contrast": 0.2})
    with pytest.raises(ValueError, match="bad parameters"):
        get_look({"name": "teal_orange", "contrst": 0.2})
    with pytest.raises(ValueError, match="look.path"):
        get_look({"name": "cube"})
    with pytest.raises(ValueError, match="black < white"):
        get_look({"name": "faded_film", "black": [0.5, 0.5, 0.5], "white": [0.4, 1, 1]})
    with pytest.raises(ValueError, match="ocio look"):
        get_look({"name": "ocio_aces_sdr", "src": "No Such Space"})
    with pytest.raises(ValueError, match=r"\(\.\.\., 3\)"):
        get_look("teal_orange")(np.zeros((4, 4), np.float32))


def test_missing_cube_file(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match="missing.cube"):
        get_look(str(tmp_path / "missing.cube"))


@pytest.mark.parametrize("name", [n for n in LOOKS if n != "cube"])
def test_jitter_look_is_a_valid_new_look_of_the_same_family_and_seeded(name):
    spec = jitter_look(name, seed=7)
    assert spec["name"] == name and spec == jitter_look(name, seed=7)
    assert spec != jitter_look(name, seed=8)
    x = np.random.default_rng(0).random((8, 8, 3), dtype=np.float32)
    new, base = get_look(spec)(x), get_look(name)(x)
    assert np.isfinite(new).all() and np.abs(new - base).mean() > 1e-3
