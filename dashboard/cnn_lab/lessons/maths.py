"""The arithmetic behind the lesson pages, small enough to read.

Everything here is numpy, checked in the tests against what TensorFlow/Keras compute:

- `greyscale`: the weighted sum of red, green and blue that `tf.image.rgb_to_grayscale` uses;
- `max_pool`: 2x2 max-pooling with stride 2, with the position of each maximum (`MaxPooling2D`);
- `conv2d`: a convolution layer's multiply-and-add over every tile (`Conv2D`, "valid" or "same");
- `channel_step`, `channel_maps`: one filter over all three colours, its bias, then ReLU (`Conv2D` with
  `activation="relu"`);
- `random_batch`: the article's `random_batch()`: 64 distinct training images.

Only `layer_activations` and `augment_with_overflow` use Keras, and import it when called, so
pages that need no network never load TensorFlow.
"""

from __future__ import annotations

import numpy as np

from cnn_lab.network.images import BLUE, ORANGE, rgb
from cnn_lab.settings import BATCH_SIZE, NUM_CLASSES, PIXELS

GREY_WEIGHTS = (0.2989, 0.5870, 0.1140)  # red, green, blue: as tf.image.rgb_to_grayscale


# --- images are numbers ------------------------------------------------------------------------


def greyscale(image) -> np.ndarray:
    """Brightness of each pixel: 0.2989 R + 0.5870 G + 0.1140 B, in the units of the input
    (0-255 for uint8 pixels), as float (H, W)."""
    image = np.asarray(image)
    if image.shape[-1] != 3:
        raise ValueError(f"expected RGB pixels (..., 3), got shape {image.shape}")
    return image.astype(np.float64) @ np.asarray(GREY_WEIGHTS)


def greyscale_uint8(image) -> np.ndarray:
    """`greyscale` of uint8 pixels, rounded to whole numbers 0-255 as a picture stores them (a half up, as
    a student rounds: 0.5 becomes 1; numpy's round would make it 0)."""
    return np.clip(np.floor(greyscale(image) + 0.5), 0, 255).astype(np.uint8)


# --- the dataset -------------------------------------------------------------------------------


def class_counts(labels, classes: int = NUM_CLASSES) -> np.ndarray:
    """How many images of each class."""
    return np.bincount(np.asarray(labels).ravel().astype(np.int64), minlength=classes)


def random_batch(count: int, size: int = BATCH_SIZE, rng=None) -> np.ndarray:
    """Indices of `size` different images out of `count`, as the article's random_batch() draws
    them: np.random.choice(count, size=size, replace=False)."""
    if not 0 < size <= count:
        raise ValueError(f"cannot draw {size} different images out of {count}")
    rng = np.random.default_rng() if rng is None else rng
    return rng.choice(count, size=size, replace=False)


# --- pooling and convolution -------------------------------------------------------------------


def max_pool(x, size: int = 2, stride: int | None = None):
    """Max-pooling of a (H, W) or (H, W, C) array ("valid": windows that do not fit are dropped).

    Returns (pooled, rows, cols): the maximum of each window and where it is in `x`
    (rows[i, j, ...], cols[i, j, ...]); on ties, the first in reading order.
    """
    x = np.asarray(x)
    stride = stride or size
    squeeze = x.ndim == 2
    if squeeze:
        x = x[..., None]
    out_h, out_w = (x.shape[0] - size) // stride + 1, (x.shape[1] - size) // stride + 1
    if out_h < 1 or out_w < 1:
        raise ValueError(f"a {size}x{size} window does not fit in {x.shape[0]}x{x.shape[1]}")
    windows = np.lib.stride_tricks.sliding_window_view(x, (size, size), axis=(0, 1))
    windows = windows[::stride, ::stride][:out_h, :out_w]  # (out_h, out_w, C, size, size)
    flat = windows.reshape(out_h, out_w, x.shape[2], size * size)
    best = flat.argmax(axis=-1)
    pooled = np.take_along_axis(flat, best[..., None], axis=-1)[..., 0]
    rows = np.arange(out_h)[:, None, None] * stride + best // size
    cols = np.arange(out_w)[None, :, None] * stride + best % size
    if squeeze:
        pooled, rows, cols = pooled[..., 0], rows[..., 0], cols[..., 0]
    return pooled, rows, cols


