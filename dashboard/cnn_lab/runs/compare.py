"""Runs side by side: the settings in which they differ and what each one reached.

`compare(run_folders)` reads each run's config.json and history.json (nothing is trained or evaluated
again) and returns one plain dict; `table(comparison)` writes it for a terminal (`cnn-lab compare`).

- **what changed**: only the settings whose values are not the same in every run, by their
  TrainConfig names (`model.batch_norm`, `learning_rate`...), plus the data when it differs;
- **each run's numbers**: its final test accuracy (as N/10000 where the run counted its test images),
  its best one and when, its final training accuracy, and the gap between training and test
  accuracy at the end: a large gap means the network learned its training images better than it
  learned what makes a class (overfitting).
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np

from cnn_lab.runs import folders
from cnn_lab.runs.records import Epoch, Status
from cnn_lab.settings import REFERENCE_EXPERIMENTS
from cnn_lab.recipes import TrainConfig

# Experiments trained once on the full CIFAR-10 and shipped (scripts/reference_experiments.py):
# run folders without their models, read-only. The augmentation group opens the Compare page.
AUGMENTATION_GROUP = ("article", "no_augmentation", "crop_flip")
GROUPS = (  # each changes one setting; the page opens on the first one shipped with two runs or more
    AUGMENTATION_GROUP,
    ("fast_rate_1e-2", "fast_rate_1e-3", "fast_rate_1e-4"),
    ("fast_batch_norm", "fast_no_batch_norm"),
)
BLIND_GUESS = 0.1  # one class in 10, picked blindly
SEEDS = ("lesson", "lesson_seed_1")  # the same recipe from two random starts: how far apart chance alone puts two runs
VALIDATION_PAIR = ("lesson", "lesson_validation")  # all 50,000 training images, and 5,000 of them held out


def shipped(references: list[Path], names) -> list[Path] | None:
    """The shipped runs of these names, in that order; None unless every one of them ships."""
    found = [f for name in names for f in references if f.name == name]
    return found if len(found) == len(names) else None


def chance_gap(references: list[Path]) -> dict | None:
    """The two shipped runs that differ only in their seed, and how far apart their test accuracies are:
    {"runs": [folders], "accuracies": [final ones], "points": apart at the end, "widest": apart after the
    epoch where they were furthest apart}; None unless both ship."""
    pair = shipped(references, SEEDS)
    if pair is None:
        return None
    histories = [[h.test_accuracy for h in folders.read_history(f)] for f in pair]
    accuracies = [h[-1] for h in histories]
    widest = max(max(epoch) - min(epoch) for epoch in zip(*histories))  # the largest gap after any one epoch
    return {
        "runs": pair,
        "accuracies": accuracies,
        "points": 100 * (max(accuracies) - min(accuracies)),
        "widest": 100 * widest,
    }


def reference_runs(root: Path | None = None) -> list[Path]:
    """The shipped experiments' folders: the augmentation group first, then the others by name."""
    root = root or REFERENCE_EXPERIMENTS
    found = [f for f in sorted(root.glob("*")) if (f / "config.json").is_file()] if root.is_dir() else []
    first = {name: i for i, name in enumerate(AUGMENTATION_GROUP)}
    return sorted(found, key=lambda f: (first.get(f.name, len(first)), f.name))


def opening(references: list[Path]) -> list[Path]:
    """What the Compare page shows before anyone picks: the first group with two shipped runs or more."""
    for group in GROUPS:
        shipped = [f for f in references if f.name in group]
        if len(shipped) >= 2:
            return shipped
    return references[:2]


def label(folder: Path) -> str:
    """What a run is called: its name, else its id."""
    return folders.run_name(folder) or f"run {Path(folder).name}"


def flatten(settings: dict, prefix: str = "") -> dict:
    """{"model": {"filters": [..]}} -> {"model.filters": [..]}: one name per setting."""
    flat = {}
    for name, value in settings.items():
        if isinstance(value, dict):
            flat.update(flatten(value, f"{prefix}{name}."))
        else:
            flat[f"{prefix}{name}"] = value
    return flat


def differences(settings: list[dict]) -> dict[str, list]:
    """The settings whose values are not all the same, each with every run's value (None where a run
    does not have it), in the order the first run lists them."""
    flat = [flatten(s) for s in settings]
    names = list(dict.fromkeys(name for f in flat for name in f))
    return {name: [f.get(name) for f in flat] for name in names if len({repr(f.get(name)) for f in flat}) > 1}


