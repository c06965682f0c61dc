"""A model's card: the JSON file beside a `.keras` file (`default.json` for `default.keras`), written
by scripts/ship_model.py; for a run's `model.keras`, the run's `config.json` tells the same things.
No Keras here: the Home page reads it without loading TensorFlow."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

from cnn_lab.recipes import TrainConfig


def read_object(path) -> dict:
    """A JSON file holding an object, as a dict; {} when there is none or it cannot be read."""
    try:
        about = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return about if isinstance(about, dict) else {}


def read_card(model_path) -> dict:
    """The card of a model file as a dict; {} when there is none or it cannot be read."""
    return read_object(Path(model_path).with_suffix(".json"))


def reported_result(model_path) -> str | None:
    """What the card says the model scored on the CIFAR-10 test set, e.g. "7844/10000 (78.44%)"; None if unknown."""
    result = read_card(model_path).get("test_result")
    return str(result) if result else None


@dataclasses.dataclass
class ModelRecord:
    config: TrainConfig | None  # the recipe; None when it is not known (a file from elsewhere)
    is_sample: bool  # trained on the bundled sample, whose training images are CIFAR-10 test images
    data: str | None  # what it was trained on, in words
    epochs_done: int | None = None  # how many epochs it trained (a stopped run's model has fewer than planned)


def model_record(model_path) -> ModelRecord:
    """How a saved model was made, from its card or its run's config.json (nothing known without either)."""
    path = Path(model_path)
    about, history = read_card(path), None
    if not about and path.name == "model.keras":
        about = read_object(path.parent / "config.json")
        try:
            history = json.loads((path.parent / "history.json").read_text(encoding="utf-8"))
        except (OSError, ValueError):
            history = None
    history = about.get("history", history)
    try:
        config = TrainConfig.from_dict(about["train"])
    except (KeyError, TypeError, ValueError):
        config = None
    done = len(history) if isinstance(history, list) else None
    return ModelRecord(config, bool(about.get("is_sample")), about.get("data"), done)