def _same_padding(k: int) -> tuple[int, int]:
    """Keras/TensorFlow "same" padding for stride 1: the odd extra row goes at the end."""
    return (k - 1) // 2, k // 2


def conv2d(image, kernel, bias=None, padding: str = "valid") -> np.ndarray:
    """What a Conv2D layer computes (stride 1, before its activation): for every position, lay
    the kernel on the tile under it, multiply the numbers that meet, add them up (and the bias).

    image (H, W) with kernel (kh, kw) -> (H', W'); or image (H, W, C) with kernel
    (kh, kw, C, filters) as Keras stores it -> (H', W', filters).
    "valid": only where the kernel fits; "same": zero-padded so the output keeps H x W.
    """
    image, kernel = np.asarray(image, np.float64), np.asarray(kernel, np.float64)
    single = image.ndim == 2
    if single:
        if kernel.ndim != 2:
            raise ValueError("a (H, W) image needs a (kh, kw) kernel")
        image, kernel = image[..., None], kernel[:, :, None, None]
    if kernel.ndim != 4 or kernel.shape[2] != image.shape[2]:
        raise ValueError(f"kernel {kernel.shape} does not match image {image.shape}")
    kh, kw = kernel.shape[:2]
    if padding == "same":
        image = np.pad(image, (_same_padding(kh), _same_padding(kw), (0, 0)))
    elif padding != "valid":
        raise ValueError("padding must be 'valid' or 'same'")
    if image.shape[0] < kh or image.shape[1] < kw:
        raise ValueError(f"a {kh}x{kw} kernel does not fit in {image.shape[0]}x{image.shape[1]}")
    tiles = np.lib.stride_tricks.sliding_window_view(image, (kh, kw), axis=(0, 1))  # (H', W', C, kh, kw)
    out = np.einsum("ijcyx,yxcf->ijf", tiles, kernel)
    if bias is not None:
        out = out + np.asarray(bias, np.float64)
    return out[..., 0] if single else out


# One filter of a first layer: a 3 x 3 square of weights for each of red, green and blue (kh, kw, 3), and a
# bias. Whole numbers where they can be, so that a student can follow the sums.
CHANNEL_FILTERS = {
    "red, not blue": (np.stack([np.ones((3, 3)), np.zeros((3, 3)), -np.ones((3, 3))], axis=-1), 0),
    "brighter than mid-grey": (np.full((3, 3, 3), 1 / 27), -128),
    "green's vertical edges": (
        np.stack([np.zeros((3, 3)), np.array([[1, 0, -1], [2, 0, -2], [1, 0, -1]]), np.zeros((3, 3))], axis=-1),
        0,
    ),
}
COLOURS = ("red", "green", "blue")


def relu(x) -> np.ndarray:
    """Keep what is positive, make what is negative 0."""
    return np.maximum(np.asarray(x, np.float64), 0.0)


def channel_step(image, kernel, bias: float, row: int, col: int) -> dict:
    """One filter at one place of an RGB image: the 3 x 3 tile of each colour under it (tile top-left at
    (row, col)), the products of each colour with its square of weights, each colour's sum, the bias, the
    total (one number of one feature map) and what ReLU makes of it. kernel: (kh, kw, 3)."""
    image, kernel = np.asarray(image, np.float64), np.asarray(kernel, np.float64)
    kh, kw, channels = kernel.shape
    if image.ndim != 3 or image.shape[2] != channels:
        raise ValueError(f"kernel {kernel.shape} does not match image {image.shape}")
    if not (0 <= row <= image.shape[0] - kh and 0 <= col <= image.shape[1] - kw):
        raise ValueError(f"the filter does not fit at ({row}, {col})")
    tiles = image[row : row + kh, col : col + kw]
    products = tiles * kernel
    sums = products.sum(axis=(0, 1))
    total = round(float(sums.sum() + bias), 9)  # 27 x 1/27 of a pixel - 128 is 0, not -1e-14
    return {
        "tiles": tiles,
        "products": products,
        "sums": sums,
        "bias": float(bias),
        "total": total,
        "relu": float(relu(total)),
    }


def channel_maps(image, kernel, bias: float) -> dict:
    """One filter's feature map over a whole RGB image ("same" padding, as the network's): `before` ReLU
    (the sums and the bias), `after` it, how many numbers ReLU `zeroed`, and the `largest` in size before."""
    before = conv2d(image, np.asarray(kernel, np.float64)[..., None], [bias], padding="same")[..., 0]
    before = np.round(before, 9)  # a sum that is 0 (27 × 1/27 of a pixel - 128) is 0, not -1e-14
    return {
        "before": before,
        "after": relu(before),
        "zeroed": int((before < 0).sum()),
        "largest": float(np.abs(before).max()),
    }


