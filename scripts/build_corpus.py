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
import hashlib
import io
import os
import re
import shutil
import struct
import subprocess
import sys
import tempfile
import zlib
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote

import numpy as np
import PIL
from PIL import Image, ImageCms, ImageDraw, ImageOps, features

# --------------------------------------------------------------------------------------------
# Pinned inputs (Debian 12 "bookworm").
# --------------------------------------------------------------------------------------------

PACKAGES = {
    "gcompris-qt-data": (
        "3.1-2",
        "e9cf06ab2105529068df73085784e835d2ff03f870d2a8091f09125d40abac9f",
    ),
    "lomiri-wallpapers-16.04": (
        "20.04.0-2",
        "a99ff6a3bfe451e4cc0682ecb3cc82e71740626d59e4845ae34a0a0e45421eab",
    ),
    "lomiri-wallpapers-20.04": (
        "20.04.0-2",
        "d44e89b8473aafe64a5b678f014862dc31335aaaf18665c544d985d854f1a709",
    ),
}

MIN_SHORT_SIDE = 512  # candidates smaller than this (as shipped) are not considered
SHORT_SIDE = 640  # output short side (pictures between 512 and 640 px keep their size)
WEBP_QUALITY = 85
WEBP_METHOD = 6

CATEGORIES = (
    "people",
    "landscape",
    "animal",
    "building",
    "interior",
    "food",
    "plant",
    "object",
    "vehicle",
    "night",
    "other",
)

LICENCE_URLS = {
    "Public-Domain": "https://creativecommons.org/publicdomain/mark/1.0/",
    "CC0-1.0": "https://creativecommons.org/publicdomain/zero/1.0/",
    "CC-BY-2.0": "https://creativecommons.org/licenses/by/2.0/",
    "CC-BY-3.0": "https://creativecommons.org/licenses/by/3.0/",
    "CC-BY-4.0": "https://creativecommons.org/licenses/by/4.0/",
    "CC-BY-SA-3.0": "https://creativecommons.org/licenses/by-sa/3.0/",
    "CC-BY-SA-4.0": "https://creativecommons.org/licenses/by-sa/4.0/",
}

# --------------------------------------------------------------------------------------------
# Curation.  Keys: gcompris "<activity>/<path under the activity's resource/>",
# lomiri "<package>/<file name>".  Value: (output slug, category).
# --------------------------------------------------------------------------------------------

