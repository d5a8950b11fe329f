"""Image processing of the kept corpus photos."""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
from PIL import Image, ImageCms, ImageDraw, ImageOps

from corpus.curation import WEBP_METHOD, WEBP_QUALITY

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
