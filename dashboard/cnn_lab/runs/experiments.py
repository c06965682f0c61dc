"""One-click experiments: "What if we switch augmentation off?" starts a quick run that differs from a
shipped reference run in exactly one setting, and the class watches the two curves side by side.

The quick kind is the article's recipe on the first 2,000 training images of the full CIFAR-10 for 25
epochs (tested on all 10,000 test images after every epoch): on a 2-core CPU an epoch takes seconds and
the whole run about two minutes, and with so few images overfitting shows early: without augmentation
the training accuracy climbs towards 100 % while the test accuracy stops climbing (BENCHMARKS.md).
Its reference (`QUICK`, nothing changed) is trained once by scripts/reference_experiments.py and ships
as assets/reference/experiments/quick; the experiments' own runs are the class's, in runs/.
(No Keras here: choosing an experiment costs nothing.)
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

from cnn_lab.settings import REFERENCE_EXPERIMENTS
from cnn_lab.recipes import PRESETS, TrainConfig

QUICK = dataclasses.replace(PRESETS["article"], epochs=25, limit=2000)
REFERENCE = "quick"  # its folder under REFERENCE_EXPERIMENTS
REFERENCE_TITLE = "Quick reference: the article's recipe on 2,000 images"


@dataclasses.dataclass(frozen=True)
class Experiment:
    question: str  # what the teacher asks the class, on the button
    change: tuple  # the one setting that differs from QUICK: (field, value)
    look_for: str  # what the class should watch for, once it runs

    @property
    def config(self) -> TrainConfig:
        field, value = self.change
        return dataclasses.replace(QUICK, **{field: value})

    @property
    def title(self) -> str:
        """The run's name, as the Train and Compare pages list it."""
        return f"{self.question} (quick)"


EXPERIMENTS = {
    "no_augmentation": Experiment(
        "What if we switch augmentation off?",
        ("augment", "none"),
        "the training accuracy racing ahead of the test accuracy: the network learns its 2,000 images by "
        "heart, and the gap between the two curves grows epoch after epoch.",
    ),
    "rate_1e-2": Experiment(
        "What if every step were 10 times bigger?",
        ("learning_rate", 1e-2),
        "both curves flat at 10 %, a blind guess: in the article's network, with no batch-norm and no "
        "warm-up, steps that big throw the weights so far in the first batches that it does not learn at "
        "all (the loss stays at 2.30, a fresh network's). The Lesson recipe does peak at this rate: its "
        "batch-norm and its warm-up keep such steps in check.",
    ),
    "rate_1e-4": Experiment(
        "What if every step were 10 times smaller?",
        ("learning_rate", 1e-4),
        "both curves climbing, but slowly: each step is safe and small, so by the last epoch the network "
        "is well behind the reference.",
    ),
}


def reference(root: Path | None = None) -> Path | None:
    """The quick reference's folder, when it ships (read-only: the Compare page's and this page's)."""
    folder = (root or REFERENCE_EXPERIMENTS) / REFERENCE
    return folder if (folder / "history.json").is_file() else None


def which(config: dict | None) -> Experiment | None:
    """The experiment a run's saved config is (None: an ordinary run)."""
    try:
        found = TrainConfig.from_dict(dict(config or {}))
    except (TypeError, ValueError):
        return None
    return next((e for e in EXPERIMENTS.values() if e.config == found), None)
