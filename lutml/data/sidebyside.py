"""The original project's dataset format: side-by-side images in a zip.

Each image holds a pair as two halves, **left = ground truth (target), right = input**, in
folders ``train/`` and ``test/`` of a zip (JPEG in the original). `split_side_by_side` is the one
reader of that layout (also `lutml fit --pair`): the width must be even. `import_side_by_side` turns
such a zip into our pairs layout plus a split; `export_side_by_side` writes ours as one.

    python -m lutml.data.sidebyside import dataset.zip data/pairs data/split [--size 256]
    python -m lutml.data.sidebyside export data/pairs data/split dataset.zip [--format png]
"""

from __future__ import annotations

import argparse
import json
import os
import re
import tempfile
import zipfile
from pathlib import Path

import numpy as np

from lutml.atomic import atomic_path
from lutml.data.frames import resize_frame
from lutml.data.pairs import MANIFEST, SPLIT_NAMES, load_pair, pair_paths, read_split
from lutml.data.staging import staged_dir
from lutml.imageio import ImageReadError, read_image, write_image

_MEMBER = re.compile(r"(?:^|/)(train|test)/([^/]+)\.(jpe?g|png|tiff?)$", re.IGNORECASE)


def export_side_by_side(
    pairs_dir: str | os.PathLike[str],
    split_dir: str | os.PathLike[str],
    zip_path: str | os.PathLike[str],
    fmt: str = "jpg",
    full: bool = False,
) -> int:
    """Write every pair of the split as ``<train|test>/<id>.<fmt>`` (target | input); return the count.

    `fmt` is ``jpg`` (the original's choice, quality 95, lossy) or ``png`` (lossless).
    """
    if fmt not in ("jpg", "png"):
        raise ValueError(f"side-by-side format must be jpg or png, got {fmt!r}")
    split = read_split(split_dir)
    n = 0
    with tempfile.TemporaryDirectory() as scratch, atomic_path(zip_path) as tmp_zip:
        one = Path(scratch) / f"one.{fmt}"
        with zipfile.ZipFile(tmp_zip, "w", zipfile.ZIP_STORED) as zf:
            for name in SPLIT_NAMES:
                for pid in split[name]:
                    inp, tgt = load_pair(pairs_dir, pid, full=full)
                    write_image(one, np.concatenate([tgt, inp], axis=1))
                    zf.write(one, f"{name}/{pid}.{fmt}")
                    n += 1
    return n


