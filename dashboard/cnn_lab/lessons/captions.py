"""The numbers the pages write beside their pictures, read off the arrays, so that a page only draws: a
picture's range of values, the share of pixels a mask marks, a feature map's average, the class with the
most and the fewest images, how many of a class answered, ...

Plain numpy, each checked in tests/test_captions.py against numpy written out. No TensorFlow here.
"""

from __future__ import annotations

import numpy as np


def scaled(pixels) -> np.ndarray:
    """uint8 pixels divided by 255, as float32 from 0 to 1: what the network's first layer makes of them."""
    return np.asarray(pixels).astype(np.float32) / 255


def value_range(values) -> tuple:
    """(smallest, largest) value, as Python numbers (whole numbers stay whole)."""
    values = np.asarray(values)
    return values.min().item(), values.max().item()


def colour_limit(values) -> float:
    """The largest size of a value (1.0 if all are 0): a colour scale from -limit to +limit keeps 0 white."""
    return float(np.abs(values).max()) or 1.0


def share(mask) -> float:
    """The fraction of a mask that is True (of the pixels, of the values)."""
    return float(np.mean(mask))


def share_outside(values, low: float = 0.0, high: float = 1.0) -> float:
    """The fraction of the values below `low` or above `high`."""
    values = np.asarray(values)
    return share((values < low) | (values > high))


def most_clipped(shares) -> int | None:
    """The version whose clip changed the largest share of its pixels (the first of a tie); None if none changed."""
    shares = np.asarray(shares)
    return int(shares.argmax()) if shares.max() > 0 else None


def most_and_fewest(counts) -> tuple[int, int]:
    """(the class with the most images, the class with the fewest), the first of a tie."""
    return int(np.argmax(counts)), int(np.argmin(counts))


def map_average(maps, index: int) -> float:
    """The average of feature map `index` (the last axis) of maps (rows, columns, maps)."""
    return float(np.asarray(maps)[..., index].mean())


def above_zero(values) -> int:
    """How many of the values are above 0."""
    return int((np.asarray(values) > 0).sum())


def nearly_equal(first, second, tolerance: float = 1e-4) -> bool:
    """Whether two arrays of probabilities differ nowhere by more than `tolerance` (and a hair)."""
    return bool(np.allclose(first, second, atol=tolerance))


def counted_shares(counts) -> tuple[int, np.ndarray]:
    """(how many were counted, each count's share of them): all shares 0 when none were."""
    counts = np.asarray(counts)
    total = int(counts.sum())
    return total, counts / max(total, 1)
