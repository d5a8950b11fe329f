"""The runner: make the inputs, run the command-line and web cases, print the table."""

from __future__ import annotations

import argparse
import json
import shutil
import tempfile
import time
from pathlib import Path

from .cli_cases import cases
from .cli_more import more_cli_cases
from .fixtures import setup
from .harness import Row, rss_of, run_case
from .web import Server, run_web_case
from .web_cases import web_cases, web_models


def show(row: Row, extra: str = "") -> None:
    flag = "ok " if row.clean else "BAD"
    print(f"{flag} [{row.category}] {row.name}: {extra}{row.seconds:.1f} s"
          + ("" if row.clean else f"  <- {'; '.join(row.problems)}"), flush=True)  # fmt: skip


def run_cli(work: Path, quick: bool, only: str | None) -> list[Row]:
    rows = []
    todo = [c for c in [*cases(work, quick), *more_cli_cases(work)] if only in (None, c.category)]
    for case in todo:
        row = run_case(case, work)
        if case.max_rss_mb is not None or case.slow:
            argv = case.argv() if callable(case.argv) else case.argv
            row.rss_mb = rss_of(argv, work)
            if case.max_rss_mb is not None and row.rss_mb > case.max_rss_mb:
                row.problems.append(f"peak RSS {row.rss_mb:.0f} MB > {case.max_rss_mb} MB")
                row.clean = False
        rows.append(row)
        rss = f"{row.rss_mb:.0f} MB, " if row.rss_mb and (case.max_rss_mb or case.slow) else ""
        show(row, f"exit {row.exit}, {rss}")
    return rows


def run_web(work: Path, only: str | None) -> list[Row]:
    todo = [c for c in web_cases(work) if only in (None, c.category)]
    if not todo:
        return []
    servers = {
        "main": Server(work, web_models(work)),
        "small": Server(work, work / "T", "--max-upload-mb", "1", "--max-megapixels", "2"),
    }
    rows = []
    try:
        for case in todo:
            t0 = time.perf_counter()
            problems = run_web_case(case, servers[case.server])
            row = Row(case.category, case.name, not problems, problems,
                      seconds=time.perf_counter() - t0)  # fmt: skip
            rows.append(row)
            show(row)
    finally:
        for s in servers.values():
            s.stop()
    return rows


def table(rows: list[Row]) -> str:
    lines = [f"{'category':18} {'tried':>5} {'clean':>5} {'misbehaved':>10}"]
    for cat in dict.fromkeys(r.category for r in rows):
        mine = [r for r in rows if r.category == cat]
        good = sum(r.clean for r in mine)
        lines.append(f"{cat:18} {len(mine):5} {good:5} {len(mine) - good:10}")
    total = sum(r.clean for r in rows)
    lines.append(f"{'total':18} {len(rows):5} {total:5} {len(rows) - total:10}")
    return "\n".join(lines)


def main(doc: str) -> int:
    parser = argparse.ArgumentParser(description=doc.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="skip the slow command-line cases")
    parser.add_argument("--keep", type=Path, default=None, help="scratch folder to keep")
    parser.add_argument("--only", default=None, help="run one category")
    parser.add_argument("--no-web", action="store_true", help="command line only")
    parser.add_argument("--no-cli", action="store_true", help="web only")
    parser.add_argument("--json", type=Path, default=None, help="write every outcome here")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="lutml-adv-")) if args.keep is None else args.keep
    work.mkdir(parents=True, exist_ok=True)
    t0 = time.time()
    setup(work, args.quick)
    print(f"inputs made in {time.time() - t0:.0f} s in {work}", flush=True)
    rows = [] if args.no_cli else run_cli(work, args.quick, args.only)
    rows += [] if args.no_web else run_web(work, args.only)
    print()
    print(table(rows))
    print(f"({time.time() - t0:.0f} s)")
    if args.json:
        args.json.write_text(json.dumps([r.__dict__ for r in rows], indent=1, default=str))
    if args.keep is None:
        shutil.rmtree(work, ignore_errors=True)
    return 0 if all(r.clean for r in rows) else 1