@dataclasses.dataclass(frozen=True)
class ComparedRun:
    """One run as the Compare page and `cnn-lab compare` show it: its epochs and what it reached."""

    run_id: str
    name: str
    label: str  # its name, else what tells it apart
    history: list[Epoch]
    status: Status
    epochs: int | None  # planned
    augment: str | None
    epochs_done: int
    test_accuracy: float | None  # after its last tested epoch
    test_correct: int | None
    test_images: int | None
    best_test_accuracy: float | None
    best_epoch: int | None
    train_accuracy: float | None  # after its last epoch
    gap: float | None  # training minus test accuracy after its last epoch (None if that one was not tested)

    def to_json(self) -> dict:
        """What `cnn-lab compare --json` prints for it."""
        return {**dataclasses.asdict(self), "history": [h.to_dict() for h in self.history]}


def numbers(history: list[Epoch]) -> dict:
    """What a run reached, from its finished epochs."""
    tested = [h for h in history if h.tested]
    last, best = (tested[-1], max(tested, key=lambda h: h.test_accuracy)) if tested else (None, None)
    trained = history[-1].accuracy if history else None
    return {
        "epochs_done": len(history),
        "test_accuracy": last.test_accuracy if last else None,
        "test_correct": last.test_correct if last else None,
        "test_images": last.test_images if last else None,
        "best_test_accuracy": best.test_accuracy if best else None,
        "best_epoch": best.epoch if best else None,
        "train_accuracy": trained,
        "gap": trained - last.test_accuracy if trained is not None and last is history[-1] else None,
    }


def with_defaults(train: dict) -> dict:
    """A run's saved recipe with every setting it predates at its default (a run saved before the lab had
    a validation set held out none): two runs then differ only where their training did."""
    try:
        return TrainConfig.from_dict(dict(train)).to_dict()
    except (TypeError, ValueError):
        return dict(train)


def data_kind(data: str | None) -> str | None:
    """What a run's data is ("the full CIFAR-10: 50,000 training and 10,000 test images"), not where it was
    read from (the " (archive ...)" after it): two runs on the same data do not differ there."""
    return data.split(" (")[0] if isinstance(data, str) else data


def compare(run_folders: list[Path]) -> dict:
    """Two or more runs, read from their folders: {"runs": [...], "differences": {...}}."""
    if len(run_folders) < 2:
        raise ValueError("compare needs two runs or more")
    seen, configs = [], []
    for folder in map(Path, run_folders):
        config = folders.read_json(folder / "config.json")
        if not isinstance(config, dict) or "train" not in config:
            raise ValueError(f"{folder}: not a run (no readable config.json)")
        configs.append({**with_defaults(config["train"]), "data": data_kind(config.get("data"))})
        history = folders.read_history(folder)
        seen.append(
            ComparedRun(
                run_id=folder.name,
                name=folders.run_name(folder),
                label=label(folder),
                history=history,
                status=folders.status_of(folder),
                epochs=config["train"].get("epochs"),
                augment=config["train"].get("augment"),
                **numbers(history),
            )
        )
    return {"runs": seen, "differences": differences(configs)}


def _percent(value) -> str:
    return "-" if value is None else f"{100 * value:.2f} %"


def final(run: ComparedRun) -> str:
    """A run's final test accuracy: N/10000 (and %) where it counted its test images."""
    if run.test_correct is not None:
        return f"{run.test_correct:,}/{run.test_images:,} ({_percent(run.test_accuracy)})"
    return _percent(run.test_accuracy)


def table(comparison: dict) -> str:
    """The comparison as a text table: one column per run."""
    found = comparison["runs"]
    rows = [("run", [r.run_id for r in found])]
    if any(r.name for r in found):
        rows.append(("name", [r.name or "-" for r in found]))
    rows += [(name, [str(v) for v in values]) for name, values in comparison["differences"].items()]
    rows += [
        ("status", [r.status for r in found]),
        ("epochs done", [f"{r.epochs_done} of {r.epochs}" for r in found]),
        ("final test accuracy", [final(r) for r in found]),
        ("best test accuracy", [f"{_percent(r.best_test_accuracy)} (epoch {r.best_epoch})" for r in found]),
        ("final training accuracy", [_percent(r.train_accuracy) for r in found]),
        ("training - test (the gap)", [_percent(r.gap) for r in found]),
    ]
    if not comparison["differences"]:
        rows.insert(1, ("what changed", ["nothing: the same settings"] * len(found)))
    width = [max(len(name) for name, _ in rows)] + [
        max(len(values[i]) for _, values in rows) for i in range(len(found))
    ]
    lines = [
        "  ".join([name.ljust(width[0])] + [v.ljust(w) for v, w in zip(values, width[1:])]) for name, values in rows
    ]
    return "\n".join(line.rstrip() for line in lines)


