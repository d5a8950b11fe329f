"""How sure the look estimator is, per part of the look - learnt from held-out data, not assumed.

The estimator reads a look from graded frames, but what the frames *show* leaks into the answer: a
set of low-key stills reads as a darkening look, a set of blue scenes as a blue cast. How much it
leaks depends on the set: how many frames, how dark or bright, how colourful, how much of one hue,
how much of natural footage's colours they show, and whether the frames agree with one another.

The trust model learns that dependence. In the train stage (`fit_trust`), the trained estimator
reads ~1500 sets of graded crops of HELD-OUT photos under held-out random looks, with set contents
drawn to be typical and atypical (random crops, the darkest or brightest crops, crops of one hue
family, exposure-shifted crops, 1 to 24 frames, and no look at all). For each set it records

- features of the set (`FEATURES`, all measured on the graded frames and the raw estimate: what a
  user's frames also give), and
- for each part of the look (tone, saturation, cast: `lutml.look_components`), how much of the raw
  estimate's move was right: the least-squares factor s* = <est, true> / <est, est> over natural
  colours (1 = all of it, 0 = none of it).

Per part, a logistic model s(features) in [0, 1.2] is fitted to minimise the squared error of the
shrunk estimate (`identity + s * estimate`, per part), so uncertain parts are pulled towards no
grade by as much as the held-out data say. For the numbers a colourist reads off the look (mid-grey
lightness change, saturation gain, grey tint a*/b*), a second model gives the spread of the error
(log-linear in the same features, Gaussian likelihood); its 80 % intervals are then scaled so they
cover 80 % of the cases of held-out photos that the fit did not use (split conformal calibration).
Both are plain arrays in ``model.json`` ("trust"): NumPy only, no TensorFlow, no pickles.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass, field, replace
from typing import Any

import numpy as np

from lutml.color import srgb_to_lab, weighted_lut_delta_e
from lutml.look_components import COMPONENTS, component_fields, component_summary, scale_components
from lutml.lut.lut3d import identity_table

TRUST_VERSION = 2  # 2: the frames' black/white levels and shadow/highlight tints
FEATURES = (
    "log_frames",  # log(number of frames)
    "mean_L",  # mean L*/100 of the graded frames
    "spread_L",  # spread of the frames' mean L* (/100)
    "dark",  # share of pixels darker than L* 20
    "bright",  # share of pixels lighter than L* 85
    "chroma",  # mean C*/30
    "mean_a",  # mean a*/30
    "mean_b",  # mean b*/30
    "hue_focus",  # how much of the colour lies in one hue (0 = all hues, 1 = one)
    "black_L",  # the frames' black level: mean of each frame's 1st-percentile L* (/100)
    "white_L",  # the frames' white level: mean of each frame's 99th-percentile L* (/100)
    "shadow_a",  # tint of each frame's darkest tenth, a* and b* (/30), mean over frames
    "shadow_b",
    "high_a",  # tint of each frame's brightest tenth
    "high_b",
    "est_tone",  # RMS size of the raw estimate's parts (/10)
    "est_saturation",
    "est_cast",
    "dis_tone",  # disagreement between the frames' own estimates, per part (/10)
    "dis_saturation",
    "dis_cast",
    "tone_gap",  # RMS gap (/10 L*) of the two tone readings: local contrast vs colour statistics
)
QUANTITIES = ("tone_mid", "saturation_gain", "cast_a", "cast_b")
#: What each quantity means, for the words.
QUANTITY_WORDS = {
    "tone_mid": ("mid-grey lightness", "L*"),
    "saturation_gain": ("saturation", "x"),
    "cast_a": ("grey tint green-magenta", "a*"),
    "cast_b": ("grey tint blue-yellow", "b*"),
}
#: The verdicts. "No single look" is said where the stills disagree about the look more than stills
#: of one look do: ungraded stills (each reads its own content as a look) and stills of two looks
#: both do that, and the features cannot tell those two apart.
LOOK_FOUND = "look found"
NO_CLEAR_LOOK = "no clear look found"
NO_SINGLE_LOOK = "no single look found"
S_MAX = 1.2  # the most a part may be scaled up (the raw estimate leans to the prior's centre)
LEVELS = ((0.75, "sure"), (0.45, "fairly sure"), (0.0, "unsure"))
#: A set whose features lie beyond the range met in calibration by more than this many standard
#: deviations is unlike every held-out set the model was checked on (stills of objects on white,
#: say): its strengths would be extrapolated, and on such sets the trusted look was worse than no
#: grade in 35 of 39 cases (docs/trust.md). Nothing is applied to them and every part is unsure.
NOVELTY_SD = 0.5
#: Stills called "no single look found" disagree about the look more than stills of one look do:
#: no part of their mean reading is applied beyond this ("fairly sure" at most). On the bench it
#: costs 0.667 -> 0.670 on story 2 and turns "sure" words under a "no single look" verdict into
#: "fairly sure" ones (docs/trust.md).
MIXED_MAX_STRENGTH = 0.7
#: From fewer stills than ``sure_min_frames`` no part is scaled beyond the raw estimate: from one
#: still the calibration found strong estimates wrong too often to amplify them (docs/trust.md).
FEW_MAX_STRENGTH = 1.0
#: The features that say what the stills show (not how many there are, nor how strong or how
#: consistent the look read from them is: more stills or a stronger look is not a novel scene).
NOVELTY_FEATURES = (
    "mean_L", "spread_L", "dark", "bright", "chroma", "mean_a", "mean_b", "hue_focus",
    "black_L", "white_L", "shadow_a", "shadow_b", "high_a", "high_b",
)  # fmt: skip
#: The joint check on the same features: a set further from the calibration sets' centre (the
#: Mahalanobis distance over their covariance) than this share of them is also unlike them all.
NOVELTY_QUANTILE = 0.99
_NOVELTY_INDEX = np.array([FEATURES.index(f) for f in NOVELTY_FEATURES])
#: "Sure" means right: on held-out sets, a part called sure made the look worse than leaving that
#: part out in at most this share of sets. From fewer stills than the block's ``sure_min_frames``
#: (where held-out sets missed it) a part is at most "fairly sure".
SURE_MAX_WORSE = 0.12
#: Reasons, per feature that lowers the confidence: (feature, sign that lowers it, words).
REASONS = {
    "log_frames": "few stills",
    "mean_L": ("your stills are mostly dark", "your stills are mostly bright"),
    "dark": ("few dark areas in your stills", "your stills are mostly dark"),
    "bright": ("few bright areas in your stills", "your stills are mostly bright"),
    "chroma": ("your stills have little colour", "your stills are very colourful"),
    "mean_a": ("your stills lean green", "your stills lean magenta/red"),
    "mean_b": ("your stills lean blue", "your stills lean yellow/warm"),
    "hue_focus": ("your stills hold many hues", "one colour dominates your stills"),
    "black_L": (
        "your stills' blacks are deep, as ungraded footage's are",
        "your stills have no deep blacks",
    ),
    "white_L": (
        "your stills have no bright whites",
        "your stills' whites are bright, as ungraded footage's are",
    ),
    "shadow_a": ("the shadows lean green", "the shadows lean magenta"),
    "shadow_b": ("the shadows lean blue", "the shadows lean yellow"),
    "high_a": ("the highlights lean green", "the highlights lean magenta"),
    "high_b": ("the highlights lean blue", "the highlights lean yellow"),
    "coverage": (
        "your stills show few of the colours footage holds",
        "your stills show many colours",
    ),
    "spread_L": (
        "your stills are all alike in brightness",
        "your stills differ a lot in brightness",
    ),
    "dis_tone": ("", "your stills disagree about the tone"),
    "dis_saturation": ("", "your stills disagree about the saturation"),
    "dis_cast": ("", "your stills disagree about the colour cast"),
    "est_tone": (
        "the tone change it reads is small (as content alone gives)",
        "the tone change it reads is large",
    ),
    "est_saturation": (
        "the saturation change it reads is small (as content alone gives)",
        "the saturation change it reads is large",
    ),
    "est_cast": (
        "the cast it reads is small (as content alone gives)",
        "the cast it reads is large",
    ),
    "tone_gap": ("", "the stills' local contrast and their colours tell different tones"),
}
#: Features about one part of the look give reasons for that part only (a tone that is unsure
#: because "the cast it reads is small" would puzzle a colourist).
REASON_PART = {
    **{f"{kind}_{c}": c for kind in ("est", "dis") for c in ("tone", "saturation", "cast")},
    "tone_gap": "tone",
}


# ----------------------------------------------------------------------------------- features
def _lab_stats(tiles: np.ndarray, frame_of: np.ndarray) -> dict[str, float]:
    """Colour statistics of the graded tiles (t, S, S, 3) in [0, 1]."""
    step = max(1, int(np.sqrt(tiles.shape[1] * tiles.shape[2] / 1024)))
    lab = srgb_to_lab(np.clip(tiles[:, ::step, ::step], 0.0, 1.0)).reshape(len(tiles), -1, 3)
    L, a, b = lab[..., 0], lab[..., 1], lab[..., 2]
    c = np.hypot(a, b)
    frame_L = np.array([L[frame_of == i].mean() for i in np.unique(frame_of)])
    hue = np.sum(c * np.exp(1j * np.arctan2(b, a))) / max(float(np.sum(c)), 1e-6)
    ends = []  # per frame: black and white level, tint of the darkest and brightest tenth
    for i in np.unique(frame_of):
        fl, fa, fb = (v[frame_of == i].reshape(-1) for v in (L, a, b))
        lo, p10, p90, hi = np.percentile(fl, [1, 10, 90, 99])
        dark, light = fl <= p10, fl >= p90
        ends.append([lo, hi, fa[dark].mean(), fb[dark].mean(), fa[light].mean(), fb[light].mean()])
    e = np.mean(ends, axis=0)
    return {
        "black_L": float(e[0] / 100.0),
        "white_L": float(e[1] / 100.0),
        "shadow_a": float(e[2] / 30.0),
        "shadow_b": float(e[3] / 30.0),
        "high_a": float(e[4] / 30.0),
        "high_b": float(e[5] / 30.0),
        "mean_L": float(L.mean() / 100.0),
        "spread_L": float(frame_L.std() / 100.0),
        "dark": float(np.mean(L < 20.0)),
        "bright": float(np.mean(L > 85.0)),
        "chroma": float(c.mean() / 30.0),
        "mean_a": float(a.mean() / 30.0),
        "mean_b": float(b.mean() / 30.0),
        "hue_focus": float(np.abs(hue)),
    }


def _part_sizes(table: np.ndarray, w: np.ndarray) -> dict[str, float]:
    f = component_fields(table)
    return {
        "tone": float(np.sqrt(np.sum(w * f["tone"].reshape(-1) ** 2))),
        "saturation": float(np.sqrt(np.sum(w * np.sum(f["saturation"].reshape(-1, 2) ** 2, 1)))),
        "cast": float(np.sqrt(np.sum(w * np.sum(f["cast"].reshape(-1, 2) ** 2, 1)))),
    }


def _summary_vec(table: np.ndarray) -> np.ndarray:
    s = component_summary(table)
    return np.array(
        [s["tone_mid"], 10.0 * np.log(max(s["saturation_gain"], 1e-3)), s["cast_a"], s["cast_b"]]
    )


def quick_summaries(tables: np.ndarray) -> np.ndarray:
    """`_summary_vec`'s numbers for many tables (m, n, n, n, 3) at once, from the grey axis and
    every other coloured node: (m, 4) (used for the frames' disagreement, where speed counts)."""
    t = np.asarray(tables, np.float64)
    n = t.shape[1]
    ax = np.arange(n)
    grey_in = srgb_to_lab(identity_table(n)[ax, ax, ax].astype(np.float64))
    grey_out = srgb_to_lab(np.clip(t[:, ax, ax, ax], 0, 1))  # (m, n, 3)
    mid = [
        np.array([np.interp(50.0, grey_in[:, 0], g[:, j] - grey_in[:, j]) for j in range(3)])
        for g in grey_out
    ]
    sub = identity_table(n)[::2, ::2, ::2].reshape(-1, 3).astype(np.float64)
    lab_in = srgb_to_lab(sub)
    c_in = np.hypot(lab_in[:, 1], lab_in[:, 2])
    keep = c_in > 15.0
    lab_out = srgb_to_lab(np.clip(t[:, ::2, ::2, ::2].reshape(len(t), -1, 3)[:, keep], 0, 1))
    radial = np.sum(lab_out[..., 1:] * lab_in[keep, 1:], axis=-1) / c_in[keep]
    gain = radial.sum(axis=1) / c_in[keep].sum()
    return np.stack(
        [[m[0], 10.0 * np.log(max(g, 1e-3)), m[1], m[2]] for m, g in zip(mid, gain, strict=True)]
    )


def set_features(
    raw_table: np.ndarray,
    tiles: np.ndarray,
    frame_of: np.ndarray,
    frame_tables: Sequence[np.ndarray],
    node_weights: np.ndarray,
    tone_gap: float = 0.0,
) -> np.ndarray:
    """The trust model's features (`FEATURES`) of one set: float64 (F,).

    `raw_table` the estimate from all tiles; `tiles` (t, S, S, 3) float in [0, 1]; `frame_of` (t,)
    the frame of each tile; `frame_tables` the estimates from single frames (any number; fewer
    than 2 gives no disagreement); `node_weights` (n^3,) natural colours' weights of the nodes;
    `tone_gap` how far (RMS ΔL*) the tone read from local contrast lies from the estimator's own
    (`lutml.models.tone_edges`; 0 without a tone head).
    """
    w = np.asarray(node_weights, np.float64).reshape(-1)
    w = w / w.sum()
    n_frames = len(np.unique(frame_of))
    st = _lab_stats(tiles, frame_of)
    size = _part_sizes(raw_table, w)
    if len(frame_tables) >= 2:
        sd = quick_summaries(np.stack(frame_tables)).std(axis=0)
        dis = {"tone": sd[0], "saturation": sd[1], "cast": float(np.hypot(sd[2], sd[3]))}
    else:
        dis = {"tone": 0.0, "saturation": 0.0, "cast": 0.0}
    values = {
        "log_frames": float(np.log(n_frames)),
        **st,
        **{f"est_{k}": v / 10.0 for k, v in size.items()},
        **{f"dis_{k}": float(v) / 10.0 for k, v in dis.items()},
        "tone_gap": float(tone_gap) / 10.0,
    }
    return np.array([values[k] for k in FEATURES], np.float64)


def frame_subset(n_frames: int, limit: int = 12) -> np.ndarray:
    """Which frames get their own estimate for the disagreement features (evenly spread)."""
    if n_frames <= limit:
        return np.arange(n_frames)
    return np.unique(np.round(np.linspace(0, n_frames - 1, limit)).astype(np.int64))


# ------------------------------------------------------------------------------ the trust model
def _sigmoid(z: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-np.clip(z, -30.0, 30.0)))


