"""`python -m lutml.bench trust`: a look you can trust - typical AND atypical frame sets (issue 21).

Stories 2 and 3 as a user meets them, on the 50 corpus photos the estimator never trains on (roles
``look`` and ``eval``; the trust model is fitted on other photos again). Frame sets, each graded
with a look and read by the estimator; the LUT is scored on OTHER photos of the 50, neutral, against
the true look (mean CIEDE2000 on a palette of their pixels), as a ratio to identity (no grade):

==============  ==================================================================================
fold 1          the 30 frame photos -> scored on the 20 held-out photos (the pipeline's fold)
fold 2          the 20 held-out photos -> scored on the 30 frame photos
dark            the 10 darkest of the 50 (low-key) -> the other 40
bright          the 10 brightest -> the other 40
warm / cool     the 8 warmest / coolest (mean b*) -> the other 42
few (2), (4)    2 or 4 frame photos -> the 20 held-out photos
==============  ==================================================================================

Looks: the 8 built-in looks and the same families with fresh parameters (`jitter_look`): 16 looks
the estimator never trained on. Columns: the raw estimate (no trust model) and the trusted one
(uncertain parts pulled towards no grade). Then: each set UNGRADED (how strong a look is read
where there is none, and whether it is flagged "no clear look found"), story 3 (one still: two
dark, two bright, two ordinary references), scenes no model has seen (the corpus's bench-only photos:
studio shots on white, low-key objects, underwater, outdoor; `lutml.bench.unseen`), graded and
ungraded, and the coverage of the 80 % intervals.
"""

from __future__ import annotations

import argparse
import json
import time
from collections import Counter
from pathlib import Path

import numpy as np

from lutml.bench import bench_parser
from lutml.bench.looks import DESIGN_LOOKS, NEW_LOOKS, role_photos
from lutml.bench.unseen import unseen_sets
from lutml.color import delta_e_2000, srgb_to_lab
from lutml.config.params import Params, load_params
from lutml.data.corpus import corpus_roles
from lutml.data.looks import get_look, jitter_look
from lutml.look_components import COMPONENTS, scale_components
from lutml.lut import LUT3D, apply_lut
from lutml.lut.lut3d import identity_table
from lutml.models.look_inference import load_look_model
from lutml.trust import LOOK_FOUND, _summary_vec

SCORE_SIZE = 256
PALETTE = 60000


def _parse(argv: list[str]) -> argparse.Namespace:
    ap = bench_parser("trust", __doc__)
    ap.add_argument("--model", type=Path, default=Path("data/models"))
    ap.add_argument("--no-jitter", action="store_true", help="only the 8 built-in looks")
    ap.add_argument("--json", type=Path, default=None, help="also write the results as JSON")
    ap.add_argument(
        "--oracle",
        action="store_true",
        help="also score a perfect trust model: each part of the raw estimate scaled by the best "
        "factor for the true look (what no shrinkage learnt without the truth can beat; ~2 min more)",
    )
    return ap.parse_args(argv)


def _photos(params, role: str) -> tuple[list[str], list[np.ndarray]]:
    """(names, float32 photos in [0, 1] at most SCORE_SIZE px) of the corpus photos of `role`."""
    names = [p.path.name for p in corpus_roles(params.corpus, params.seed)[role]]
    photos = role_photos(params, role, SCORE_SIZE)
    return names, [np.clip(p, 0, 1).astype(np.float32) for p in photos]


def frame_sets(photos: list[np.ndarray], n_look: int, seed: int) -> dict[str, tuple[list, list]]:
    """Named (frame indices, scored indices) into `photos` (the look photos first, then eval)."""
    n = len(photos)
    everything = np.arange(n)
    look, held = everything[:n_look], everything[n_look:]
    lab = np.stack([srgb_to_lab(p[::4, ::4]).reshape(-1, 3).mean(0) for p in photos])
    by_l, by_b = np.argsort(lab[:, 0]), np.argsort(lab[:, 2])
    rng = np.random.default_rng([seed, 41])

    def rest(idx):
        return [int(i) for i in everything if i not in set(idx)]

    sets = {
        "fold 1": (list(look), list(held)),
        "fold 2": (list(held), list(look)),
        "dark": (list(by_l[:10]), rest(by_l[:10])),
        "bright": (list(by_l[-10:]), rest(by_l[-10:])),
        "warm": (list(by_b[-8:]), rest(by_b[-8:])),
        "cool": (list(by_b[:8]), rest(by_b[:8])),
        "few (2)": (list(rng.choice(look, 2, replace=False)), list(held)),
        "few (4)": (list(rng.choice(look, 4, replace=False)), list(held)),
    }
    return {k: ([int(i) for i in a], [int(i) for i in b]) for k, (a, b) in sets.items()}


