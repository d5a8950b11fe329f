"""Camera colour spaces (log and linear footage) in and out of lutml's working space.

lutml learns, fits and applies looks in one **working space**: display sRGB, i.e. sRGB-encoded
Rec.709 values in [0, 1] (OpenColorIO's ``sRGB - Texture``); every built-in look and every model
takes and returns such values. Footage shot in a camera space (ARRI LogC3/LogC4, Sony S-Log3,
Canon Log, V-Log, ACEScct, linear Rec.709, ...) is brought into it with OpenColorIO's own
transforms from the built-in ACES studio config `CONFIG` (shipped inside the opencolorio
wheel, no files needed), and a LUT that takes the camera space in is exported as a 1D shaper +
3D table (`.cube` in the Resolve dialect).

How the shaper is chosen (`shaper_for`): the 3D lattice should hold only what is smooth — the
gamut matrix and the look — with its nodes spread over the data as evenly as a working-space
LUT's are. So for log and scene-linear spaces the shaper is the space's grey curve carried into
the working encoding: input code x -> sRGB-encode(scene-linear grey of x) / sRGB-encode(HEADROOM),
sampled at `SHAPER_SIZE` points from the code of linear 0 to the code of linear `HEADROOM`
(2.0: one stop above diffuse white, so that the gamut matrix can still mix channels a little
above white before the working space clips them; brighter values are clamped, as the working
space clips them anyway). After the shaper, the 3D lattice on [0, 1] sees (camera-primaries)
values spaced like sRGB codes. Without it, half or more of a plain [0, 1] lattice on log values
lies below black or above display white (S-Log3 puts white at 0.60, LogC4 at 0.43), and on linear
values the darker half of the picture falls between the first few nodes; measured on photos, the
shaper cuts the round-trip error 2-4x (tests/test_color_spaces.py). Display-encoded spaces
(encoding ``sdr-video``, e.g. sRGB or gamma 2.4 Rec.709) are already spread that way: no shaper,
3D domain [0, 1].

OpenColorIO is imported inside the functions (``import lutml`` stays light).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from typing import Any

import numpy as np

from lutml.color import linear_to_srgb
from lutml.lut.apply import apply_lut
from lutml.lut.lut3d import LUT1D, LUT3D, identity_table

CONFIG = "studio-config-v2.2.0_aces-v1.3_ocio-v2.4"  # the same built-in config as lutml.data.looks
WORKING = "sRGB Encoded Rec.709 (sRGB)"  # alias "sRGB - Texture"
LINEAR = "Linear Rec.709 (sRGB)"
HEADROOM = 2.0  # scene-linear value at the top of a shaper: one stop above diffuse white
SHAPER_SIZE = 4096
# Short names that match several spaces but have one usual meaning (everything else must be unique).
SHORTCUTS = {"linear": LINEAR, "srgb": WORKING}


def _key(text: str) -> str:
    return re.sub(r"[^0-9a-z]", "", text.lower())


@functools.lru_cache(maxsize=1)
def _config() -> Any:
    import PyOpenColorIO as ocio

    return ocio.Config.CreateFromBuiltinConfig(CONFIG)


def list_spaces() -> list[str]:
    """Names of the input colour spaces: the active scene-referred spaces of `CONFIG` except 'Raw'."""
    import PyOpenColorIO as ocio

    spaces = _config().getColorSpaces(ocio.SEARCH_REFERENCE_SPACE_SCENE, ocio.COLORSPACE_ACTIVE)
    return [cs.getName() for cs in spaces if cs.getEncoding() != "data"]


@functools.cache
def _names() -> dict[str, str]:
    """Normalised name or alias (lower case, letters and digits only) -> colour-space name."""
    out = {}
    for name in list_spaces():
        for alias in (name, *_config().getColorSpace(name).getAliases()):
            out[_key(alias)] = name
    return out


def resolve_space(name: str) -> str:
    """The `CONFIG` colour-space name meant by `name`.

    Accepted: an exact name or OpenColorIO alias ('S-Log3 S-Gamut3.Cine', 'slog3_sgamut3cine',
    'sRGB - Texture'), case, spaces and punctuation ignored; a part of one that fits a single space
    ('logc3', 'LogC4', 'acescct', 'vlog', 'canonlog3'); and the `SHORTCUTS` 'linear' (linear
    Rec.709) and 'srgb'. Raises ValueError listing the valid names for an unknown name, and the
    candidates for an ambiguous one ('slog3': S-Gamut3 or S-Gamut3.Cine?).
    """
    key = _key(str(name))
    names = _names()
    if key in names:
        return names[key]
    if key in SHORTCUTS:
        return SHORTCUTS[key]
    found = sorted(
        {space for alias, space in names.items() if key and key in alias}, key=list_spaces().index
    )
    if len(found) == 1:
        return found[0]
    if found:
        raise ValueError(
            f"colour space {name!r} is ambiguous: it matches {', '.join(map(repr, found))}"
        )
    raise ValueError(
        f"unknown colour space {name!r}; valid names: {', '.join(map(repr, list_spaces()))} "
        f"(or 'linear', 'srgb'; case and punctuation are ignored)"
    )


@functools.lru_cache(maxsize=64)
def _processor(src: str, dst: str) -> Any:
    return _config().getProcessor(src, dst).getDefaultCPUProcessor()


def convert(rgb: np.ndarray, src: str, dst: str) -> np.ndarray:
    """`rgb` (..., 3) from colour space `src` to `dst` (names as `resolve_space` takes them) by
    OpenColorIO's CPU processor, float32, not clipped; a new array."""
    out = np.ascontiguousarray(rgb, dtype=np.float32).copy()
    proc = _processor(resolve_space(src), resolve_space(dst))
    proc.applyRGB(out.reshape(-1, 3))
    return out


