"""The input files of the cases (photos, LUTs, EXRs, TIFFs, damaged JPEGs, models), made once."""

from __future__ import annotations

import os
import shutil
import struct
from collections.abc import Callable
from pathlib import Path

import numpy as np
from PIL import Image
from sample_helpers import jpeg_scan_bounds, make_numpy_look_model

from lutml.imageio import write_image
from lutml.lut import LUT3D, write_cube

from .harness import MODEL

# ---------------------------------------------------------------------------- fixtures


def photo(h: int, w: int, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    y, x = np.mgrid[0:h, 0:w].astype(np.float32) / np.float32(max(h, w))
    img = np.stack(
        [
            0.5 + 0.4 * np.sin(6 * x + rng.uniform(0, 6)),
            0.5 + 0.4 * np.sin(5 * y + rng.uniform(0, 6)),
            0.5 + 0.4 * np.cos(4 * (x + y) + rng.uniform(0, 6)),
        ],
        axis=-1,
    )
    img += rng.normal(0, 0.02, img.shape).astype(np.float32)
    return np.rint(np.clip(img, 0, 1) * 255).astype(np.uint8)


def graded(img: np.ndarray) -> np.ndarray:
    f = img.astype(np.float32) / 255
    out = np.clip(f**0.8 * np.array([1.08, 1.0, 0.9], np.float32), 0, 1)
    return np.rint(out * 255).astype(np.uint8)


def write_cube_text(path: Path, size: int, fn=None, comments: list[str] = ()) -> Path:
    lut = LUT3D.identity(size)
    if fn is not None:
        lut.table = fn(lut.table).astype(np.float32)
    lut.comments = list(comments)
    write_cube(lut, path)
    return path


def exr(path: Path, channels: dict[str, np.ndarray]) -> Path:
    import OpenEXR

    planes = {k: np.ascontiguousarray(v) for k, v in channels.items()}
    with OpenEXR.File({"compression": OpenEXR.ZIP_COMPRESSION}, planes) as f:
        f.write(str(path))
    return path


def patch_sof(src: Path, dst: Path, w: int, h: int) -> Path:
    data = src.read_bytes()
    i = max(data.find(b"\xff\xc0"), data.find(b"\xff\xc2"))
    dst.write_bytes(data[: i + 5] + struct.pack(">HH", h, w) + data[i + 9 :])
    return dst


def setup(work: Path, quick: bool) -> dict[str, Path]:
    """Every input file of the cases, made once."""
    f: dict[str, Path] = {}

    def save(name: str, arr: np.ndarray, **kw) -> Path:
        Image.fromarray(arr).save(work / name, **kw)
        f[name] = work / name
        return work / name

    a = photo(240, 320, 1)
    save("a.png", a)
    save("a_g.png", graded(a))
    save("b.png", photo(240, 320, 2)[::-1, ::-1].copy())
    save("a.jpg", a, quality=92)
    save("a_prog.jpg", a, quality=92, progressive=True)
    save("sbs_photo.png", np.concatenate([photo(240, 160, 3), photo(240, 160, 4)], axis=1))
    save("sbs_good.png", np.concatenate([graded(a[:, :160]), a[:, :160]], axis=1))
    save("shifted.png", np.roll(graded(a), 30, axis=1))
    vignette = graded(a).astype(np.float32)
    yy, xx = np.mgrid[0:240, 0:320]
    vignette *= np.clip(1 - 0.9 * (((yy - 120) / 120) ** 2 + ((xx - 160) / 160) ** 2), 0.05, 1)[
        ..., None
    ]  # a strong vignette: the corners nearly black
    save("vignette.png", np.clip(vignette, 0, 255).astype(np.uint8))

    write_image(work / "a16.png", a.astype(np.float32) / 255, bit_depth=16)
    write_image(work / "a.tif", a.astype(np.float32) / 255, bit_depth=16)
    write_cube_text(work / "gain2.cube", 2, lambda t: t * 2)
    write_cube_text(work / "look.cube", 17, lambda t: t**0.9)
    write_cube_text(work / "id.cube", 5)
    plane = np.full((16, 16), 0.5, np.float32)
    exr(work / "ok.exr", {"R": plane * 3, "G": plane, "B": plane})
    exr(work / "xyz.exr", {"X": plane, "Y": plane, "Z": plane})
    exr(work / "y.exr", {"Y": plane})
    nan = np.full((16, 16), np.nan, np.float32)
    exr(work / "nan.exr", {"R": nan, "G": nan, "B": nan})
    some = plane.copy()
    some[:2] = np.nan
    exr(work / "somenan.exr", {"R": some, "G": some, "B": some})
    import tifffile

    with tifffile.TiffWriter(work / "multi.tif") as tif:
        for s in range(3):
            tif.write(photo(64, 64, s), photometric="rgb")
    with tifffile.TiffWriter(work / "multi16.tif") as tif:
        for s in range(2):
            tif.write(photo(64, 64, s).astype(np.uint16) * 257, photometric="rgb")
    frames = [Image.fromarray(photo(64, 64, s)) for s in range(4)]
    frames[0].save(work / "anim.png", save_all=True, append_images=frames[1:])
    (work / "empty.tif").write_bytes(b"II*\x00\x08\x00\x00\x00")
    (work / "empty_mm.tif").write_bytes(b"MM\x00*\x00\x00\x00\x08" + b"\0" * 6)
    (work / "head.tif").write_bytes(b"II*\x00")
    big = Image.fromarray(photo(256, 384, 7))
    big.save(work / "small.jpg", quality=90)
    patch_sof(work / "small.jpg", work / "sof2000.jpg", 2000, 2000)
    patch_sof(work / "small.jpg", work / "sof9000.jpg", 9000, 9000)
    big.save(work / "small_prog.jpg", quality=90, progressive=True)
    patch_sof(work / "small_prog.jpg", work / "sof2000_prog.jpg", 2000, 2000)
    data = (work / "small.jpg").read_bytes()
    (work / "cut50.jpg").write_bytes(data[: len(data) // 2])
    (work / "cut90.jpg").write_bytes(data[: len(data) * 9 // 10])
    (work / "noeoi.jpg").write_bytes(data[:-2])
    mid = bytearray(data)
    mid[len(mid) // 2 : len(mid) // 2 + 1024] = (
        np.random.default_rng(0).integers(0, 255, 1024, dtype=np.uint8).tobytes()
    )
    (work / "random_mid.jpg").write_bytes(bytes(mid))
    more_jpegs(work, big)
    # LUT files
    for name in ("z.cube", "z.png", *(f"fifo{s}" for s in (".cube", ".3dl", ".clf", ".csp"))):
        if (work / name).is_symlink() or (work / name).exists():  # --keep: made before
            (work / name).unlink()
    (work / "z.cube").symlink_to("/dev/zero")
    (work / "z.png").symlink_to("/dev/zero")
    for suffix in (".cube", ".3dl", ".clf", ".csp"):
        os.mkfifo(work / f"fifo{suffix}")
    (work / "dir.cube").mkdir(exist_ok=True)
    (work / "huge_size.cube").write_text("LUT_3D_SIZE 100000\n0 0 0\n")
    (work / "huge_1d.cube").write_text("LUT_1D_SIZE 10000000\n0 0 0\n")
    with open(work / "endless.cube", "wb") as fh:
        fh.write(b"# ")
        fh.write(b"x" * (50 << 20))
    comment = "# " + "c" * 998 + "\n"
    with open(work / "comments.cube", "w") as fh:
        for _ in range(60_000):  # 60 MB of comments
            fh.write(comment)
        fh.write("LUT_3D_SIZE 2\n")
        for b in (0, 1):
            for g in (0, 1):
                for r in (0, 1):
                    fh.write(f"{r} {g} {b}\n")
    # models
    shutil.rmtree(work / "M", ignore_errors=True)
    shutil.rmtree(work / "T", ignore_errors=True)
    if MODEL.is_dir():
        shutil.copytree(MODEL, work / "M")
    else:  # no trained model: a tiny NumPy one
        tiny_model(work / "M")
    tiny_model(work / "T")
    if not quick:
        rng = np.random.default_rng(5)
        t = np.clip(
            np.asarray(__import__("lutml.lut", fromlist=["x"]).identity_table(256))
            + rng.normal(0, 0.01, (256, 256, 256, 3)).astype(np.float32),
            0,
            1,
        )

        write_cube(LUT3D(t.astype(np.float32)), work / "big256.cube")
        del t
        src12 = np.asarray(Image.fromarray(photo(300, 400, 9)).resize((4000, 3000)))
        save("12mp.jpg", src12, quality=90)
        save("12mp_g.jpg", graded(src12), quality=90)
        del src12
        big24 = Image.fromarray(photo(300, 450, 11)).resize((6000, 4000))
        (work / "stills").mkdir(exist_ok=True)
        for i in range(30):
            big24.save(work / "stills" / f"s{i:02d}.jpg", quality=85)
    return f


def tiny_model(folder: Path) -> Path:
    """The small NumPy look model the cases serve and grade with (no trained one needed)."""
    return make_numpy_look_model(folder, shrinkage={"1": 0.8})


# ---------------------------------------------------------------------------- damage helpers


def damaged_model(work: Path, name: str, damage: Callable[[Path], None]) -> Path:
    folder = work / f"M_{name}"
    if not folder.exists():
        shutil.copytree(work / "M", folder)
        damage(folder)
    return folder


def npz_edit(edit: Callable[[dict], dict]) -> Callable[[Path], None]:
    def damage(folder: Path) -> None:
        with np.load(folder / "look_encoder.npz") as z:
            w = {k: z[k] for k in z.files}
        np.savez(folder / "look_encoder.npz", **edit(w))

    return damage


def first_bias(w: dict) -> str:
    return sorted(k for k in w if k.startswith("head.") and k.endswith(".bias"))[-1]


# ---------------------------------------------------------------------------- cases


def flip(data: bytes) -> bytes:
    b = bytearray(data)
    b[len(b) // 2] ^= 0xFF
    return bytes(b)


def more_jpegs(work: Path, img: Image.Image) -> None:
    """Damaged JPEGs of the second pass (corrupt data inside a scan, not only too little of it),
    and sound ones of unusual layouts that must still read."""

    def jpeg(name: str, im: Image.Image = img, **kw) -> bytes:
        im.save(work / name, quality=90, **kw)
        return (work / name).read_bytes()

    def put(name: str, data: bytes) -> None:
        (work / name).write_bytes(data)

    for name, kw in (("zero_mid.jpg", {}), ("zero_mid_prog.jpg", {"progressive": True})):
        data = jpeg(f"src_{name}", **kw)
        s, e = jpeg_scan_bounds(data)
        at = (s + e) // 2
        put(name, data[:at] + bytes(200) + data[at + 200 :])
    data = jpeg("rst.jpg", restart_marker_blocks=4)
    s, e = jpeg_scan_bounds(data)
    first = data.find(b"\xff\xd0", s)
    put("rst_order.jpg", data[: first + 1] + b"\xd3" + data[first + 2 :])
    data = jpeg("plain.jpg")
    s, e = jpeg_scan_bounds(data)
    put("leftover.jpg", data[:e] + bytes(range(1, 200)) + data[e:])
    at = s + (e - s) // 3
    while b"\xff" in data[at - 1 : at + 65]:
        at += 7
    put("del64.jpg", data[:at] + data[at + 64 :])
    put("trailer.jpg", data + b"SAMSUNG TRAILER" * 50)
    patch_sof(work / "plain.jpg", work / "sof_smaller.jpg", 200, 120)
    i = data.find(b"\xff\xc4")  # the first DHT: claim 255 codes of length 1
    put("dht_overfull.jpg", data[: i + 5] + b"\xff" + data[i + 6 :])
    sos = data.find(b"\xff\xda")  # the scan names a component the frame lacks
    put("sos_bad_comp.jpg", data[: sos + 5] + b"\x09" + data[sos + 6 :])
    jpeg("cmyk.jpg", img.convert("CMYK"))
    jpeg("gray.jpg", img.convert("L"))
    jpeg("one_px.jpg", img.resize((1, 1)))
    jpeg("odd_size.jpg", img.resize((17, 9)))
    exif = Image.Exif()
    exif[0x0112] = 6  # rotate 90
    img.save(work / "exif_rot.jpg", quality=90, exif=exif)
    shutil.copy(work / "plain.jpg", work / "jpeg_named.png")
