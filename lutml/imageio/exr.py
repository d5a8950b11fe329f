"""OpenEXR through the OpenEXR bindings (imported on first use): float read, half-float write."""

from __future__ import annotations

import contextlib
import io
import os
import re
import sys
import tempfile
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np

from lutml.imageio.core import _HALF_MAX, ImageReadError, _check_pixels, to_float

_EXR_LOCK = threading.Lock()


def _openexr(p: Path) -> Any:
    """The OpenEXR bindings, imported on first use (`import lutml` stays light)."""
    try:
        import OpenEXR
    except ImportError as exc:
        raise ValueError(
            f"{p}: OpenEXR files need the 'openexr' package (pip install -r requirements.lock)"
        ) from exc
    return OpenEXR


@contextlib.contextmanager
def _exr_messages(lines: list[str]) -> Iterator[None]:
    """Collect into `lines` what the OpenEXR library prints while it works.

    Its C core reports a damaged file on the stderr file descriptor (several lines per bad
    chunk) and its bindings print to ``sys.stdout``, before raising a vaguer exception: both are
    pointed at a temporary file / buffer meanwhile, so the caller can make one clear
    `ImageReadError` of it. A lock keeps concurrent reads from swapping the descriptors twice.
    """
    with _EXR_LOCK, tempfile.TemporaryFile() as sink:
        for stream in (sys.stdout, sys.stderr):
            with contextlib.suppress(Exception):
                stream.flush()
        saved = [os.dup(1), os.dup(2)]
        printed = io.StringIO()
        try:
            os.dup2(sink.fileno(), 1)
            os.dup2(sink.fileno(), 2)
            with contextlib.redirect_stdout(printed), contextlib.redirect_stderr(printed):
                yield
        finally:
            with contextlib.suppress(Exception):  # C stdio's buffer
                import ctypes

                ctypes.CDLL(None).fflush(None)
            for fd, copy in zip((1, 2), saved, strict=True):
                os.dup2(copy, fd)
                os.close(copy)
            sink.seek(0)
            lines.extend(sink.read().decode("utf-8", "replace").splitlines())
            lines.extend(printed.getvalue().splitlines())


def _exr_error(p: Path, exc: Exception, lines: list[str]) -> ImageReadError:
    """One error for a file the OpenEXR library could not read: its own last verdict, if any."""
    core = [m for line in lines if (m := re.search(r"\((EXR_ERR_\w+)\)\s*(.*)", line))]
    if core:
        reason = f"{core[-1].group(1)}: {core[-1].group(2)}"
    elif str(exc).startswith("Unable to open"):  # the file itself was readable (`_head`)
        reason = "its header is damaged or cut short"
    else:
        reason = f"{type(exc).__name__}: {exc}".replace(f"'{p}'", "the file").replace(
            str(p), "the file"
        )
    return ImageReadError(f"{p}: damaged or unreadable OpenEXR image ({reason})")


def _exr_header(p: Path) -> tuple[tuple[int, int], dict]:
    """((width, height) of the data window, header) of a single-part, flat OpenEXR file."""
    OpenEXR = _openexr(p)

    lines: list[str] = []
    try:
        with _exr_messages(lines):
            exr = OpenEXR.File(str(p), header_only=True)
        parts = exr.parts
    except Exception as exc:  # the bindings raise RuntimeError/ValueError/OSError
        raise _exr_error(p, exc, lines) from exc
    if len(parts) != 1:
        raise ImageReadError(
            f"{p}: multi-part OpenEXR ({len(parts)} parts) is not supported; "
            "export the image as a single-part file"
        )
    header = parts[0].header
    if "deep" in str(header.get("type", "")):
        raise ImageReadError(f"{p}: deep OpenEXR (several samples per pixel) is not supported")
    (x0, y0), (x1, y1) = (tuple(int(v) for v in corner) for corner in header["dataWindow"])
    return (x1 - x0 + 1, y1 - y0 + 1), header


