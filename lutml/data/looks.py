"""Built-in colour looks: the grades the pipeline learns when no user footage is given.

Every look is built by a function in the `LOOKS` registry from the parameters of
`conf/look/<name>.yaml` (the `name:` key picks the builder; the other keys are its keyword
arguments, whose defaults equal the shipped yaml). A built look is a pure, vectorised function

    look(image: float32 (..., 3) sRGB-encoded RGB in [0, 1]) -> float32 (..., 3) in [0, 1]

that is smooth (continuous, no hue jumps) and deliberately asymmetric in its channels
(a red-only or blue-only change is visible in it), so a transposed LUT axis cannot hide.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from lutml.config.look import LookConfig

Look = Callable[[np.ndarray], np.ndarray]

# Rec.709 luma weights on the encoded values: a cheap, smooth brightness for tone weights.
_LUMA = np.array([0.2126, 0.7152, 0.0722], dtype=np.float32)


# ----------------------------------------------------------------------------- building blocks
def luma(rgb: np.ndarray) -> np.ndarray:
    """Rec.709 luma of encoded RGB, shape (...,) from (..., 3)."""
    return rgb @ _LUMA


def s_curve(x: np.ndarray, amount: float, pivot: float = 0.5) -> np.ndarray:
    """Smooth monotone S-curve on [0, 1] with its inflection at `pivot`; 0 and 1 stay fixed.

    x is remapped by a power so that `pivot` lands on 0.5, bent by a smoothstep blended in by
    `amount` (0 = identity, 1 = full smoothstep; < 0 flattens), then mapped back.
    """
    if not 0.0 < pivot < 1.0:
        raise ValueError(f"s_curve pivot must lie in (0, 1), got {pivot}")
    k = np.log(0.5) / np.log(pivot)
    t = np.clip(x, 0.0, 1.0) ** k
    t = t + amount * (t * t * (3.0 - 2.0 * t) - t)
    return np.clip(t, 0.0, 1.0) ** (1.0 / k)


def soft_clip(x: np.ndarray, knee: float = 0.06) -> np.ndarray:
    """Identity on [knee, 1 - knee], tanh roll-off outside: maps R into (0, 1), C1-smooth.

    Used where a look's offsets can leave the cube: a film-like shoulder and toe instead of
    the hard kink of `np.clip`.
    """
    hi = 1.0 - knee
    out = np.where(x > hi, hi + knee * np.tanh((x - hi) / knee), x)
    return np.where(out < knee, knee - knee * np.tanh((knee - out) / knee), out)


def saturate(rgb: np.ndarray, amount: float) -> np.ndarray:
    """Scale chroma (distance from the pixel's luma) by `amount`; in range for amount <= 1."""
    y = luma(rgb)[..., None]
    return y + amount * (rgb - y)


def split_tone(
    rgb: np.ndarray, shadows: Sequence[float], highlights: Sequence[float]
) -> np.ndarray:
    """Add colour offsets weighted by (1 - luma)^2 in the shadows and luma^2 in the highlights."""
    y = luma(rgb)[..., None]
    sh = np.asarray(shadows, dtype=np.float32)
    hl = np.asarray(highlights, dtype=np.float32)
    return rgb + (1.0 - y) ** 2 * sh + y**2 * hl


def _as_f32(image: np.ndarray) -> np.ndarray:
    x = np.asarray(image, dtype=np.float32)
    if x.shape[-1:] != (3,):
        raise ValueError(f"a look needs (..., 3) RGB input, got shape {x.shape}")
    return x


def _finish(x: np.ndarray) -> np.ndarray:
    return np.clip(x, 0.0, 1.0).astype(np.float32, copy=False)


# ----------------------------------------------------------------------------- the looks
def teal_orange(
    contrast: float = 0.35,
    saturation: float = 1.15,
    shadows: Sequence[float] = (-0.07, 0.02, 0.07),
    highlights: Sequence[float] = (0.08, 0.015, -0.08),
) -> Look:
    """Teal-and-orange film look: S-curve, richer colour, teal shadows, warm highlights."""

    def look(image: np.ndarray) -> np.ndarray:
        x = s_curve(_as_f32(image), contrast)
        x = split_tone(saturate(x, saturation), shadows, highlights)
        return _finish(soft_clip(x))

    return look


def s_curve_split_tone(
    contrast: float = 0.6,
    pivot: float = 0.42,
    shadows: Sequence[float] = (0.03, -0.04, 0.09),
    highlights: Sequence[float] = (0.05, 0.05, -0.07),
) -> Look:
    """Strong S-curve around a low pivot, violet shadows and yellow highlights."""

    def look(image: np.ndarray) -> np.ndarray:
        x = split_tone(s_curve(_as_f32(image), contrast, pivot), shadows, highlights)
        return _finish(soft_clip(x))

    return look


def faded_film(
    black: Sequence[float] = (0.08, 0.07, 0.11),
    white: Sequence[float] = (0.95, 0.93, 0.85),
    contrast: float = 0.25,
    saturation: float = 0.75,
) -> Look:
    """Faded print: lifted, blue-ish blacks, warm dimmed whites, soft contrast, muted colour.

    In range by construction: each channel maps [0, 1] onto [black_c, white_c].
    """
    lo = np.asarray(black, dtype=np.float32)
    hi = np.asarray(white, dtype=np.float32)
    if np.any(lo < 0) or np.any(hi > 1) or np.any(lo >= hi):
        raise ValueError(f"faded_film needs 0 <= black < white <= 1, got {black} / {white}")

    def look(image: np.ndarray) -> np.ndarray:
        x = saturate(s_curve(_as_f32(image), contrast), saturation)
        return _finish(lo + (hi - lo) * x)

    return look


def bleach_bypass(
    strength: float = 0.6,
    saturation: float = 0.65,
    gamma: Sequence[float] = (1.06, 1.0, 0.93),
) -> Look:
    """Bleach bypass: the colour image overlaid on its own luma (harsh contrast, silvery),
    desaturated, with a cold per-channel gamma (red deeper, blue lifted)."""
    g = np.asarray(gamma, dtype=np.float32)

    def look(image: np.ndarray) -> np.ndarray:
        x = _as_f32(image)
        y = luma(x)[..., None]
        overlay = np.where(y < 0.5, 2.0 * x * y, 1.0 - 2.0 * (1.0 - x) * (1.0 - y))
        x = saturate(x + strength * (overlay - x), saturation)
        return _finish(np.clip(x, 0.0, 1.0) ** g)

    return look


def hue_shift(degrees: float = 25.0, saturation: float = 1.1) -> Look:
    """Rotate every hue by `degrees` (HSV; greys untouched) and scale HSV saturation."""

    def look(image: np.ndarray) -> np.ndarray:
        from skimage.color import hsv2rgb, rgb2hsv  # import here: skimage is slow to import

        x = _as_f32(image)
        hsv = rgb2hsv(x.reshape(-1, 1, 3))
        hsv[..., 0] = (hsv[..., 0] + degrees / 360.0) % 1.0
        hsv[..., 1] = np.clip(hsv[..., 1] * saturation, 0.0, 1.0)
        return _finish(hsv2rgb(hsv).reshape(x.shape))

    return look


@functools.lru_cache(maxsize=8)
def _ocio_processor(config: str, src: str, display: str, view: str, exposure: float) -> Any:
    import PyOpenColorIO as ocio

    cfg = ocio.Config.CreateFromBuiltinConfig(config)
    group = ocio.GroupTransform()
    # Exposure in ACES2065-1 (scene-linear) so the stops mean what a colourist expects.
    group.appendTransform(ocio.ColorSpaceTransform(src=src, dst="ACES2065-1"))
    group.appendTransform(ocio.ExposureContrastTransform(exposure=exposure))
    group.appendTransform(ocio.DisplayViewTransform(src="ACES2065-1", display=display, view=view))
    return cfg.getProcessor(group).getDefaultCPUProcessor()


def ocio_aces_sdr(
    config: str = "studio-config-v2.2.0_aces-v1.3_ocio-v2.4",
    src: str = "Camera Rec.709",
    display: str = "sRGB - Display",
    view: str = "ACES 1.0 - SDR Video",
    exposure: float = 0.6,
) -> Look:
    """OpenColorIO look from a built-in config of the opencolorio wheel (no files needed).

    The frame is read as footage in colour space `src` (default: a Rec.709 camera, whose
    inverse OETF gives scene-linear light), pushed `exposure` stops, and rendered through the
    ACES 1.0 SDR output transform: a filmic tone curve with highlight roll-off and a
    hue-dependent colour rendering. A real log space (e.g. ``ARRI LogC3 (EI800)``) works too
    for genuinely log-encoded footage.
    """
    try:
        proc = _ocio_processor(config, src, display, view, float(exposure))
    except Exception as exc:  # OCIO raises its own Exception type for unknown names
        raise ValueError(
            f"ocio look: cannot build {src!r} -> {display!r}/{view!r} in {config!r}: {exc}"
        ) from exc

    def look(image: np.ndarray) -> np.ndarray:
        x = np.ascontiguousarray(_as_f32(image).reshape(-1, 3)).copy()
        proc.applyRGB(x)
        return _finish(x.reshape(np.shape(image)))

    return look


def cross_process(
    red: float = 0.55,
    green: float = 0.3,
    blue: Sequence[float] = (0.12, 0.82),
    saturation: float = 1.2,
) -> Look:
    """Cross-processed film (slide film in negative chemistry): a hard S-curve on red, a softer one
    on green, blue squeezed into [blue[0], blue[1]] (cyan-blue shadows, yellow-green highlights),
    then more saturation. Added after the look estimator was designed, to test it on a look it
    was not developed with."""
    lo, hi = (float(v) for v in blue)

    def look(image: np.ndarray) -> np.ndarray:
        x = np.clip(_as_f32(image), 0.0, 1.0)
        out = np.stack(
            [s_curve(x[..., 0], red), s_curve(x[..., 1], green), lo + (hi - lo) * x[..., 2]],
            axis=-1,
        )
        return _finish(soft_clip(saturate(out, saturation)))

    return look


def day_for_night(
    stops: float = -1.6,
    saturation: float = 0.45,
    tint: Sequence[float] = (0.78, 0.95, 1.3),
    contrast: float = 0.2,
) -> Look:
    """Day for night: underexposed in linear light, desaturated, tinted blue (linear gains), a
    little contrast. Added after the look estimator was designed (see `cross_process`)."""
    from lutml.color import linear_to_srgb, srgb_to_linear

    gains = np.asarray(tint, dtype=np.float64) * 2.0**stops

    def look(image: np.ndarray) -> np.ndarray:
        lin = srgb_to_linear(np.clip(_as_f32(image), 0.0, 1.0))
        y = lin @ np.array([0.2126, 0.7152, 0.0722])
        lin = (y[..., None] + saturation * (lin - y[..., None])) * gains
        x = linear_to_srgb(np.clip(lin, 0.0, 1.0)).astype(np.float32)
        return _finish(s_curve(x, contrast))

    return look


def cube(
    path: str | None = None, interpolation: str = "tetrahedral", strength: float = 1.0
) -> Look:
    """A `.cube` file as a look (how a LUT the user likes becomes training data)."""
    if not path:
        raise ValueError(
            "look 'cube' needs a file: set look.path=FILE.cube (e.g. -S look.path=my.cube)"
        )
    p = Path(path)
    if not p.is_file():
        raise FileNotFoundError(f"{p}: look .cube file not found")
    from lutml.lut import apply_lut, read_cube

    lut = read_cube(p)  # raises ValueError naming the file and line on a bad LUT

    def look(image: np.ndarray) -> np.ndarray:
        return _finish(
            apply_lut(lut, _as_f32(image), interpolation=interpolation, strength=strength)
        )

    return look


LOOKS: dict[str, Callable[..., Look]] = {
    "teal_orange": teal_orange,
    "s_curve_split_tone": s_curve_split_tone,
    "faded_film": faded_film,
    "bleach_bypass": bleach_bypass,
    "hue_shift": hue_shift,
    "ocio_aces_sdr": ocio_aces_sdr,
    "cross_process": cross_process,
    "day_for_night": day_for_night,
    "cube": cube,
}


def jitter_look(
    cfg_or_name: str | Mapping[str, Any], seed: int, spread: float = 0.3
) -> dict[str, Any]:
    """A look of the same family with fresh random parameters: every number scaled by U(1 - spread,
    1 + spread) (lists element-wise; numbers on [0, 1] stay
    there), text kept. Used to test looks no one tuned on."""
    name, params = look_params(cfg_or_name)
    if not params:
        import inspect

        params = {k: v.default for k, v in inspect.signature(LOOKS[name]).parameters.items()}
    rng = np.random.default_rng(seed)

    def scale(v: Any) -> Any:
        if isinstance(v, bool) or isinstance(v, str) or v is None:
            return v
        if isinstance(v, int | float):
            new = float(v) * float(rng.uniform(1 - spread, 1 + spread))
            return round(min(new, 1.0) if 0 <= v <= 1 else new, 5)  # levels, mixes stay on [0, 1]
        return [scale(x) for x in v]

    return {"name": name, **{k: scale(v) for k, v in params.items()}}


def look_params(cfg_or_name: str | LookConfig | Mapping[str, Any]) -> tuple[str, dict[str, Any]]:
    """Split a look spec into (registry name, keyword parameters).

    Accepts a registry name (``"teal_orange"``), a path to a `.cube` file, a typed `LookConfig`
    (the stages'), or a mapping with a ``name`` key (a `conf/look/*.yaml` block, dict or OmegaConf
    DictConfig).
    """
    if isinstance(cfg_or_name, LookConfig):
        return cfg_or_name.name, dict(cfg_or_name.params)
    if isinstance(cfg_or_name, str | Path):
        spec = str(cfg_or_name)
        if spec.lower().endswith(".cube"):
            return "cube", {"path": spec}
        return spec, {}
    try:
        from omegaconf import DictConfig, OmegaConf

        if isinstance(cfg_or_name, DictConfig):
            cfg_or_name = OmegaConf.to_container(cfg_or_name, resolve=True)  # type: ignore[assignment]
    except ImportError:  # pragma: no cover - omegaconf is a pinned dependency
        pass
    params = dict(cfg_or_name)
    if "name" not in params:
        raise ValueError(
            f"look config needs a 'name' key (one of {sorted(LOOKS)}), got keys {sorted(params)}"
        )
    return str(params.pop("name")), params


def get_look(cfg_or_name: str | LookConfig | Mapping[str, Any]) -> Look:
    """Build a look from a name, a `.cube` path or a config mapping (see `look_params`)."""
    name, params = look_params(cfg_or_name)
    if name not in LOOKS:
        raise ValueError(
            f"unknown look {name!r}; known looks: {sorted(LOOKS)} (or a path to a .cube file)"
        )
    try:
        return LOOKS[name](**params)
    except TypeError as exc:  # unexpected or missing keys in conf/look/<name>.yaml
        raise ValueError(f"look {name!r}: bad parameters {sorted(params)}: {exc}") from exc
