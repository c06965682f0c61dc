"""The guesses the lesson pages ask for before they show a result ("predict first").

Each function returns a `Guess`: the question, the one-click options, the right answer and why, all
computed by the same functions the page then draws with (max_pool, conv_step, the augmentation
layer, the layers' outputs, the model's probabilities). No Streamlit here.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from cnn_lab.lessons.maths import conv2d, conv_step, max_pool
from cnn_lab.settings import CROP

SIGNS = ("positive", "about 0", "negative")
# A sum counts as "about 0" when it is within this share of the largest sum (in size) anywhere on the tile:
# pixels are whole numbers up to 255, so on a flat patch an edge filter's sum is a few units, not exactly 0,
# while across an edge it is hundreds. On a tile with no edge at all the largest sum is itself small, so the
# line is never closer to 0 than ABOUT_ZERO_FLOOR of the largest sum the filter can make on 0-255 pixels.
ABOUT_ZERO = 0.1
ABOUT_ZERO_FLOOR = 0.02


@dataclass(frozen=True)
class Guess:
    question: str
    options: tuple[str, ...]
    answer: str
    why: str


def shape_text(shape) -> str:
    """(24, 24, 64) -> "24 × 24 × 64"; (1152,) -> "1,152"."""
    return " × ".join(f"{int(n):,}" for n in shape)


def pool_guess(values, step: int) -> Guess:
    """Step `step` (from 1) of 2x2 max-pooling over `values`: which number goes into the output?"""
    values = np.asarray(values, np.float64)
    pooled, rows, cols = max_pool(values)
    i, j = divmod(step - 1, pooled.shape[1])
    window = values[2 * i : 2 * i + 2, 2 * j : 2 * j + 2].ravel()
    answer = f"{pooled[i, j]:g}"
    return Guess(
        question=f"Step {step}: which number goes into output cell ({i}, {j})?",
        options=tuple(dict.fromkeys(f"{v:g}" for v in window)),  # in reading order: the largest is not always last
        answer=answer,
        why=f"Max-pooling keeps the largest of the window's four numbers ({', '.join(f'{v:g}' for v in window)}): "
        f"{answer}, from row {rows[i, j]}, column {cols[i, j]}.",
    )


def sign_of(value: float, near_zero: float) -> str:
    """The sign of a sum in words: positive, about 0 (within ±near_zero) or negative."""
    if abs(value) <= near_zero:
        return "about 0"
    return "positive" if value > 0 else "negative"


def near_zero(tile, kernel) -> float:
    """How close to 0 a sum of this filter on this tile counts as "about 0": a tenth (ABOUT_ZERO) of the largest
    sum on the tile, and at least ABOUT_ZERO_FLOOR of the largest sum the filter can make at all."""
    kernel = np.asarray(kernel, np.float64)
    possible = 255 * max(kernel[kernel > 0].sum(), -kernel[kernel < 0].sum())
    return max(ABOUT_ZERO * float(np.abs(conv2d(tile, kernel)).max()), ABOUT_ZERO_FLOOR * possible)


def sign_guess(tile, kernel, row: int, col: int) -> Guess:
    """The filter at (row, col) of the tile: will the sum of its products be positive, about 0 or negative?"""
    step = conv_step(tile, kernel, row, col)
    products = step["products"]
    plus, minus = float(products[products > 0].sum()), float(products[products < 0].sum())
    line = near_zero(tile, kernel)
    return Guess(
        question="Where the filter is now, will the sum of the nine products be positive, about 0 or negative?",
        options=SIGNS,
        answer=sign_of(step["sum"], line),
        why=f"The products above 0 add up to {plus:.1f} and those below 0 to {minus:.1f}: together {step['sum']:.1f}. "
        f"A sum within ±{line:.1f} counts as about 0 here: a tenth of the largest sum on this tile, and never "
        "less than 2 % of the largest this filter can make.",
    )


def relu_guess(step: dict) -> Guess:
    """A filter's total at one place (cnn_lab.lessons.maths.channel_step): what does ReLU let through?"""
    total, out = step["total"], step["relu"]
    shown = f"{total:.2f}" if total else "0"
    return Guess(
        question=f"The three colours' sums and the bias add up to {shown}. What does ReLU put into the "
        "feature map here?",
        options=tuple(dict.fromkeys((shown, "0"))),
        answer=shown if out else "0",
        why=f"ReLU keeps a positive number as it is and makes a negative one 0: {shown} stays {shown}."
        if out
        else f"ReLU makes a negative number (or 0) into 0: {shown} becomes 0.",
    )


STEP_WAYS = ("to a larger weight (right)", "to a smaller weight (left)", "nowhere: it stays")


