"""Time to the article's 78.4 %: train a preset on the full CIFAR-10 and watch the test accuracy.

    python benchmarks/time_to_target.py [--preset fast] [--target 0.7844] [--data PATH] [--quick]

Runs the very training loop the Train page starts (cnn_lab.training.train, here in a thread), and
prints the accuracy-over-time curve: the wall-clock seconds since the start (data loading, tracing
and the per-epoch test included) at the end of each epoch. It stops as soon as an epoch reaches the
target. The machine's speed is measured in the same run (a bare `model.fit` of the same network), so
runs on noisy or other machines can be compared.
"""

import argparse
import tempfile
import threading
import time
from pathlib import Path

from common import save, table  # noqa: E402

from cnn_lab.data import load_cifar10  # noqa: E402
from cnn_lab import runs  # noqa: E402
from cnn_lab.recipes import ARTICLE_ACCURACY, preset  # noqa: E402
from cnn_lab.training import train  # noqa: E402

from train_throughput import bare  # noqa: E402


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--preset", default="fast")
    ap.add_argument("--target", type=float, default=ARTICLE_ACCURACY)
    ap.add_argument("--epochs", type=int)
    ap.add_argument("--data")
    ap.add_argument("--quick", action="store_true", help="one epoch on 512 images: checks that it runs")
    a = ap.parse_args()
    data = load_cifar10(a.data)
    config = preset(a.preset, epochs=1 if a.quick else a.epochs, limit=512 if a.quick else None)
    speed = sorted(bare(preset(a.preset, limit=min(2560, len(data.x_train)), epochs=3), data))[-1]

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "20000101-000000-0000"
        start = time.time()
        job = threading.Thread(target=train, args=(config, a.data, folder))
        job.start()
        curve, reached = [], None
        while job.is_alive():
            s = runs.snapshot(folder)
            for h in s["history"][len(curve) :]:
                curve.append(
                    {
                        "epoch": h["epoch"],
                        "seconds": round(time.time() - start, 1),
                        "test accuracy": h["test_accuracy"],
                        "train accuracy": h["accuracy"],
                    }
                )
                print(
                    f"epoch {h['epoch']}: {100 * h['test_accuracy']:.2f}% at {curve[-1]['seconds']:.0f} s", flush=True
                )
                if reached is None and h["test_accuracy"] >= a.target:
                    reached = curve[-1]["seconds"]
                    runs.request_stop(folder)
            time.sleep(0.2)
        job.join()
        s = runs.snapshot(folder)
    if s["status"] == "failed":
        raise SystemExit(s["error"])
    table(curve, f"Accuracy over time, preset {a.preset}, on {data.description}")
    print(f"\nmachine speed (bare model.fit of the same network): {speed:,.0f} images/s")
    print(
        f"time to {100 * a.target:.1f}%: " + (f"{reached:.0f} s ({reached / 60:.1f} min)" if reached else "not reached")
    )
    save(
        "time_to_target",
        {
            "preset": a.preset,
            "target": a.target,
            "seconds_to_target": reached,
            "curve": curve,
            "bare_images_per_second": speed,
            "data": data.description,
            "config": config.to_dict(),
        },
    )


if __name__ == "__main__":
    main()