INCLUDE: dict[str, tuple[str, str]] = {
    # gcompris-qt-data, clickgame: underwater scenes (Wikimedia Commons)
    "clickgame/sea1.webp": ("underwater_baia_road", "landscape"),
    "clickgame/sea2.webp": ("underwater_portus_julius", "landscape"),
    "clickgame/sea3.webp": ("coral_reef_porthole", "animal"),
    "clickgame/sea4.webp": ("black_coral", "animal"),
    "clickgame/sea5.webp": ("underwater_cave_arch", "landscape"),
    "clickgame/sea6.webp": ("basket_starfish", "animal"),
    # erase: wildlife close-ups, 1920x1080
    "erase/alpaca.webp": ("alpaca", "animal"),
    "erase/bee.webp": ("bee_flower", "animal"),
    "erase/butterfly.webp": ("butterfly", "animal"),
    "erase/calf.webp": ("calf", "animal"),
    "erase/camels.webp": ("camels", "animal"),
    "erase/caterpillar.webp": ("caterpillar", "animal"),
    "erase/chamaeleon.webp": ("chameleon_branch", "animal"),
    "erase/cheetah.webp": ("cheetah", "animal"),
    "erase/crab.webp": ("crab", "animal"),
    "erase/dolphin.webp": ("dolphin", "animal"),
    "erase/flying_fox.webp": ("flying_fox", "animal"),
    "erase/gibbon.webp": ("gibbon", "animal"),
    "erase/giraffe.webp": ("giraffe_heads", "animal"),
    "erase/goat.webp": ("goat", "animal"),
    "erase/gorilla.webp": ("gorilla", "animal"),
    "erase/gosling.webp": ("gosling", "animal"),
    "erase/heron.webp": ("heron", "animal"),
    "erase/horse.webp": ("horse_ladakh", "animal"),
    "erase/kingfisher.webp": ("kingfisher", "animal"),
    "erase/kitten.webp": ("kitten", "animal"),
    "erase/long_nosed_monkey.webp": ("proboscis_monkey", "animal"),
    "erase/macaque.webp": ("macaque", "animal"),
    "erase/meerkats.webp": ("meerkats", "animal"),
    "erase/northern_harrier.webp": ("northern_harrier", "animal"),
    "erase/nubian_ibex.webp": ("nubian_ibex", "animal"),
    "erase/penguin.webp": ("penguin", "animal"),
    "erase/pika.webp": ("pika", "animal"),
    "erase/red_panda.webp": ("red_panda", "animal"),
    "erase/rhinoceros.webp": ("rhinoceros", "animal"),
    "erase/spoonbills.webp": ("spoonbills", "animal"),
    "erase/squirrel.webp": ("squirrel", "animal"),
    "erase/toucan.webp": ("toucan", "animal"),
    # explore_farm_animals
    "explore_farm_animals/animals/cat.webp": ("cat_playing", "animal"),
    "explore_farm_animals/animals/chicken.webp": ("chickens", "animal"),
    "explore_farm_animals/animals/cow.webp": ("cow", "animal"),
    "explore_farm_animals/animals/dog.webp": ("german_shepherd", "animal"),
    "explore_farm_animals/animals/duck.webp": ("duck", "animal"),
    "explore_farm_animals/animals/horse.webp": ("horses_nokota", "animal"),
    "explore_farm_animals/animals/owl.webp": ("owl", "animal"),
    "explore_farm_animals/animals/pig.webp": ("pig", "animal"),
    "explore_farm_animals/animals/sheep.webp": ("sheep", "animal"),
    # explore_monuments
    "explore_monuments/egypt/bentPyramid.webp": ("bent_pyramid", "building"),
    "explore_monuments/egypt/greatPyramidOfGiza.webp": ("great_pyramid_giza", "building"),
    "explore_monuments/egypt/meidumPyramid.webp": ("meidum_pyramid", "building"),
    "explore_monuments/egypt/redPyramid.webp": ("red_pyramid", "building"),
    "explore_monuments/france/arlesAmphitheater.webp": ("arles_amphitheatre", "building"),
    "explore_monuments/france/chateaudeChambord.webp": ("chateau_chambord", "building"),
    "explore_monuments/france/chateaudeChenonceau.webp": ("chateau_chenonceau", "building"),
    "explore_monuments/france/citedeCarcassonne.webp": ("carcassonne", "building"),
    "explore_monuments/france/eiffelTower.webp": ("eiffel_tower", "building"),
    "explore_monuments/france/montStMichel.webp": ("mont_saint_michel", "landscape"),
    "explore_monuments/france/palaisdesPapes.webp": ("palais_des_papes", "building"),
    "explore_monuments/france/pontduGard.webp": ("pont_du_gard", "building"),
    "explore_monuments/france/reimsCathedral.webp": ("reims_cathedral", "building"),
    "explore_monuments/france/rocamadour.webp": ("rocamadour", "building"),
    "explore_monuments/germany/aulaPalatina.webp": ("aula_palatina_trier", "building"),
    "explore_monuments/germany/berlinCathedral.webp": ("berlin_cathedral", "building"),
    "explore_monuments/germany/brandenburgGate.webp": ("brandenburg_gate_dusk", "night"),
    "explore_monuments/germany/neuschwansteinCastle.webp": ("neuschwanstein", "building"),
    "explore_monuments/germany/schwerinPalace.webp": ("schwerin_palace", "building"),
    "explore_monuments/germany/trierImperialBaths.webp": ("trier_imperial_baths", "building"),
    "explore_monuments/germany/wormsCathedral.webp": ("worms_cathedral_model", "building"),
    "explore_monuments/india/ajantaCave.webp": ("ajanta_caves", "landscape"),
    "explore_monuments/india/charminar.webp": ("charminar", "building"),
    "explore_monuments/india/gatewayofIndia.webp": ("gateway_of_india_night", "night"),
    "explore_monuments/india/goldenTemple.webp": ("golden_temple", "building"),
    "explore_monuments/india/greatStupa.webp": ("sanchi_stupa", "building"),
    "explore_monuments/india/hawaMahal.webp": ("hawa_mahal", "building"),
    "explore_monuments/india/konarkSunTemple.webp": ("konark_sun_temple", "building"),
    "explore_monuments/india/mysorePalace.webp": ("mysore_palace", "building"),
    "explore_monuments/india/qutubMinar.webp": ("qutub_minar", "building"),
    "explore_monuments/india/rangGhar.webp": ("rang_ghar", "building"),
    "explore_monuments/usa/canyondeChelly.webp": ("canyon_de_chelly", "landscape"),
    "explore_monuments/usa/castillodeSanMarcos.webp": ("castillo_san_marcos", "building"),
    "explore_monuments/usa/fortSumter.webp": ("fort_sumter", "building"),
    "explore_monuments/usa/georgeWashingtonBirthplace.webp": ("washington_birthplace", "building"),
    "explore_monuments/usa/lincolnMemorial.webp": ("lincoln_memorial_night", "night"),
    "explore_monuments/usa/mountRushmore.webp": ("mount_rushmore", "other"),
    "explore_monuments/usa/navajo.webp": ("betatakin_cliff_dwellings", "landscape"),
    "explore_monuments/usa/statueofLiberty.webp": ("statue_of_liberty", "other"),
    "explore_monuments/wonders/chichenItza.webp": ("chichen_itza", "building"),
    "explore_monuments/wonders/christTheRedeemer.webp": ("christ_redeemer_rio", "landscape"),
    "explore_monuments/wonders/colosseum.webp": ("colosseum", "building"),
    "explore_monuments/wonders/greatWallofChina.webp": ("great_wall", "landscape"),
    "explore_monuments/wonders/machuPicchu.webp": ("machu_picchu", "landscape"),
    "explore_monuments/wonders/petra.webp": ("petra", "building"),
    "explore_monuments/wonders/tajMahal.webp": ("taj_mahal", "building"),
    # explore_world_animals
    "explore_world_animals/animals/bison.webp": ("bison", "animal"),
    "explore_world_animals/animals/chameleon.webp": ("garden_lizard", "animal"),
    "explore_world_animals/animals/dragon.webp": ("komodo_dragon", "animal"),
    "explore_world_animals/animals/giraffe.webp": ("giraffes_courtship", "animal"),
    "explore_world_animals/animals/hedgehog.webp": ("hedgehog", "animal"),
    "explore_world_animals/animals/jaguar.webp": ("jaguars", "animal"),
    "explore_world_animals/animals/kangaroo.webp": ("kangaroo_joey", "animal"),
    "explore_world_animals/animals/koala.webp": ("koala", "animal"),
    "explore_world_animals/animals/lemur.webp": ("lemurs", "animal"),
    "explore_world_animals/animals/moose.webp": ("moose", "animal"),
    "explore_world_animals/animals/narwhal.webp": ("narwhals", "animal"),
    "explore_world_animals/animals/panda.webp": ("giant_panda", "animal"),
    "explore_world_animals/animals/polar_bear.webp": ("polar_bear", "animal"),
    "explore_world_animals/animals/scarlet_macaw.webp": ("scarlet_macaw", "animal"),
    # explore_world_music: musicians and instruments
    "explore_world_music/music/africa.webp": ("bata_drums", "object"),
    "explore_world_music/music/america.webp": ("drum_kit_guitar", "object"),
    "explore_world_music/music/australia.webp": ("didgeridoo_player", "people"),
    "explore_world_music/music/italy.webp": ("opera_stage", "people"),
    "explore_world_music/music/japan.webp": ("taiko_festival_night", "night"),
    "explore_world_music/music/mexico.webp": ("mariachi", "people"),
    "explore_world_music/music/orchestra.webp": ("baroque_orchestra", "people"),
    # lomiri-wallpapers (photographs only)
    "lomiri-wallpapers-16.04/Picture_1A_by_freespace.jpg": ("paint_brushes", "object"),
    "lomiri-wallpapers-16.04/Wine_by_Jakkub_Mede.jpg": ("living_room_wine", "interior"),
    "lomiri-wallpapers-16.04/seeding_by_Clements_Engelhardt.jpg": ("dandelion_seeds", "plant"),
    "lomiri-wallpapers-16.04/aitzgorri_by_Aitzol_Berasategi.jpg": ("aitzgorri_autumn", "landscape"),
    "lomiri-wallpapers-16.04/Dragonfly_by_Bolly.jpg": ("tree_branch_sky", "plant"),
    "lomiri-wallpapers-16.04/friends_by_Aitzol_Berasategi.jpg": ("dogs_at_window", "animal"),
    "lomiri-wallpapers-16.04/sunset_by_Aitzol_Berasategi.jpg": ("mountain_sunset", "landscape"),
    "lomiri-wallpapers-16.04/picosdeeuropa_by_Aitzol_Berasategi.jpg": (
        "picos_de_europa",
        "landscape",
    ),
    "lomiri-wallpapers-16.04/Picture_0B_by_freespace.jpg": ("fig_in_bowl", "food"),
    "lomiri-wallpapers-16.04/life_by_Aitzol_Berasategi.jpg": ("forest_stream", "landscape"),
    "lomiri-wallpapers-16.04/Bridge_by_Sander_Klootwijk.jpg": ("bridge_cables_sky", "other"),
    "lomiri-wallpapers-20.04/Kleiber_by_Lukas_Baubkus.jpg": ("nuthatch", "animal"),
}

