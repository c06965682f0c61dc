"""Small image helpers shared by the pages: no TensorFlow here."""

from __future__ import annotations

import numpy as np
from PIL import Image


def enlarge(image: np.ndarray, scale: int = 8) -> Image.Image:
    """A uint8 image (H, W, 3) or (H, W) made `scale` times bigger with nearest neighbour: every pixel
    stays a crisp square, never blurred."""
    image = np.asarray(image)
    if image.dtype != np.uint8:
        image = np.clip(np.round(image * 255 if image.max(initial=0) <= 1.0 else image), 0, 255).astype(np.uint8)
    return Image.fromarray(image).resize((image.shape[1] * scale, image.shape[0] * scale), Image.NEAREST)


def grid(images, columns: int = 8, pad: int = 2, fill: int = 255) -> np.ndarray:
    """Tile same-sized uint8 images into one picture, `columns` per row."""
    images = np.asarray(images)
    n, h, w = images.shape[:3]
    rows = -(-n // columns)
    out = np.full((rows * (h + pad) + pad, columns * (w + pad) + pad) + images.shape[3:], fill, np.uint8)
    for i, image in enumerate(images):
        r, c = divmod(i, columns)
        out[pad + r * (h + pad):pad + r * (h + pad) + h, pad + c * (w + pad):pad + c * (w + pad) + w] = image
    return out
