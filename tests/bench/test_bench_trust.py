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