# Candidates (>= 512 px, free licence) dropped after looking at them, with the reason.
EXCLUDE: dict[str, str] = {
    "erase/swans.webp": "grayscale in effect (white swans on black water, mean chroma ~1/255)",
    "explore_monuments/usa/castleClinton.webp": "black-and-white aerial photograph (1961)",
    "explore_world_music/music/middleeast.webp": "museum object on a large white cut-out background",
    "lomiri-wallpapers-16.04/greentock_by_Peter_Nerlich.jpg": "nearly grayscale stylised product shot",
    "lomiri-wallpapers-16.04/free_by_Peter_Nerlich.jpg": "nearly grayscale (mean chroma ~7/255)",
    "lomiri-wallpapers-16.04/analogpattern_by_Peter_Nerlich.jpg": "abstract texture, not a scene",
    "lomiri-wallpapers-16.04/umang_by_Abhishek_Mudgal.jpg": "computer-generated abstract render",
    "lomiri-wallpapers-20.04/Fossa_by_Jasper_Roks.jpg": "computer-generated render",
    "lomiri-wallpapers-20.04/Infinite-Sea_by_Aury88.jpg": "digital composite / render",
    "lomiri-wallpapers-20.04/Painting-Colors_by__herobrine7gamer.jpg": "graphic design, not a photo",
}

