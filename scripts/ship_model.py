"""Make a finished run the shipped model: assets/models/default.keras and its card default.json.

    cnn-lab train --preset best --data ../shared/data/cifar-10-python.tar.gz
    python scripts/ship_model.py runs/<run-id> --data ../shared/data/cifar-10-python.tar.gz

The card holds the run's config, its per-epoch history, the accuracy on the full test set as
correct/total (measured here, by the saved file itself), the wall time and the hardware.
"""

import argparse
import json
import shutil
import time
from pathlib import Path

from cnn_lab.network.data import DataError, load_cifar10

from cnn_lab.settings import PROJECT_ROOT
from cnn_lab.network.evaluation import evaluate
from cnn_lab.network.model import load_classifier
from cnn_lab.runs.folders import read_json

ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
ap.add_argument("run", help="the run folder, e.g. runs/<run-id>")
ap.add_argument("--data", help="the full CIFAR-10 (archive or folder)")
a = ap.parse_args()

run = PROJECT_ROOT / a.run if not a.run.startswith("/") else Path(a.run)
missing = [name for name in ("model.keras", "config.json", "history.json") if not (run / name).is_file()]
if missing:
    ap.error(f"{run} is not a finished run: {', '.join(missing)} missing")
try:
    data = load_cifar10(a.data)
except (DataError, OSError) as e:
    ap.error(f"--data {a.data}: {e}")
if data.is_sample:
    ap.error("the shipped model is measured on the full CIFAR-10 test set, not the bundled sample: give --data")
target = PROJECT_ROOT / "assets" / "models" / "default.keras"
shutil.copyfile(run / "model.keras", target)
start = time.time()
result = evaluate(load_classifier(target), data.x_test, data.y_test, data.class_names)
config, history = read_json(run / "config.json"), read_json(run / "history.json")
card = {
    "model": "default.keras",
    "preset": config["train"]["preset"],
    "train": config["train"],
    "command": "cnn-lab train --preset best",
    "test_result": result.summary(),
    "correct": result.correct,
    "total": result.total,
    "accuracy": result.accuracy,
    "per_class": result.per_class(),
    "history": history,
    "training_seconds": round(sum(h["seconds"] for h in history), 1),
    "evaluation_seconds": round(time.time() - start, 1),
    "hardware": config["device"],
    "trained": config["started"],
    "data": data.description,
    "size_bytes": target.stat().st_size,
}
target.with_suffix(".json").write_text(json.dumps(card, indent=1))
print(f"{target}: {result.summary()} on the CIFAR-10 test set, {card['size_bytes'] / 1e6:.1f} MB")
