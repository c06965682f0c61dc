"""Small image helpers shared by the pages, and the lab's one palette: no TensorFlow here."""

from __future__ import annotations

import io

import numpy as np
from PIL import Image

# Okabe-Ito: colours every kind of colour vision tells apart. Every chart and every marked picture uses these.
OKABE_ITO = ORANGE, SKY_BLUE, GREEN, YELLOW, BLUE, VERMILLION, PURPLE, BLACK, GREY = (
    "#E69F00",
    "#56B4E9",
    "#009E73",
    "#F0E442",
    "#0072B2",
    "#D55E00",
    "#CC79A7",
    "#000000",
    "#999999",
)


# Ten classes need ten colours, more than Okabe-Ito has: Paul Tol's "muted" scheme (made to be told apart with
# any colour vision) and black, one per CIFAR-10 class, in the classes' order. The map adds a shape per class.
CLASS_COLOURS = (
    "#332288",
    "#88CCEE",
    "#44AA99",
    "#117733",
    "#999933",
    "#DDCC77",
    "#CC6677",
    "#882255",
    "#AA4499",
    "#000000",
)


def rgb(colour: str) -> tuple[int, int, int]:
    """ "#E69F00" -> (230, 159, 0)."""
    return tuple(int(colour[i : i + 2], 16) for i in (1, 3, 5))


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
        out[pad + r * (h + pad) : pad + r * (h + pad) + h, pad + c * (w + pad) : pad + c * (w + pad) + w] = image
    return out


def jpeg(pixels: np.ndarray, quality: int = 85) -> bytes:
    """A uint8 picture as a JPEG file's bytes (a tenth of the PNG's size for photos)."""
    out = io.BytesIO()
    Image.fromarray(np.asarray(pixels, np.uint8)).save(out, format="JPEG", quality=quality)
    return out.getvalue()


SPRITE_COLUMNS = 100  # images to a row of a sprite: the 10,000 test images make a 3,200 x 3,200 picture


def sprite(images, columns: int = SPRITE_COLUMNS) -> bytes:
    """Every image, side by side with no gap, `columns` to a row, in one JPEG a browser loads once and cuts
    image i from: column i % columns, row i // columns. 32-pixel images fill whole 8 x 8 (and 16 x 16 colour)
    blocks of the JPEG, so no image's colours bleed into its neighbour's."""
    return jpeg(grid(images, columns=columns, pad=0))


def outlined(pixels, top: int, left: int, size: int, scale: int = 5) -> np.ndarray:
    """The image enlarged `scale` times, with a size x size window at (top, left) framed in orange."""
    big = np.asarray(enlarge(pixels, scale)).copy()
    y0, x0, y1, x1 = top * scale, left * scale, (top + size) * scale - 1, (left + size) * scale - 1
    for t in range(2):
        big[y0 + t, x0 : x1 + 1] = big[y1 - t, x0 : x1 + 1] = rgb(ORANGE)
        big[y0 : y1 + 1, x0 + t] = big[y0 : y1 + 1, x1 - t] = rgb(ORANGE)
    return big
