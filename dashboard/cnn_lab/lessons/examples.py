"""Which training images the Dataset page shows of each class: a few chosen at random, the same ones
for the same seed (the page's "Show other examples" button moves the seed on)."""

from __future__ import annotations

import numpy as np


def class_examples(labels, classes: int, per_class: int, seed: int) -> list[tuple[np.ndarray, int]]:
    """For each class in order: the indices of `per_class` of its images (all of them if it has fewer),
    drawn without repeats, and how many images it has."""
    labels = np.asarray(labels)
    rng = np.random.default_rng(seed)
    examples = []
    for label in range(classes):
        indices = np.flatnonzero(labels == label)
        examples.append((rng.choice(indices, size=min(per_class, len(indices)), replace=False), len(indices)))
    return examples