def _design(x: np.ndarray, mu: np.ndarray, sd: np.ndarray) -> np.ndarray:
    z = (np.asarray(x, np.float64) - mu) / sd
    return np.concatenate([z, np.ones((len(z), 1))], axis=1)


@dataclass
class PartTrust:
    component: str
    strength: float  # the factor applied to the raw estimate's part
    level: str  # sure / fairly sure / unsure
    why: str  # the main reason when not sure ("" otherwise)


@dataclass
class TrustReport:
    """What the trust model says about one estimate."""

    parts: list[PartTrust]
    intervals: dict[str, tuple[float, float, float]]  # quantity -> (estimate, low, high), 80 %
    look_de00: float  # how strong the final look is on natural colours (mean dE00 vs no grade)
    verdict: str  # LOOK_FOUND / NO_CLEAR_LOOK / NO_SINGLE_LOOK
    warnings: list[str] = field(default_factory=list)
    features: dict[str, float] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {
            "parts": [asdict(p) for p in self.parts],
            "intervals": {k: list(v) for k, v in self.intervals.items()},
            "look_de00": self.look_de00,
            "verdict": self.verdict,
            "warnings": list(self.warnings),
            "features": dict(self.features),
        }

    def lines(self) -> list[str]:
        """The report in words, one line per part and quantity."""
        out = [
            f"verdict: {self.verdict} (the look moves natural colours by {self.look_de00:.1f} dE00)"
        ]
        for p in self.parts:
            why = f" - {p.why}" if p.why else ""
            out.append(
                f"{p.component}: {p.level}{why} (applied at {p.strength:.0%} of the estimate)"
            )
        for q, (v, lo, hi) in self.intervals.items():
            name, unit = QUANTITY_WORDS[q]
            if q == "saturation_gain":
                out.append(f"  {name}: x{v:.2f} (80 % interval x{lo:.2f} to x{hi:.2f})")
            else:
                out.append(f"  {name}: {v:+.1f} {unit} (80 % interval {lo:+.1f} to {hi:+.1f})")
        return out


