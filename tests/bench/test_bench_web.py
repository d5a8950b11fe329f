"""Load: 20 concurrent match requests against waitress on 127.0.0.1 all succeed."""

from __future__ import annotations

import pytest
from web_helpers import known_grade, make_frame, png_bytes

from lutml.bench.web import _multipart, _start_server, run_load


@pytest.mark.slow
def test_twenty_concurrent_match_requests_succeed(tmp_path):
    base, server = _start_server([str(tmp_path)], threads=4)
    try:
        frame = make_frame(120, 160, seed=2)
        body, ctype = _multipart(
            {"size": "17"},
            {
                "before": ("b.png", png_bytes(frame)),
                "after": ("a.png", png_bytes(known_grade(frame))),
            },
        )
        stats = run_load(base, "/api/match", body, ctype, requests=20, timeout=120)
    finally:
        server.close()
    assert stats["failed"] == 0, stats["errors"]
    assert stats["ok"] == 20 and stats["p95_s"] < 120