def _palette(photos: list[np.ndarray], idx: list[int], seed: int) -> np.ndarray:
    rng = np.random.default_rng([seed, 43])
    per = PALETTE // len(idx)
    px = [
        photos[i].reshape(-1, 3)[rng.choice(photos[i].shape[0] * photos[i].shape[1], per)]
        for i in idx
    ]
    return np.concatenate(px)[None].astype(np.float32)  # (1, N, 3): an image for the looks


def _score(lut, palette: np.ndarray, truth_lab: np.ndarray) -> float:
    out = np.clip(apply_lut(lut, palette), 0.0, 1.0)
    return float(delta_e_2000(srgb_to_lab(out), truth_lab).mean())


def _quantities(look, n: int = 17) -> np.ndarray:
    grid = identity_table(n)
    return _summary_vec(np.clip(look(grid.reshape(1, -1, 3)).reshape(grid.shape), 0, 1))


def _said(report) -> dict:
    """What the trust report told the user: each part's level and the verdict."""
    return {"levels": {p.component: p.level for p in report.parts}, "verdict": report.verdict}


def _still(image: np.ndarray) -> np.ndarray:
    """`image` as an 8-bit still would hold it (float32)."""
    return (np.rint(np.clip(image, 0, 1) * 255) / 255).astype(np.float32)


ORACLE_GRID = (0.0, 0.25, 0.5, 0.75, 1.0, 1.2)


def oracle_scales(raw: np.ndarray, pal: np.ndarray, truth_lab: np.ndarray) -> dict[str, float]:
    """The per-part factors (`lutml.look_components`) of the raw estimate `raw` that bring it
    closest to the truth on `pal` (two rounds of one part at a time over `ORACLE_GRID`, scored on
    every fourth palette colour): what a perfect trust model would choose, knowing the look."""
    sub, lab = pal[:, ::4], truth_lab[:, ::4]
    s = dict.fromkeys(COMPONENTS, 1.0)
    for _ in range(2):
        for c in COMPONENTS:
            err = {
                g: _score(LUT3D(scale_components(raw, **{**s, c: g})), sub, lab)
                for g in ORACLE_GRID
            }
            s[c] = min(err, key=err.get)
    return s


def _read(model, frames, pal, truth_lab, ident: LUT3D, oracle: bool = False) -> tuple[dict, object]:
    """Read the look of `frames` (raw and trusted, LUTs of `ident`'s size) and score both and no
    grade on `pal` against `truth_lab`: ({"identity", "raw", "trusted", and what the report
    said}, the report)."""
    raw_table = model.predict_table(frames, trusted=False)
    raw = LUT3D(raw_table)
    trusted, report = model.estimate(frames, size=ident.size)
    row = {
        "identity": _score(ident, pal, truth_lab),
        "raw": _score(raw, pal, truth_lab),
        "trusted": _score(trusted, pal, truth_lab),
    }
    if oracle:
        best = scale_components(raw_table, **oracle_scales(raw_table, pal, truth_lab))
        row["oracle"] = _score(LUT3D(best), pal, truth_lab)
    if report is not None:
        row.update(_said(report))
    return row, report


