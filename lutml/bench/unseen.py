"""Frame sets of scenes no model of the pipeline has seen, for `python -m lutml.bench trust`.

The corpus's bench-only photos (SOURCES.csv ``role`` "bench", `lutml.data.corpus.bench_photos`:
99 small photos - objects on white or black, underwater fish, windmills, dams) take no role in the
pipeline: neither the estimator nor the trust model met them or anything like the studio shots
among them. The bench grades these sets with its looks and scores the LUTs on its 50 corpus
photos, as for the corpus's own frame sets (issue 21: does the trust model sell content it never
saw as a confident look?).

==================  =============================================================================
studio white        the 12 brightest objects (studio shots on white: high-key)
dark                the 12 darkest bench photos (objects on black, fish in dark water: low-key)
underwater          12 fish (one colour family dominates)
outdoor             12 windmills, dams, buildings (ordinary daylight scenes)
studio white (3)    the 3 brightest objects
underwater (3)      3 fish
==================  =============================================================================
"""

from __future__ import annotations

import numpy as np

from lutml.bench.looks import photo_images
from lutml.color import srgb_to_lab
from lutml.data.corpus import CORPUS_DIR, bench_photos


def unseen_sets(size: int, seed: int, root=CORPUS_DIR) -> dict[str, list[np.ndarray]]:
    """Named frame sets (float32 RGB in [0, 1], at most `size` px) of the bench-only photos;
    empty where the corpus has none."""
    photos = bench_photos(root)
    if not photos:
        return {}
    imgs = [np.clip(im, 0, 1).astype(np.float32) for im in photo_images(photos, size)]
    key = np.array([srgb_to_lab(im[::2, ::2])[..., 0].mean() for im in imgs])
    objects = [i for i, p in enumerate(photos) if p.category == "object"]
    fish = [i for i, p in enumerate(photos) if "fish" in p.name]
    outdoor = [i for i, p in enumerate(photos) if p.category in ("building", "landscape")]
    white = sorted(objects, key=lambda i: -key[i])
    rng = np.random.default_rng([seed, 47])

    def draw(idx: list[int], k: int) -> list[int]:
        return [int(i) for i in rng.choice(idx, min(k, len(idx)), replace=False)]

    sets = {
        "studio white": white[:12],
        "dark": [int(i) for i in np.argsort(key)[:12]],
        "underwater": draw(fish, 12),
        "outdoor": draw(outdoor, 12),
        "studio white (3)": white[:3],
        "underwater (3)": draw(fish, 3),
    }
    return {k: [imgs[i] for i in v] for k, v in sets.items() if v}