def conv_step(image, kernel, row: int, col: int) -> dict:
    """One step of a (H, W) x (kh, kw) "valid" convolution: the tile under the kernel at
    (row, col), the products of the numbers that meet, and their sum."""
    image, kernel = np.asarray(image, np.float64), np.asarray(kernel, np.float64)
    kh, kw = kernel.shape
    if not (0 <= row <= image.shape[0] - kh and 0 <= col <= image.shape[1] - kw):
        raise ValueError(f"the kernel does not fit at ({row}, {col})")
    tile = image[row : row + kh, col : col + kw]
    products = tile * kernel
    return {"tile": tile, "products": products, "sum": float(products.sum())}


def clip_overlay(after_clip, above, below) -> np.ndarray:
    """Where the clip to [0, 1] changed a picture: the picture dimmed to grey, the pixels that were
    above 1 in orange and those below 0 in blue (float RGB in [0, 1])."""
    overlay = np.repeat((0.25 + 0.5 * greyscale(after_clip))[..., None], 3, axis=-1)
    overlay[above] = np.array(rgb(ORANGE)) / 255
    overlay[below] = np.array(rgb(BLUE)) / 255
    return overlay


def normalise(x) -> np.ndarray:
    """Stretch values to [0, 1] (all zeros if they are all equal): to draw a filter as a picture."""
    x = np.asarray(x, np.float64)
    low, high = x.min(), x.max()
    return (x - low) / (high - low) if high > low else np.zeros_like(x)


def random_grid(size: int, rng=None) -> list[list[int]]:
    """A size x size grid of whole numbers from 0 to 9, to max-pool by hand."""
    rng = rng or np.random.default_rng()
    return rng.integers(0, 10, (size, size)).tolist()


def strongest_maps(maps, count: int) -> list[int]:
    """The `count` feature maps (last axis) with the largest average answer, strongest first."""
    return [int(c) for c in np.argsort(-np.asarray(maps).mean(axis=(0, 1)), kind="stable")[:count]]


def filter_pictures(kernel) -> np.ndarray:
    """A first convolution layer's filters (k, k, 3, count) as `count` uint8 RGB pictures, each stretched to 0-255."""
    kernel = np.asarray(kernel)
    return np.stack([(normalise(kernel[..., f]) * 255).astype(np.uint8) for f in range(kernel.shape[-1])])


# --- Keras (imported when called) --------------------------------------------------------------


def augment_with_overflow(image, count: int = 16, seed: int = 0, factors: dict | None = None) -> dict:
    """The article's random augmentations of one float image in [0, 1] (32, 32, 3), before and
    after the final clip to [0, 1], drawn exactly as `augment.augment_examples(image, count, seed)`
    draws them (same layer, same seed, same factors, same functions). With `factors` (one value
    per version for each of top, left, flip, hue, contrast, brightness, saturation, as
    `ArticleAugmentation.draw` gives them), those are used instead of random ones.

    Returns before_clip / after_clip (count, 24, 24, 3), above / below (count, 24, 24) masks of
    the pixels where some channel went over 1 or under 0, clipped_share (count,) the fraction of
    each version's pixels the clip changed, and the factors.
    """
    from keras import ops

    from cnn_lab.network.augment import ArticleAugmentation

    layer = ArticleAugmentation(mode="article", seed=seed)
    batch = ops.repeat(ops.convert_to_tensor(np.asarray(image, np.float32)[None]), count, axis=0)
    if factors is None:
        factors = layer.draw(count)
    else:
        factors = {
            k: ops.convert_to_tensor(np.asarray(v, bool if k == "flip" else np.float32)) for k, v in factors.items()
        }
    before = ops.convert_to_numpy(layer.apply(batch, factors, clip=False))
    return {
        "before_clip": before,
        "after_clip": np.clip(before, 0.0, 1.0),
        "above": (before > 1.0).any(axis=-1),
        "below": (before < 0.0).any(axis=-1),
        "clipped_share": ((before > 1.0) | (before < 0.0)).any(axis=-1).mean(axis=(1, 2)),
        "factors": {k: ops.convert_to_numpy(v) for k, v in factors.items()},
    }


