"""`python -m lutml.bench trust`'s report: how sure the trust report is against how right the look is."""

from __future__ import annotations

from lutml.bench.trust import confident_wrong, report, sure_vs_right
from lutml.trust import LOOK_FOUND, NO_CLEAR_LOOK, NO_SINGLE_LOOK


def _row(trusted: float, verdict: str, sure: int, identity: float = 10.0) -> dict:
    parts = ["tone", "saturation", "cast"]
    levels = {p: ("sure" if i < sure else "unsure") for i, p in enumerate(parts)}
    return {
        "look": "x",
        "set": "s",
        "identity": identity,
        "raw": trusted,
        "trusted": trusted,
        "levels": levels,
        "verdict": verdict,
    }


def test_rows_are_grouped_by_how_sure_the_report_is() -> None:
    rows = [
        _row(3.0, LOOK_FOUND, 3),
        _row(6.0, LOOK_FOUND, 3),
        _row(12.0, LOOK_FOUND, 1),  # worse than no grade, one part sure: a confident wrong look
        _row(11.0, LOOK_FOUND, 0),  # worse, but nothing claimed sure
        _row(10.5, NO_SINGLE_LOOK, 2),  # worse, but flagged
        _row(9.0, NO_CLEAR_LOOK, 0),
    ]
    groups = dict(sure_vs_right(rows))
    assert list(groups) == ["3 of 3 sure", "1 of 3 sure", "0 of 3 sure", "flagged"]
    assert groups["3 of 3 sure"]["n"] == 2 and abs(groups["3 of 3 sure"]["mean"] - 0.45) < 1e-12
    assert groups["3 of 3 sure"]["le_0.5"] == 1 and groups["3 of 3 sure"]["gt_1"] == 0
    assert groups["flagged"]["n"] == 2 and groups["flagged"]["gt_1"] == 1
    assert confident_wrong(rows) == 1


def test_the_report_prints_both_stories_and_skips_rows_without_a_trust_report() -> None:
    rows = [_row(3.0, LOOK_FOUND, 3), _row(12.0, LOOK_FOUND, 1)]
    bare = [{k: v for k, v in r.items() if k not in ("levels", "verdict")} for r in rows]
    res = {"rows": rows, "no_look": {}, "story3": bare, "coverage_80": {}}
    text = report(res)
    assert "Story 2: how sure the report is" in text and "1 of 2)" in text
    assert "Story 3: how sure" not in text  # no trust report: nothing to group
    assert "3 of 3 sure" in text and "1 of 3 sure" in text


def test_the_report_has_a_section_on_scenes_no_model_saw() -> None:
    rows = [_row(3.0, LOOK_FOUND, 3), _row(12.0, LOOK_FOUND, 1)]
    unseen = [
        {**_row(12.0, LOOK_FOUND, 2), "set": "studio white"},  # a confident wrong look
        {**_row(9.0, NO_CLEAR_LOOK, 0), "set": "underwater"},
    ]
    no_look = {"studio white": {"raw": 7.8, "trusted": 0.0, "verdict": NO_CLEAR_LOOK, "n": 12}}
    res = {"rows": rows, "no_look": {}, "story3": rows, "coverage_80": {}}
    assert "Scenes no model saw" not in report(res)  # a corpus without bench-only photos
    text = report({**res, "unseen": unseen, "unseen_no_look": no_look})
    section = text[text.index("Scenes no model saw") :].splitlines()
    studio = next(line for line in section if line.startswith("studio white"))
    assert studio.split()[-2:] == ["1", "0"]  # confident wrong 1, flagged 0
    total = next(line for line in section if line.startswith("all "))
    assert "(2 rows)" in total and total.split()[-4:-2] == ["1", "1"]
    assert "studio white       raw  7.80   trusted  0.00   verdict: no clear look found" in text


def test_unseen_sets_are_drawn_from_the_bench_only_photos(tmp_path) -> None:
    import csv

    from sample_helpers import make_fake_corpus

    from lutml.bench.unseen import unseen_sets

    root = make_fake_corpus(tmp_path / "c", n=9)
    assert unseen_sets(32, 0, root) == {}  # no bench-only photo: no section
    listing = root / "SOURCES.csv"
    with listing.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    for i, r in enumerate(rows):
        r["role"] = "bench" if i >= 3 else ""
        r["category"] = "object" if i >= 6 else r["category"]
    with listing.open("w", encoding="utf-8", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=list(rows[0]))
        w.writeheader()
        w.writerows(rows)
    sets = unseen_sets(32, 0, root)
    assert set(sets) >= {"studio white", "dark", "studio white (3)"}
    assert len(sets["studio white"]) == 3 and len(sets["dark"]) == 6  # 3 objects, 6 bench photos
    assert all(f.dtype.name == "float32" and max(f.shape[:2]) <= 32 for f in sets["dark"])
    assert unseen_sets(32, 0, root)["dark"][0].tobytes() == sets["dark"][0].tobytes()


def test_the_perfect_trust_bound_scales_each_part_to_the_truth() -> None:
    import numpy as np

    from lutml.bench.trust import oracle_scales
    from lutml.color import srgb_to_lab
    from lutml.data.looks import get_look
    from lutml.look_components import scale_components
    from lutml.lut import LUT3D, apply_lut
    from lutml.lut.lut3d import identity_table

    grid = identity_table(9)
    look = get_look("teal_orange")
    true = np.clip(look(grid.reshape(1, -1, 3)).reshape(grid.shape), 0, 1).astype(np.float32)
    # an estimate that overdoes the tone 2x and has half the cast, saturation right
    raw = scale_components(true, tone=2.0, saturation=1.0, cast=0.5)
    pal = np.random.default_rng(0).random((1, 4000, 3)).astype(np.float32)
    truth_lab = srgb_to_lab(np.clip(apply_lut(LUT3D(true), pal), 0, 1))
    s = oracle_scales(raw, pal, truth_lab)
    assert s["tone"] in (0.5, 0.75) and s["saturation"] in (0.75, 1.0, 1.2)
    assert s["cast"] == 1.2  # the grid's top: as close to 2x as allowed
    for c, v in s.items():  # factors from the grid
        assert v in (0.0, 0.25, 0.5, 0.75, 1.0, 1.2), c


def test_the_report_prints_the_perfect_trust_bound_when_measured() -> None:
    rows = [
        {**_row(3.0, LOOK_FOUND, 3), "oracle": 2.0},
        {**_row(12.0, LOOK_FOUND, 1), "oracle": 9.5},
    ]
    res = {"rows": rows, "no_look": {}, "story3": rows, "coverage_80": {}}
    text = report(res)
    line = next(x for x in text.splitlines() if x.startswith("all ") and len(x.split()) == 6)
    assert line.split()[1:] == ["0.750", "0.575", "1", "0", "1"]
    assert "perfect trust model" in text
    assert "perfect trust model" not in report(
        {**res, "rows": [_row(3.0, LOOK_FOUND, 3)], "story3": [_row(3.0, LOOK_FOUND, 3)]}
    )
