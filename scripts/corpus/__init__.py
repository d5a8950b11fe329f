"""The parts of scripts/build_corpus.py (which rebuilds data/corpus from Debian packages).

- `curation`: the pinned packages, output settings, and the curation tables (INCLUDE, EXCLUDE).
- `sources`: downloading and unpacking the packages, Qt resource files, licences, candidates.
- `images`: colour management, resizing, WebP encoding, checks, the contact sheet.
- `readme`: the corpus README template.
"""
