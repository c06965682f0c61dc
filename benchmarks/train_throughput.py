"""Training images/s: the app's real pipeline against a bare `model.fit`, in one run.

    python benchmarks/train_throughput.py [--preset fast] [--images 12800] [--epochs 3] [--quick]

"pipeline" is exactly what `cnn-lab train` and the Train page run: cnn_lab.training.loop.train, uint8 images
in, the augmentation inside the compiled training step, progress published every batch.
"bare" is the same network (same config, optimizer and loss) fitted on in-memory float tensors
of 24x24 centre crops with no augmentation and no callbacks. Both train on the same images;
the first epoch (tracing) is left out, the median of the others is reported, and the ratio
pipeline / bare is the figure to compare across machines.
"""

import argparse
import statistics
import time
from pathlib import Path

from common import save, table  # noqa: E402

from cnn_lab.network.data import load_cifar10  # noqa: E402
from cnn_lab.recipes import preset  # noqa: E402
from cnn_lab.runs.folders import read_history  # noqa: E402
from cnn_lab.training.loop import one_hot, train  # noqa: E402
from cnn_lab.training.optimizer import build_optimizer  # noqa: E402


def pipeline(config, data_source, folder):
    if train(config, data_source, Path(folder)) != "finished":
        raise SystemExit("the training run did not finish")
    return [h.images_per_second for h in read_history(folder)[1:]]


def bare(config, data):
    import keras

    from cnn_lab.network.model import build_cnn

    x = data.x_train[: config.limit, 4:28, 4:28].astype("float32") / 255
    y = one_hot(data.y_train[: config.limit])
    cnn = build_cnn(config.model)
    steps = -(-len(x) // config.batch_size)
    cnn.compile(
        optimizer=build_optimizer(config, steps),
        jit_compile=False,
        metrics=["accuracy"],
        loss=keras.losses.CategoricalCrossentropy(label_smoothing=config.label_smoothing),
    )
    speeds = []

    class Timer(keras.callbacks.Callback):  # one fit call, timed per epoch, as the job times it
        def on_epoch_begin(self, epoch, logs=None):
            self.start = time.perf_counter()

        def on_epoch_end(self, epoch, logs=None):
            speeds.append(len(x) / (time.perf_counter() - self.start))

    cnn.fit(x, y, batch_size=config.batch_size, epochs=config.epochs, shuffle=True, verbose=0, callbacks=[Timer()])
    return speeds[1:]


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--preset", default="fast")
    ap.add_argument("--images", type=int, default=12800)
    ap.add_argument("--epochs", type=int, default=3)
    ap.add_argument("--data")
    ap.add_argument("--quick", action="store_true", help="a small check that the benchmark runs (CI)")
    a = ap.parse_args()
    if a.quick:
        a.images, a.epochs = 512, 2
    data = load_cifar10(a.data)
    images = min(a.images, len(data.x_train))
    config = preset(a.preset, limit=images, epochs=a.epochs)
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        ours = pipeline(config, a.data, Path(tmp) / "20000101-000000-0000")
    theirs = bare(config, data)
    rows = [
        {"what": "cnn-lab train (augmentation on)", "images/s": statistics.median(ours)},
        {"what": "bare model.fit (no augmentation)", "images/s": statistics.median(theirs)},
    ]
    ratio = rows[0]["images/s"] / rows[1]["images/s"]
    table(
        rows,
        f"Training throughput, preset {a.preset}, batch {config.batch_size}, {images:,} images of {data.description}",
    )
    print(f"ratio pipeline / bare: {ratio:.2f}")
    save(
        "train_throughput",
        {
            "preset": a.preset,
            "batch_size": config.batch_size,
            "images": images,
            "pipeline_images_per_second": rows[0]["images/s"],
            "bare_images_per_second": rows[1]["images/s"],
            "ratio": ratio,
            "pipeline_epochs": ours,
            "bare_epochs": theirs,
        },
    )


if __name__ == "__main__":
    main()
