"""Fooling the network: the smallest change to a picture that makes the network give the answer we pick.

A picture is 32 x 32 x 3 numbers from 0 to 255. Change each by a level or two, in the right direction,
and the network's answer can move to another class while a person still sees the same picture.

How do we find "the right direction"? The same way training finds how to change a weight: with a
gradient. Training asks "how should each *weight* change to make the loss smaller?" and holds the
picture still; here we hold the weights still and ask "how should each *pixel* change to bring the
class we want closer to the top?" The number we push down is the target's gap:

    gap = (log-probability of the strongest other class) - (log-probability of the target)

Below 0, the target is the network's answer. Each step moves every number the network sees by one
level (1/255), against the sign of its slope: up if raising it shrinks the gap, down if lowering it does,
not at all where the slope is exactly 0 (targeted iterative FGSM, the "basic iterative method" of
Kurakin, Goodfellow & Bengio, 2016). No number may move
further than a budget of epsilon levels from the original picture, nor leave 0-255. We start with a
budget of 1 level and give it `STEPS_PER_LEVEL` steps; if the answer has not moved, the budget grows to 2 levels, 3,
... up to `MAX_LEVELS`, each time going on from where the last one stopped. The search stops at the first
picture the network answers with the target, so the budget it used is about as small as this method can
find (a smarter search might need less).

Every step moves whole levels, so the picture the search works on is always a real uint8 picture:
nothing is lost when it is saved as pixels. The gradient goes through everything the saved classifier
does (the scaling to 0-1, the 24 x 24 centre crop, the network, and the average with the mirror image
for a flip-TTA model), and the saved classifier itself checks the final picture. The 4-pixel border
the crop cuts off never reaches the network, so it is never changed. Everything is deterministic:
the same picture, model and target give the same changed picture.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable

import keras
import numpy as np
from keras import ops

from cnn_lab.network.explain import has_flip_tta
from cnn_lab.network.gradients import compiled_value_and_gradient
from cnn_lab.network.model import cnn_of
from cnn_lab.network.photo import ranking
from cnn_lab.settings import IMAGE_SIZE, NUM_CLASSES

MAX_LEVELS = 16  # the largest budget tried: no number moves more than 16 of its 255 levels
STEPS_PER_LEVEL = 5  # steps taken at each budget before it grows by one level
GREY = 128  # the difference picture: grey where nothing changed


class CannotFool(ValueError):
    """This model cannot be fooled here (it is not a CNN Lab classifier); the message says why."""


@dataclasses.dataclass
class Attempt:
    """One try at making the network answer `target` for `original`: the changed picture and what it cost."""

    original: np.ndarray  # uint8 (32, 32, 3): the picture as it was
    changed: np.ndarray  # uint8 (32, 32, 3): the picture after the last step (the original if no step)
    target: int  # the class we asked for
    fooled: bool  # the saved classifier answers `target` for `changed`
    budget: int  # the largest change allowed when the search stopped, in levels of 255
    max_levels: int  # the budget the search would not go past
    steps: int  # how many gradient steps were taken
    before: np.ndarray  # (10,) the classifier's probabilities for `original`
    after: np.ndarray  # (10,) its probabilities for `changed`
    seconds: float  # how long the search took

    @property
    def difference(self) -> np.ndarray:
        """changed - original, per number, in levels (int16, from -255 to 255)."""
        return self.changed.astype(np.int16) - self.original.astype(np.int16)

    @property
    def largest_change(self) -> int:
        """The most any one number moved, in levels of 255."""
        return int(np.abs(self.difference).max(initial=0))

    @property
    def values_changed(self) -> int:
        """How many of the picture's 32 x 32 x 3 = 3,072 numbers are different."""
        return int(np.count_nonzero(self.difference))

    @property
    def share_changed(self) -> float:
        return self.values_changed / self.difference.size

    @property
    def answer_before(self) -> int:
        return ranking(self.before)[0]

    @property
    def answer_after(self) -> int:
        return ranking(self.after)[0]


def _class_log_probabilities(cnn: keras.Model, crops, flip_tta: bool):
    """The classifier's 10 log-probabilities for a batch of one 24 x 24 crop in [0, 1], computed from the
    class scores before the softmax (exact where the probabilities are too small for float32)."""
    views = ops.concatenate([crops, ops.flip(crops, axis=2)]) if flip_tta else crops
    *body, last = cnn.layers
    if isinstance(last, keras.layers.Dense) and last.activation is keras.activations.softmax:
        features = views
        for layer in body:
            features = layer(features, training=False)
        log_p = ops.log_softmax(ops.matmul(features, last.kernel) + last.bias, axis=-1)
    else:  # a network whose last layer is not a softmax Dense: take the log of what it outputs
        log_p = ops.log(ops.maximum(cnn(views, training=False), 1e-30))
    if flip_tta:  # the classifier averages the probabilities of the picture and its mirror: log((p1 + p2) / 2)
        return ops.logsumexp(log_p, axis=0) - np.log(2.0)
    return log_p[0]


