"""Keep a run of the article's recipe as the reference the Results page shows beside every model.

    cnn-lab train --preset article --data ../shared/data/cifar-10-python.tar.gz
    python scripts/reference_run.py runs/<run-id>

Writes assets/reference/article_run.json: the run's recipe, data, device and per-epoch history
(test accuracy after every epoch), whether or not the run has finished all its epochs.
"""

import argparse
import json
import sys

from cnn_lab.settings import PROJECT_ROOT
from cnn_lab.recipes import PRESETS, TrainConfig
from cnn_lab.runs.reference import ARTICLE_RUN
from cnn_lab.runs.folders import read_json

ap = argparse.ArgumentParser()
ap.add_argument("run", help="the run folder of a `cnn-lab train --preset article` run")
a = ap.parse_args()

run = PROJECT_ROOT / a.run if not a.run.startswith("/") else a.run
config, history = read_json(f"{run}/config.json"), read_json(f"{run}/history.json", [])
if not config or TrainConfig.from_dict(config["train"]) != PRESETS["article"]:
    sys.exit(f"{run}: not a run of the article's recipe as it is (cnn-lab train --preset article)")
if config.get("is_sample") or not history:
    sys.exit(f"{run}: the reference must be trained on the full CIFAR-10 and have finished an epoch")
record = {
    "command": "cnn-lab train --preset article",
    "train": config["train"],
    "data": config["data"].split(" (")[0],  # what it is, not where it was on that computer
    "device": config["device"],
    "started": config["started"],
    "history": history,
}
ARTICLE_RUN.parent.mkdir(parents=True, exist_ok=True)
ARTICLE_RUN.write_text(json.dumps(record, indent=1) + "\n")
print(
    f"{ARTICLE_RUN}: {len(history)} of {config['train']['epochs']} epochs, "
    f"test accuracy {100 * history[-1]['test_accuracy']:.2f} % after the last"
)
