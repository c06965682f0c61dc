"""The article's line during a run: when the run is expected to pass 78.4 %, and when it did.

A run records the moment it passes the line (training.py, progress.json's "crossed"): its seconds
since Start was pressed and the figure that passed, always measured on every test image, never on
the subset the in-between checks use. When to expect it comes from the run's recipe: the shipped
reference run of the same recipe (assets/reference/experiments) says in which epoch it passed the
line, and the run's own speed says when it will reach that epoch. No Keras here.
"""

from __future__ import annotations

import functools
import json
import math
from pathlib import Path

from cnn_lab.runs import compare
from cnn_lab.formatting import minutes_and_seconds
from cnn_lab.settings import ARTICLE_ACCURACY, ARTICLE_LINE
from cnn_lab.recipes import TrainConfig
from cnn_lab.runs.folders import read_history, read_json
from cnn_lab.runs.records import Snapshot, AccuracyCheck


REFERENCE_DATA = "the full CIFAR-10"  # what every shipped reference run trained on (tests/test_compare_page.py)


def expected_epoch(snap: Snapshot) -> int | None:
    """The epoch this run is expected to pass the line in: its reference run's (reference_epoch), for a run on the
    data the reference runs trained on; None on any other data (on the bundled sample no recipe gets there)."""
    if not (snap.data or "").startswith(REFERENCE_DATA):
        return None
    return reference_epoch(snap.config)


def reference_epoch(config: dict, root: Path | None = None) -> int | None:
    """The epoch in which the shipped reference run of this very recipe first passed the line, on every test
    image: the run with the same seed if one ships, else the first with the same settings and any seed;
    None without such a run, or if it never passed."""
    passed = _passed_in(root or compare.REFERENCE_EXPERIMENTS)
    for key in (_recipe(config, keep_seed=True), _recipe(config)):
        if key is not None and key in passed:
            return passed[key]
    return None


def _recipe(config, keep_seed: bool = False) -> str | None:
    """A recipe's settings (its seed left out unless `keep_seed`) as a key; None if they are not a recipe's."""
    try:
        settings = TrainConfig.from_dict(dict(config)).to_dict()
    except (TypeError, ValueError):
        return None
    return json.dumps(settings if keep_seed else {**settings, "seed": None}, sort_keys=True)


@functools.cache
def _passed_in(root: Path) -> dict[str, int | None]:
    """{recipe: the epoch its reference run passed the line in} for the runs under `root`, by their settings
    with their seed and without it (the first run of those settings counting). Read once: the reference runs
    ship with the lab, and the Train page asks every second."""
    passed = {}
    for folder in compare.reference_runs(root):
        train = read_json(folder / "config.json", {}).get("train")
        above = (h.epoch for h in read_history(folder) if h.tested and h.test_accuracy >= ARTICLE_ACCURACY)
        epoch = next(above, None)
        for key in (_recipe(train, keep_seed=True), _recipe(train)):
            if key is not None and key not in passed:
                passed[key] = epoch
    return passed


def seconds_to_line(snap: Snapshot, expected_epoch: int | None) -> float | None:
    """Seconds until the run is expected to pass the line: until the end of `expected_epoch` at its
    current speed (0 once it is there). None if passed already, not training, or nothing to go by."""
    if snap.crossed or not snap.status.training_now or not expected_epoch:
        return None
    speed, batch = snap.images_per_second, snap.batch_size
    at = snap.position()
    if not speed or not batch or not at.batches_per_epoch:
        return None
    done = (at.epoch - 1) * at.batches_per_epoch + at.batch
    left = max(0, expected_epoch * at.batches_per_epoch - done)
    return left * batch / speed


def crossing_words(crossed: AccuracyCheck) -> str:
    """In words, e.g. "78.4 % passed after 2 min 41 s: 7,861 of 10,000 test images right (78.61 %), in epoch 5"."""
    return (
        f"{ARTICLE_LINE} passed after {minutes_and_seconds(crossed.seconds)}: {crossed.test_correct:,} of "
        f"{crossed.test_images:,} test images right ({100 * crossed.test_accuracy:.2f} %), "
        f"in epoch {math.ceil(crossed.epoch)}"
    )