def novelty_model(x: np.ndarray) -> dict[str, Any]:
    """The joint novelty check fitted on calibration feature vectors `x` (n, F): the centre and
    inverse covariance of their `NOVELTY_FEATURES`, and the squared distance `NOVELTY_QUANTILE`
    of them stay within."""
    c = np.asarray(x, np.float64)[:, _NOVELTY_INDEX]
    inv = np.linalg.inv(np.cov(c.T) + 1e-6 * np.eye(c.shape[1]))
    mean = c.mean(0)
    d2 = np.einsum("ij,jk,ik->i", c - mean, inv, c - mean)
    return {
        "mean": mean.tolist(),
        "inv_cov": inv.tolist(),
        "d2_max": float(np.quantile(d2, NOVELTY_QUANTILE)),
    }


def level_of(strength: float) -> str:
    for threshold, word in LEVELS:
        if strength >= threshold:
            return word
    return LEVELS[-1][1]


class TrustModel:
    """The fitted trust model (``model.json`` "trust" block)."""

    def __init__(self, block: dict[str, Any]):
        refit = "refit it for this lutml with `python -m lutml.trust_fit MODEL_DIR`"
        if int(block.get("version", 0)) != TRUST_VERSION:
            raise ValueError(
                f"trust block version {block.get('version')} is not {TRUST_VERSION}: {refit}"
            )
        if tuple(block["features"]) != FEATURES:
            raise ValueError(f"trust block features do not match this lutml version: {refit}")
        self.block = block
        self.mu = np.asarray(block["mu"], np.float64)
        self.sd = np.asarray(block["sd"], np.float64)
        # features are clipped to the range met in calibration: no extrapolation beyond it
        self.lo = np.asarray(block.get("lo", self.mu - 4 * self.sd), np.float64)
        self.hi = np.asarray(block.get("hi", self.mu + 4 * self.sd), np.float64)
        self.theta = {c: np.asarray(block["theta"][c], np.float64) for c in COMPONENTS}
        self.phi = {q: np.asarray(block["phi"][q], np.float64) for q in QUANTITIES}
        self.k80 = {q: float(block["k80"][q]) for q in QUANTITIES}
        self.no_look_de00 = float(block.get("no_look_de00", 1.5))
        self.sure_min_frames = int(block.get("sure_min_frames", 1))  # (older blocks: no limit)
        mixed = block.get("mixed") or {"coef": [0.0] * (len(FEATURES) + 1), "threshold": 1.0}
        self.mixed_coef = np.asarray(mixed["coef"], np.float64)
        self.mixed_threshold = float(mixed["threshold"])
        nov = block.get("novelty")  # (older blocks: the range check only)
        self.nov_mean = self.nov_inv = None
        if nov is not None:
            k = len(NOVELTY_FEATURES)
            self.nov_mean = np.asarray(nov["mean"], np.float64)
            self.nov_inv = np.asarray(nov["inv_cov"], np.float64)
            self.nov_d2_max = float(nov["d2_max"])
            ok = self.nov_mean.shape == (k,) and self.nov_inv.shape == (k, k)
            if not ok or not np.all(np.isfinite(self.nov_inv)) or not np.isfinite(self.nov_d2_max):
                raise ValueError("trust block 'novelty' has the wrong shape or non-finite values")
        arrays = [("mu", self.mu), ("sd", self.sd), ("lo", self.lo), ("hi", self.hi)]
        arrays.append(("mixed", self.mixed_coef))
        for name, arr in [*arrays, *self.theta.items(), *self.phi.items()]:
            if arr.shape[-1] not in (len(FEATURES), len(FEATURES) + 1) or not np.all(
                np.isfinite(arr)
            ):
                raise ValueError(f"trust block '{name}' has the wrong shape or non-finite values")

    def _part(self, component: str, strength: float, x: np.ndarray, n_frames: int) -> PartTrust:
        level = level_of(strength)
        why = self.reason(x, component) if level != "sure" else ""
        if level == "sure" and n_frames < self.sure_min_frames:
            level = "fairly sure"
            few = "one still" if n_frames == 1 else f"fewer than {self.sure_min_frames} stills"
            why = (
                f"from {few}, held-out estimates this strong were still wrong too often (a "
                "still's scene and its look mix)"
            )
        return PartTrust(component, round(strength, 3), level, why)

    def strengths(self, x: np.ndarray) -> dict[str, float]:
        X = _design(x[None], self.mu, self.sd)
        return {c: float(S_MAX * _sigmoid(X @ self.theta[c])[0]) for c in COMPONENTS}

    def reason(self, x: np.ndarray, component: str) -> str:
        """The feature that lowers this part's confidence most (vs an average held-out set)."""
        z = (x - self.mu) / self.sd
        contrib = self.theta[component][:-1] * z
        for i in np.argsort(contrib):
            if contrib[i] >= -0.15:
                break
            if REASON_PART.get(FEATURES[i], component) != component:
                continue
            words = REASONS.get(FEATURES[i])
            if isinstance(words, str):
                if z[i] < 0:
                    return words
                continue
            if words:
                text = words[1] if z[i] > 0 else words[0]
                if text:
                    return text
        return ""

    def novelty(self, x: np.ndarray) -> str:
        """Why the set with (unclipped) features `x` is unlike every calibration set - a content
        feature beyond their range by more than `NOVELTY_SD` standard deviations, or the content
        features' mix further from theirs than `NOVELTY_QUANTILE` of them - in words; "" where
        it is not."""
        beyond = np.maximum(0.0, np.maximum(self.lo - x, x - self.hi)) / self.sd
        i = int(_NOVELTY_INDEX[np.argmax(beyond[_NOVELTY_INDEX])])
        if beyond[i] > NOVELTY_SD:
            words = REASONS.get(FEATURES[i])
            if isinstance(words, tuple):
                words = words[1] if x[i] > self.hi[i] else words[0]
            return f"{words or FEATURES[i]}, beyond every set the model was checked on"
        if self.nov_inv is not None:
            z = x[_NOVELTY_INDEX] - self.nov_mean
            if float(z @ self.nov_inv @ z) > self.nov_d2_max:
                return "your stills' mix of key and colour is unlike every set the model was checked on"
        return ""

    def p_mixed(self, x: np.ndarray) -> float:
        """How likely the frames hold more than one look (calibrated on held-out sets)."""
        return float(_sigmoid(_design(x[None], self.mu, self.sd) @ self.mixed_coef)[0])

    def spread(self, x: np.ndarray) -> dict[str, float]:
        X = _design(x[None], self.mu, self.sd)
        return {q: float(np.exp(X @ self.phi[q])[0]) for q in QUANTITIES}

    def apply(
        self, raw_table: np.ndarray, x: np.ndarray, node_weights: np.ndarray
    ) -> tuple[np.ndarray, TrustReport]:
        """The shrunk table and the report for a set with features `x`."""
        novel = self.novelty(np.asarray(x, np.float64))
        x = np.clip(np.asarray(x, np.float64), self.lo, self.hi)
        s = {c: 0.0 for c in COMPONENTS} if novel else self.strengths(x)
        n_frames = int(round(np.exp(x[FEATURES.index("log_frames")])))
        if n_frames < self.sure_min_frames:  # never more than the estimate from so few stills
            s = {c: min(v, FEW_MAX_STRENGTH) for c, v in s.items()}
        p_mixed = self.p_mixed(x) if n_frames >= 4 and not novel else 0.0
        mixed = p_mixed > self.mixed_threshold
        capped = {c for c, v in s.items() if mixed and v > MIXED_MAX_STRENGTH}
        s = {c: MIXED_MAX_STRENGTH if c in capped else v for c, v in s.items()}
        table = scale_components(raw_table, **{c: min(v, 2.0) for c, v in s.items()})

        def part(c: str) -> PartTrust:
            if novel:
                return PartTrust(c, 0.0, "unsure", novel)
            if c in capped:
                why = "your stills disagree about the look (no single look found)"
                return PartTrust(c, s[c], level_of(s[c]), why)
            return self._part(c, s[c], x, n_frames)

        parts = [part(c) for c in COMPONENTS]
        est = _summary_vec(table)
        sig = self.spread(x)
        intervals = {}
        for i, q in enumerate(QUANTITIES if not novel else ()):  # none where nothing was learnt
            half = self.k80[q] * sig[q]
            v, lo, hi = est[i], est[i] - half, est[i] + half
            if q == "saturation_gain":  # modelled as 10 log(gain)
                v, lo, hi = (float(np.exp(t / 10.0)) for t in (v, lo, hi))
            intervals[q] = (round(float(v), 3), round(float(lo), 3), round(float(hi), 3))
        strength = look_strength(table, node_weights)
        weak = strength < self.no_look_de00
        all_unsure = all(p.level == "unsure" for p in parts)  # "look found" would overstate it
        verdict = NO_CLEAR_LOOK if novel or weak or all_unsure else LOOK_FOUND
        warnings = []
        if novel:
            warnings.append(
                f"no clear look found: {novel}, so no grade is applied "
                "(`--no-trust` writes the raw estimate)"
            )
        elif mixed:
            verdict = NO_SINGLE_LOOK
            warnings.append(
                f"no single look found: the stills disagree about the look (p = {p_mixed:.2f}; "
                f"stills of one look stay below {self.mixed_threshold:.2f} in 98 % of held-out "
                "sets of a few scenes; stills of many very different scenes exceed it far more "
                "often). They may be ungraded (each still's content read as a look), hold more "
                "than one look, or be very different shots of one look: if they are graded with "
                "two looks, learn each look from its own stills"
            )
        elif weak:
            warnings.append(
                f"no clear look found: what can be trusted of the estimate moves natural colours by "
                f"only {strength:.1f} dE00 (< {self.no_look_de00}); the stills may be ungraded, or "
                "their look cannot be told from their content"
            )
        elif all_unsure:
            warnings.append(
                "no clear look found: the model is unsure of every part of the look it reads (it "
                f"moves natural colours by {strength:.1f} dE00 once pulled towards no grade); the "
                "stills may be ungraded, or their look cannot be told from their content"
            )
        unsure = [p for p in parts if p.level == "unsure"]
        if unsure and not novel:
            warnings.append(
                "; ".join(f"{p.component}: unsure{' - ' + p.why if p.why else ''}" for p in unsure)
                + " (pulled towards no grade)"
            )
        if n_frames == 1:  # the words are written for stills; one still reads as one
            parts = [replace(p, why=one_still(p.why)) for p in parts]
            warnings = [one_still(w) for w in warnings]
        report = TrustReport(
            parts,
            intervals,
            round(strength, 3),
            verdict,
            warnings,
            {k: round(float(v), 5) for k, v in zip(FEATURES, x, strict=True)},
        )
        return table, report