# Whole groups dropped without per-file review, with the reason.
EXCLUDE_PREFIXES: dict[str, str] = {
    "lang/words_sample/": "drawings (clipart on transparent background), no per-file licence",
    "solar_system/": "planet renders on transparent background",
    "hangman/": "fog texture, not a photo",
}

# The gcompris README of explore_monuments misspells one file name.
README_ALIASES = {
    "explore_monuments/germany/audaPalatina.webp": "explore_monuments/germany/aulaPalatina.webp",
}

# --------------------------------------------------------------------------------------------


@dataclass
class Candidate:
    key: str
    package: str
    version: str
    origin_path: str
    data: bytes
    author: str | None = None
    licence_raw: str | None = None
    source_url: str | None = None
    title: str | None = None


def log(*a: object) -> None:
    print(*a, file=sys.stderr)


# ----------------------------------------------------------------------------- packages ----


def fetch_debs(deb_dir: Path | None, work: Path, verify: bool) -> dict[str, Path]:
    debs: dict[str, Path] = {}
    for pkg, (ver, sha) in PACKAGES.items():
        name = f"{pkg}_{ver}_all.deb"
        path = (deb_dir / name) if deb_dir else (work / name)
        if not path.exists():
            if deb_dir:
                sys.exit(f"missing {path}")
            log(f"apt-get download {pkg}={ver}")
            r = subprocess.run(
                ["apt-get", "download", f"{pkg}={ver}"], cwd=work, capture_output=True, text=True
            )
            if r.returncode != 0 or not path.exists():
                sys.exit(
                    f"apt-get download {pkg}={ver} failed (run 'apt-get update' first, or "
                    f"pass --deb-dir with {name}):\n{r.stderr}"
                )
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
        if digest != sha:
            msg = f"{name}: sha256 {digest} != pinned {sha}"
            if verify:
                sys.exit(msg + " (use --no-verify to accept a rebuilt package)")
            log("warning: " + msg)
        debs[pkg] = path
    return debs


