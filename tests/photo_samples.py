"""Files students might upload, good and bad, made in memory for the photo tests.

The real photographs are the ones scikit-image ships (Chelsea the cat, a cup of coffee, the
astronaut Eileen Collins); the bad files are built byte by byte.
"""

from __future__ import annotations

import io
import struct
import zlib

import numpy as np
from PIL import Image


def real_photos() -> dict[str, np.ndarray]:
    from skimage import data

    return {"chelsea": data.chelsea(), "coffee": data.coffee(), "astronaut": data.astronaut()}


def encode(image: Image.Image, fmt: str = "JPEG", **kwargs) -> bytes:
    out = io.BytesIO()
    image.save(out, fmt, **kwargs)
    return out.getvalue()


def cat() -> Image.Image:
    from skimage import data

    return Image.fromarray(data.chelsea())


def cat_jpeg(size=None, **kwargs) -> bytes:
    image = cat() if size is None else cat().resize(size, Image.LANCZOS)
    return encode(image, "JPEG", quality=90, **kwargs)


def png_with_size(width: int, height: int) -> bytes:
    """A valid little PNG whose header claims width x height pixels (a decompression bomb)."""
    data = bytearray(encode(Image.new("RGB", (64, 64), (0, 128, 255)), "PNG"))
    data[16:24] = struct.pack(">II", width, height)
    data[29:33] = struct.pack(">I", zlib.crc32(bytes(data[12:29])))
    return bytes(data)


def jpeg_with_size(width: int, height: int) -> bytes:
    """A little JPEG whose frame header claims width x height pixels."""
    data = bytearray(encode(Image.new("RGB", (64, 64), (200, 30, 30)), "JPEG"))
    sof = data.index(b"\xff\xc0")
    data[sof + 5 : sof + 9] = struct.pack(">HH", height, width)
    return bytes(data)


def animated_gif() -> bytes:
    frames = [Image.new("RGB", (64, 64), colour) for colour in ((255, 0, 0), (0, 255, 0), (0, 0, 255))]
    return encode(frames[0], "GIF", save_all=True, append_images=frames[1:], duration=100, loop=0)


def palette_transparent_png() -> bytes:
    image = cat().resize((96, 64)).convert("P", palette=Image.ADAPTIVE, colors=64)
    pixels = np.asarray(image).copy()
    pixels[:, :32] = 0  # the left third uses colour 0, which is made transparent
    image = _with_palette(pixels, image)
    return encode(image, "PNG", transparency=0)


def _with_palette(pixels: np.ndarray, like: Image.Image) -> Image.Image:
    out = Image.frombytes("P", like.size, pixels.tobytes())
    out.putpalette(like.getpalette())
    return out


def rgba_png() -> bytes:
    rgba = cat().resize((96, 64)).convert("RGBA")
    alpha = np.full((64, 96), 255, np.uint8)
    alpha[:, :32] = 0
    rgba.putalpha(Image.fromarray(alpha))
    return encode(rgba, "PNG")


def png16() -> bytes:
    grey = (np.linspace(0, 65535, 64 * 64).reshape(64, 64)).astype(np.uint16)
    return encode(Image.fromarray(grey), "PNG")


def bad_files(limit_bytes: int = 20 * 1024 * 1024) -> dict[str, tuple[bytes, str]]:
    """name -> (content, a phrase the message about it must contain)."""
    jpeg = cat_jpeg()
    return {
        "empty.jpg": (b"", "empty"),
        "homework.jpg": (b"My essay about cats.\nCats are mammals.\n" * 20, "text"),
        "scan.jpg": (b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n", "PDF"),
        "cut.jpg": (jpeg[: len(jpeg) // 2], "cut short"),
        "bomb.png": (png_with_size(60_000, 60_000), "decompression bomb"),
        "bomb.jpg": (jpeg_with_size(40_000, 40_000), "decompression bomb"),
        "big.png": (png_with_size(9_000, 9_000), "decompression bomb"),
        "tiny.png": (encode(Image.new("RGB", (1, 1), (255, 0, 0)), "PNG"), "1 x 1"),
        "iphone.heic": (b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic" + bytes(200), "HEIC"),
        "huge.jpg": (b"\xff\xd8\xff" + bytes(limit_bytes + 1024 * 1024), "upload limit"),
    }


def odd_files() -> dict[str, tuple[bytes, str]]:
    """Images that can be read once something is done to them: name -> (content, the note about it)."""
    return {
        "cmyk.jpg": (encode(cat().convert("CMYK"), "JPEG", quality=90), "CMYK"),
        "deep.png": (png16(), "16-bit"),
        "palette.png": (palette_transparent_png(), "transparent"),
        "rgba.png": (rgba_png(), "transparent"),
        "animated.gif": (animated_gif(), "first frame"),
    }