def to_working(rgb: np.ndarray, name: str) -> np.ndarray:
    """Camera-space float RGB (..., 3) in space `name` -> working sRGB float32 (..., 3) in [0, 1].

    The plain OpenColorIO conversion (no tone mapping): values above display white or outside
    Rec.709 are clipped, as the working space and the looks take [0, 1].
    """
    return np.clip(convert(rgb, name, WORKING), 0.0, 1.0)


def from_working(rgb: np.ndarray, name: str) -> np.ndarray:
    """Working sRGB (..., 3) -> colour space `name` float32 (inverse of `to_working` on [0, 1])."""
    return convert(rgb, WORKING, name)


def needs_shaper(name: str) -> bool:
    """True for log and scene-linear spaces, False for display-encoded ones (see the module doc)."""
    return _config().getColorSpace(resolve_space(name)).getEncoding() != "sdr-video"


def shaper_for(name: str, size: int = SHAPER_SIZE, headroom: float = HEADROOM) -> LUT1D | None:
    """The 1D shaper of space `name` (None for display-encoded spaces); rule in the module doc.

    Returns a LUT1D of `size` rows, the same curve in all three channels, on one input range
    [code of linear 0, code of linear `headroom`] (grey), non-decreasing from 0 to 1.
    """
    if not needs_shaper(name):
        return None
    lo, hi = (float(v) for v in convert(np.array([[0.0] * 3, [headroom] * 3]), LINEAR, name)[:, 1])
    codes = np.linspace(lo, hi, size)
    linear = convert(np.repeat(codes[:, None], 3, axis=1), name, LINEAR)[:, 1]
    curve = linear_to_srgb(np.maximum(linear, 0.0)) / linear_to_srgb(headroom)
    curve = np.clip(np.maximum.accumulate(curve), 0.0, 1.0)  # exactly monotone despite float noise
    return LUT1D(np.repeat(curve[:, None], 3, axis=1), lo, hi)


def apply_shaper(shaper: LUT1D | None, rgb: np.ndarray) -> np.ndarray:
    """`rgb` (..., 3) through a shaper as `apply_lut` applies it: clamped to its domain, linear
    between its rows; float32 (..., 3) in the shaper's output range. None = unchanged (float32)."""
    rgb = np.asarray(rgb, dtype=np.float32)
    if shaper is None:
        return rgb
    out = np.empty(rgb.shape, np.float32)
    for c in range(3):
        xs = np.linspace(shaper.domain_min[c], shaper.domain_max[c], shaper.size)
        out[..., c] = np.interp(rgb[..., c], xs, shaper.table[:, c])
    return out


def _shaper_inverse(shaper: LUT1D, values: np.ndarray, c: int) -> np.ndarray:
    """Input codes of channel `c` that the shaper maps onto `values` (its table is monotone)."""
    xs = np.linspace(shaper.domain_min[c], shaper.domain_max[c], shaper.size, dtype=np.float64)
    table = shaper.table[:, c].astype(np.float64)
    first = np.searchsorted(table, table[-1])  # leave the flat top (if any) out of the inverse
    return np.interp(values, table[: first + 1], xs[: first + 1])


def export_for_space(
    look: LUT3D | Callable[[np.ndarray], np.ndarray],
    name: str,
    size: int = 33,
    interpolation: str = "tetrahedral",
    title: str | None = None,
) -> LUT3D:
    """A LUT that takes space `name` in and gives `look` of the working-space image out.

    Parameters
    ----------
    look : a working-space LUT3D (sRGB in, sRGB out), or a look function (float32 (..., 3) in [0, 1] ->
        same shape), e.g. `lutml.data.looks.get_look(...)`.
    name : the input colour space (see `resolve_space`).
    size : 3D nodes per axis (2-65).

    Returns
    -------
    LUT3D with the shaper of `shaper_for(name)` (or none) and a 3D table on [0, 1] whose node at
    shaped position u holds ``look(to_working(shaper^-1(u)))``: `apply_lut` of it on camera-space
    values equals the OpenColorIO conversion followed by the look, up to lattice interpolation.
    Written as `.cube` it is a Resolve-dialect shaper + 3D file.
    """
    if not 2 <= size <= 65:
        raise ValueError(f"LUT size must be between 2 and 65, got {size}")
    space = resolve_space(name)
    shaper = shaper_for(space)
    nodes = identity_table(size).astype(np.float64)
    if shaper is not None:
        for c in range(3):
            nodes[..., c] = _shaper_inverse(shaper, nodes[..., c], c)
    working = to_working(nodes.reshape(-1, 3), space)
    if isinstance(look, LUT3D):
        values = apply_lut(look, working, interpolation)
    else:
        values = np.asarray(look(working), np.float32)
    if title is None:
        title = getattr(look, "title", "") or "lutml look"
    title = f"{title} ({space} in)"
    lut = LUT3D(values.reshape(size, size, size, 3), title=title, shaper=shaper)
    declare_input_space(lut, space)
    return lut


_DECLARED = "input colour space: "


def declare_input_space(lut: LUT3D, space: str) -> None:
    """Record in `lut`'s comments (kept by `.cube` files) that it takes `space` in."""
    lut.comments.append(f"{_DECLARED}{space} (OpenColorIO built-in ACES studio config)")


def declared_input_space(lut: LUT3D) -> str | None:
    """The colour space a LUT says it takes in (`declare_input_space`), or None."""
    for comment in lut.comments:
        if comment.startswith(_DECLARED):
            return comment[len(_DECLARED) :].split(" (OpenColorIO", 1)[0].strip()
    return None
