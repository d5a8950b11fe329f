"""Image files in and out: PNG, JPEG and TIFF at 8 and 16 bits, OpenEXR as float, alpha aside.

Policy (documented in the README): colour is always RGB. Grayscale and palette images are
expanded to RGB; an alpha channel is returned separately so graded outputs can carry it
unchanged; CMYK/YCbCr are converted to RGB by Pillow. Pillow cannot hold 16-bit RGB, so 16-bit
PNGs go through pypng and TIFFs through tifffile. OpenEXR files (usually scene-linear: values
above 1 and below 0 are meaningful) go through the OpenEXR bindings, imported only when an EXR is
read or written; they are read as float32 with every value kept (`bit_depth` 32) and written as
half float. Every writer is atomic. A JPEG whose compressed data is cut short or corrupt is an
error, never a half-grey picture.

The package, one subject a module: `core` (the decoded image, its errors and limits, codes <->
floats), `read` (decoding, format judged by content), `jpeg` and `jpeg_entropy` (damaged-JPEG
checks: markers, then every scan's Huffman-coded data), `tiff`,
`exr` (OpenEXR in and out) and `write` (atomic writers, folder listing). Everything is imported
from here: ``from lutml.imageio import read_image_full``.
"""

from __future__ import annotations

from lutml.imageio.core import (
    FLOAT_DEPTH,
    IMAGE_SUFFIXES,
    ImageData,
    ImageReadError,
    ImageTooLargeError,
    default_max_pixels,
    from_float,
    outside_unit_range,
    to_float,
)
from lutml.imageio.read import image_size, read_image, read_image_full
from lutml.imageio.write import list_images, write_image

__all__ = [
    "FLOAT_DEPTH",
    "IMAGE_SUFFIXES",
    "ImageData",
    "ImageReadError",
    "ImageTooLargeError",
    "default_max_pixels",
    "from_float",
    "image_size",
    "list_images",
    "outside_unit_range",
    "read_image",
    "read_image_full",
    "to_float",
    "write_image",
]
