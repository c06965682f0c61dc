"""What the benchmarks share: a table printer, a JSON writer, the machine's description, a timer, and the
--model/--data arguments of the benchmarks that time one saved model on one test set."""

import argparse
import json
import os
import platform
import time
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
RESULTS = Path(__file__).parent / "results"


def machine() -> dict:
    from cnn_lab.training.devices import describe_device

    return {**describe_device().to_dict(), "python": platform.python_version(), "cores": os.cpu_count()}


def table(rows: list[dict], title: str) -> None:
    print(f"\n{title}")
    keys = list(rows[0])
    widths = [max(len(str(k)), *(len(_fmt(r[k])) for r in rows)) for k in keys]
    print("  ".join(str(k).ljust(w) for k, w in zip(keys, widths)))
    for r in rows:
        print("  ".join(_fmt(r[k]).ljust(w) for k, w in zip(keys, widths)))


def _fmt(v):
    return f"{v:,.3f}" if isinstance(v, float) and abs(v) < 10 else (f"{v:,.0f}" if isinstance(v, float) else str(v))


def save(name: str, result: dict) -> Path:
    RESULTS.mkdir(exist_ok=True)
    path = RESULTS / f"{name}.json"
    path.write_text(json.dumps({**result, "machine": machine(), "when": time.strftime("%Y-%m-%d %H:%M")}, indent=1))
    print(f"\nwrote {path}")
    return path


def timed(call):
    """(what call() returns, the seconds it took)."""
    start = time.perf_counter()
    return call(), time.perf_counter() - start


def model_and_data_parser(doc: str) -> argparse.ArgumentParser:
    """A parser with --model (default: the shipped model) and --data; `model_and_data(args)` reads them."""
    from cnn_lab.settings import SHIPPED_MODEL

    parser = argparse.ArgumentParser(description=doc.splitlines()[0])
    parser.add_argument("--model", type=Path, default=SHIPPED_MODEL)
    parser.add_argument("--data", help="CIFAR-10 archive or folder (default: the lab's own search)")
    return parser


def model_and_data(args):
    """(the saved classifier, the CIFAR-10 data, the seconds loading the model took) for those arguments."""
    from cnn_lab.network.data import load_cifar10, read_source
    from cnn_lab.network.model import load_classifier

    data = read_source(args.data) if args.data else load_cifar10()
    model, seconds = timed(lambda: load_classifier(args.model))
    return model, data, seconds
