"""Which colours of the LUT a frame pair actually supports.

A fitted LUT is measured where the frame has colours and guessed (extrapolated smoothly)
everywhere else. The coverage counts pixel weight per LUT *cell* (the (n-1)^3 boxes between
nodes) and draws the cube as a sheet of slices so a user sees which colours were guessed.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from lutml.imageio import write_image


@dataclass
class Coverage:
    """Pixel support of a LUT lattice.

    Attributes
    ----------
    cell_weight : float64 (n-1, n-1, n-1), axes [r, g, b]
        Total pixel weight (pixel count when unweighted) whose source colour lies in each cell.
    fraction : float
        Fraction of cells holding at least one pixel, in [0, 1]; ``float(coverage)`` gives it.
    """

    cell_weight: np.ndarray
    fraction: float

    def __float__(self) -> float:
        return float(self.fraction)

    @property
    def size(self) -> int:
        """Nodes per axis of the LUT lattice measured."""
        return int(self.cell_weight.shape[0]) + 1

    def summary(self) -> str:
        cells = self.cell_weight.size
        return f"{self.fraction:.1%} of {cells} LUT cells hold frame colours (the rest are extrapolated)"


def coverage_image(
    coverage: Coverage, cell_px: int | None = None, columns: int | None = None
) -> np.ndarray:
    """Picture of the coverage: one tile per blue slice, red across, green down.

    Covered cells show their own colour (centre of the cell); empty cells a dark grey
    checkerboard. Tiles run from blue = 0 (top left) to blue = 1, separated by 2 px gaps.

    Returns
    -------
    uint8 (H, W, 3) image.
    """
    cells = coverage.cell_weight.shape[0]
    cell_px = cell_px or max(3, 160 // cells)
    columns = columns or int(np.ceil(np.sqrt(cells)))
    rows = int(np.ceil(cells / columns))
    centre = (np.arange(cells) + 0.5) / cells
    r, g = np.meshgrid(centre, centre, indexing="xy")  # x = red (columns), y = green (rows)
    checker = np.where((np.add.outer(np.arange(cells), np.arange(cells)) % 2) == 0, 0.16, 0.22)
    tile_h = tile_w = cells * cell_px
    gap = 2
    sheet = np.full((rows * (tile_h + gap) - gap, columns * (tile_w + gap) - gap, 3), 1.0)
    for b in range(cells):  # one tile per slice: at most 64 small array writes
        covered = (coverage.cell_weight[:, :, b] > 0).T  # [g, r] so red runs across
        colour = np.stack([r, g, np.full_like(r, centre[b])], axis=-1)
        tile = np.where(covered[..., None], colour, checker[..., None])
        tile = np.repeat(np.repeat(tile, cell_px, axis=0), cell_px, axis=1)
        y, x = divmod(b, columns)
        sheet[
            y * (tile_h + gap) : y * (tile_h + gap) + tile_h,
            x * (tile_w + gap) : x * (tile_w + gap) + tile_w,
        ] = tile
    return np.round(sheet * 255.0).astype(np.uint8)


def write_coverage_png(coverage: Coverage, path: str | Path) -> None:
    """Write `coverage_image` as a PNG (atomically)."""
    write_image(Path(path), coverage_image(coverage))
