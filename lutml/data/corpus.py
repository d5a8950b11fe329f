"""The embedded natural-photo corpus (`data/corpus/`, source data kept in git) and its roles.

Every photo plays exactly one role, drawn once from the seed and stratified by category so that
each role sees animals, buildings, landscapes, ... in proportion:

- ``eval``: held-out neutral photos. Only the evaluate stage reads them, to score a learned look
  against the true look; no model sees them in any role.
- ``look``: in the embedded default these photos, graded with the known look (conf/look), are the
  user's "graded stills" (the frames of story 2). Their neutral versions are only used for the
  pair-fit upper bound in evaluation, never for training.
- ``train``: neutral photos the look estimator learns natural colour from (with random looks).

A photo whose SOURCES.csv ``role`` is ``bench`` (the small bench-only photos: studio shots,
underwater, ...) takes none of these roles: only the benchmark reads them (`bench_photos`), as
scenes no model has seen. The others are dealt exactly as if they were not there.

Roles depend only on the corpus listing, the seed and the role sizes, not on the look or the
frame source, so changing the look never retrains the look estimator.
"""

from __future__ import annotations

import csv
import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from lutml.config.corpus import CorpusConfig

CORPUS_DIR = Path(__file__).resolve().parents[2] / "data" / "corpus"
ROLES = ("eval", "look", "train")


@dataclass(frozen=True)
class CorpusPhoto:
    """One corpus photo: `name` (file stem, the split group), `path`, `category`, `licence`,
    and `role` ("bench" for a bench-only photo, "" where the seed deals it a role)."""

    name: str
    path: Path
    category: str
    licence: str
    role: str = ""


def corpus_photos(root: str | os.PathLike[str] = CORPUS_DIR) -> list[CorpusPhoto]:
    """Every photo listed in ``<root>/SOURCES.csv``, sorted by name; missing files raise."""
    root = Path(root)
    listing = root / "SOURCES.csv"
    if not listing.is_file():
        raise FileNotFoundError(
            f"{listing}: corpus listing not found (the embedded corpus is data/corpus/)"
        )
    with listing.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    photos = []
    for i, row in enumerate(rows, start=2):
        path = root / row["file"]
        if not path.is_file():
            raise FileNotFoundError(f"{listing} line {i}: {row['file']} is listed but missing")
        role = (row.get("role") or "").strip()
        if role not in ("", "bench"):
            raise ValueError(
                f"{listing} line {i}: role {role!r} of {row['file']} is not 'bench' or empty"
            )
        photos.append(CorpusPhoto(path.stem, path, row["category"], row["licence"], role))
    if not photos:
        raise ValueError(f"{listing}: lists no photos")
    return sorted(photos, key=lambda p: p.name)


def assign_roles(
    photos: list[CorpusPhoto], seed: int, n_eval: int, n_look: int
) -> dict[str, list[CorpusPhoto]]:
    """Seeded, category-stratified roles: ``{"eval": [...], "look": [...], "train": [...]}``.

    Photos are dealt round-robin over the categories (each category shuffled by the seed), the
    first `n_eval` to eval, the next `n_look` to look, the rest to train. Bench-only photos
    (``role == "bench"``) are not dealt.
    """
    photos = [p for p in photos if p.role != "bench"]
    if n_eval < 1 or n_look < 0 or n_eval + n_look >= len(photos):
        raise ValueError(
            f"corpus roles: eval={n_eval} and look={n_look} must leave photos for training "
            f"(the corpus has {len(photos)} photos that can take any role)"
        )
    rng = np.random.default_rng([seed, 7])
    by_cat: dict[str, list[CorpusPhoto]] = {}
    for p in photos:
        by_cat.setdefault(p.category, []).append(p)
    queues = [
        list(np.asarray(v, dtype=object)[rng.permutation(len(v))])
        for _, v in sorted(by_cat.items())
    ]
    order: list[CorpusPhoto] = []
    while any(queues):
        for q in queues:
            if q:
                order.append(q.pop(0))
    return {
        "eval": order[:n_eval],
        "look": order[n_eval : n_eval + n_look],
        "train": order[n_eval + n_look :],
    }


def corpus_roles(c: CorpusConfig, seed: int) -> dict[str, list[CorpusPhoto]]:
    """Roles of the corpus from the `corpus` config block (``root`` folder, ``eval``, ``look`` counts)."""
    return assign_roles(corpus_photos(c.root), seed, c.eval, c.look)


def bench_photos(root: str | os.PathLike[str] = CORPUS_DIR) -> list[CorpusPhoto]:
    """The bench-only photos (SOURCES.csv ``role`` "bench"), sorted by name."""
    return [p for p in corpus_photos(root) if p.role == "bench"]
