"""A model's card: the JSON file beside a `.keras` file (`default.json` for `default.keras`), written
by scripts/ship_model.py. No Keras here: the Home page reads it without loading TensorFlow."""

from __future__ import annotations

import json
from pathlib import Path


def read_card(model_path) -> dict:
    """The card of a model file as a dict; {} when there is none or it cannot be read."""
    card = Path(model_path).with_suffix(".json")
    try:
        about = json.loads(card.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return about if isinstance(about, dict) else {}


def reported_result(model_path) -> str | None:
    """What the card says the model scored on the CIFAR-10 test set, e.g. "7844/10000 (78.44%)"; None if unknown."""
    result = read_card(model_path).get("test_result")
    return str(result) if result else None
