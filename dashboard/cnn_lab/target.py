"""The article's line during a run: when the run is expected to pass 78.4 %, and when it did.

A run records the moment it passes the line (training.py, progress.json's "crossed"): its seconds
since Start was pressed and the figure that passed, always measured on every test image, never on
the subset the in-between checks use. When to expect it comes from the run's recipe: the shipped
reference run of the same recipe (assets/reference/experiments) says in which epoch it passed the
line, and the run's own speed says when it will reach that epoch. No Keras here.
"""

from __future__ import annotations

import math
from pathlib import Path

from .compare import reference_runs
from .formatting import minutes_and_seconds
from .recipes import ARTICLE_ACCURACY, TrainConfig
from .runs import TRAINING_NOW, position, read_json

LINE = f"{100 * ARTICLE_ACCURACY:.1f} %"


def reference_epoch(config: dict, root: Path | None = None) -> int | None:
    """The epoch in which the shipped reference run of this very recipe (same settings, any seed) first
    passed the line, on every test image; None without such a run, or if it never passed."""
    try:
        wanted = {**TrainConfig.from_dict(dict(config)).to_dict(), "seed": None}
    except (TypeError, ValueError):
        return None
    for folder in reference_runs(root):
        saved = read_json(folder / "config.json", {}).get("train")
        try:
            same = saved is not None and {**TrainConfig.from_dict(dict(saved)).to_dict(), "seed": None} == wanted
        except (TypeError, ValueError):
            same = False
        if same:
            history = read_json(folder / "history.json", [])
            return next((h["epoch"] for h in history if (h.get("test_accuracy") or 0) >= ARTICLE_ACCURACY), None)
    return None


def seconds_to_line(snap: dict, expected_epoch: int | None) -> float | None:
    """Seconds until the run is expected to pass the line: until the end of `expected_epoch` at its
    current speed (0 once it is there). None if passed already, not training, or nothing to go by."""
    if snap.get("crossed") or snap.get("status") not in TRAINING_NOW or not expected_epoch:
        return None
    speed, batch = snap.get("images_per_second"), (snap.get("config") or {}).get("batch_size")
    at = position(snap)
    if not speed or not batch or not at["batches_per_epoch"]:
        return None
    done = (at["epoch"] - 1) * at["batches_per_epoch"] + at["batch"]
    left = max(0, expected_epoch * at["batches_per_epoch"] - done)
    return left * batch / speed


def crossing_words(crossed: dict) -> str:
    """In words, e.g. "78.4 % passed after 2 min 41 s: 7,861 of 10,000 test images right (78.61 %), in epoch 5"."""
    return (
        f"{LINE} passed after {minutes_and_seconds(crossed['seconds'])}: {crossed['test_correct']:,} of "
        f"{crossed['test_images']:,} test images right ({100 * crossed['test_accuracy']:.2f} %), "
        f"in epoch {math.ceil(crossed['epoch'])}"
    )
