"""Facts about a LUT a colourist asks first: size, ranges, is it identity, is it monotonic."""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np

from lutml.lut.apply import apply_lut
from lutml.lut.cube import is_1d_only
from lutml.lut.lut3d import LUT3D, identity_table

# Below half a 16-bit code value a LUT changes no 8- or 16-bit image: call it identity.
IDENTITY_TOLERANCE = 0.5 / 65535
# A step down of at most one 16-bit code is float noise (a fitted channel swap's flat lines dip
# by ~1e-5), not a LUT that inverts gradients: still monotonic.
MONOTONIC_TOLERANCE = 1 / 65535


@dataclass
class LutSummary:
    """What `describe_lut` reports. Ranges are per channel [R, G, B]."""

    title: str
    size: int
    shaper_size: int | None
    one_d_only: bool
    domain_min: list[float]
    domain_max: list[float]
    output_min: list[float]
    output_max: list[float]
    max_change: float
    identity: bool
    monotonic: list[bool]  # no step down of more than MONOTONIC_TOLERANCE
    largest_dip: list[float]  # the largest step down per channel (0 when it never falls)
    comments: list[str]

    def as_dict(self) -> dict:
        return asdict(self)


def describe_lut(lut: LUT3D) -> LutSummary:
    """Summarise `lut`.

    - domain: the input range of the whole transform (the shaper's if there is one);
    - output range: smallest/largest value each output channel can take (table and nodes);
    - max_change: largest ``|output - input|`` over a 33^3 grid of the domain plus every
      lattice node (so a LUT that moves nothing is exactly identity);
    - monotonic[c]: output channel c never decreases (by more than `MONOTONIC_TOLERANCE`) while
      input channel c rises and the other two inputs stay fixed (checked along every lattice
      line, shaper included); largest_dip[c]: the largest such decrease.
    """
    first = lut.shaper if lut.shaper is not None else lut
    lo, hi = first.domain_min.astype(np.float64), first.domain_max.astype(np.float64)
    probe = np.concatenate(
        [
            (identity_table(33).astype(np.float64) * (hi - lo) + lo).reshape(-1, 3),
            _node_inputs(lut),
        ]
    )
    change = float(np.abs(apply_lut(lut, probe) - probe).max())
    dips = [max(0.0, -float(np.diff(lut.table[..., c], axis=c).min())) for c in range(3)]
    if lut.shaper is not None:
        shaper_dips = np.maximum(0.0, -np.diff(lut.shaper.table, axis=0).min(axis=0))
        dips = [max(d, float(s)) for d, s in zip(dips, shaper_dips, strict=True)]
    monotonic = [d <= MONOTONIC_TOLERANCE for d in dips]
    table = lut.table.reshape(-1, 3)
    return LutSummary(
        title=lut.title,
        size=lut.size,
        shaper_size=None if lut.shaper is None else lut.shaper.size,
        one_d_only=is_1d_only(lut),
        domain_min=lo.tolist(),
        domain_max=hi.tolist(),
        output_min=table.min(axis=0).astype(float).tolist(),
        output_max=table.max(axis=0).astype(float).tolist(),
        max_change=change,
        identity=change <= IDENTITY_TOLERANCE,
        monotonic=monotonic,
        largest_dip=dips,
        comments=list(lut.comments),
    )


def _node_inputs(lut: LUT3D) -> np.ndarray:
    """Inputs that land exactly on 3D lattice nodes (only without a shaper); for lattices above
    65^3, every k-th node per axis (plus the last) keeps the probe to ~65^3 colours."""
    if lut.shaper is not None:
        return np.zeros((0, 3))
    n = lut.size
    keep = np.unique(np.r_[np.arange(0, n, max(1, (n - 1) // 64)), n - 1])
    ramp = keep / (n - 1)
    grid = np.stack(np.meshgrid(ramp, ramp, ramp, indexing="ij"), axis=-1).reshape(-1, 3)
    lo, hi = lut.domain_min.astype(np.float64), lut.domain_max.astype(np.float64)
    return grid * (hi - lo) + lo