def unpack(deb: Path, dest: Path) -> Path:
    dest.mkdir(parents=True, exist_ok=True)
    subprocess.run(["dpkg-deb", "-x", str(deb), str(dest)], check=True)
    return dest


# ----------------------------------------------------------------------------- Qt rcc ------


def _zstd_decompress(b: bytes) -> bytes:
    try:
        import zstandard  # type: ignore[import-not-found]

        return zstandard.ZstdDecompressor().decompress(b, max_output_size=1 << 30)
    except ImportError:
        if not shutil.which("zstd"):
            sys.exit("zstd-compressed rcc entry: install the 'zstd' tool or Python 'zstandard'")
        return subprocess.run(
            ["zstd", "-d", "-c", "-q"], input=b, capture_output=True, check=True
        ).stdout


def read_rcc(path: Path) -> dict[str, bytes]:
    """Every file in a Qt binary resource (.rcc), as {"/resource/path": bytes}.

    Layout: magic b"qres", then big-endian u32 version, tree offset, data offset, names offset
    (version >= 3 adds a u32 of flags).  Tree nodes are 14 bytes (version 1) or 22 bytes (a
    u64 modification time appended): u32 name offset, u16 flags, then for a directory u32 child
    count + u32 first child index, for a file u16 country + u16 language + u32 data offset.
    Flags: 1 zlib (payload starts with a u32 uncompressed length), 2 directory, 4 zstd.
    Data entries: u32 length + bytes.  Names: u16 length, u32 hash, UTF-16BE characters.
    """
    d = path.read_bytes()
    if d[:4] != b"qres":
        raise ValueError(f"{path}: not a Qt rcc file")
    version, tree, data, names = struct.unpack(">IIII", d[4:20])
    node = 14 if version < 2 else 22
    out: dict[str, bytes] = {}

    def name_at(off: int) -> str:
        (n,) = struct.unpack(">H", d[names + off : names + off + 2])
        return d[names + off + 6 : names + off + 6 + 2 * n].decode("utf-16-be")

    def walk(index: int, prefix: str) -> None:
        base = tree + index * node
        name_off, flags = struct.unpack(">IH", d[base : base + 6])
        here = f"{prefix}/{name_at(name_off)}" if index else ""
        if flags & 2:
            count, first = struct.unpack(">II", d[base + 6 : base + 14])
            for child in range(first, first + count):
                walk(child, here)
            return
        (off,) = struct.unpack(">I", d[base + 10 : base + 14])
        (length,) = struct.unpack(">I", d[data + off : data + off + 4])
        raw = d[data + off + 4 : data + off + 4 + length]
        if flags & 1:
            raw = zlib.decompress(raw[4:])
        elif flags & 4:
            raw = _zstd_decompress(raw)
        out[here] = raw

    walk(0, "")
    return out


# ----------------------------------------------------------------------------- licences ----


def parse_stanzas(text: str) -> list[dict[str, str]]:
    """Blank-line separated 'Key: value' stanzas (gcompris READMEs and Debian DEP-5)."""
    stanzas: list[dict[str, str]] = []
    cur: dict[str, str] = {}
    key = None
    for line in text.splitlines() + [""]:
        if not line.strip():
            if cur:
                stanzas.append(cur)
            cur, key = {}, None
            continue
        m = re.match(r"^([A-Za-z-]+):\s*(.*)$", line)
        if m and not line[0].isspace():
            key = m.group(1).lower()
            cur[key] = m.group(2).strip()
        elif key:
            cur[key] = (cur[key] + "\n" + line.strip()).strip()
    return stanzas


