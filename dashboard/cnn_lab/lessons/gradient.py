"""How a network learns, with one weight: the loss, its slope (the gradient) and steps downhill.

The smallest network there is: one weight `w`, four training photos, two classes. For every photo it
gives the score `w` to "cat" and 0 to "dog"; a softmax turns the two scores into probabilities, so it
says "cat" with e^w / (e^w + 1). Three of the four photos are cats, so no weight is right for all of
them: the loss (the average cross-entropy, -log of the probability given to each photo's true class)
is lowest where the network says "cat" with 3/4, at w = ln 3.

    loss(w)                      # the average cross-entropy over the four photos
    gradient(w)                  # its slope at w: p(cat) - 3/4
    descend(w, rate, steps)      # gradient descent: w <- w - rate * gradient(w), step after step
    score_gradient(scores, true) # softmax + cross-entropy: each score's slope is p, less 1 for the true class

Pure numpy; the tests check the slopes against finite differences of Keras's own loss.
"""

from __future__ import annotations

import numpy as np

CATS, PHOTOS = 3, 4  # three of the four training photos are cats
RATES = (0.1, 0.5, 1, 2, 4, 8, 12, 20)  # the learning rates the page offers: from a crawl to steps that overshoot
BEST = float(np.log(CATS / (PHOTOS - CATS)))  # where p(cat) = 3/4: ln 3


def p_cat(w) -> np.ndarray:
    """The network's probability of "cat": the softmax of the scores (w, 0)."""
    return 1.0 / (1.0 + np.exp(-np.asarray(w, np.float64)))


def loss(w) -> np.ndarray:
    """The average cross-entropy over the four photos: -log p(cat) for each cat, -log p(dog) for the dog."""
    p = p_cat(w)
    return -(CATS * np.log(p) + (PHOTOS - CATS) * np.log(1.0 - p)) / PHOTOS


def gradient(w) -> np.ndarray:
    """The slope of the loss at w: how much it rises for a tiny step to the right (negative: it falls)."""
    return p_cat(w) - CATS / PHOTOS


def descend(start: float, rate: float, steps: int) -> list[dict]:
    """Gradient descent from `start`: each step moves the weight against its slope, rate x slope far.
    Returns one record per position: step, weight, loss, slope."""
    w, path = float(start), []
    for step in range(steps + 1):
        path.append({"step": step, "weight": w, "loss": float(loss(w)), "slope": float(gradient(w))})
        w = w - rate * float(gradient(w))
    return path


def curve(path=(), low: float = -6.0, high: float = 6.0, points: int = 241) -> tuple[np.ndarray, np.ndarray]:
    """The loss along the weight axis from `low` to `high`, widened to every weight of `path`:
    (weights, losses), to draw the slope on."""
    low = min([low, *(p["weight"] - 0.5 for p in path)])
    high = max([high, *(p["weight"] + 0.5 for p in path)])
    weights = np.linspace(low, high, points)
    return weights, loss(weights)


def jumps_past_the_bottom(path) -> int:
    """How many steps of `path` landed on the other side of the bottom (w = ln 3) from where they left."""
    sides = [np.sign(p["weight"] - BEST) for p in path]
    return sum(1 for a, b in zip(sides, sides[1:]) if a and b and a != b)


def score_gradient(scores, true: int) -> np.ndarray:
    """The slope of softmax + cross-entropy for each score: the probability, less 1 for the true class.
    The more wrong an answer, the stronger the push; an answer that is right and sure barely moves."""
    scores = np.asarray(scores, np.float64)
    p = np.exp(scores - scores.max())
    p /= p.sum()
    return p - np.eye(len(scores))[true]