def run(model, params, jitter: bool = True, oracle: bool = False) -> dict:
    size = int(params.fit.size)
    names_l, look_photos = _photos(params, "look")
    _, eval_photos = _photos(params, "eval")
    photos = look_photos + eval_photos
    sets = frame_sets(photos, len(look_photos), params.seed)
    specs = [(n, n) for n in DESIGN_LOOKS + NEW_LOOKS]
    if jitter:
        specs += [(f"{n}*", jitter_look(n, 7)) for n in DESIGN_LOOKS + NEW_LOOKS]
    palettes = {k: _palette(photos, scored, params.seed) for k, (_, scored) in sets.items()}
    ident = LUT3D.identity(size)
    rows: list[dict] = []
    cover: dict[str, list[bool]] = {}
    t0 = time.perf_counter()
    for name, spec in specs:
        look = get_look(spec)
        true_q = _quantities(look)
        for set_name, (frames_idx, _) in sets.items():
            pal = palettes[set_name]
            truth_lab = srgb_to_lab(np.clip(look(pal), 0, 1))
            graded = [_still(look(photos[i])) for i in frames_idx]
            row, report = _read(model, graded, pal, truth_lab, ident, oracle)
            row = {"look": name, "set": set_name, **row}
            if report is not None:
                row["covered"] = {}
                for i, (q, (_, lo, hi)) in enumerate(report.intervals.items()):
                    t = true_q[i]
                    if q == "saturation_gain":
                        t = float(np.exp(t / 10.0))
                    cover.setdefault(q, []).append(bool(lo <= t <= hi))
                    row["covered"][q] = [float(lo), float(t), float(hi)]
            rows.append(row)
        print(f"  {name:<24} {time.perf_counter() - t0:6.0f} s", flush=True)
    # no look at all: each frame set ungraded
    no_look = {}
    for set_name, (frames_idx, _) in sets.items():
        pal = palettes[set_name]
        base = srgb_to_lab(pal)
        row, report = _read(model, [_still(photos[i]) for i in frames_idx], pal, base, ident)
        no_look[set_name] = {k: row[k] for k in ("raw", "trusted")}
        no_look[set_name]["verdict"] = None if report is None else report.verdict
    # story 3: one graded still
    order = np.argsort([srgb_to_lab(p[::4, ::4])[..., 0].mean() for p in look_photos])
    refs = [int(i) for i in (order[0], order[1], order[-1], order[-2], order[10], order[20])]
    pal3 = _palette(eval_photos, list(range(len(eval_photos))), params.seed)
    story3 = []
    for name, spec in specs:
        look = get_look(spec)
        truth_lab = srgb_to_lab(np.clip(look(pal3), 0, 1))
        for r in refs:
            row, _ = _read(model, [_still(look(look_photos[r]))], pal3, truth_lab, ident, oracle)
            story3.append({"look": name, "ref": names_l[r], **row})
    # scenes no model has seen (the corpus's bench-only photos), scored on all 50 photos
    pal_all = _palette(photos, list(range(len(photos))), params.seed)
    base_all = srgb_to_lab(pal_all)
    unseen, unseen_no_look = [], {}
    sets_u = unseen_sets(SCORE_SIZE, params.seed, params.corpus.root)
    for name, spec in specs if sets_u else []:
        look = get_look(spec)
        truth_lab = srgb_to_lab(np.clip(look(pal_all), 0, 1))
        for set_name, frames in sets_u.items():
            row, _ = _read(model, [_still(look(f)) for f in frames], pal_all, truth_lab, ident)
            unseen.append({"look": name, "set": set_name, **row})
    for set_name, frames in sets_u.items():
        row, _ = _read(model, [_still(f) for f in frames], pal_all, base_all, ident)
        unseen_no_look[set_name] = {**row, "n": len(frames)}
    return {
        "rows": rows,
        "no_look": no_look,
        "story3": story3,
        "unseen": unseen,
        "unseen_no_look": unseen_no_look,
        "coverage_80": {q: float(np.mean(v)) for q, v in cover.items()},
        "seconds": round(time.perf_counter() - t0, 1),
    }


def _stats(rows: list[dict], col: str) -> dict:
    r = np.array([x[col] / x["identity"] for x in rows])
    return {
        "mean": float(r.mean()),
        "worst": float(r.max()),
        "le_0.5": int(np.sum(r <= 0.5)),
        "gt_0.9": int(np.sum(r > 0.9)),
        "gt_1": int(np.sum(r > 1.0)),
        "n": len(r),
    }