def seconds(history: list[Epoch]) -> list[float]:
    """The training time at the end of each epoch, from the start of the run (its epochs' seconds added up)."""
    return [float(t) for t in np.cumsum([h.seconds for h in history])]


def gaps(history: list[Epoch]) -> list[float | None]:
    """Training minus test accuracy after each epoch (None where the epoch was not tested)."""
    return [h.accuracy - h.test_accuracy if h.tested and h.accuracy is not None else None for h in history]


def gap_in_words(run: ComparedRun) -> str:
    """The gap at the end of a run, in plain words."""
    gap = run.gap
    if gap is None:
        return f"{run.label}: not tested yet."
    if run.test_accuracy is not None and run.test_accuracy < BLIND_GUESS + 0.02:
        where = "no gap, but both at a blind guess's 10 %: it learned nothing"
        return f"{run.label}: {100 * gap:+.1f} points ({where})."
    where = (
        "it learned its training images much better than what makes a class: it overfits"
        if gap > 0.10
        else "a gap: it is starting to learn its training images better than new ones"
        if gap > 0.05
        else "a small gap: most of what it learned carries over to new images"
        if gap > 0.02
        else "no gap: it does as well on new images as on its training batches"
        if gap >= -0.02
        else "test above training: training accuracy is measured on augmented photos while the weights still move"
        if run.augment != "none"
        else "test above training: training accuracy is averaged over the epoch while the weights still move"
    )
    return f"{run.label}: {100 * gap:+.1f} points ({where})."


def chosen_epochs(history: list[Epoch]) -> dict | None:
    """A run with a validation set, choosing its best epoch two ways: by the validation accuracy (fair: the
    test set is not looked at) and by the test accuracy (what looking at the test does). None without a
    validation set. {"by_validation": epoch record, "by_test": epoch record}; the first of a tie wins."""
    validated = [h for h in history if h.validated and h.tested]
    if not validated:
        return None
    tested = [h for h in history if h.tested]  # an epoch stopped while validating too
    return {
        "by_validation": max(validated, key=lambda h: h.validation_accuracy),
        "by_test": max(tested, key=lambda h: h.test_accuracy),
    }


def choice_in_words(history: list[Epoch]) -> str | None:
    """The best epoch chosen fairly (by the validation set) and by looking at the test, in words; None
    without a validation set."""
    chosen = chosen_epochs(history)
    if chosen is None:
        return None
    fair, peeked = chosen["by_validation"], chosen["by_test"]
    words = (
        f"Chosen by validation: epoch {fair.epoch}, whose test accuracy is {100 * fair.test_accuracy:.2f} %: "
        "the fair figure for that choice (the run keeps only its last epoch's weights). Chosen by looking at the "
        f"test, epoch {peeked.epoch} would look best ({100 * peeked.test_accuracy:.2f} %)"
    )
    if peeked.test_accuracy <= fair.test_accuracy:  # the same epoch, or one as good on the test
        return words + ": no better than the fair choice this time."
    gain = 100 * (peeked.test_accuracy - fair.test_accuracy)
    return words + f", {gain:.2f} points more, only because the test chose it."


def class_differences(first, second) -> np.ndarray:
    """Per-class accuracy of `second` minus `first` (two Evaluations of the same test set), as fractions."""
    return np.array(list(second.per_class().values())) - np.array(list(first.per_class().values()))


def class_chance(labels, classes: int) -> str:
    """Why a per-class gap between two runs means less than the same gap overall: each class is a few of the
    test images (`labels`), so its accuracy moves more by chance (its spread grows as 1 / sqrt(images))."""
    sizes = np.bincount(np.asarray(labels), minlength=classes)
    fewest, most = int(sizes.min()), int(sizes.max())
    return (
        f"Each class has {fewest:,}" + ("" if fewest == most else f" to {most:,}") + f" of the {len(labels):,} "
        "test images, so its figure moves more by chance than the overall accuracy does: a gap of a few points in "
        "one class, or of a few images in one cell below, may be chance alone."
    )


def confusion_difference(first, second) -> np.ndarray:
    """`second`'s confusion counts minus `first`'s: off the diagonal, below 0 is a confusion that got rarer."""
    if not np.array_equal(first.labels, second.labels):
        raise ValueError("the two evaluations are not of the same test images")
    return second.confusion() - first.confusion()
