#!/usr/bin/env python3
"""Rebuild the embedded natural-photo corpus (data/corpus) from Debian packages.

    .venv/bin/python scripts/build_corpus.py --out data/corpus

What it does, start to end:

1. ``apt-get download`` the pinned source packages (PACKAGES below) into a temporary folder
   (or takes them from ``--deb-dir``), checks their SHA-256, and unpacks them with ``dpkg-deb -x``.
2. gcompris-qt-data keeps its pictures inside Qt resource files (``.rcc``); they are parsed here
   (format notes at ``read_rcc``) and every activity's README files are read for each picture's
   author, licence and source.  The lomiri-wallpapers packages give theirs in the Debian
   machine-readable ``copyright`` file.
3. Every picture whose short side is >= 512 px is a candidate.  A candidate is kept only when it
   has a licence in the allowed set (public domain, CC0, CC-BY, CC-BY-SA), is not in EXCLUDE
   (curation decided by looking at a contact sheet of every candidate) and is in INCLUDE, which
   gives its file name and category.  A new candidate that is in neither table (a newer package)
   is reported and skipped: look at it, then add it to one of them.
4. Kept pictures are colour-managed to sRGB (when they embed a non-sRGB ICC profile), resized
   with Lanczos so that the short side is SHORT_SIDE px (never upscaled), and written as
   metadata-free WebP (quality 85, method 6), plus SOURCES.csv and README.md.

Deterministic: the same packages and the same Pillow/libwebp give byte-identical output.
Needs: Debian's apt-get and dpkg-deb, Pillow (with WebP and LittleCMS), numpy, and for
zstd-compressed rcc entries either the Python ``zstandard`` module or the ``zstd`` tool.
"""

from __future__ import annotations

import argparse
import csv
import io
import re
import sys
import tempfile
from collections import Counter
from pathlib import Path

import PIL
from corpus.curation import (
    BENCH_ONLY,
    CATEGORIES,
    EXCLUDE,
    EXCLUDE_PREFIXES,
    INCLUDE,
    LICENCE_URLS,
    MIN_SHORT_SIDE,
    MIN_SHORT_SIDE_BENCH_ONLY,
    PACKAGES,
    SHORT_SIDE,
    WEBP_QUALITY,
)
from corpus.images import chroma, contact_sheet, dhash, encode_webp, resize_short, to_srgb
from corpus.readme import README_TEMPLATE, md_rows
from corpus.sources import (
    Candidate,
    clean_author,
    fetch_debs,
    gcompris_candidates,
    log,
    lomiri_candidates,
    normalise_licence,
    unpack,
)
from PIL import Image, features