def target_gap(model: keras.Model) -> Callable:
    """gap(crops, target_one_hot): the strongest other class's log-probability minus the target's, for a batch
    of one (1, 24, 24, 3) float crop in [0, 1], as the saved classifier `model` computes its probabilities.
    Below 0 the classifier answers the target."""
    try:
        cnn = cnn_of(model)
    except ValueError:
        raise CannotFool("This model has no inner network named 'cnn', so it cannot be fooled here.") from None
    flip_tta = has_flip_tta(model)

    def gap(crops, target_one_hot):
        log_p = _class_log_probabilities(cnn, crops, flip_tta)
        strongest_other = ops.max(log_p - 1e9 * target_one_hot)
        return strongest_other - ops.sum(log_p * target_one_hot)

    return gap


_COMPILED: dict[int, tuple[keras.Model, Callable]] = {}  # id(model) -> (model, its compiled gap and slope)


def gap_and_slope(model: keras.Model) -> Callable:
    """f(crops, target_one_hot) -> (gap, d gap / d crops), compiled once per model and kept for the next try."""
    kept = _COMPILED.get(id(model))
    if kept is None or kept[0] is not model:
        if len(_COMPILED) >= 4:  # a few models at most: the oldest is forgotten
            _COMPILED.pop(next(iter(_COMPILED)))
        kept = _COMPILED[id(model)] = (model, compiled_value_and_gradient(target_gap(model)))
    return kept[1]


def crop_box(model: keras.Model) -> slice:
    """The rows (and columns) of the 32 x 32 picture that the network sees: the centre crop."""
    size = cnn_of(model).input_shape[1]
    start = (IMAGE_SIZE - size) // 2
    return slice(start, start + size)


def fool(
    model: keras.Model,
    pixels: np.ndarray,
    target: int,
    max_levels: int = MAX_LEVELS,
    steps_per_level: int = STEPS_PER_LEVEL,
) -> Attempt:
    """Find a small change to the uint8 (32, 32, 3) picture `pixels` that makes the saved classifier `model`
    answer class `target`, growing the budget one level at a time up to `max_levels` (see the module's
    docstring). Returns the Attempt; `fooled` says whether it worked."""
    started = time.perf_counter()
    original = np.asarray(pixels, dtype=np.uint8)
    if original.shape != (IMAGE_SIZE, IMAGE_SIZE, 3):
        raise CannotFool(f"expected a 32 x 32 colour picture, got an array of shape {original.shape}")
    if not 0 <= int(target) < NUM_CLASSES:
        raise CannotFool(f"there are {NUM_CLASSES} classes, numbered 0 to {NUM_CLASSES - 1}; got {target}")
    target = int(target)
    gradient = gap_and_slope(model)
    seen = crop_box(model)
    target_one_hot = np.eye(NUM_CLASSES, dtype=np.float32)[target]
    start = original[seen, seen].astype(np.int16)  # the numbers the network sees, in levels
    levels = start.copy()
    changed = original.copy()

    def check() -> np.ndarray:
        """The saved classifier's own probabilities for the picture as it is now."""
        changed[seen, seen] = levels
        return np.asarray(model.predict_on_batch(changed[None]), np.float64)[0]

    before = np.asarray(model.predict_on_batch(original[None]), np.float64)[0]
    after, steps, budget = before, 0, 0
    fooled = ranking(before)[0] == target
    while not fooled:
        # the numbers exactly as the classifier's scaling makes them from uint8 pixels
        gap, slope = gradient(levels[None].astype(np.float32) * np.float32(1 / 255), target_one_hot)
        if gap < 0:  # the target is ahead: the saved classifier has the last word
            after = check()
            fooled = ranking(after)[0] == target
            if fooled:
                break
        if steps == max_levels * steps_per_level:
            after = check()
            break
        budget = steps // steps_per_level + 1  # 1 level for the first steps, then 2, 3...
        levels = np.clip(levels - np.sign(slope[0]).astype(np.int16), start - budget, start + budget)
        levels = np.clip(levels, 0, 255)
        steps += 1
    changed[seen, seen] = levels
    return Attempt(
        original=original,
        changed=changed,
        target=target,
        fooled=fooled,
        budget=budget,
        max_levels=max_levels,
        steps=steps,
        before=before,
        after=after,
        seconds=time.perf_counter() - started,
    )


def difference_picture(attempt: Attempt) -> np.ndarray:
    """The change made visible: grey (128) where nothing changed, lighter where a number went up, darker where
    it went down, stretched so that the largest change reaches nearly white or black (x 127 / largest change)."""
    largest = max(attempt.largest_change, 1)
    stretched = GREY + attempt.difference.astype(np.float64) * (127 / largest)
    return np.clip(np.round(stretched), 0, 255).astype(np.uint8)


def amplification(attempt: Attempt) -> float:
    """How many times the difference picture stretches the change (127 / the largest change)."""
    return 127 / max(attempt.largest_change, 1)
