"""Inference speed: one image through a compiled call, and the whole test set.

    python benchmarks/evaluation.py [--model assets/models/default.keras] [--data PATH] [--quick]

Single image: p50/p95 of `model.predict_on_batch` (a compiled call, what the photo page and the
lessons use) against `model.predict` (Keras's general loop, the baseline) on the same images in
the same run. Full test set: `cnn_lab.network.evaluation.evaluate` over every test image, in chunks of
500, as the Results pages do.
"""

import argparse
import statistics
import time
from pathlib import Path

from common import save, table  # noqa: E402

from cnn_lab.network.data import load_cifar10  # noqa: E402

from cnn_lab.settings import PROJECT_ROOT
from cnn_lab.network.evaluation import evaluate  # noqa: E402
from cnn_lab.network.model import load_classifier  # noqa: E402


def latencies(call, images, repeats):
    times = []
    for i in range(repeats):
        x = images[i % len(images)][None]
        start = time.perf_counter()
        call(x)
        times.append(1000 * (time.perf_counter() - start))
    return times


def summary(name, times):
    q = statistics.quantiles(times, n=20)
    return {"call": name, "p50 ms": statistics.median(times), "p95 ms": q[18], "calls": len(times)}


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--model", default=str(PROJECT_ROOT / "assets" / "models" / "default.keras"))
    ap.add_argument("--data")
    ap.add_argument("--quick", action="store_true")
    a = ap.parse_args()
    data = load_cifar10(a.data)
    model = load_classifier(a.model)
    repeats = 30 if a.quick else 300
    for call in (model.predict_on_batch, lambda x: model.predict(x, verbose=0)):
        latencies(call, data.x_test, 5)  # trace and warm up
    rows = [
        summary("predict_on_batch (compiled)", latencies(model.predict_on_batch, data.x_test, repeats)),
        summary(
            "model.predict (baseline)", latencies(lambda x: model.predict(x, verbose=0), data.x_test, repeats // 3)
        ),
    ]
    table(rows, f"One image through {Path(a.model).name}")
    n = 1000 if a.quick else len(data.x_test)
    start = time.perf_counter()
    result = evaluate(model, data.x_test[:n], data.y_test[:n], data.class_names)
    seconds = time.perf_counter() - start
    table(
        [{"images": n, "seconds": seconds, "images/s": n / seconds, "accuracy": result.summary()}],
        f"Evaluation on {data.description}",
    )
    save(
        "evaluation",
        {
            "model": a.model,
            "single_image": rows,
            "evaluation_seconds": seconds,
            "evaluation_images": n,
            "accuracy": result.to_dict(),
            "data": data.description,
        },
    )


if __name__ == "__main__":
    main()
