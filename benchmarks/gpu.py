"""Training speed on a GPU (or this CPU): throughput by batch size, time to the article's 78.4 %, and
the shipped model's evaluation time, in one prepared run that writes JSON and a table.

    KERAS_BACKEND=jax python benchmarks/gpu.py [--data ../shared/data/cifar-10-python.tar.gz]
    python benchmarks/gpu.py --quick                 # a small dry run (the CPU, the bundled sample)
    python benchmarks/gpu.py --compare-backends      # TensorFlow against JAX on this machine, in one run

It needs Keras, JAX (or TensorFlow) and this tree: no network, no TensorFlow on a JAX machine
(benchmarks/gpu_carry.sh makes ready what travels to a machine with JAX alone: Keras's wheels, the data). Each
measurement trains the lab's own network (cnn_lab.network.model.trainer: uint8 pixels in, the augmentation
inside the compiled step) with compiled steps (jit_compile: XLA), `steps_per_execution` steps per
call, and mixed precision (bfloat16) where the GPU has it. The article's batch of 64 is always
measured; larger batches get the learning rate scaled with the batch (linear scaling from the
recipe's batch), the larger-batch option of a GPU.

- throughput: images/s of training steps, the first call (tracing, compiling) left out;
- time to target: seconds from Start (the training process's start, data loading included) until the run
  passes the article's 78.4 % on every test image, training the `fast` recipe with --target-batch as the
  Train page trains it (or "not reached" within --budget s);
- evaluation: seconds for the shipped model (assets/models/default.keras) on the 10,000 test images.
"""

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
FULL_ARCHIVE = ROOT.parent / "shared" / "data" / "cifar-10-python.tar.gz"
SHIPPED = ROOT / "assets" / "models" / "default.keras"
sys.path[:0] = [str(ROOT / "dashboard"), str(Path(__file__).parent)]
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")


