"""The original project's method (andjoer/AI_color_grade_lut) on our data: a baseline to beat.

Its recipe: graded frames are "messed up" by random colour operations; a 64 px pix2pix learns
messed-up -> graded; at use it grades a neutral frame and a kNN 8^3 LUT is fitted from the frame
to the network's output. Run here on exactly the graded frames our model learns from (stage
`original`); the evaluate stage applies it to the held-out photos.
"""

from __future__ import annotations

import dataclasses
import shutil
from pathlib import Path
from typing import Any

from lutml.config.original import OriginalConfig
from lutml.config.synth import SynthConfig


def train_original(
    frames_dir,
    out_dir,
    synth_cfg: SynthConfig,
    c: OriginalConfig,
    fit_size: int,
    seed: int,
) -> dict[str, Any]:
    """Synthesize the original's pairs from the graded frames and train its network into `out_dir`.

    The pairs (the `synth` ranges, in the original's recipe: mode grade, input_from graded, with
    `original`'s count, size and ops), split and ground-truth LUTs (`fit_size` nodes) live in
    ``<out_dir>.work/`` while training and are removed afterwards; `out_dir` gets the generator
    (``generator.keras`` + ``model.json``).
    """
    from lutml.data.ground_truth import fit_ground_truth
    from lutml.data.pairs import read_split
    from lutml.data.split import split_pairs
    from lutml.data.synthesize import synthesize_pairs
    from lutml.train import train_model

    out = Path(out_dir)
    work = out.with_name(out.name + ".work")
    shutil.rmtree(work, ignore_errors=True)
    synth = dataclasses.replace(
        synth_cfg,
        mode="grade",
        input_from="graded",
        pairs=c.pairs,
        size=c.size,
        full_max=c.size,
        ops=c.ops,
    )
    synthesize_pairs(frames_dir, work / "pairs", synth, seed)
    split_pairs(work / "pairs", work / "split", float(c.test_fraction), seed)
    test = read_split(work / "split")["test"][: c.train.val_pairs]
    options = {
        "size": fit_size,
        "smoothness": None,
        "interpolation": "tetrahedral",
        "robust": False,
        "method": "lattice",
    }
    fit_ground_truth(work / "pairs", test, work / "gt", options, workers=1)
    metrics = train_model(
        work / "pairs",
        work / "split",
        work / "gt",
        out,
        c.model,
        c.train,
        seed=seed,
        look="original",
    )
    shutil.rmtree(work, ignore_errors=True)
    return metrics
