"""Time to the article's 78.4 %, from pressing Start: train a recipe on the full CIFAR-10 as the Train page does.

    python benchmarks/time_to_target.py [--preset lesson] [--set FIELD=VALUE ...] [--runs 2] [--data PATH] [--quick]

Each run is a training process of its own, started as the Train page's Start button starts one, and
its clock is the run's own: seconds since Start, with the process start, data loading, tracing and
every test during training included. The moment it passes the line is the run's "crossed" record,
measured on all 10,000 test images. A run stops as soon as it has passed the line.

`--set` changes one field of the preset for a variant (repeat it): `--set learning_rate=0.02`,
`--set model.filters=32,64,128`, `--set checks_per_epoch=1`. The machine's speed is measured first
in the same run (a bare `model.fit` of the same network, no augmentation, no tests), and the result
is also given in those units, so that runs on noisy or other machines can be compared.
"""

import argparse
import dataclasses
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from common import save, table

from cnn_lab.runs import folders
from cnn_lab.runs.records import Epoch
from cnn_lab.network.data import load_cifar10
from cnn_lab.recipes import CNNConfig, TrainConfig, preset
from cnn_lab.settings import ARTICLE_ACCURACY
from train_throughput import bare

TRAIN = (  # one run, in a process of its own: python -c TRAIN CONFIG_JSON DATA FOLDER STARTED
    "import json, sys; from cnn_lab.training.loop import train; from cnn_lab.recipes import TrainConfig; "
    "config, data, folder, started = json.loads(sys.argv[1]), sys.argv[2] or None, sys.argv[3], float(sys.argv[4]); "
    "train(TrainConfig.from_dict(config), data, folder, started=started)"
)


def variant(config: TrainConfig, settings: list[str]) -> TrainConfig:
    """The config with FIELD=VALUE changes (model.FIELD for the network); values are read as JSON, or as
    comma-separated numbers for the tuples."""
    for setting in settings:
        name, _, value = setting.partition("=")
        target, field = (config.model, name[6:]) if name.startswith("model.") else (config, name)
        if not hasattr(target, field):
            raise SystemExit(f"--set {setting}: no setting {name!r}")
        old = getattr(target, field)
        new = tuple(int(v) for v in value.split(",")) if isinstance(old, tuple) else json.loads(value)
        changed = dataclasses.replace(target, **{field: new})
        config = dataclasses.replace(config, model=changed) if isinstance(target, CNNConfig) else changed
    return config


def one_run(config: TrainConfig, data: str | None, folder: Path, budget: float | None = None) -> dict:
    """Train in a process of its own until the run passes the line (or ends, or has trained `budget`
    seconds); what it did, on its clock."""
    started = time.time()
    arguments = [json.dumps(config.to_dict()), data or "", str(folder), str(started)]
    package = str(Path(folders.__file__).resolve().parents[1])  # the child imports this very cnn_lab
    path = os.pathsep.join(p for p in (package, os.environ.get("PYTHONPATH")) if p)
    child = subprocess.Popen([sys.executable, "-c", TRAIN, *arguments], env={**os.environ, "PYTHONPATH": path})
    shown = 0
    while child.poll() is None:
        s = folders.snapshot(folder)
        points = sorted([*s.checks, *s.tested], key=lambda p: p.epoch)
        for p in points[shown:]:
            images = "all" if isinstance(p, Epoch) else f"{p.test_images:,}"
            print(f"  epoch {p.epoch:g}: {100 * p.test_accuracy:.2f} % on {images} test images", flush=True)
        shown = len(points)
        over = budget is not None and time.time() - started > budget
        if (s.crossed or over) and s.status != "stopping":
            folders.request_stop(folder)
        time.sleep(0.2)
    s = folders.snapshot(folder)
    if s.status == "failed":
        raise SystemExit(s.error)
    crossed = dataclasses.asdict(s.crossed) if s.crossed else None  # as the result's JSON saves them
    checks = [dataclasses.asdict(c) for c in s.checks]
    return {"crossed": crossed, "history": [h.to_dict() for h in s.history], "checks": checks}


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--preset", default="lesson")
    ap.add_argument("--set", action="append", default=[], metavar="FIELD=VALUE", help="a variant: change one setting")
    ap.add_argument("--runs", type=int, default=2, help="the result is their median")
    ap.add_argument("--data")
    ap.add_argument("--quick", action="store_true", help="one short run on 512 images: checks that it runs")
    a = ap.parse_args()
    data = load_cifar10(a.data)
    config = variant(preset(a.preset), a.set)
    if a.quick:
        config, a.runs = dataclasses.replace(config, epochs=1, limit=512), 1
    speed = sorted(bare(dataclasses.replace(config, limit=min(2560, len(data.x_train)), epochs=3), data))[-1]

    results = []
    with tempfile.TemporaryDirectory() as tmp:
        for k in range(a.runs):
            print(f"run {k + 1} of {a.runs}", flush=True)
            results.append(one_run(config, a.data, Path(tmp) / f"20000101-00000{k}-0000"))
    rows = [
        {
            "run": k + 1,
            "seconds to the line": r["crossed"]["seconds"] if r["crossed"] else "not reached",
            "in epoch": r["crossed"]["epoch"] if r["crossed"] else "-",
            "test accuracy (all images)": f"{100 * r['crossed']['test_accuracy']:.2f} %" if r["crossed"] else "-",
            "epochs trained": len(r["history"]),
        }
        for k, r in enumerate(results)
    ]
    table(rows, f"Time to {100 * ARTICLE_ACCURACY:.1f} %, recipe {a.preset} {' '.join(a.set)}, on {data.description}")
    reached = [r["crossed"]["seconds"] for r in results if r["crossed"]]
    median = statistics.median(reached) if len(reached) == len(results) else None
    print(f"\nmachine speed (bare model.fit of the same network): {speed:,.0f} images/s")
    if median is None:
        print(f"time to {100 * ARTICLE_ACCURACY:.1f} %: not reached in every run")
    else:
        print(
            f"time to {100 * ARTICLE_ACCURACY:.1f} %: median {median:.0f} s of {len(reached)} runs "
            f"({median * speed / 50_000:.1f} bare epochs of 50,000 images at this machine's speed)"
        )
    save(
        "time_to_target" + ("_quick" if a.quick else ""),
        {
            "preset": a.preset,
            "variant": a.set,
            "median_seconds_to_target": median,
            "runs": results,
            "bare_images_per_second": speed,
            "data": data.description,
            "config": config.to_dict(),
        },
    )


if __name__ == "__main__":
    main()
