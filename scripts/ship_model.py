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

from cnn_lab.data import PROJECT_ROOT, load_cifar10
from cnn_lab.evaluation import evaluate
from cnn_lab.model import load_classifier
from cnn_lab.training import read_json

ap = argparse.ArgumentParser()
ap.add_argument("run")
ap.add_argument("--data")
a = ap.parse_args()

run = PROJECT_ROOT / a.run if not a.run.startswith("/") else a.run
target = PROJECT_ROOT / "assets" / "models" / "default.keras"
shutil.copyfile(f"{run}/model.keras", target)
data = load_cifar10(a.data)
assert not data.is_sample, "the shipped model is measured on the full CIFAR-10 test set"
start = time.time()
result = evaluate(load_classifier(target), data.x_test, data.y_test, data.class_names)
config, history = read_json(f"{run}/config.json"), read_json(f"{run}/history.json")
card = {
    "model": "default.keras", "preset": config["train"]["preset"], "train": config["train"],
    "command": "cnn-lab train --preset best", "test_result": result.summary(),
    "correct": result.correct, "total": result.total, "accuracy": result.accuracy,
    "per_class": result.per_class(), "history": history,
    "training_seconds": round(sum(h["seconds"] for h in history), 1),
    "evaluation_seconds": round(time.time() - start, 1),
    "hardware": config["device"], "trained": config["started"], "data": data.description,
    "size_bytes": target.stat().st_size,
}
target.with_suffix(".json").write_text(json.dumps(card, indent=1))
print(f"{target}: {result.summary()} on the CIFAR-10 test set, {card['size_bytes'] / 1e6:.1f} MB")
