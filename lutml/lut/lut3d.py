"""The one LUT value used everywhere in lutml.

Layout: ``table[r, g, b, c]`` float32, shape ``(n, n, n, 3)`` — the red index is the *first*
axis (colour-science's LUT3D layout). Node ``(i, j, k)`` sits at input colour
``domain_min + (i, j, k) / (n - 1) * (domain_max - domain_min)``. Only `lutml.lut.cube` (and its
writing half, `cube_write`) knows that `.cube` files list nodes with red changing fastest.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

MIN_SIZE = 2
MAX_SIZE = 256


def _as_domain(value: object, name: str) -> np.ndarray:
    arr = np.asarray(value, dtype=np.float32).reshape(-1)
    if arr.size == 1:
        arr = np.repeat(arr, 3)
    if arr.shape != (3,) or not np.all(np.isfinite(arr)):
        raise ValueError(f"{name} must be 3 finite numbers, got {value!r}")
    return arr


def _checked_domain(
    kind: str, table: np.ndarray, domain_min: object, domain_max: object
) -> tuple[np.ndarray, np.ndarray]:
    """A LUT's checks shared by `LUT1D` and `LUT3D` (`kind`): finite table values, and its
    domain as float32 (3,) arrays with every domain_max above its domain_min."""
    if not np.all(np.isfinite(table)):
        raise ValueError(f"{kind} table contains NaN or infinite values")
    domain_min = _as_domain(domain_min, "domain_min")
    domain_max = _as_domain(domain_max, "domain_max")
    if np.any(domain_max <= domain_min):
        raise ValueError(f"{kind} domain_max {domain_max} must exceed domain_min {domain_min}")
    return domain_min, domain_max


@dataclass(eq=False)
class LUT1D:
    """A per-channel 1D shaper applied before the 3D table.

    Attributes
    ----------
    table : float32 array, shape (m, 3)
        Output value of each channel at ``m`` evenly spaced inputs over the domain.
    domain_min, domain_max : float32 arrays, shape (3,)
        Input range covered by the table, per channel.
    """

    table: np.ndarray
    domain_min: np.ndarray = field(default_factory=lambda: np.zeros(3, np.float32))
    domain_max: np.ndarray = field(default_factory=lambda: np.ones(3, np.float32))

    def __post_init__(self) -> None:
        self.table = np.ascontiguousarray(self.table, dtype=np.float32)
        if (
            self.table.ndim != 2
            or self.table.shape[1] != 3
            or not 2 <= self.table.shape[0] <= 65536
        ):
            raise ValueError(
                f"LUT1D table must have shape (m, 3) with 2 <= m <= 65536, got {self.table.shape}"
            )
        self.domain_min, self.domain_max = _checked_domain(
            "LUT1D", self.table, self.domain_min, self.domain_max
        )

    @property
    def size(self) -> int:
        return int(self.table.shape[0])


@dataclass(eq=False)
class LUT3D:
    """A 3D colour lookup table.

    Attributes
    ----------
    table : float32 array, shape (n, n, n, 3), axes [r, g, b, channel]
        Output RGB at every lattice node; 2 <= n <= 256. Finite values (may leave [0, 1]).
    domain_min, domain_max : float32 arrays, shape (3,)
        Input colour at the first and last node of each axis; default [0, 0, 0] and [1, 1, 1].
    title : str
        Free text written as the `.cube` TITLE.
    shaper : LUT1D or None
        Optional 1D shaper applied to the input before the 3D lookup (Resolve-style files).
    comments : list of str
        Header comment lines kept for round trips (without the leading '#').
    """

    table: np.ndarray
    domain_min: np.ndarray = field(default_factory=lambda: np.zeros(3, np.float32))
    domain_max: np.ndarray = field(default_factory=lambda: np.ones(3, np.float32))
    title: str = ""
    shaper: LUT1D | None = None
    comments: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.table = np.ascontiguousarray(self.table, dtype=np.float32)
        t = self.table
        if t.ndim != 4 or t.shape[3] != 3 or not (t.shape[0] == t.shape[1] == t.shape[2]):
            raise ValueError(f"LUT3D table must have shape (n, n, n, 3), got {t.shape}")
        if not MIN_SIZE <= t.shape[0] <= MAX_SIZE:
            raise ValueError(
                f"LUT3D size must be between {MIN_SIZE} and {MAX_SIZE}, got {t.shape[0]}"
            )
        self.domain_min, self.domain_max = _checked_domain(
            "LUT3D", t, self.domain_min, self.domain_max
        )

    @property
    def size(self) -> int:
        """Number of nodes per axis, n."""
        return int(self.table.shape[0])

    @classmethod
    def identity(cls, size: int = 33, title: str = "identity") -> LUT3D:
        """The identity LUT on [0, 1]: node (i, j, k) maps to (i, j, k) / (size - 1)."""
        return cls(identity_table(size), title=title)

    def copy(self) -> LUT3D:
        return LUT3D(
            self.table.copy(),
            self.domain_min.copy(),
            self.domain_max.copy(),
            self.title,
            self.shaper,
            list(self.comments),
        )


def identity_table(size: int) -> np.ndarray:
    """Identity lattice, float32 (size, size, size, 3); ``[i, j, k] == (i, j, k) / (size - 1)``."""
    if not MIN_SIZE <= size <= MAX_SIZE:
        raise ValueError(f"LUT size must be between {MIN_SIZE} and {MAX_SIZE}, got {size}")
    ramp = np.linspace(0.0, 1.0, size, dtype=np.float64)
    r, g, b = np.meshgrid(ramp, ramp, ramp, indexing="ij")
    return np.stack([r, g, b], axis=-1).astype(np.float32)
