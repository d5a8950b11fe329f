"""Scoring LUTs against a known look, for the evaluate stage (`lutml.pipeline.evaluate`) and the
benches: per-pixel CIEDE2000 on held-out photos, PSNR, the LUT's difference to the look, and story
3's single-still table.

Scoring many methods against the same true-look images converts those images to CIELAB once
(`truth_labs`); what does not depend on the method is computed once (`single_still_table`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from lutml.color import (
    colour_moments,
    delta_e_2000_fast,
    delta_e_image,
    mkl_transfer,
    psnr,
    srgb_to_lab,
)
from lutml.lut import LUT3D, apply_lut, identity_table


def lut_mean_difference(
    lut: LUT3D,
    look: Callable[[np.ndarray], np.ndarray],
    size: int = 17,
    *,
    target: np.ndarray | None = None,
) -> float:
    """Mean |lut(x) - look(x)| over the nodes x of a `size`^3 lattice and the 3 channels
    (`target`: look(x) on those nodes, when already computed)."""
    nodes = identity_table(size)
    target = look(nodes) if target is None else target
    return float(np.mean(np.abs(apply_lut(lut, nodes, interpolation="trilinear") - target)))


def truth_labs(truths: Sequence[np.ndarray]) -> list[np.ndarray]:
    """CIELAB of the true-look images as `delta_e_image` takes them (``lab2``): computed once for
    every method scored against them."""
    return [srgb_to_lab(np.clip(t, 0.0, 1.0)) for t in truths]


@dataclass
class MethodScore:
    """Scores of one method over the held-out photos (`de00` keeps every pixel for percentiles)."""

    de00: list[np.ndarray]
    psnr: list[float]
    lut_mean_diff: float

    def summary(self) -> dict[str, float]:
        pooled = np.concatenate([d.ravel() for d in self.de00])
        return {
            "de00_mean": round(float(pooled.mean()), 4),
            "de00_p95": round(float(np.percentile(pooled, 95)), 4),
            "psnr": round(float(np.mean([min(p, 100.0) for p in self.psnr])), 3),
            "lut_mean_diff": round(self.lut_mean_diff, 5),
        }


def score_luts(
    luts: Sequence[LUT3D],
    photos: Sequence[np.ndarray],
    truths: Sequence[np.ndarray],
    look: Callable[[np.ndarray], np.ndarray],
    interpolation: str = "tetrahedral",
    *,
    labs: Sequence[np.ndarray] | None = None,
) -> MethodScore:
    """Apply luts[i] (one LUT for all photos: pass it once) to photos[i] and compare with truths[i]
    (`labs`: `truth_labs(truths)`, when scoring several methods against the same truths)."""
    one = len(luts) == 1
    labs = truth_labs(truths) if labs is None else labs
    de, ps = [], []
    for i, (photo, truth, lab) in enumerate(zip(photos, truths, labs, strict=True)):
        graded = _graded(luts[0 if one else i], photo, interpolation)
        de.append(delta_e_image(graded, lab2=lab).astype(np.float32))
        ps.append(psnr(graded, truth))
    target = look(identity_table(17))
    diff = float(np.mean([lut_mean_difference(lut, look, target=target) for lut in luts]))
    return MethodScore(de, ps, diff)


def _graded(lut: LUT3D, photo: np.ndarray, interpolation: str = "tetrahedral") -> np.ndarray:
    return np.clip(apply_lut(lut, photo, interpolation=interpolation), 0.0, 1.0)


def _de00_mean(de: Sequence[np.ndarray]) -> float:
    """`MethodScore.summary()`'s de00_mean of per-photo ΔE00 maps (pooled in float32 as there)."""
    pooled = np.concatenate([d.astype(np.float32).ravel() for d in de])
    return round(float(pooled.mean()), 4)


def single_still_table(
    model: Any,
    references: Sequence[np.ndarray],
    photos: Sequence[np.ndarray],
    families: Sequence[str],
    size: int,
    refine: int,
) -> dict[str, dict[str, float]]:
    """Story 3: for each look family (as configured, and with fresh random parameters), each reference
    still graded with it alone -> a LUT, scored on `photos` against the true look; mean ΔE00 over
    references next to identity's, the pair fit's (the bound: the reference's true before/after) and
    MKL colour transfer of each photo to the graded reference (`lutml.color.mkl_transfer`, what users
    have without a model; not a LUT, so it is scored per photo).

    The look estimator never trains on these families (its prior holds none of them): every row is
    a look it has never seen.
    """
    from lutml.data.looks import get_look, jitter_look
    from lutml.fit import fit_lut

    # What does not depend on the family or the reference is computed once: the photos through the
    # identity LUT (and their Lab), the photos' colour moments for MKL. Identity's score depends on
    # the family only; every number is the one scoring each (family, reference) in full gives.
    ident_labs = [srgb_to_lab(_graded(LUT3D.identity(size), p)) for p in photos]
    moments = [colour_moments(p) for p in photos]
    table = {}
    for family, spec in [(f, f) for f in families] + [
        (f"{f} (new parameters)", jitter_look(f, 7)) for f in families
    ]:
        look, name = get_look(spec), family
        labs = truth_labs([look(p) for p in photos])
        ident = _de00_mean([delta_e_2000_fast(i, t) for i, t in zip(ident_labs, labs, strict=True)])
        ours, pair, mkl = [], [], []
        for ref in references:
            graded = look(ref)
            lut = model.predict_look([graded], refine=refine, size=size)
            ours.append(_score_mean(lut, photos, labs))
            fitted = fit_lut(ref, graded, size=size, method="lattice", robust=True)
            pair.append(_score_mean(fitted, photos, labs))
            ref_moments = colour_moments(graded)
            moved = (
                mkl_transfer(p, graded, image_moments=m, reference_moments=ref_moments)
                for p, m in zip(photos, moments, strict=True)
            )
            mkl.append(
                _de00_mean([delta_e_image(m, lab2=t) for m, t in zip(moved, labs, strict=True)])
            )
        o, q = float(np.mean(ours)), float(np.mean(pair))
        i = float(np.mean([ident] * len(references)))  # the mean of equal numbers, as before
        table[name] = single_still_row(o, i, q, float(np.mean(mkl)))
    return table


def single_still_row(ours: float, identity: float, pair_fit: float, mkl: float) -> dict[str, float]:
    """A row of `single_still_table` from its mean ΔE00s: each rounded to 4 decimals, and the
    ratio of ours to identity's."""
    return {
        "ours": round(ours, 4),
        "identity": round(identity, 4),
        "pair_fit": round(pair_fit, 4),
        "mkl": round(mkl, 4),
        "ratio": round(ours / identity, 4),
    }


def _score_mean(lut: LUT3D, photos: Sequence[np.ndarray], labs: Sequence[np.ndarray]) -> float:
    """`score_luts([lut], photos, truths, look).summary()["de00_mean"]` given the truths' Lab."""
    return _de00_mean(
        [delta_e_image(_graded(lut, p), lab2=t) for p, t in zip(photos, labs, strict=True)]
    )
