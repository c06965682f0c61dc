"""Train the reference experiments the Compare page ships with, on the full CIFAR-10, and keep each
one's config.json and history.json under assets/reference/experiments/<name>/ (no model: they are for
comparing curves and numbers).

    python scripts/reference_experiments.py --data ../shared/data/cifar-10-python.tar.gz --work ../refruns
    python scripts/reference_experiments.py --only no_augmentation ...   # one of them

Each group changes one setting and keeps the same number of epochs:

- augmentation: the article's recipe (20 epochs) with the article's augmentation, with none, and with
  crop and flip only (the first is assets/reference/article_run.json);
- learning rate: the fast recipe (8 epochs) at 1e-2, 1e-3 and 1e-4;
- batch-norm: the fast recipe (8 epochs, its own rate 2e-3) with batch-norm and without;
- lesson: the lesson recipe (7 epochs), from which the Train page expects when a lesson run passes 78.4 %;
- noise: the lesson recipe again with seed 1, its only difference: how far two runs apart by chance alone;
- validation: the lesson recipe with its last 5,000 training images held out as a validation set, to
  choose by without looking at the test set;
- quick: the one-click experiments' reference (cnn_lab.runs.experiments: the article's recipe on 2,000 images).

A run that is stopped or killed resumes where it was when this script is run again.
"""

import argparse
import dataclasses
import sys
from pathlib import Path

from cnn_lab.runs import folders
from cnn_lab.runs.compare import data_kind
from cnn_lab.settings import PROJECT_ROOT
from cnn_lab.runs.experiments import QUICK, REFERENCE, REFERENCE_TITLE
from cnn_lab.recipes import PRESETS
from cnn_lab.runs.reference import ARTICLE_RUN

ARTICLE, FAST = PRESETS["article"], PRESETS["fast"]
TITLES = {
    "article": "The article's recipe (its augmentation)",
    "no_augmentation": "The article's recipe, no augmentation",
    "crop_flip": "The article's recipe, crop and flip only",
    "fast_rate_1e-2": "Fast recipe, learning rate 1e-2",
    "fast_rate_1e-3": "Fast recipe, learning rate 1e-3",
    "fast_rate_1e-4": "Fast recipe, learning rate 1e-4",
    "fast_batch_norm": "Fast recipe, with batch-norm",
    "fast_no_batch_norm": "Fast recipe, without batch-norm",
    "lesson": "Lesson recipe (a whole run inside a lesson)",
    "lesson_seed_1": "Lesson recipe, seed 1 (another random start)",
    "lesson_validation": "Lesson recipe, 5,000 training images held out for validation",
    REFERENCE: REFERENCE_TITLE,
}
EXPERIMENTS = {
    "no_augmentation": dataclasses.replace(ARTICLE, augment="none"),
    "crop_flip": dataclasses.replace(ARTICLE, augment="crop_flip"),
    "fast_rate_1e-2": dataclasses.replace(FAST, learning_rate=1e-2),
    "fast_rate_1e-3": dataclasses.replace(FAST, learning_rate=1e-3),
    "fast_rate_1e-4": dataclasses.replace(FAST, learning_rate=1e-4),
    "fast_batch_norm": FAST,
    "fast_no_batch_norm": dataclasses.replace(FAST, model=dataclasses.replace(FAST.model, batch_norm=False)),
    "lesson": PRESETS["lesson"],
    "lesson_seed_1": dataclasses.replace(PRESETS["lesson"], seed=1),
    "lesson_validation": dataclasses.replace(PRESETS["lesson"], validation=5000),
    REFERENCE: QUICK,
}
KEPT = PROJECT_ROOT / "assets" / "reference" / "experiments"

parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
parser.add_argument("--data", required=True, help="the full cifar-10-python.tar.gz")
parser.add_argument("--work", required=True, help="a folder for the runs while they train (outside the project)")
parser.add_argument("--only", nargs="+", choices=sorted(EXPERIMENTS), help="train only these")
args = parser.parse_args()
if not Path(args.data).exists():
    parser.error(f"--data {args.data}: no such file")

from cnn_lab.training.loop import train  # noqa: E402  (imports Keras: after the arguments are checked)


def keep(name: str, config: dict, history: list) -> None:
    """A finished experiment as the Compare page reads it: a run folder without its model."""
    kept = KEPT / name
    kept.mkdir(parents=True, exist_ok=True)
    config = {**config, "data": data_kind(config["data"])}  # what it is, not where it was
    config.pop("data_source", None)
    folders.write_json(kept / "config.json", config)
    folders.write_json(kept / "history.json", history)
    folders.write_json(kept / "status.json", {"status": "finished"})
    folders.write_json(kept / "name.json", {"name": TITLES[name]})
    print(f"{name}: kept in {kept}", flush=True)


article = folders.read_json(ARTICLE_RUN)  # the augmentation group's first: trained and kept already
keep("article", {k: article[k] for k in ("train", "data", "device", "started")}, article["history"])

for name in args.only or EXPERIMENTS:
    folder = Path(args.work) / name
    resume = (folder / "model.keras").is_file()
    status = train(None if resume else EXPERIMENTS[name], args.data, folder, resume=resume)
    if status != "finished":
        sys.exit(f"{name}: {status}; run this script again to go on")
    keep(name, folders.read_json(folder / "config.json"), folders.read_json(folder / "history.json"))
