"""Grade an image with a trained model and turn the result into a LUT (the original's
"model_img2LUT"): the network sees a small copy of the frame; a LUT is fitted from that copy to
the network's output; the LUT, not the network, is what grades full-resolution footage.

TensorFlow is only imported by `lutml.models.inference` when a model is loaded.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from lutml.color import mean_delta_e, srgb_to_lab
from lutml.lut import LUT3D, apply_lut, resample_lut
from lutml.models.look_inference import natural_coverage
from lutml.resize import resize_image


@dataclass
class GradeResult:
    """What grading one frame produced.

    Attributes
    ----------
    lut : LUT3D
        The look as a LUT, on [0, 1], ready for `write_cube`.
    coverage : float
        Fraction of LUT cells supported by the frame's colours (the rest were extrapolated).
    model_input : float32 (s, s, 3)
        The frame as the network saw it (resized to its output size).
    prediction : float32 (s, s, 3)
        The network's output (for LUT models: the predicted LUT applied to `model_input`).
    fit_de00 : float
        Mean ΔE00 between the LUT applied to `model_input` and `prediction` (how well a LUT explains
        the network's output; large values mean the network made spatial edits no LUT can express).
    fit : Any
        The full fit report of `lutml.fit.fit_lut_report` (None for LUT models).
    """

    lut: LUT3D
    coverage: float
    model_input: np.ndarray
    prediction: np.ndarray
    fit_de00: float
    fit: Any = None
    warnings: list[str] = field(default_factory=list)
    trust: Any = None  # `lutml.trust.TrustReport` of a look model with a trust model
    stills: list[str] = field(default_factory=list)  # look models: the stills read (names)

    @property
    def confidence(self) -> list[dict[str, str]]:
        """Per part of the look: {"component", "level" (sure / fairly sure / unsure), "why",
        "strength" (the share of the raw estimate applied)}."""
        if self.trust is None:
            return []
        return [
            {"component": p.component, "level": p.level, "why": p.why, "strength": p.strength}
            for p in self.trust.parts
        ]


def grade_image(
    model: Any,
    image: np.ndarray,
    size: int = 33,
    reverse: bool = False,
    method: str = "lattice",
    **fit_options: Any,
) -> GradeResult:
    """Grade `image` with `model` (a `lutml.models.inference.LoadedModel`) and fit the LUT.

    Parameters
    ----------
    image : float32 (H, W, 3) in [0, 1], any size (the model sees a resized copy).
    size : LUT nodes per axis of the result (2-65).
    reverse : the neutraliser trick: the model removes the frame's look; the LUT is fitted from
        the neutralised output back to the frame, so it puts the frame's look onto neutral footage.
    method, fit_options : passed to `lutml.fit.fit_lut_report` ("lattice" or "knn", smoothness, robust, ...).
    """
    from lutml.fit import (
        fit_lut_report,  # here, not at the top: look models need no fit (1.5 s of imports)
    )

    if model.kind == "look":
        return look_of_stills(model, [image], size=size)
    if model.kind == "lut":
        small = resize_image(image, (model.input_size, model.input_size), "area")
        lut = resample_lut(model.predict_lut(image), size) if size else model.predict_lut(image)
        if reverse:
            raise ValueError("--reverse needs an image model (a neutraliser), not a LUT model")
        pred = np.clip(apply_lut(lut, small), 0.0, 1.0)
        return GradeResult(lut, 1.0, small, pred, 0.0)
    model_input, prediction = model.predict(image)
    if model_input.shape != prediction.shape:  # asymmetric models output fewer pixels
        model_input = resize_image(model_input, prediction.shape[:2], "area")
    source, target = (prediction, model_input) if reverse else (model_input, prediction)
    report = fit_lut_report(source, target, size=size, method=method, **fit_options)
    lut = report.lut
    lut.title = "lutml look (reverse)" if reverse else "lutml look"
    err = mean_delta_e(apply_lut(lut, source), target)
    return GradeResult(lut, float(report.coverage), model_input, prediction, err, report)


#: A still whose short side has fewer pixels than this is too small to read a look from (it is
#: refused, or left out among others); below `SMALL_STILL_SIDE` it is read, with a warning.
MIN_STILL_SIDE = 16
SMALL_STILL_SIDE = 64


def still_problems(image: np.ndarray) -> dict[str, str]:
    """Why a graded still may not show its look, by kind: "unreadable" (with "tiny"), "tiny",
    "grayscale", "uniform"."""
    h, w = image.shape[:2]
    out = {}
    if min(h, w) < MIN_STILL_SIDE:
        out["unreadable"] = (
            f"the still is too small to read a look from ({w}x{h} px; at least "
            f"{MIN_STILL_SIDE} px on the short side, {SMALL_STILL_SIDE} for a good reading)"
        )
    if min(h, w) < SMALL_STILL_SIDE:
        out["tiny"] = (
            f"the still is tiny ({w}x{h} px; at least {SMALL_STILL_SIDE} px on the short side are "
            "needed)"
        )
    lab = srgb_to_lab(np.clip(image[:: max(1, h // 256), :: max(1, w // 256)], 0, 1)).reshape(-1, 3)
    chroma = np.hypot(lab[:, 1], lab[:, 2])
    if np.percentile(chroma, 90) < 4.0:
        out["grayscale"] = "the still is (nearly) grayscale: its colour grade cannot be measured"
    if lab[:, 0].std() < 4.0 and chroma.std() < 4.0:
        out["uniform"] = "the still is nearly uniform: one colour says little about a grade"
    return out


class _Some(Sequence):
    """The stills at `keep` of a sequence, read from it one at a time (the web's stills are
    converted to float as they are read)."""

    def __init__(self, stills: Sequence[np.ndarray], keep: list[int]):
        self._stills, self._keep = stills, keep

    def __len__(self) -> int:
        return len(self._keep)

    def __getitem__(self, i):
        if isinstance(i, slice):
            return [self._stills[k] for k in self._keep[i]]
        return self._stills[self._keep[i]]


class StillsError(ValueError):
    """The stills themselves cannot show a look (every one too small to read): the message
    names the still; nothing is wrong with the model."""


def usable_stills(
    images: Sequence[np.ndarray], names: Sequence[str] | None = None
) -> tuple[Sequence[np.ndarray], list[str], list[str]]:
    """The stills a look is read from, their names, and the warnings: one per still left out or
    read from few pixels, then those that hold for every still kept (grayscale, nearly uniform).

    A still too small to read (short side < `MIN_STILL_SIDE`) alone is a `StillsError` naming it; among
    others it is left out, as is a nearly uniform one (a black frame, a flat colour) while others
    show more.
    """
    names = list(names) if names is not None else [f"still {i + 1}" for i in range(len(images))]
    problems = [still_problems(img) for img in images]
    readable = [i for i, p in enumerate(problems) if "unreadable" not in p]
    if not readable:
        first = problems[0]["unreadable"].removeprefix("the still is ")
        if len(images) == 1:
            raise StillsError(f"{names[0]}: {first}")
        raise StillsError(f"{names[0]}: none of the {len(images)} stills can be read: {first}")
    keep = [i for i in readable if "uniform" not in problems[i]] or readable
    warnings = [
        f"{names[i]} is not used: "
        + (problems[i].get("unreadable") or problems[i]["uniform"]).removeprefix("the still is ")
        for i in range(len(images))
        if i not in keep
    ]
    shared = [k for k in problems[keep[0]] if all(k in problems[i] for i in keep)]
    if len(keep) > 1 and "tiny" not in shared:  # some of them small: say which
        warnings += [
            f"{names[i]}: {problems[i]['tiny'].removeprefix('the still is ')}"
            for i in keep
            if "tiny" in problems[i]
        ]
    every = "every still is" if len(keep) > 1 else "the still is"
    warnings += [problems[keep[0]][k].replace("the still is", every, 1) for k in shared]
    kept = images if len(keep) == len(images) else _Some(images, keep)
    return kept, [names[i] for i in keep], warnings


def look_of_stills(
    model: Any,
    images: Sequence[np.ndarray],
    size: int = 33,
    refine: int = 0,
    min_coverage: float = 0.25,
    trusted: bool = True,
    names: Sequence[str] | None = None,
) -> GradeResult:
    """The look of graded still(s) as a LUT, by a look model (`lutml.models.look_inference.LookModel`).

    ``coverage`` is the share of natural footage's colours that the stills show (weighted by how
    often photos hold each colour): the LUT is measured there and follows the model's prior
    elsewhere. Stills too small to read, and nearly uniform ones among others, are left out
    (`usable_stills`; `names` name them in the warnings, default "still 1", ...). ``warnings``
    say why the result may be unreliable: the stills left out, a still that is grayscale or
    nearly uniform (for several stills: only if every one used is), or coverage below
    `min_coverage`. With the model's trust model (`lutml.trust`), uncertain parts of the look are
    pulled towards no grade and ``trust`` says how sure the model is; ``trusted=False`` keeps the
    raw estimate (the report, made all the same, describes the trusted look).
    """
    images, used, warnings = usable_stills(images, names)
    lut, trust = model.estimate(images, refine=refine, size=size, trusted=trusted)
    lut.title = f"lutml look of {used[0] if len(used) == 1 else f'{len(used)} stills'}"
    coverage = natural_coverage(images, np.asarray(model.model.basis.node_weights))
    if coverage < min_coverage:
        warnings.append(
            f"the still(s) show only {coverage:.0%} of natural footage's colours; colours they lack "
            "are guessed from the model's prior"
        )
    if trust is not None:
        warnings.extend(trust.warnings)
    small = resize_image(
        images[0], (64, round(64 * images[0].shape[1] / images[0].shape[0]) or 1), "area"
    )
    return GradeResult(lut, coverage, small, small, 0.0, None, warnings, trust, used)
