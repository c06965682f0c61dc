"""A student's photo, made into what CIFAR-10 looks like: 32x32 RGB pixels.

    original (EXIF orientation applied) -> centre square -> 32x32 (antialiased) -> uint8 array

`open_photo` turns any uploaded bytes into an RGB image or raises PhotoError with a message a
student can read. No TensorFlow here.
"""

from __future__ import annotations

import io

import numpy as np
from PIL import Image, ImageOps, UnidentifiedImageError

MAX_PIXELS = 50_000_000  # larger images are refused before they are decoded (decompression bombs)


class PhotoError(ValueError):
    """The upload is not a photo we can read; the message says why, in plain words."""


def open_photo(data: bytes, max_pixels: int = MAX_PIXELS) -> Image.Image:
    """Decode an upload into an RGB image with its EXIF orientation applied."""
    if not data:
        raise PhotoError("The file is empty.")
    try:
        image = Image.open(io.BytesIO(data))
        if image.width * image.height > max_pixels:
            raise PhotoError(f"The image is {image.width:,} x {image.height:,} pixels: too large to open safely.")
        image.seek(0)  # animated images: the first frame
        image = ImageOps.exif_transpose(image)
        if image.mode in ("RGBA", "LA", "P", "PA"):
            rgba = image.convert("RGBA")
            image = Image.new("RGB", rgba.size, (255, 255, 255))
            image.paste(rgba, mask=rgba.getchannel("A"))
        return image.convert("RGB")
    except PhotoError:
        raise
    except UnidentifiedImageError:
        raise PhotoError("This file is not an image we can read (JPEG, PNG, WebP, BMP or GIF).") from None
    except (OSError, ValueError, Image.DecompressionBombError) as e:
        raise PhotoError(f"The image could not be read: it may be damaged or cut short ({e}).") from None


def square_crop(image: Image.Image) -> Image.Image:
    """The largest centred square."""
    side = min(image.size)
    left, top = (image.width - side) // 2, (image.height - side) // 2
    return image.crop((left, top, left + side, top + side))


def to_cifar(image: Image.Image, size: int = 32) -> np.ndarray:
    """Centre square, resized to size x size with antialiasing, as uint8 (size, size, 3)."""
    return np.asarray(square_crop(image).resize((size, size), Image.LANCZOS), dtype=np.uint8)