def split_side_by_side(
    image: np.ndarray, name: str | os.PathLike[str]
) -> tuple[np.ndarray, np.ndarray]:
    """(input, target) of a side-by-side pair image: left half = target (graded), right half = input.

    The halves are the same frame pixel for pixel, so the width must be even: an odd width has no
    column to cut at (dropping the middle column or giving it to either half could shift one half
    against the other by a pixel), so it is refused rather than guessed.

    Parameters
    ----------
    image : array (H, W, C), any dtype; W even
    name : the file (or zip member) it came from, named in the error

    Returns
    -------
    (input, target) : views of `image`, each (H, W / 2, C)

    Raises
    ------
    ImageReadError (a ValueError) naming `name` when W is odd or 0.
    """
    w = image.shape[1]
    if w % 2 or w < 2:
        raise ImageReadError(
            f"{name}: width {w} is odd; not a side-by-side pair (left target | right input)"
        )
    return image[:, w // 2 :], image[:, : w // 2]


def _pair_id(stem: str, used: set[str]) -> str:
    """The member's own name when it is a safe, unused file stem (round trips keep ids)."""
    pid, k = stem, 0
    while not re.fullmatch(r"[A-Za-z0-9_.-]{1,64}", pid) or pid in used:
        pid, k = f"pair{k:05d}", k + 1
    used.add(pid)
    return pid


def import_side_by_side(
    zip_path: str | os.PathLike[str],
    pairs_dir: str | os.PathLike[str],
    split_dir: str | os.PathLike[str],
    size: int = 256,
) -> dict:
    """Unpack a side-by-side zip into the pairs layout and a split; return the manifest.

    Working-size copies are resized to `size` x `size`; `full/` keeps the halves as stored.
    Each image is its own group (the format records no source photo). Unreadable or odd-width
    members are skipped and listed in the manifest's ``skipped``; no usable member is an error.
    """
    zip_path = Path(zip_path)
    try:
        zf = zipfile.ZipFile(zip_path)
    except (zipfile.BadZipFile, OSError) as exc:
        raise ValueError(f"{zip_path}: not a readable zip file ({exc})") from exc
    with zf, tempfile.TemporaryDirectory() as scratch:
        members = sorted(
            (m for m in zf.namelist() if _MEMBER.search(m)),
            key=lambda m: _MEMBER.search(m).groups(),
        )
        if not members:
            raise ValueError(
                f"{zip_path}: no images in train/ or test/ folders (side-by-side format)"
            )
        records, skipped, split = [], [], {name: [] for name in SPLIT_NAMES}
        used: set[str] = set()
        with staged_dir(pairs_dir) as out:
            for member in members:
                side, stem, ext = _MEMBER.search(member).groups()
                local = Path(scratch) / f"m.{ext}"
                local.write_bytes(zf.read(member))
                try:
                    inp, target = split_side_by_side(read_image(local), member)
                except ImageReadError as exc:
                    skipped.append(f"{zip_path.name}:{member}: {str(exc).split(': ', 1)[-1]}")
                    continue
                pid = _pair_id(stem, used)
                for path, img in zip(pair_paths(out, pid, full=True), (inp, target), strict=True):
                    write_image(path, img)
                for path, img in zip(pair_paths(out, pid), (inp, target), strict=True):
                    write_image(path, resize_frame(img, (size, size)))
                records.append(
                    {"id": pid, "group": f"{side}/{stem}", "source": member, "split": side.lower()}
                )
                split[side.lower()].append(pid)
            if not records:
                raise ValueError(
                    f"{zip_path}: no usable side-by-side image: " + "; ".join(skipped[:5])
                )
            manifest = {
                "version": 1,
                "look": None,
                "mode": "imported",
                "size": size,
                "seed": None,
                "frames_source": str(zip_path.name),
                "pairs": records,
                "skipped": skipped,
            }
            (out / MANIFEST).write_text(json.dumps(manifest, indent=1), encoding="utf-8")
            with staged_dir(split_dir) as sd:
                for name, ids in split.items():
                    (sd / f"{name}.txt").write_text(
                        "".join(f"{i}\n" for i in ids), encoding="utf-8"
                    )
    return manifest


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(
        prog="python -m lutml.data.sidebyside", description=__doc__.split("\n")[0]
    )
    sub = ap.add_subparsers(dest="cmd", required=True)
    imp = sub.add_parser("import", help="side-by-side zip -> pairs folder + split")
    imp.add_argument("zip"), imp.add_argument("pairs_dir"), imp.add_argument("split_dir")
    imp.add_argument("--size", type=int, default=256, help="working size of the pairs (px)")
    exp = sub.add_parser("export", help="pairs folder + split -> side-by-side zip")
    exp.add_argument("pairs_dir"), exp.add_argument("split_dir"), exp.add_argument("zip")
    exp.add_argument("--format", choices=["jpg", "png"], default="jpg")
    exp.add_argument("--full", action="store_true", help="export the full-resolution crops")
    a = ap.parse_args(argv)
    try:
        if a.cmd == "import":
            m = import_side_by_side(a.zip, a.pairs_dir, a.split_dir, a.size)
            print(
                f"imported {len(m['pairs'])} pairs, skipped {len(m['skipped'])}: {a.pairs_dir}, {a.split_dir}"
            )
            for reason in m["skipped"]:
                print(f"  skipped {reason}")
        else:
            n = export_side_by_side(a.pairs_dir, a.split_dir, a.zip, a.format, a.full)
            print(f"exported {n} pairs -> {a.zip}")
    except (ValueError, FileNotFoundError) as exc:
        print(f"error: {exc}")
        return 2
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
