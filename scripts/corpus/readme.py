"""The corpus README (data/corpus/README.md)."""

from __future__ import annotations

from collections import Counter

# ----------------------------------------------------------------------------- README ------

README_TEMPLATE = """\
# Embedded natural-photo corpus

{count} real colour photographs (animals, buildings, landscapes, people, night scenes, objects,
plants, food, an interior) kept in git as source data, for training and evaluating colour
grades without any download at run time. Every file's title, author, licence, source and origin
is in [SOURCES.csv](SOURCES.csv).

- Files: `photos/<name>.webp`, sRGB, 8-bit, no metadata, WebP quality {quality}.
- Size: short side {short_min}–{short_max} px (resized with Lanczos to {short} px, never
  upscaled; pictures between 512 and {short} px keep their size), {total_mb:.2f} MB in all.
- {n_bench_only} of them are small **bench-only** photos (short side {small_min}–{small_max} px, as
  shipped): studio shots of objects on white or black, underwater shots of fish, windmills, dams, a
  night scene - kinds of scene the full-size photos lack. SOURCES.csv gives them `role` "bench": no
  stage of the pipeline reads them; `python -m lutml.bench trust` uses them as frame sets no model
  has seen (`lutml.data.corpus.bench_photos`).
- Only public-domain, CC0, CC-BY and CC-BY-SA pictures; nothing without a clear licence.

## Counts

| category | photos |
| --- | ---: |
{cat_rows}

| licence | photos |
| --- | ---: |
{lic_rows}

| Debian package (origin) | photos |
| --- | ---: |
{pkg_rows}

## Attribution (CC-BY and CC-BY-SA)

{n_by} of these photos are under CC-BY or CC-BY-SA. Whoever redistributes them (this folder,
images derived from them, or a data set or product that contains them) must credit the
author as given in SOURCES.csv, name the licence with a link to it, link the source
(`source_url`) and say that the picture was changed (all copies here are resized and
re-encoded, a few colour-converted to sRGB, and the gcompris ones were cropped by its authors). CC-BY-SA additionally requires that adapted
pictures be shared under the same licence. Public-domain and CC0 pictures need no
attribution; their authors are listed anyway. Licence texts:

{lic_links}

The corpus is a mere collection: each photo keeps its own licence, independent of the
project's licence.

## Where the photos come from

- `gcompris-qt-data` (Debian 12, version {gc_ver}): the educational suite GCompris keeps its
  pictures (mostly from Wikimedia Commons) as WebP inside Qt resource files
  (`usr/share/gcompris-qt/rcc/*.rcc`); each activity's `README` next to the pictures gives
  author, licence and source of each one. The script parses the `.rcc` format itself.
- `lomiri-wallpapers-16.04` and `lomiri-wallpapers-20.04` (version {lo_ver}): community
  wallpaper photographs; per-file author and licence in the package's Debian `copyright` file.

Selection: every picture of these packages with a short side of at least 512 px as shipped
(and the small ones in `BENCH_ONLY`, by the same review)
and a free licence was looked at on a contact sheet; drawings, renders, abstract graphics,
grayscale pictures and cut-outs on white were dropped (the list, with reasons, is `EXCLUDE` in
the script), as were the ~116 clipart drawings of the `lang` activity (no per-file licence)
and planet renders. Dropped after review:

{excluded}

## Rebuild

```
apt-get update          # once, so that apt-get download finds the pinned versions
.venv/bin/python scripts/build_corpus.py --out data/corpus
```

The script downloads the three pinned `.deb` files with `apt-get download` into a temporary
folder (or takes them from `--deb-dir DIR`), checks their SHA-256, unpacks them with
`dpkg-deb -x`, reads the licences, applies the curation tables (`INCLUDE`, `EXCLUDE`), and
writes `photos/` (removing files there that it did not write), `SOURCES.csv` and this README.
It is deterministic: two runs with the same Pillow/libwebp give identical bytes (this copy:
Pillow {pil}, libwebp {webp}). `--contact-sheet sheet.png` also writes a grid of all
kept photos for review. It needs Debian's `apt-get` and `dpkg-deb`, Pillow with WebP and
LittleCMS, and numpy (all in the project's venv); zstd-compressed resource entries, if a
newer package has them, need Python's `zstandard` or the `zstd` tool (`apt-get install zstd`).
A package version that no longer downloads can be replaced by the one from
snapshot archives via `--deb-dir`; a different build of a package fails the SHA-256 check
unless `--no-verify` is given.
"""


def md_rows(counter: Counter) -> str:
    items = sorted(counter.items(), key=lambda kv: (-kv[1], kv[0]))
    return "\n".join(f"| {k} | {v} |" for k, v in items)