def sure_vs_right(rows: list[dict]) -> list[tuple[str, dict]]:
    """Rows grouped by how sure the report is - flagged (a verdict other than "look found"), or
    how many parts of the look it calls "sure" - with their trusted figures (`_stats`)."""
    groups: dict[str, list[dict]] = {}
    for r in rows:
        if "levels" not in r:
            continue
        n = sum(v == "sure" for v in r["levels"].values())
        key = "flagged" if r["verdict"] != LOOK_FOUND else f"{n} of {len(r['levels'])} sure"
        groups.setdefault(key, []).append(r)
    order = sorted((k for k in groups if k != "flagged"), reverse=True) + ["flagged"]
    return [(k, _stats(groups[k], "trusted")) for k in order if k in groups]


def confident_wrong(rows: list[dict]) -> int:
    """Rows worse than no grade that the report presents as a look with a part it is sure of."""
    return sum(
        r["trusted"] > r["identity"]
        and r.get("verdict") == LOOK_FOUND
        and any(v == "sure" for v in r.get("levels", {}).values())
        for r in rows
    )


def _unseen_report(rows: list[dict], no_look: dict) -> list[str]:
    """The section on the bench-only photos' frame sets (`lutml.bench.unseen`)."""
    if not rows:
        return []
    lines = [
        "",
        "Scenes no model saw (the corpus's bench-only photos, graded -> scored on the 50 photos)",
        f"{'frame set':<18}{'raw mean':>9}{'>1':>5}   {'trusted':>8}{'worst':>7}{'>0.9':>6}{'>1':>5}"
        f"{'<=0.5':>7}  confident wrong  flagged",
    ]
    for s in list(dict.fromkeys(r["set"] for r in rows)) + ["all"]:
        sub = [r for r in rows if s in ("all", r["set"])]
        a, b = _stats(sub, "raw"), _stats(sub, "trusted")
        flagged = sum(r.get("verdict", LOOK_FOUND) != LOOK_FOUND for r in sub)
        lines.append(
            f"{s:<18}{a['mean']:>9.3f}{a['gt_1']:>5}   {b['mean']:>8.3f}{b['worst']:>7.2f}"
            f"{b['gt_0.9']:>6}{b['gt_1']:>5}{b['le_0.5']:>7}  {confident_wrong(sub):>15}  {flagged:>7}"
            + (f"   ({b['n']} rows)" if s == "all" else "")
        )
    lines.append(
        "The same sets ungraded: dE00 the read look moves the 50 photos (goal <= 1.5 or flagged)"
    )
    for s, v in no_look.items():
        levels = ", ".join(f"{k} {w}" for k, w in v.get("levels", {}).items())
        lines.append(
            f"  {s:<18} raw {v['raw']:5.2f}   trusted {v['trusted']:5.2f}   "
            f"verdict: {v.get('verdict')}" + (f" ({levels})" if levels else "")
        )
    return lines


def _oracle_report(res: dict) -> list[str]:
    """Trusted against a perfect trust model (`oracle_scales`: each part of the raw estimate
    scaled by the best factor, chosen knowing the look)."""
    lines = [
        "",
        "A perfect trust model (each part of the raw estimate scaled by the best factor for the "
        "true look - chosen with the truth: a bound, not a method)",
        f"{'frame set':<11}{'trusted':>9}{'perfect':>9}{'>0.9':>6}{'>1':>5}{'<=0.5':>7}",
    ]
    sets = list(dict.fromkeys(r["set"] for r in res["rows"]))
    groups = [(s, [r for r in res["rows"] if r["set"] == s]) for s in sets]
    groups += [("all", res["rows"]), ("story 3", res["story3"])]
    for name, rows in groups:
        a, b = _stats(rows, "trusted"), _stats(rows, "oracle")
        lines.append(
            f"{name:<11}{a['mean']:>9.3f}{b['mean']:>9.3f}{b['gt_0.9']:>6}{b['gt_1']:>5}"
            f"{b['le_0.5']:>7}"
        )
    return lines


