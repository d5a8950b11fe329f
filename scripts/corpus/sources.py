"""Candidates from the pinned Debian packages: download, unpack, Qt rcc, licences."""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import struct
import subprocess
import sys
import zlib
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote

from corpus.curation import PACKAGES, README_ALIASES

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