def normalise_licence(raw: str | None) -> str | None:
    """SPDX-like id if the licence is in the allowed set, else None."""
    if not raw:
        return None
    t = re.sub(r"[\s_]+", "-", raw.strip().lower())
    if re.search(r"(^|-)(nc|nd)(-|$)", t):
        return None
    if t in ("public-domain", "publicdomain", "pd", "public-domain-mark"):
        return "Public-Domain"
    if re.fullmatch(r"cc0(-1\.0)?", t):
        return "CC0-1.0"
    m = re.fullmatch(r"cc-by(-sa)?-(\d\.\d)", t)
    if m:
        return f"CC-BY{'-SA' if m.group(1) else ''}-{m.group(2)}"
    return None


def clean_author(raw: str | None) -> str:
    if not raw:
        return ""
    s = raw.splitlines()[0].strip()
    s = re.sub(r"^©\s*", "", s)
    s = re.sub(r"^(19|20)\d\d(-(19|20)\d\d)?[.,]?\s+", "", s)  # leading year: "2018. Name"
    s = re.sub(r"(,\s*|\s+)(19|20)\d\d(-(19|20)\d\d)?$", "", s)  # trailing: "Name, 2018"
    s = s.strip()
    if len(s) > 1 and s[0] == s[-1] == '"':
        s = s[1:-1]
    return s


def title_from_url(url: str | None) -> str | None:
    if not url:
        return None
    m = re.search(r"/wiki/File:([^/?#]+)$", url)
    if not m:
        return None
    name = unquote(m.group(1))
    name = re.sub(r"\.(jpe?g|png|tiff?|webp|gif)$", "", name, flags=re.I)
    return name.replace("_", " ").strip()


# ----------------------------------------------------------------------------- candidates --

GC_PREFIX = re.compile(r"^/gcompris/src/activities/([^/]+)/resource/(.*)$")


def gcompris_candidates(root: Path, pkg: str, ver: str) -> list[Candidate]:
    rcc_dir = root / "usr/share/gcompris-qt/rcc"
    cands: dict[str, Candidate] = {}
    for rcc in sorted(rcc_dir.glob("*.rcc")):
        files = read_rcc(rcc)
        meta: dict[str, dict[str, str]] = {}
        for path, blob in sorted(files.items()):
            m = GC_PREFIX.match(path)
            if not m:
                continue
            act, rel = m.groups()
            if os.path.basename(rel) == "README":
                folder = os.path.dirname(rel)
                for st in parse_stanzas(blob.decode("utf-8", "replace")):
                    for f in st.get("files", "").split():
                        key = f"{act}/{folder + '/' if folder else ''}{f}"
                        meta[README_ALIASES.get(key, key)] = st
            elif rel.lower().endswith((".webp", ".jpg", ".jpeg", ".png")):
                key = f"{act}/{rel}"
                cands[key] = Candidate(
                    key, pkg, ver, f"usr/share/gcompris-qt/rcc/{rcc.name}:{path}", blob
                )
        for key, st in meta.items():
            c = cands.get(key)
            if c is None:
                continue
            c.author = st.get("copyright")
            c.licence_raw = st.get("license")
            c.source_url = st.get("source")
            c.title = title_from_url(c.source_url)
    return list(cands.values())


def lomiri_candidates(root: Path, pkg: str, ver: str) -> list[Candidate]:
    copyright_text = (root / f"usr/share/doc/{pkg}/copyright").read_text()
    stanzas = parse_stanzas(copyright_text)
    upstream = stanzas[0].get("source", "")
    by_name = {}
    for st in stanzas[1:]:
        for f in st.get("files", "").split():
            by_name[os.path.basename(f)] = st
    out = []
    for img in sorted((root / "usr/share/backgrounds").glob("*")):
        if not img.is_file():
            continue
        c = Candidate(
            f"{pkg}/{img.name}", pkg, ver, f"usr/share/backgrounds/{img.name}", img.read_bytes()
        )
        st = by_name.get(img.name)
        if st:
            c.author = st.get("copyright")
            c.licence_raw = st.get("license")
            c.source_url = upstream
            c.title = img.stem.split("_by_")[0].replace("_", " ").replace("-", " ").strip()
        out.append(c)
    return out