# ----------------------------------------------------------------------------- main --------


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--out", type=Path, default=Path("data/corpus"))
    ap.add_argument("--deb-dir", type=Path, help="take the pinned .deb files from here")
    ap.add_argument("--no-verify", action="store_true", help="accept other package builds")
    ap.add_argument("--contact-sheet", type=Path, help="also write a PNG grid of kept photos")
    args = ap.parse_args()

    with tempfile.TemporaryDirectory(prefix="build_corpus_") as tmp:
        work = Path(tmp)
        debs = fetch_debs(args.deb_dir, work, verify=not args.no_verify)
        cands: list[Candidate] = []
        for pkg, deb in debs.items():
            root = unpack(deb, work / pkg)
            ver = PACKAGES[pkg][0]
            if pkg == "gcompris-qt-data":
                cands += gcompris_candidates(root, pkg, ver)
            else:
                cands += lomiri_candidates(root, pkg, ver)

    kept: list[tuple[Candidate, str, str, str]] = []  # cand, slug, category, licence
    bench_only: set[str] = set()  # slugs of the small bench-only photos
    dropped: list[tuple[str, str]] = []
    uncurated: list[str] = []
    found = set()
    for c in sorted(cands, key=lambda c: c.key):
        try:
            with Image.open(io.BytesIO(c.data)) as probe:
                short = min(probe.size)
        except Exception:
            continue
        if short < MIN_SHORT_SIDE:
            if c.key not in BENCH_ONLY or short < MIN_SHORT_SIDE_BENCH_ONLY:
                continue
            lic = normalise_licence(c.licence_raw)
            if lic is None or not c.source_url:
                sys.exit(f"BENCH_ONLY {c.key}: no free licence or no source ({c.licence_raw!r})")
            found.add(c.key)
            slug, cat = BENCH_ONLY[c.key]
            kept.append((c, slug, cat, lic))
            bench_only.add(slug)
            continue
        found.add(c.key)
        prefix_reason = next((r for p, r in EXCLUDE_PREFIXES.items() if c.key.startswith(p)), None)
        lic = normalise_licence(c.licence_raw)
        if c.key in EXCLUDE:
            dropped.append((c.key, EXCLUDE[c.key]))
        elif prefix_reason:
            dropped.append((c.key, prefix_reason))
        elif lic is None:
            dropped.append((c.key, f"licence missing or not allowed: {c.licence_raw!r}"))
        elif c.key not in INCLUDE:
            uncurated.append(c.key)
        else:
            slug, cat = INCLUDE[c.key]
            kept.append((c, slug, cat, lic))

    missing = sorted((set(INCLUDE) | set(BENCH_ONLY)) - found)
    if missing:
        sys.exit(f"INCLUDE entries not found in the packages: {missing}")
    for k in uncurated:
        log(f"warning: uncurated candidate skipped (look at it, add to INCLUDE or EXCLUDE): {k}")
    slugs = [s for _, s, _, _ in kept]
    assert len(set(slugs)) == len(slugs), "duplicate slug"
    assert all(re.fullmatch(r"[a-z0-9_]+", s) for s in slugs)
    assert all(cat in CATEGORIES for _, _, cat, _ in kept)
    for k, r in dropped:
        if not k.startswith(tuple(EXCLUDE_PREFIXES)):
            log(f"dropped {k}: {r}")

    photos = args.out / "photos"
    photos.mkdir(parents=True, exist_ok=True)
    rows = []
    sheet_items = []
    hashes = []
    shorts = []
    small_shorts = []
    for c, slug, cat, lic in sorted(kept, key=lambda k: k[1]):
        im = to_srgb(Image.open(io.BytesIO(c.data)))
        im = resize_short(im, SHORT_SIDE)
        blob = encode_webp(im)
        fname = f"{slug}.webp"
        (photos / fname).write_bytes(blob)
        (small_shorts if slug in bench_only else shorts).append(min(im.size))
        ch = chroma(im)
        if ch < 8:
            log(f"warning: {fname} is nearly grayscale (mean chroma {ch:.1f})")
        hashes.append((fname, dhash(im)))
        if args.contact_sheet:
            sheet_items.append((fname, im))
        rows.append(
            {
                "file": f"photos/{fname}",
                "title": c.title or slug.replace("_", " "),
                "category": cat,
                "author": clean_author(c.author),
                "licence": lic,
                "source_url": c.source_url or "",
                "origin": f"{c.package} {c.version}: {c.origin_path}",
                "role": "bench" if slug in bench_only else "",
            }
        )
    for i in range(len(hashes)):
        for j in range(i + 1, len(hashes)):
            if int((hashes[i][1] != hashes[j][1]).sum()) <= 8:
                log(f"warning: possible near-duplicates {hashes[i][0]} {hashes[j][0]}")

    wanted = {Path(r["file"]).name for r in rows}
    for stale in sorted(photos.iterdir()):
        if stale.name not in wanted:
            stale.unlink()

    with open(args.out / "SOURCES.csv", "w", newline="", encoding="utf-8") as fh:
        w = csv.DictWriter(
            fh,
            fieldnames=[
                "file",
                "title",
                "category",
                "author",
                "licence",
                "source_url",
                "origin",
                "role",
            ],
            lineterminator="\n",
        )
        w.writeheader()
        w.writerows(rows)

    total = sum((photos / Path(r["file"]).name).stat().st_size for r in rows)
    lic_count = Counter(r["licence"] for r in rows)
    readme = README_TEMPLATE.format(
        count=len(rows),
        n_bench_only=len(bench_only),
        quality=WEBP_QUALITY,
        short=SHORT_SIDE,
        short_min=min(shorts),
        short_max=max(shorts),
        small_min=min(small_shorts),
        small_max=max(small_shorts),
        total_mb=total / 1e6,
        cat_rows=md_rows(Counter(r["category"] for r in rows)),
        lic_rows=md_rows(lic_count),
        pkg_rows=md_rows(Counter(r["origin"].split(":")[0] for r in rows)),
        n_by=sum(v for k, v in lic_count.items() if k.startswith("CC-BY")),
        lic_links="\n".join(
            f"- {k}: {LICENCE_URLS.get(k, 'see the source')}" for k in sorted(lic_count)
        ),
        gc_ver=PACKAGES["gcompris-qt-data"][0],
        lo_ver=PACKAGES["lomiri-wallpapers-16.04"][0],
        pil=PIL.__version__,
        webp=features.version("webp"),
        excluded="\n".join(f"- `{k}`: {r}" for k, r in sorted(EXCLUDE.items())),
    )
    (args.out / "README.md").write_text(readme, encoding="utf-8")
    if args.contact_sheet:
        contact_sheet(sheet_items, args.contact_sheet)
    log(
        f"{len(rows)} photos, {total / 1e6:.2f} MB, short side {min(shorts)}-{max(shorts)} px "
        f"({len(bench_only)} bench-only: {min(small_shorts)}-{max(small_shorts)} px), "
        f"{len(dropped)} candidates dropped, {len(uncurated)} uncurated"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