def step_guess(weight: float, slope: float, rate: float) -> Guess:
    """Gradient descent's first step from `weight`, where the loss's slope is `slope`: which way does it go?"""
    answer = STEP_WAYS[2] if slope == 0 else STEP_WAYS[1] if slope > 0 else STEP_WAYS[0]
    return Guess(
        question=f"Here the slope of the loss is {slope:+.3f}. Which way will the first step move the weight?",
        options=STEP_WAYS,
        answer=answer,
        why=f"new weight = weight − rate × slope = {weight:.2f} − {rate:g} × ({slope:+.3f}) = "
        f"{weight - rate * slope:.2f}: against the slope, downhill (unless it jumps too far).",
    )


def shape_options(in_shape, out_shape) -> list[tuple]:
    """The right output shape and up to 3 wrong ones a student might expect, smallest first."""
    out = tuple(int(n) for n in out_shape)
    candidates = [out, tuple(int(n) for n in in_shape)]
    if len(out) == 3:
        h, w, c = out
        candidates += [(h // 2, w // 2, c), (2 * h, 2 * w, c), (h, w, 2 * c), (h, w, c // 2)]
    else:
        candidates += [(out[0] // 2,), (2 * out[0],)]
    distinct = [shape for shape in dict.fromkeys(candidates) if min(shape) > 0][:4]
    return sorted(distinct, key=lambda shape: (len(shape), shape))


def shape_guess(name: str, in_shape, out_shape, what: str) -> Guess:
    """Layer `name` gets `in_shape`: what shape comes out? `what`: what the layer does, in words."""
    answer = shape_text(out_shape)
    return Guess(
        question=f"{shape_text(in_shape)} goes into {name}: what shape comes out?",
        options=tuple(shape_text(shape) for shape in shape_options(in_shape, out_shape)),
        answer=answer,
        why=f"{name} {what}: {shape_text(in_shape)} in, {answer} out.",
    )


def class_guess(probabilities, class_names) -> Guess:
    """Which class will the network say? Its answer is its largest probability."""
    probabilities = np.asarray(probabilities)
    first, second = np.argsort(-probabilities, kind="stable")[:2]
    return Guess(
        question="Which class will the network say?",
        options=tuple(class_names),
        answer=class_names[first],
        why=f"Its largest probability is {class_names[first]} ({probabilities[first]:.1%}); "
        f"next comes {class_names[second]} ({probabilities[second]:.1%}).",
    )


def distractors(labels, label: int | None, count: int = 3, seed: int = 0) -> np.ndarray:
    """`count` different images (indices into `labels`) of classes other than `label` (any class if None)."""
    labels = np.asarray(labels)
    allowed = np.arange(len(labels)) if label is None else np.flatnonzero(labels != label)
    return np.random.default_rng(seed).choice(allowed, size=count, replace=False)


def augmentation_guess(image, others, other_names, seed: int = 0) -> tuple[Guess, np.ndarray]:
    """Four pictures, each a random training version (cnn_lab.network.augment's layer) of `image` or of one of
    `others` (float images in [0, 1], 32 x 32 x 3, described by `other_names`): which one is `image`'s?

    Returns the guess (options "A" to "D") and the four pictures in that order (24 x 24 x 3, in [0, 1])."""
    from keras import ops

    from cnn_lab.network.augment import ArticleAugmentation

    batch = np.stack([image, *others]).astype(np.float32)
    versions = ops.convert_to_numpy(ArticleAugmentation(mode="article", seed=seed)(batch, training=True))
    order = np.random.default_rng(seed).permutation(len(batch))  # order[k]: which image is shown k-th
    letters = tuple("ABCDEFGH"[: len(batch)])
    answer = letters[int(np.flatnonzero(order == 0)[0])]
    rest = ", ".join(f"{letters[k]} is {other_names[order[k] - 1]}" for k in range(len(batch)) if order[k] != 0)
    return (
        Guess(
            question="Which of these four is a training version of your picture?",
            options=letters,
            answer=answer,
            why=f"{answer} is your picture, cut to a random {CROP} × {CROP} window, maybe mirrored, with its colours "
            f"changed; {rest}, each changed in its own random way.",
        ),
        versions[order],
    )


NEIGHBOUR_COUNTS = (1, 5, 8)  # the map's guess: about 1 (as random images would), 5 or 8 of an image's 10 nearest


def neighbours_guess(network_share: float, pixel_share: float | None) -> Guess:
    """The map of the network's last hidden layer: of an image's 10 nearest neighbours on it, how many share its
    true class? `*_share`: image_map.neighbour_agreement of the network's map and, if made, the pixels'."""
    said = min(NEIGHBOUR_COUNTS, key=lambda n: abs(n - 10 * network_share))
    options = tuple(f"about {n} of 10" for n in NEIGHBOUR_COUNTS)
    pixels = f" On the map made from the pixels: {10 * pixel_share:.1f} of 10." if pixel_share is not None else ""
    return Guess(
        question="On the network's map, of a test image's 10 nearest dots, how many are of its own class, on average?",
        options=options,
        answer=options[NEIGHBOUR_COUNTS.index(said)],
        why=f"{10 * network_share:.1f} of 10 on this map.{pixels} Ten random test images would hold about 1 of its "
        "class: CIFAR-10's test set has as many images of each of its 10 classes.",
    )