def _read_exr(
    p: Path, limit: int | None, notes: list[str] | None = None
) -> tuple[np.ndarray, np.ndarray | None]:
    """An OpenEXR file's R, G, B (or Y) and A channels as float32, values as stored.

    The header is checked first (single part, flat, size within `limit`, channel names), then
    the pixels are decoded. Half and float channels become float32 with every value kept
    (above 1, below 0); only what is not a colour is replaced: NaN by 0, +-inf by +-65504 (the
    largest half). A lone Y (luminance) channel is expanded to grey RGB. The data window is the
    image (an offset against the display window is not kept). Other channels (Z, layers such
    as ``diffuse.R``) are ignored.
    """
    OpenEXR = _openexr(p)

    (width, height), header = _exr_header(p)
    _check_pixels(p, width, height, limit)
    channels = {c.name: c for c in header["channels"]}
    if {"R", "G", "B"} <= channels.keys():
        colour = ["R", "G", "B"]
    elif "Y" in channels and {"X", "Z"} & channels.keys():
        raise ImageReadError(
            f"{p}: OpenEXR image in CIE XYZ (channels X, Y, Z) is not supported; "
            "export it as R, G, B"
        )
    elif "Y" in channels and not {"RY", "BY"} & channels.keys():
        colour = ["Y"]
    else:
        names = ", ".join(sorted(channels)) or "none"
        raise ImageReadError(
            f"{p}: OpenEXR image without R, G, B (or Y) channels (it has: {names}); "
            "export the colour as the R, G, B channels of the default layer"
        )
    wanted = colour + (["A"] if "A" in channels else [])
    for name in wanted:
        c = channels[name]
        if (c.xSampling, c.ySampling) != (1, 1):
            raise ImageReadError(f"{p}: OpenEXR channel {name} is subsampled; not supported")
    lines: list[str] = []
    try:
        with _exr_messages(lines):
            exr = OpenEXR.File(str(p), separate_channels=True)
        planes = {name: exr.channels()[name].pixels for name in wanted}
    except Exception as exc:
        raise _exr_error(p, exc, lines) from exc
    if lines:  # read fine but said something: pass it on
        print("\n".join(lines), file=sys.stderr)
    for name, plane in planes.items():
        if plane.dtype not in (np.float16, np.float32):
            raise ImageReadError(
                f"{p}: OpenEXR channel {name} holds {plane.dtype} values, not half/float colour"
            )
        if plane.shape != (height, width):
            raise ImageReadError(f"{p}: OpenEXR channel {name} does not cover the image")

    def floats(plane: np.ndarray) -> np.ndarray:
        return np.nan_to_num(plane.astype(np.float32), nan=0.0, posinf=_HALF_MAX, neginf=-_HALF_MAX)

    nan = np.zeros((height, width), bool)
    for name in colour:
        nan |= np.isnan(planes[name])
    if nan.size and nan.all():
        raise ImageReadError(f"{p}: every pixel of the OpenEXR image is NaN (not a number)")
    if nan.any() and notes is not None:
        notes.append(f"{p}: {nan.mean():.2%} of the pixels are NaN and were read as 0")
    rgb = np.stack([floats(planes[name]) for name in colour], axis=-1)
    if rgb.shape[-1] == 1:
        rgb = np.repeat(rgb, 3, axis=-1)
    alpha = floats(planes["A"]) if "A" in planes else None
    return np.ascontiguousarray(rgb), alpha


def _write_exr(tmp: Path, rgb: np.ndarray, alpha: np.ndarray | None) -> None:
    """Half-float R, G, B (and A) channels, ZIP compressed; float values kept (to half's range),
    8/16-bit codes scaled to [0, 1]."""
    OpenEXR = _openexr(tmp)

    def half(arr: np.ndarray) -> np.ndarray:  # the bindings need C-contiguous planes
        values = np.clip(to_float(arr), -_HALF_MAX, _HALF_MAX)
        return np.ascontiguousarray(values.astype(np.float16))

    planes = {name: half(rgb[..., i]) for i, name in enumerate("RGB")}
    if alpha is not None:
        planes["A"] = half(alpha)
    header = {"compression": OpenEXR.ZIP_COMPRESSION, "type": OpenEXR.scanlineimage}
    with OpenEXR.File(header, planes) as exr:
        exr.write(str(tmp))