_ONE_STILL = (
    ("your stills' ", "your still's "),
    ("the stills' ", "the still's "),
    ("your stills are", "your still is"),
    ("your stills have", "your still has"),
    ("your stills lean", "your still leans"),
    ("your stills hold", "your still holds"),
    ("your stills show", "your still shows"),
    ("your stills", "your still"),
    ("the stills may be ungraded", "the still may be ungraded"),
    ("their look cannot be told from their content", "its look cannot be told from its content"),
    ("the still's local contrast and their colours", "the still's local contrast and its colours"),
)


def one_still(text: str) -> str:
    """A report sentence about "your stills" said of one still."""
    for many, one in _ONE_STILL:
        text = text.replace(many, one)
    return text


def look_strength(table: np.ndarray, node_weights: np.ndarray) -> float:
    """Mean dE00 between the look and no grade over the lattice, weighted by natural colours."""
    t = np.asarray(table, np.float64)
    return weighted_lut_delta_e(identity_table(t.shape[0]), t, node_weights)


def natural_coverage(images: Sequence[np.ndarray], node_weights: np.ndarray) -> float:
    """Share of natural footage's colours that `images` show, in [0, 1].

    `node_weights` (n^3,) say how often natural photos hold the colour of each lattice node
    (saved with the model). A node counts as shown when any pixel of the images is nearest to it
    or to a lattice neighbour; the result is the shown nodes' share of the total weight. A
    grayscale still shows only the grey axis (a few %), a varied daylight scene 40-70 %.
    """
    w = np.asarray(node_weights, np.float64)
    n = round(len(w) ** (1 / 3))
    shown = np.zeros((n, n, n), bool)
    for img in images:
        step = max(
            1, int(np.sqrt(img.shape[0] * img.shape[1] / 2**20))
        )  # ~1 Mpx is plenty for a 17^3 lattice
        px = np.asarray(img[::step, ::step], np.float32).reshape(-1, 3)
        idx = np.rint(np.clip(px, 0, 1) * (n - 1)).astype(np.int64)
        shown[idx[:, 0], idx[:, 1], idx[:, 2]] = True
    grown = shown.copy()  # one step of dilation along each axis: neighbours of shown nodes count
    for axis in range(3):
        lo, hi = [slice(None)] * 3, [slice(None)] * 3
        lo[axis], hi[axis] = slice(1, None), slice(None, -1)
        grown[tuple(lo)] |= shown[tuple(hi)]
        grown[tuple(hi)] |= shown[tuple(lo)]
    return float(w.reshape(n, n, n)[grown].sum() / w.sum())
