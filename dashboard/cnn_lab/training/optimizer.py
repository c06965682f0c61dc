"""The optimizer a run trains with (its recipe's learning rate and schedule), and its state saved with each
checkpoint and put back by name when a run resumes."""

import logging
from pathlib import Path

import numpy as np

from cnn_lab.runs import folders
from cnn_lab.recipes import TrainConfig

log = logging.getLogger(__name__)


def build_optimizer(config: TrainConfig, steps_per_epoch: int):
    import keras

    rate = config.learning_rate
    if config.schedule == "cosine":
        warmup = int(config.warmup_epochs * steps_per_epoch)
        rate = keras.optimizers.schedules.CosineDecay(
            initial_learning_rate=0.0 if warmup else rate,
            warmup_target=rate if warmup else None,
            warmup_steps=warmup,
            decay_steps=max(1, config.epochs * steps_per_epoch - warmup),
        )
    if config.weight_decay:
        return keras.optimizers.AdamW(rate, weight_decay=config.weight_decay)
    return keras.optimizers.Adam(rate)


def optimizer_state(optimizer, weights) -> dict:
    """The optimizer's variables by names that depend neither on their order nor on the prefixes Keras
    gives them ("adam_1/", "cnn_"): "conv1/kernel:momentum" for a slot of a weight, "iteration" for its own."""
    owners = {w.path.replace("/", "_") + "_": "/".join(w.path.split("/")[-2:]) for w in weights}
    named = {}
    for v in optimizer.variables:
        owner = max((p for p in owners if v.name.startswith(p)), key=len, default=None)
        named[f"{owners[owner]}:{v.name[len(owner) :]}" if owner else v.name] = v
    if len(named) != len(optimizer.variables):
        raise ValueError("two optimizer variables have the same name: their state could not be told apart")
    return named


def save_optimizer(optimizer, weights, path: Path) -> None:
    state = {name: np.asarray(v) for name, v in optimizer_state(optimizer, weights).items()}
    folders.write_atomic(path, lambda p: np.savez(p, **state))


def restore_optimizer(optimizer, weights, path: Path) -> None:
    """Put a saved state back by the variables' names, never by their order."""
    with np.load(path) as saved:
        if all(name.startswith("arr_") for name in saved.files):  # saved by order, before CNN Lab named them
            log.warning("%s: an optimizer state saved without names; the resumed run starts a fresh one", path)
            return
        mine = optimizer_state(optimizer, weights)
        if set(saved.files) != set(mine):
            raise ValueError(
                f"{path}: the saved optimizer state does not match this network "
                f"(saved: {len(saved.files)} variables, {sorted(set(saved.files) - set(mine))[:3]} "
                f"not here)"
            )
        for name, variable in mine.items():
            variable.assign(saved[name])