def report(res: dict) -> str:
    lines = ["Story 2: ratio to identity per frame set (raw estimate -> trusted), over the looks"]
    head = f"{'frame set':<11}{'raw mean':>9}{'worst':>7}{'>0.9':>6}{'>1':>5}   {'trusted':>8}{'worst':>7}{'>0.9':>6}{'>1':>5}{'<=0.5':>7}"
    lines += [head, "-" * len(head)]
    sets = list(dict.fromkeys(r["set"] for r in res["rows"]))
    for s in sets + ["all"]:
        rows = [r for r in res["rows"] if s in ("all", r["set"])]
        a, b = _stats(rows, "raw"), _stats(rows, "trusted")
        lines.append(
            f"{s:<11}{a['mean']:>9.3f}{a['worst']:>7.2f}{a['gt_0.9']:>6}{a['gt_1']:>5}   "
            f"{b['mean']:>8.3f}{b['worst']:>7.2f}{b['gt_0.9']:>6}{b['gt_1']:>5}{b['le_0.5']:>7}"
            + (f"   ({b['n']} rows)" if s == "all" else "")
        )
    lines.append("")
    lines.append("Per look (trusted ratio; * = same family, fresh parameters):")
    lines.append(f"{'look':<22}" + "".join(f"{s[:8]:>9}" for s in sets))
    for name in dict.fromkeys(r["look"] for r in res["rows"]):
        cells = {r["set"]: r["trusted"] / r["identity"] for r in res["rows"] if r["look"] == name}
        lines.append(f"{name:<22}" + "".join(f"{cells[s]:>9.2f}" for s in sets))
    lines.append("")
    lines.append(
        "No look (each set ungraded): dE00 the read look moves other photos (goal <= 1.5 or flagged)"
    )
    for s, v in res["no_look"].items():
        lines.append(
            f"  {s:<11} raw {v['raw']:5.2f}   trusted {v['trusted']:5.2f}   verdict: {v['verdict']}"
        )
    graded = Counter(r["verdict"] for r in res["rows"] if "verdict" in r)
    if graded:
        ungraded = Counter(v["verdict"] for v in res["no_look"].values())
        lines.append(
            "Verdicts: graded rows "
            + ", ".join(f"{k} {v}" for k, v in sorted(graded.items()))
            + " | ungraded sets "
            + ", ".join(f"{k} {v}" for k, v in sorted(ungraded.items()))
        )
    a, b = _stats(res["story3"], "raw"), _stats(res["story3"], "trusted")
    lines.append("")
    lines.append(
        f"Story 3 (one still, {a['n']} rows): raw mean {a['mean']:.3f} worst {a['worst']:.2f} "
        f"worse than no grade {a['gt_1']}  ->  trusted mean {b['mean']:.3f} worst {b['worst']:.2f} "
        f"worse than no grade {b['gt_1']}"
    )
    for story, rows in (("2", res["rows"]), ("3", res["story3"])):
        groups = sure_vs_right(rows)
        if not groups:
            continue
        lines.append("")
        lines.append(
            f"Story {story}: how sure the report is vs how right the trusted look is "
            f"(confident wrong looks - look found, a part sure, worse than no grade: "
            f"{confident_wrong(rows)} of {len(rows)})"
        )
        lines.append(
            f"  {'report':<16}{'rows':>5}{'mean':>8}{'worst':>7}{'>0.9':>6}{'>1':>5}{'<=0.5':>7}"
        )
        for key, st in groups:
            lines.append(
                f"  {key:<16}{st['n']:>5}{st['mean']:>8.3f}{st['worst']:>7.2f}"
                f"{st['gt_0.9']:>6}{st['gt_1']:>5}{st['le_0.5']:>7}"
            )
    if res["rows"] and "oracle" in res["rows"][0]:
        lines += _oracle_report(res)
    lines += _unseen_report(res.get("unseen", []), res.get("unseen_no_look", {}))
    if res["coverage_80"]:
        lines.append("")
        lines.append(
            "80 % intervals, measured coverage: "
            + ", ".join(f"{q} {v:.0%}" for q, v in res["coverage_80"].items())
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    args = _parse(argv or [])

    params = Params.from_params(load_params())
    model = load_look_model(args.model)
    if model.trust is None:
        print("note: this model has no trust model (model.json 'trust'): trusted = raw")
    res = run(model, params, jitter=not args.no_jitter, oracle=args.oracle)
    print(report(res))
    print(f"({res['seconds']:.0f} s)")
    if args.json:
        args.json.write_text(json.dumps(res, indent=1) + "\n", encoding="utf-8")
