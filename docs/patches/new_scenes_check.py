"""Stories 2 and 3 on frame sets of 99 scenes the pipeline's models never saw (docs/trust.md).

The 99 small gcompris photos of docs/patches/training-only-photos.patch, read here only. In a
checkout where `make run` has trained data/models WITHOUT the patch, apply the patch, rebuild the
corpus (`.venv/bin/python scripts/build_corpus.py`; apt-get update first), then from the repo root:
    .venv/bin/python docs/patches/new_scenes_check.py
Frame sets: the 12 brightest objects (studio shots on white), the 12 darkest objects or fish, 12
underwater fish, 12 outdoor (windmills, dams), and 3-still versions; each graded with the bench's
16 looks and scored on the bench's 50 corpus photos (ratio to identity), then each set ungraded.
"""

import csv
from pathlib import Path

import numpy as np

from lutml.bench.looks import DESIGN_LOOKS, NEW_LOOKS
from lutml.bench.trust import _palette, _photos, _said, _score
from lutml.color import srgb_to_lab
from lutml.config.params import load_params
from lutml.data.looks import get_look, jitter_look
from lutml.imageio import read_image_full
from lutml.lut import LUT3D
from lutml.models.look_inference import load_look_model

params = load_params("params.yaml")
model = load_look_model("data/models")
size = int(params.fit.size)
rows = list(csv.DictReader(open("data/corpus/SOURCES.csv")))
small = [r for r in rows if r.get("role") == "train"]


def load(f):
    return np.clip(read_image_full(Path("data/corpus") / f).as_float(), 0, 1).astype(np.float32)


imgs = {r["file"]: load(r["file"]) for r in small}
L = {f: float(srgb_to_lab(im[::2, ::2])[..., 0].mean()) for f, im in imgs.items()}
obj = [r["file"] for r in small if r["category"] == "object"]
fish = [r["file"] for r in small if "fish" in r["file"]]
outdoor = [
    r["file"]
    for r in small
    if any(k in r["file"] for k in ("windmill", "dam", "geothermal", "solar4", "solar8"))
]
white = sorted(obj, key=lambda f: -L[f])[:12]
dark = sorted(obj + fish, key=lambda f: L[f])[:12]
rng = np.random.default_rng(5)
sets = {
    "studio white": white,
    "dark objects": dark,
    "underwater": list(rng.choice(fish, 12, replace=False)),
    "outdoor": list(rng.choice(outdoor, 12, replace=False)),
    "underwater (3)": list(rng.choice(fish, 3, replace=False)),
    "studio white (3)": white[:3],
}
for k, v in sets.items():
    print(f"{k:18s} n={len(v)} mean L* {np.mean([L[f] for f in v]):.1f}")
# score on the bench's 50 photos (none of them in these sets)
_, lp = _photos(params, "look")
_, ep = _photos(params, "eval")
photos50 = lp + ep
pal = _palette(photos50, list(range(50)), params.seed)
ident = LUT3D.identity(size)
specs = [(n, n) for n in DESIGN_LOOKS + NEW_LOOKS] + [
    (f"{n}*", jitter_look(n, 7)) for n in DESIGN_LOOKS + NEW_LOOKS
]
out = []
for name, spec in specs:
    look = get_look(spec)
    truth = srgb_to_lab(np.clip(look(pal), 0, 1))
    idn = _score(ident, pal, truth)
    for sname, files in sets.items():
        graded = [
            (np.rint(np.clip(look(imgs[f]), 0, 1) * 255) / 255).astype(np.float32) for f in files
        ]
        raw = LUT3D(model.predict_table(graded, trusted=False))
        tr, rep = model.estimate(graded, size=size)
        out.append(
            {
                "look": name,
                "set": sname,
                "raw": _score(raw, pal, truth) / idn,
                "trusted": _score(tr, pal, truth) / idn,
                **_said(rep),
            }
        )
print("ratio to identity (scored on the bench's 50 photos)")
print(
    f"{'set':18s} {'raw':>6s} {'worst':>6s} {'>1':>4s} {'trust':>6s} {'worst':>6s} {'>0.9':>5s} {'>1':>4s}  confident-wrong  verdicts"
)
for sname in sets:
    r = [o for o in out if o["set"] == sname]
    a = np.array([o["raw"] for o in r])
    t = np.array([o["trusted"] for o in r])
    cw = sum(
        1
        for o in r
        if o["trusted"] > 1 and o["verdict"] == "look found" and "sure" in o["levels"].values()
    )
    from collections import Counter

    print(
        f"{sname:18s} {a.mean():6.3f} {a.max():6.2f} {(a > 1).sum():4d} {t.mean():6.3f} {t.max():6.2f} {(t > 0.9).sum():5d} {(t > 1).sum():4d}  {cw:3d}  {dict(Counter(o['verdict'] for o in r))}"
    )
a = np.array([o["raw"] for o in out])
t = np.array([o["trusted"] for o in out])
print(
    f"{'all':18s} {a.mean():6.3f} {a.max():6.2f} {(a > 1).sum():4d} {t.mean():6.3f} {t.max():6.2f} {(t > 0.9).sum():5d} {(t > 1).sum():4d}  ({len(out)} rows)"
)
print("ungraded: dE00 the read look moves the 50 photos")
base = srgb_to_lab(pal)
for sname, files in sets.items():
    fr = [(np.rint(imgs[f] * 255) / 255).astype(np.float32) for f in files]
    raw = LUT3D(model.predict_table(fr, trusted=False))
    tr, rep = model.estimate(fr, size=size)
    print(
        f"  {sname:18s} raw {_score(raw, pal, base):5.2f} trusted {_score(tr, pal, base):5.2f} verdict: {rep.verdict}; "
        + "; ".join(f"{p.component}: {p.level}" for p in rep.parts)
    )