def augmented(image, step: str, value=None) -> np.ndarray:
    """One step of the article's augmentation, by hand, on one float image in [0, 1] (32, 32, 3), as
    training does it (cnn_lab.network.augment), clipped to [0, 1] to be drawn. `step` and its `value`:
    "crop" (top, left), "flip" (bool), "hue", "contrast", "brightness", "saturation" (a number),
    "center_crop" (no value: what the network gets at test time)."""
    from keras import ops

    from cnn_lab.network import augment

    batch = np.asarray(image, np.float32)[None]
    steps = {
        "crop": lambda: augment.crop(batch, np.array([value[0]]), np.array([value[1]])),
        "flip": lambda: augment.flip(batch, np.array([bool(value)])),
        "hue": lambda: augment.adjust_hue(batch, value),
        "contrast": lambda: augment.adjust_contrast(batch, value),
        "brightness": lambda: augment.adjust_brightness(batch, value),
        "saturation": lambda: augment.adjust_saturation(batch, value),
        "center_crop": lambda: augment.center_crop(batch),
    }
    if step not in steps:
        raise ValueError(f"unknown augmentation step {step!r}; choose from {', '.join(steps)}")
    return np.clip(ops.convert_to_numpy(steps[step]())[0], 0.0, 1.0)


def layer_activations(model, image) -> list[dict]:
    """One uint8 (32, 32, 3) image through a saved classifier, layer by layer: its scaling and
    centre crop, then every layer of the network inside it (see `model.classifier`).

    Returns one dict per layer: name, kind (the Keras class), activation (its name, for the
    layers that have one), output (numpy, without the batch axis), params (its number of weights) and
    trained (how many of them gradient steps set: all but batch-norm's averages).
    """
    from keras import ops

    from cnn_lab.network.model import cnn_of

    x = ops.convert_to_tensor(np.asarray(image, np.uint8)[None])
    steps = [model.get_layer("scale"), model.get_layer("center_crop"), *cnn_of(model).layers]
    out = []
    for layer in steps:
        x = layer(x)
        activation = getattr(layer, "activation", None)
        out.append(
            {
                "name": layer.name,
                "kind": type(layer).__name__,
                "activation": getattr(activation, "__name__", None),
                "output": ops.convert_to_numpy(x)[0],
                "params": int(layer.count_params()),
                # the numbers gradient steps set; the rest (batch-norm's averages) are kept from training
                "trained": sum(int(np.prod(w.shape)) for w in layer.trainable_weights),
            }
        )
    return out


FOLDED = ("BatchNormalization", "ReLU", "Dropout")  # drawn inside the block of the layer before them


def network_outline(steps, shown=None) -> list[dict]:
    """The network as one picture draws it, from `layer_activations`'s steps: a block per step of the picture's
    way to the 10 probabilities, each with its label, its output shape and the parameters training sets in it. The
    batch-norm, ReLU or dropout after a layer is drawn inside that layer's block (named in `also`).
    `shown`: the names of the steps whose output shape may be shown (None: all); the others' is None."""
    blocks = [{"label": "the picture", "shape": PIXELS, "params": 0, "also": [], "shown": True}]
    for step in steps:
        shape, kind = tuple(int(n) for n in np.shape(step["output"])), step["kind"]
        visible = shown is None or step["name"] in shown
        if kind in FOLDED:
            # the same shape as the layer before it: known once either is
            blocks[-1].update(shape=shape, params=blocks[-1]["params"] + step["trained"])
            blocks[-1]["shown"] = blocks[-1]["shown"] or visible
            blocks[-1]["also"].append("batch-norm" if kind == "BatchNormalization" else kind.lower())
            continue
        label = {
            "Rescaling": "÷ 255",
            "Cropping2D": "centre<br>crop",
            "MaxPooling2D": "max-pool<br>2 × 2",
            "Flatten": "flatten",
        }.get(kind, step["name"])
        if kind == "Conv2D":
            label = f"{step['name']}<br>{shape[-1]} filters"
        elif kind == "Dense":
            label = f"{step['name']}<br>{shape[-1]} units"
        also = [step["activation"]] if step.get("activation") in ("relu", "softmax") else []
        blocks.append({"label": label, "shape": shape, "params": step["trained"], "also": also, "shown": visible})
    return blocks
