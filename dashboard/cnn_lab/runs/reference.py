"""What the article's own recipe reached when this lab trained it.

`cnn-lab train --preset article`, kept in `assets/reference/article_run.json` by
`scripts/reference_run.py`: its recipe, data, device and test accuracy after every epoch. The
Results page shows it beside the active model, so that a model with a better recipe is not read as
"the same network, trained better"; tests/test_claims.py checks what the text says about it.
No Keras here.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

from cnn_lab.runs.records import Device, Epoch, records
from cnn_lab.settings import ARTICLE_RUN
from cnn_lab.runs.model_card import read_object
from cnn_lab.recipes import TrainConfig


@dataclasses.dataclass
class ReferenceRun:
    config: TrainConfig
    history: list[Epoch]
    data: str
    device: Device | None

    @property
    def epochs_done(self) -> int:
        return len(self.history)

    @property
    def test_accuracy(self) -> float:
        """The test accuracy after the last finished epoch."""
        return self.history[-1].test_accuracy

    @property
    def finished(self) -> bool:
        return self.epochs_done >= self.config.epochs

    def summary(self) -> str:
        """E.g. "77.62 % after 20 epochs", or "70.10 % after 8 of 20 epochs" while unfinished."""
        epochs = f"{self.epochs_done}" if self.finished else f"{self.epochs_done} of {self.config.epochs}"
        return f"{100 * self.test_accuracy:.2f} % after {epochs} epochs"


def article_run(path: Path = ARTICLE_RUN) -> ReferenceRun | None:
    """The article's recipe as this lab trained it, or None if the record is missing or damaged."""
    about = read_object(path)
    if not about.get("history"):
        return None
    try:
        return ReferenceRun(
            TrainConfig.from_dict(about["train"]),
            records(Epoch, about["history"]),
            about["data"],
            Device.from_dict(about["device"]),
        )
    except (KeyError, TypeError, ValueError):
        return None