def arguments(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", help="CIFAR-10 (archive or folder); default: ../shared's archive, else the sample")
    ap.add_argument("--batches", default="64,256,1024,4096", help="batch sizes to time, comma-separated")
    ap.add_argument("--images", type=int, default=None, help="training images per timed epoch (default 50,000)")
    ap.add_argument("--steps-per-execution", type=int, default=None, help="default: 16 on a GPU, 1 on a CPU")
    ap.add_argument("--precision", choices=["auto", "float32", "mixed_bfloat16"], default="auto")
    ap.add_argument("--target-batch", type=int, default=None, help="default: 512 on a GPU, 64 on a CPU")
    ap.add_argument("--budget", type=float, default=240, help="seconds allowed to reach 78.4 %")
    ap.add_argument("--quick", action="store_true", help="a dry run: the sample, 2 batch sizes, 2,048 images, 60 s")
    ap.add_argument("--compare-backends", action="store_true", help="throughput under TensorFlow and JAX, one run")
    ap.add_argument("--name", default="gpu", help="the JSON's name in benchmarks/results/")
    a = ap.parse_args(argv)
    if a.quick:
        a.batches, a.budget = "64,256", 60
    a.images = a.images or (2048 if a.quick else 50_000)
    a.batches = [int(b) for b in a.batches.split(",")]
    return a


def setup(a):
    """Keras set for speed on this device: mixed precision where it pays, steps per call, the target's batch."""
    import keras

    from cnn_lab.training.devices import describe_device, has_bfloat16

    device = describe_device()
    gpu = device.kind == "GPU"
    if a.precision == "auto":
        a.precision = "mixed_bfloat16" if gpu and has_bfloat16() else "float32"
    keras.mixed_precision.set_global_policy(a.precision)
    a.steps_per_execution = a.steps_per_execution or (16 if gpu else 1)
    a.target_batch = a.target_batch or (512 if gpu else 64)
    a.jit_compile = gpu or keras.config.backend() == "jax"  # JAX compiles every step; XLA on TF's CPU is slower
    a.devices = list(device.devices)
    return device


def compiled_trainer(config, a, steps_per_epoch):
    import keras

    from cnn_lab.network.model import build_cnn, trainer
    from cnn_lab.training.optimizer import build_optimizer

    cnn = build_cnn(config.model)  # built in data_parallel(...): on every device the backend reports
    net = trainer(cnn, config.augment, seed=config.seed)
    net.compile(
        optimizer=build_optimizer(config, steps_per_epoch),
        loss=keras.losses.CategoricalCrossentropy(label_smoothing=config.label_smoothing),
        metrics=["accuracy"],
        jit_compile=a.jit_compile,
        steps_per_execution=a.steps_per_execution,
    )
    return cnn, net


def throughput(data, a) -> list[dict]:
    """Training images/s for each batch size: one untimed epoch (tracing), then one timed epoch."""
    import numpy as np

    from cnn_lab.recipes import preset, scaled
    from cnn_lab.training.devices import data_parallel
    from cnn_lab.training.loop import one_hot

    rows = []
    for batch in a.batches:
        count = max(batch * a.steps_per_execution, min(a.images, len(data.x_train)) // batch * batch)
        index = np.arange(count) % len(data.x_train)  # a small data set repeats to fill the largest batches
        x, y = data.x_train[index], one_hot(data.y_train[index])
        config = scaled(preset("article"), batch)
        with data_parallel(a.devices):
            _, net = compiled_trainer(config, a, len(x) // batch)
            net.fit(x, y, batch_size=batch, epochs=1, verbose=0)  # tracing and compiling
            start = time.perf_counter()
            net.fit(x, y, batch_size=batch, epochs=1, verbose=0)
            seconds = time.perf_counter() - start
        rows.append({"batch": batch, "learning rate": config.learning_rate, "images/s": len(x) / seconds})
        print(f"  batch {batch:>5}: {len(x) / seconds:,.0f} images/s", flush=True)
    return rows


def time_to_target(a) -> dict:
    """The `fast` recipe at --target-batch, trained as the Train page trains it (a process of its own, with
    the device's speed settings), from Start to the article's line on every test image (or --budget s)."""
    import tempfile

    from time_to_target import one_run

    from cnn_lab.recipes import preset, scaled

    config = scaled(preset("fast"), a.target_batch)
    with tempfile.TemporaryDirectory() as tmp:
        run = one_run(config, a.data, Path(tmp) / "20000101-000000-0000", budget=a.budget)
    crossed = run["crossed"]
    return {
        "batch": config.batch_size,
        "learning_rate": config.learning_rate,
        "seconds": crossed["seconds"] if crossed else None,
        "crossed": crossed,
        "curve": [{k: h[k] for k in ("epoch", "elapsed", "test_accuracy")} for h in run["history"]],
    }


def evaluation_time(data) -> dict:
    """The shipped model on the test images: one warm-up call, then the timed pass."""
    from cnn_lab.network.model import load_classifier, predict

    model = load_classifier(SHIPPED)
    predict(model, data.x_test[:1000], batch_size=1000)
    start = time.perf_counter()
    probabilities = predict(model, data.x_test, batch_size=1000)
    seconds = time.perf_counter() - start
    return {
        "images": len(data.x_test),
        "seconds": seconds,
        "accuracy": float((probabilities.argmax(1) == data.y_test).mean()),
    }


def measure(a) -> dict:
    started = time.perf_counter()
    import keras

    from cnn_lab.network.data import load_cifar10

    device = setup(a)
    print(
        f"Keras on {keras.config.backend()}, {device.kind}: {device.name}, {len(device.devices)} device(s); "
        f"{a.precision}, jit_compile={a.jit_compile}, steps_per_execution={a.steps_per_execution}",
        flush=True,
    )
    data = load_cifar10(a.data)
    print("throughput:", flush=True)
    rows = throughput(data, a)
    print("evaluation:", flush=True)
    evaluation = evaluation_time(data)
    print("time to target:", flush=True)
    target = time_to_target(a)
    return {
        "backend": keras.config.backend(),
        "device": device.to_dict(),
        "data": data.description,
        "precision": a.precision,
        "jit_compile": a.jit_compile,
        "steps_per_execution": a.steps_per_execution,
        "throughput": rows,
        "evaluation": evaluation,
        "time_to_target": target,
        "seconds": time.perf_counter() - started,
    }


def compare_backends(a, argv) -> None:
    """This script under each backend in a child process (Keras picks its backend once), one table."""
    from common import save, table

    results = {}
    for backend in ("tensorflow", "jax"):
        out = Path(os.environ.get("TMPDIR", "/tmp")) / f"cnnlab-gpu-{backend}-{os.getpid()}.json"
        args = [arg for arg in argv if arg != "--compare-backends"] + ["--throughput-only", str(out)]
        env = dict(os.environ, KERAS_BACKEND=backend)
        print(f"--- {backend}", flush=True)
        subprocess.run([sys.executable, __file__, *args], check=True, env=env)
        results[backend] = json.loads(out.read_text())
        out.unlink()
    rows = [
        {"batch": t["batch"], **{f"{b} images/s": r["throughput"][i]["images/s"] for b, r in results.items()}}
        for i, t in enumerate(results["jax"]["throughput"])
    ]
    for row in rows:
        row["jax / tensorflow"] = row["jax images/s"] / row["tensorflow images/s"]
    table(
        rows, f"Training throughput by backend, the article's network, augmentation in the step ({a.images:,} images)"
    )
    save(f"{a.name}_backends", {"rows": rows, "runs": results})


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    only = None
    if "--throughput-only" in argv:  # a child of --compare-backends: throughput alone, to this file
        i = argv.index("--throughput-only")
        only, argv = Path(argv[i + 1]), argv[:i] + argv[i + 2 :]
    a = arguments(argv)
    if a.data is None and FULL_ARCHIVE.is_file() and not a.quick:  # --quick: the bundled sample
        a.data = str(FULL_ARCHIVE)
    if a.compare_backends:
        return compare_backends(a, argv)
    if only:
        import keras

        from cnn_lab.network.data import load_cifar10

        device = setup(a)
        rows = throughput(load_cifar10(a.data), a)
        only.write_text(json.dumps({"backend": keras.config.backend(), "device": device.to_dict(), "throughput": rows}))
        return
    from common import save, table

    result = measure(a)
    table(
        result["throughput"],
        f"Training throughput, {result['device']['name']} ({result['backend']}, {result['precision']})",
    )
    target = result["time_to_target"]
    reached = f"{target['seconds']:.1f} s" if target["seconds"] is not None else f"not reached within {a.budget:.0f} s"
    print(f"time to 78.4 % (fast recipe, batch {target['batch']}, from Start, data loading included): {reached}")
    done = result["evaluation"]
    print(f"shipped model on {done['images']:,} test images: {done['seconds']:.2f} s ({done['accuracy']:.2%})")
    save(a.name, result)


if __name__ == "__main__":
    main()