# ----------------------------------------------------------------------------- images ------

_SRGB = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB"))


def to_srgb(im: Image.Image) -> Image.Image:
    icc = im.info.get("icc_profile")
    im = ImageOps.exif_transpose(im)
    if im.mode != "RGB":
        im = im.convert("RGB")
    if icc:
        prof = ImageCms.ImageCmsProfile(io.BytesIO(icc))
        desc = ImageCms.getProfileDescription(prof).strip().lower()
        # "c2" is the compact sRGB profile Facebook publishes; the rest say sRGB in their name.
        if "srgb" not in desc and desc != "c2":
            im = ImageCms.profileToProfile(
                im,
                prof,
                _SRGB,
                renderingIntent=ImageCms.Intent.RELATIVE_COLORIMETRIC,
                outputMode="RGB",
            )
    return im


def resize_short(im: Image.Image, short: int) -> Image.Image:
    w, h = im.size
    s = min(w, h)
    if s <= short:
        return im
    if w <= h:
        size = (short, round(h * short / w))
    else:
        size = (round(w * short / h), short)
    return im.resize(size, Image.Resampling.LANCZOS)


def encode_webp(im: Image.Image) -> bytes:
    im = Image.frombytes("RGB", im.size, im.tobytes())  # drop every bit of metadata
    buf = io.BytesIO()
    im.save(buf, "WEBP", quality=WEBP_QUALITY, method=WEBP_METHOD)
    return buf.getvalue()


def chroma(im: Image.Image) -> float:
    a = np.asarray(im.resize((64, 64), Image.Resampling.BILINEAR), dtype=np.float32)
    return float((a.max(axis=2) - a.min(axis=2)).mean())


def dhash(im: Image.Image) -> np.ndarray:
    g = np.asarray(im.convert("L").resize((9, 8), Image.Resampling.BILINEAR), dtype=np.float32)
    return (g[:, 1:] > g[:, :-1]).ravel()


def contact_sheet(items: list[tuple[str, Image.Image]], path: Path, cols: int = 8) -> None:
    t = 220
    rows = (len(items) + cols - 1) // cols
    sheet = Image.new("RGB", (cols * t, rows * (t + 14)), (128, 128, 128))
    draw = ImageDraw.Draw(sheet)
    for i, (name, im) in enumerate(items):
        th = im.copy()
        th.thumbnail((t - 4, t - 4))
        x, y = (i % cols) * t, (i // cols) * (t + 14)
        sheet.paste(th, (x + 2, y + 2))
        draw.text((x + 2, y + t), name[:34], fill=(255, 255, 0))
    sheet.save(path)


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

    missing = sorted(set(INCLUDE) - found)
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
    for c, slug, cat, lic in sorted(kept, key=lambda k: k[1]):
        im = to_srgb(Image.open(io.BytesIO(c.data)))
        im = resize_short(im, SHORT_SIDE)
        blob = encode_webp(im)
        fname = f"{slug}.webp"
        (photos / fname).write_bytes(blob)
        shorts.append(min(im.size))
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
            fieldnames=["file", "title", "category", "author", "licence", "source_url", "origin"],
            lineterminator="\n",
        )
        w.writeheader()
        w.writerows(rows)

    total = sum((photos / Path(r["file"]).name).stat().st_size for r in rows)
    lic_count = Counter(r["licence"] for r in rows)
    readme = README_TEMPLATE.format(
        count=len(rows),
        quality=WEBP_QUALITY,
        short=SHORT_SIDE,
        short_min=min(shorts),
        short_max=max(shorts),
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
        f"{len(rows)} photos, {total / 1e6:.2f} MB, short side {min(shorts)}-{max(shorts)} px, "
        f"{len(dropped)} candidates dropped, {len(uncurated)} uncurated"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
