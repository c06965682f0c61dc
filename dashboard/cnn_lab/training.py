"""Training a run, in a process of its own.

    train(config, data, folder)     # the training loop, in this process (what `cnn-lab train` runs)
    start(config, data)             # the Train page: `python -m cnn_lab train ...` as a child process
    start(resume=folder)            # ... going on from a run's last finished epoch

Whoever starts it, a run trains in its own process and reports only through its folder
(cnn_lab.runs): every finished epoch is checkpointed there, and the live progress (curve points,
images/s, ETA, what it is doing) is written to progress.json about twice a second. Any number of
pages read those files; none of them shares a process, or Python's GIL, with the training, so a
crash, an out-of-memory kill or a hung step of the run cannot take the class's server down.
A stop is a file in the run folder (runs.request_stop), seen at the next batch.

The child is started in a session of its own: it keeps training if the server is killed or
restarted, and the restarted server finds it again through its status.json (its process id) and
can stop it. One run trains at a time on a computer's runs folder: start() refuses a second.
Nothing here imports streamlit or calls into a page.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime
import fcntl
import logging
import os
import re
import signal
import subprocess
import sys
import threading
import time
import traceback
from pathlib import Path

import numpy as np

from . import runs
from .data import DataError, load_cifar10
from .recipes import ARTICLE_ACCURACY, TrainConfig, preset

log = logging.getLogger(__name__)
PACKAGE_PARENT = Path(__file__).resolve().parent.parent  # the folder that holds cnn_lab/
PUBLISH_EVERY = 0.5  # seconds between two writes of progress.json
MAX_POINTS = 800  # curve points kept in progress.json: every batch at first, then every 2nd, 4th, ...


# How a process that crashed below Python ends (XLA's fatal checks abort; a broken library segfaults), unlike
# one that was killed from outside (kill -9, the out-of-memory killer: SIGKILL), which is only interrupted.
CRASH_SIGNALS = {signal.SIGABRT, signal.SIGSEGV, signal.SIGBUS, signal.SIGILL, signal.SIGFPE}


class RunBusy(RuntimeError):
    """A run is already training on this computer."""


# --- what trains -------------------------------------------------------------------------------
def local_devices() -> list[str]:
    """The devices a run trains on: every GPU the backend reports, else its CPU devices (one, unless
    the backend was told to split the CPU: XLA_FLAGS=--xla_force_host_platform_device_count=N for JAX,
    logical devices for TensorFlow)."""
    import keras

    backend = keras.config.backend()
    if backend == "jax":
        import jax

        found = [d for d in jax.devices() if d.platform != "cpu"] or jax.devices("cpu")
        return [f"{d.platform}:{d.id}" for d in found]
    if backend == "tensorflow":
        import tensorflow as tf

        return [d.name for d in tf.config.list_logical_devices("GPU") or tf.config.list_logical_devices("CPU")]
    return ["cpu:0"]  # another backend: CNN Lab trains it on one device


def data_parallel(devices: list[str]):
    """The context in which Keras builds, compiles and trains a network on all of `devices`, data-parallel:
    each step's batch (the recipe's batch size, the global batch) is split evenly between them and their
    gradients are averaged, so one step does what it does on one device, and the learning rate, set for
    that global batch, stays as it is. Keras's own distribution API: DataParallel on JAX,
    tf.distribute.MirroredStrategy on TensorFlow. One device: nothing changes."""
    import contextlib

    import keras

    if len(devices) < 2:
        return contextlib.nullcontext()
    backend = keras.config.backend()
    if backend == "jax":
        return keras.distribution.DataParallel(devices=devices).scope()
    if backend == "tensorflow":
        import tensorflow as tf

        return tf.distribute.MirroredStrategy(devices).scope()
    return contextlib.nullcontext()


def fitting(devices: list[str]):
    """The context in which a network built in data_parallel(devices) trains, as Keras's guides do it: on JAX
    the same distribution again (it splits each batch between the devices as fit takes it); on TensorFlow
    none, as the model keeps the strategy it was built in, and the callbacks' tests then run outside that
    strategy's scope (inside it, a network built for one device cannot run)."""
    import keras

    return data_parallel(devices) if keras.config.backend() == "jax" else contextlib.nullcontext()


def one_device(devices: list[str]):
    """The context in which Keras builds a network that runs on the first of `devices` alone, even when it is
    called inside a data-parallel run (TensorFlow's models keep the strategy they were built in: without
    one, a model called during a mirrored fit would run every image on each device and return it twice).
    On JAX a network built outside data_parallel already is such a network."""
    import keras

    if len(devices) < 2 or keras.config.backend() != "tensorflow":
        return contextlib.nullcontext()
    import tensorflow as tf

    return tf.distribute.OneDeviceStrategy(devices[0]).scope()


def describe_device() -> dict:
    """What trains: the GPU's name, or the CPU's, said plainly, and the devices a run uses."""
    import keras

    backend = keras.config.backend()
    name = None
    try:
        devices = local_devices()
    except Exception:  # a broken driver still leaves a usable CPU
        devices = ["cpu:0"]
    try:
        if backend == "tensorflow":
            import tensorflow as tf

            gpus = tf.config.list_physical_devices("GPU")
            if gpus:
                name = tf.config.experimental.get_device_details(gpus[0]).get("device_name", "GPU")
        elif backend == "jax":
            import jax

            gpu = [d for d in jax.devices() if d.platform == "gpu"]
            name = gpu[0].device_kind if gpu else None
    except Exception:  # a broken driver still leaves a usable CPU
        name = None
    if name:
        return {"kind": "GPU", "name": name, "backend": backend, "devices": devices}
    cpu = "CPU"
    try:
        cpu = next(line.split(":", 1)[1].strip() for line in open("/proc/cpuinfo") if line.startswith("model name"))
    except (OSError, StopIteration):
        pass
    return {"kind": "CPU", "name": f"{cpu}, {os.cpu_count()} cores", "backend": backend, "devices": devices}


def device_words(device: dict) -> str:
    """What trains, in words: "the GPU (NVIDIA H200; Keras on jax)", "2 GPU devices (NVIDIA H200, data-parallel;
    Keras on jax)", "the CPU (..., 16 cores; Keras on tensorflow)"."""
    count = len(device.get("devices") or [None])
    kind = f"the {device['kind']}" if count == 1 else f"{count} {device['kind']} devices"
    parallel = ", data-parallel" if count > 1 else ""
    return f"{kind} ({device['name']}{parallel}; Keras on {device.get('backend', 'its backend')})"


def has_bfloat16() -> bool:
    """Whether the GPU computes in bfloat16 at full speed: NVIDIA's from Ampere (compute capability 8.0) on."""
    import keras

    try:
        if keras.config.backend() == "jax":
            import jax

            gpu = next(d for d in jax.devices() if d.platform == "gpu")
            return float(getattr(gpu, "compute_capability", "0")) >= 8.0
        import tensorflow as tf

        details = tf.config.experimental.get_device_details(tf.config.list_physical_devices("GPU")[0])
        return details.get("compute_capability", (0, 0)) >= (8, 0)
    except (StopIteration, IndexError, ValueError, ImportError):
        return False


def speed_settings(device: dict) -> dict:
    """How a run makes the most of its device. On a GPU: compiled steps (XLA), 16 steps per call (a small
    network's step is shorter than the call's own cost), and bfloat16 arithmetic where the GPU has it,
    the weights kept in float32. On a CPU: none of them, except that JAX always compiles its steps.

    TensorFlow has a step of its own without XLA (XLA made a step 4x slower on this CPU). JAX has none:
    Keras's jit_compile=False on JAX runs every operation of a step one at a time, uncompiled, which is
    slow, and on several devices aborts the process: each operation is then a program of its own, and
    XLA's CPU devices can start two such programs' collectives in different orders and wait on each
    other until XLA gives up (issue 29)."""
    gpu = device["kind"] == "GPU"
    return {
        "precision": "mixed_bfloat16" if gpu and has_bfloat16() else "float32",
        "jit_compile": gpu or device.get("backend") == "jax",
        "steps_per_execution": 16 if gpu else 1,
    }


def one_hot(labels) -> np.ndarray:
    return np.eye(10, dtype="float32")[labels]


def build_optimizer(config: TrainConfig, steps_per_epoch: int):
    import keras

    rate = config.learning_rate
    if config.schedule == "cosine":
        warmup = int(config.warmup_epochs * steps_per_epoch)
        rate = keras.optimizers.schedules.CosineDecay(
            initial_learning_rate=0.0 if warmup else rate,
            warmup_target=rate if warmup else None,
            warmup_steps=warmup,
            decay_steps=max(1, config.epochs * steps_per_epoch - warmup),
        )
    if config.weight_decay:
        return keras.optimizers.AdamW(rate, weight_decay=config.weight_decay)
    return keras.optimizers.Adam(rate)


def optimizer_state(optimizer, weights) -> dict:
    """The optimizer's variables by names that depend neither on their order nor on the prefixes Keras
    gives them ("adam_1/", "cnn_"): "conv1/kernel:momentum" for a slot of a weight, "iteration" for its own."""
    owners = {w.path.replace("/", "_") + "_": "/".join(w.path.split("/")[-2:]) for w in weights}
    named = {}
    for v in optimizer.variables:
        owner = max((p for p in owners if v.name.startswith(p)), key=len, default=None)
        named[f"{owners[owner]}:{v.name[len(owner) :]}" if owner else v.name] = v
    if len(named) != len(optimizer.variables):
        raise ValueError("two optimizer variables have the same name: their state could not be told apart")
    return named


def save_optimizer(optimizer, weights, path: Path) -> None:
    state = {name: np.asarray(v) for name, v in optimizer_state(optimizer, weights).items()}
    runs.write_atomic(path, lambda p: np.savez(p, **state))


def restore_optimizer(optimizer, weights, path: Path) -> None:
    """Put a saved state back by the variables' names, never by their order."""
    with np.load(path) as saved:
        if all(name.startswith("arr_") for name in saved.files):  # saved by order, before CNN Lab named them
            log.warning("%s: an optimizer state saved without names; the resumed run starts a fresh one", path)
            return
        mine = optimizer_state(optimizer, weights)
        if set(saved.files) != set(mine):
            raise ValueError(
                f"{path}: the saved optimizer state does not match this network "
                f"(saved: {len(saved.files)} variables, {sorted(set(saved.files) - set(mine))[:3]} "
                f"not here)"
            )
        for name, variable in mine.items():
            variable.assign(saved[name])


# --- progress, published through the run folder ------------------------------------------------
class Progress:
    """The live state of a run: kept here, written to progress.json at most every PUBLISH_EVERY s,
    and handed to `report` (the command line's progress bar)."""

    def __init__(self, folder: Path, report=None, started: float | None = None):
        self.folder, self.report = folder, report
        saved = runs.read_json(folder / "progress.json", {})
        history = runs.read_json(folder / "history.json", [])
        finished = len(history)
        # The run's clock: seconds since Start was pressed (the page's click, or the command's start), data
        # loading and tracing included; a resumed run goes on from the clock of its last finished epoch.
        self.started = (started or time.time()) - (history[-1].get("elapsed", 0.0) if history else 0.0)
        crossed = saved.get("crossed")
        # a resumed run keeps its curves up to its last finished epoch
        self.state = {
            "checks": [c for c in saved.get("checks", []) if c["epoch"] <= finished],
            "crossed": crossed if crossed and crossed["epoch"] <= finished else None,
            "epoch": finished,
            "batch": 0,
            "batches_per_epoch": None,
            "loss": None,
            "images_per_second": None,
            "eta_seconds": None,
            "device": None,
            "message": "",
            "batches": [b for b in saved.get("batches", []) if b["epoch"] <= finished],
        }
        self.published = 0.0

    def update(self, publish: bool = True, **changes) -> None:
        self.state.update(changes)
        if publish:
            self.publish()

    def point(self, point: dict) -> None:
        points = self.state["batches"]
        points.append(point)
        if len(points) > MAX_POINTS:  # thin out: the curve keeps its shape, the file stays small
            kept = points[::2]
            self.state["batches"] = kept if kept[-1] is point else kept + [point]

    def publish(self, now: float | None = None) -> None:
        now = now or time.time()
        runs.write_json(self.folder / "progress.json", self.state, indent=None)
        self.published = now
        if self.report:
            self.report(self.state)

    def maybe_publish(self) -> None:
        now = time.time()
        if now - self.published >= PUBLISH_EVERY:
            self.publish(now)

    def elapsed(self) -> float:
        """Seconds on the run's clock now."""
        return round(time.time() - self.started, 1)


def train(
    config: TrainConfig | None,
    data_source: str | None,
    folder: Path,
    resume: bool = False,
    report=None,
    download: bool = False,
    started: float | None = None,
) -> str:
    """Train (or resume) the run in `folder` in this process; returns how it ended: finished or stopped.
    `started`: when Start was pressed (time.time()), if before this call: the run's clock starts there.

    Stops at the next batch once runs.request_stop(folder) is called. A failure is logged with its
    traceback, recorded in status.json (error and traceback) and raised again.
    """
    folder = Path(folder)
    if resume and (pid := runs.running_elsewhere(folder)):
        raise RunBusy(f"run {folder.name} is training in another process (id {pid})")
    folder.mkdir(parents=True, exist_ok=True)
    started_here = runs.read_json(folder / "status.json", {}).get("pid") != os.getpid()
    runs.write_status(folder, "starting")
    if resume and started_here:
        runs.clear_stop(folder)  # a stop left over from before: the page clears it before it starts a child
    progress = Progress(folder, report, started)
    try:
        status = _train(config, data_source, folder, resume, progress, download)
    except BaseException as e:
        if isinstance(e, (KeyboardInterrupt, SystemExit)):
            runs.write_status(folder, "stopped")
            raise
        if isinstance(e, DataError):  # the data's fault, said in one plain line (by the command, by the page)
            runs.write_status(folder, "failed", error=str(e))
            progress.update(message="training failed")
            raise
        log.exception("training run %s failed", folder.name)
        runs.write_status(folder, "failed", error=f"{type(e).__name__}: {e}", traceback=traceback.format_exc())
        progress.update(message="training failed")
        raise
    runs.clear_stop(folder)
    return status


def _train(config, data_source, folder: Path, resume: bool, progress: Progress, download: bool) -> str:
    import keras

    from .model import build_cnn, classifier, cnn_of, load_classifier, trainer

    if resume:
        saved = runs.read_json(folder / "config.json")
        if saved is None or not (folder / "model.keras").is_file():
            raise ValueError(f"{folder}: no run to resume there (no config.json or model.keras)")
        config = TrainConfig.from_dict(saved["train"])
        data_source = data_source or saved.get("data_source")
    config = config or TrainConfig()
    progress.update(message="loading the data")
    data = load_cifar10(data_source, download=download)
    x_train, y_train = data.x_train[: config.limit], data.y_train[: config.limit]
    if config.validation:  # the last images, held out: tested after every epoch, never trained on
        if config.validation >= len(x_train):
            raise DataError(
                f"cannot hold out {config.validation:,} images for validation from {len(x_train):,} training images"
            )
        held = len(x_train) - config.validation
        validation = (x_train[held:], y_train[held:])
        x_train, y_train = x_train[:held], y_train[:held]
    else:
        validation = None
    steps = -(-len(x_train) // config.batch_size)
    device = describe_device()
    if not resume:
        runs.write_json(
            folder / "config.json",
            {
                "train": config.to_dict(),
                "data": data.description,
                "data_source": data_source,
                "is_sample": data.is_sample,
                "device": device,
                "started": datetime.datetime.now().isoformat(timespec="seconds"),
            },
        )
    if (count := len(device["devices"])) > 1:  # every step's batch splits evenly between the devices
        if config.batch_size % count:
            raise ValueError(
                f"a batch of {config.batch_size} does not split evenly between {count} devices: "
                f"choose a batch size that is a multiple of {count}"
            )
        x_train, y_train = (a[: len(a) - len(a) % count] for a in (x_train, y_train))
        steps = -(-len(x_train) // config.batch_size)
    progress.update(device=device, batches_per_epoch=steps, message=f"building the network on {device_words(device)}")
    history = runs.read_json(folder / "history.json", []) if resume else []
    speed = speed_settings(device)
    # What is tested and saved: a float32 network on one device, whatever the training's arithmetic and
    # devices. A model saved in bfloat16 would compute in bfloat16, slowly, on the CPU of whoever opens it;
    # one built for several devices would run every test image on each of them (TensorFlow's mirrored
    # predict returns each image once per device). The trained weights are copied into it before each test.
    separate = speed["precision"] != "float32" or len(device["devices"]) > 1
    if separate:
        with one_device(device["devices"]), precision("float32"):
            model = classifier(build_cnn(config.model), config.flip_tta)
    keras.utils.set_random_seed(config.seed)
    with data_parallel(device["devices"]), precision(speed["precision"]):
        cnn = build_cnn(config.model)  # in the run's precision; a resumed run's weights go into it
        if resume:
            cnn.set_weights(cnn_of(load_classifier(folder / "model.keras")).get_weights())
        net = trainer(cnn, config.augment, seed=config.seed)
        optimizer = build_optimizer(config, steps)
        net.compile(
            optimizer=optimizer,
            metrics=["accuracy"],
            loss=keras.losses.CategoricalCrossentropy(label_smoothing=config.label_smoothing),
            jit_compile=speed["jit_compile"],
            steps_per_execution=speed["steps_per_execution"],
        )
        if not separate:
            model = classifier(cnn, config.flip_tta)
        if resume and (folder / "optimizer.npz").is_file():
            optimizer.build(net.trainable_variables)
            restore_optimizer(optimizer, net.trainable_variables, folder / "optimizer.npz")
    runs.write_status(folder, "running")
    doing = f"training on {data.training_on(len(x_train))}"  # what the run says between its tests
    if validation is not None:
        doing += f"; {len(validation[0]):,} more held out for validation"
    progress.update(epoch=len(history), message=doing)

    callback = _make_callback_class()(
        progress, model, cnn, data, folder, optimizer, history, steps, config, doing, validation
    )
    if len(history) < config.epochs and not runs.stop_requested(folder):
        with fitting(device["devices"]):
            net.fit(
                x_train,
                one_hot(y_train),
                batch_size=config.batch_size,
                epochs=config.epochs,
                initial_epoch=len(history),
                shuffle=True,
                verbose=0,
                callbacks=[callback],
            )
    status = "finished" if len(history) >= config.epochs else "stopped"
    progress.update(
        eta_seconds=0 if status == "finished" else None,
        message=f"{status} after {len(history)} of {config.epochs} epochs",
    )
    runs.write_status(folder, status)
    return status


@contextlib.contextmanager
def precision(policy: str):
    """The context in which new layers compute in `policy` ("float32", "mixed_bfloat16"); the one
    before is back after it."""
    import keras

    before = keras.config.dtype_policy()
    keras.config.set_dtype_policy(policy)
    try:
        yield
    finally:
        keras.config.set_dtype_policy(before)


def extend(folder: Path, epochs: int) -> TrainConfig:
    """Make a run's goal `epochs` epochs, so that resuming it trains on to there; returns its new config.

    A constant learning rate simply continues. A cosine schedule was planned for the run's epochs and
    has decayed to 0 by the end: stretching it would change the rate of the epochs already trained,
    so a longer run of that recipe is a new run (ValueError, in plain words). Fewer epochs than the
    run has trained are refused too."""
    folder = Path(folder)
    saved = runs.read_json(folder / "config.json")
    if not saved or "train" not in saved:
        raise ValueError(f"{folder}: no run there (no config.json)")
    config = TrainConfig.from_dict(saved["train"])
    done = len(runs.read_json(folder / "history.json", []))
    if epochs < done:
        raise ValueError(f"run {folder.name} has already trained {done} epochs: --epochs {epochs} would undo them")
    if epochs != config.epochs and config.schedule != "constant":
        raise ValueError(
            f"run {folder.name}'s learning rate follows a {config.schedule} schedule planned for {config.epochs} "
            f"epochs, which brings it down to 0 at the end; training on past that would need another schedule. "
            f"Start a new run with --epochs {epochs} instead"
        )
    if epochs != config.epochs:
        config = dataclasses.replace(config, epochs=epochs)
        runs.write_json(folder / "config.json", {**saved, "train": config.to_dict()})
    return config


def _make_callback_class():
    import keras

    from .evaluation import SAVED, Evaluation
    from .model import predict

    class Callback(keras.callbacks.Callback):
        """Publishes the progress, honours a stop request within a batch, tests and checkpoints every epoch."""

        def __init__(self, progress, model, cnn, data, folder, optimizer, history, steps, config, doing, validation):
            super().__init__()
            self.doing, self.validation = doing, validation  # validation: (images, labels) held out, or None
            self.progress, self.classifier, self.cnn, self.data, self.folder = progress, model, cnn, data, folder
            self.optimizer, self.history, self.steps, self.config = optimizer, history, steps, config
            self.recent: list[tuple[float, int]] = []  # (time, images) of the last batches
            self.evaluation_saved = None  # the file of the last checkpoint's evaluation
            self.smoothed = None
            checks = config.checks_per_epoch  # the in-between tests: after these batches of each epoch
            self.check_at = {round(j * steps / checks) for j in range(1, checks)} - {0, steps}

        def stopping(self) -> bool:
            return runs.stop_requested(self.folder)

        def on_epoch_begin(self, epoch, logs=None):
            self.epoch_start, self.previous, self.testing_seconds, self.last_k = time.time(), (0.0, 0.0), 0.0, 0

        def on_train_batch_end(self, batch, logs=None):
            # `batch` is the last step of the call: several steps per call on a GPU (steps_per_execution)
            now, k = time.time(), min(batch + 1, self.steps)
            done, before = k - self.last_k, self.last_k
            if done <= 0:
                return
            loss, accuracy = float(logs["loss"]), float(logs["accuracy"])
            # Keras reports means over the epoch so far; recover the mean of this call's own steps.
            this = tuple((k * now_ - before * then) / done for now_, then in zip((loss, accuracy), self.previous))
            self.previous = (loss, accuracy)
            ema = 0.9 if self.smoothed else 0.0
            self.smoothed = tuple(ema * s + (1 - ema) * v for s, v in zip(self.smoothed or this, this))
            self.recent = (self.recent + [(now, done * self.config.batch_size)])[-50:]
            speed = None
            if len(self.recent) > 1:
                speed = sum(n for _, n in self.recent[1:]) / max(1e-9, now - self.recent[0][0])
            epoch = len(self.history)
            left = (self.config.epochs - epoch) * self.steps - k
            self.progress.point(
                {
                    "step": epoch * self.steps + k,
                    "epoch": epoch + k / self.steps,
                    "loss": self.smoothed[0],
                    "accuracy": self.smoothed[1],
                }
            )
            self.progress.update(
                publish=False,
                epoch=epoch,
                batch=k,
                loss=loss,
                accuracy=accuracy,
                images_per_second=speed,
                eta_seconds=left * self.config.batch_size / speed if speed else None,
            )
            self.progress.maybe_publish()
            if self.stopping():
                self.model.stop_training = True
            elif any(self.last_k < b <= k for b in self.check_at):  # a check's batch was reached (or passed)
                self.check(epoch + k / self.steps)
            self.last_k = k

        def test(self, images: int | None = None, on=None):
            """(probabilities, correct) on the first `images` test images (all by default), or on `on` (images,
            labels); (None, None) if stopped. The float32 network that is saved is tested, with the weights
            trained so far."""
            if hasattr(self.model, "jax_state_sync"):  # JAX keeps the weights out of the model within an epoch
                self.model.jax_state_sync()
            if self.classifier.get_layer("cnn") is not self.cnn:  # trained apart (bfloat16, devices): copy over
                self.classifier.get_layer("cnn").set_weights(self.cnn.get_weights())
            x, y = on if on is not None else (self.data.x_test[:images], self.data.y_test[:images])
            probabilities = predict(self.classifier, x, should_stop=self.stopping)
            return (None, None) if probabilities is None else (probabilities, int(np.sum(probabilities.argmax(1) == y)))

        def check(self, at: float):
            """An in-between test, on the first check_images test images: a point of the curve. If it
            reaches the article's line, every test image is tested at once: only that full figure can
            say the line is passed."""
            began = time.time()
            images = min(self.config.check_images or len(self.data.x_test), len(self.data.x_test))
            self.progress.update(message=f"testing on {images:,} images")
            _, correct = self.test(images)
            if correct is None:
                return
            point = {"epoch": at, "test_accuracy": correct / images, "test_images": images}
            self.progress.state["checks"].append({**point, "seconds": self.progress.elapsed()})
            if point["test_accuracy"] >= ARTICLE_ACCURACY and self.progress.state["crossed"] is None:
                if images < len(self.data.x_test):
                    self.progress.update(message=f"testing on all {len(self.data.x_test):,} test images")
                    _, correct = self.test()
                if correct is not None:
                    self.passed(at, correct)
            self.progress.update(message=self.doing)
            took = time.time() - began  # not training time: out of the speed and the epoch's images/s
            self.testing_seconds += took
            self.recent = [(t + took, n) for t, n in self.recent]

        def passed(self, at: float, correct: int):
            """Record the moment the article's line is passed, if this full-test-set figure passes it."""
            images = len(self.data.y_test)
            if self.progress.state["crossed"] is None and correct / images >= ARTICLE_ACCURACY:
                self.progress.state["crossed"] = {
                    "epoch": round(at, 3),
                    "seconds": self.progress.elapsed(),
                    "test_accuracy": correct / images,
                    "test_correct": correct,
                    "test_images": images,
                }

        def on_epoch_end(self, epoch, logs=None):
            if self.stopping():
                return  # a stopped epoch is not finished: the last checkpoint stays the last one
            train_seconds = time.time() - self.epoch_start - self.testing_seconds
            self.progress.update(message=f"epoch {epoch + 1}: testing on {len(self.data.x_test):,} images")
            probabilities, correct = self.test()
            record = {
                "epoch": epoch + 1,
                "loss": float(logs["loss"]),
                "accuracy": float(logs["accuracy"]),
                "test_accuracy": None if correct is None else correct / len(self.data.y_test),
                "test_correct": correct,
                "test_images": len(self.data.y_test),
                "seconds": round(time.time() - self.epoch_start, 2),
                "images_per_second": round(self.steps * self.config.batch_size / train_seconds, 1),
                "elapsed": self.progress.elapsed(),  # on the run's clock, since Start
            }
            if correct is not None:
                self.passed(epoch + 1, correct)
            if self.validation is not None and correct is not None:
                self.progress.update(message=f"epoch {epoch + 1}: validating on {len(self.validation[1]):,} images")
                _, right = self.test(on=self.validation)
                if right is not None:  # stopped while validating: the epoch is kept, as after a stopped test
                    record.update(validation_accuracy=right / len(self.validation[1]), validation_correct=right)
                    record["validation_images"] = len(self.validation[1])
            self.history.append(record)
            self.checkpoint()
            if probabilities is not None:  # the Results pages of this checkpoint open at once
                self.keep_evaluation(Evaluation(probabilities, self.data.y_test, tuple(self.data.class_names)))
            self.progress.update(epoch=epoch + 1, batch=0, message=f"epoch {epoch + 1} of {self.config.epochs} done")

        def keep_evaluation(self, evaluation):
            """Save this checkpoint's test pass as its evaluation; the previous checkpoint's is stale."""
            saved = SAVED.save(self.folder / "model.keras", self.data, evaluation)
            if self.evaluation_saved not in (None, saved):
                self.evaluation_saved.unlink(missing_ok=True)
            self.evaluation_saved = saved

        def checkpoint(self):
            runs.write_atomic(self.folder / "model.keras", lambda p: self.classifier.save(p))
            save_optimizer(self.optimizer, self.model.trainable_variables, self.folder / "optimizer.npz")
            runs.write_json(self.folder / "history.json", self.history)

    return Callback


# --- the Train page's way in: the same command, as a child process -----------------------------
def command_line(config: TrainConfig) -> list[str]:
    """`cnn-lab train` arguments that give exactly this config (a preset with overrides), or ValueError."""
    overrides = {
        "epochs": config.epochs,
        "batch_size": config.batch_size,
        "learning_rate": config.learning_rate,
        "augment": config.augment,
        "limit": config.limit,
        "validation": config.validation,
        "seed": config.seed,
    }
    if preset(config.preset, **overrides) != config:
        raise ValueError(
            "the command line trains a preset with epochs, batch size, learning rate, augmentation, "
            "limit, validation and seed changed; this config changes more"
        )
    args = [
        "--preset",
        config.preset,
        "--epochs",
        str(config.epochs),
        "--batch-size",
        str(config.batch_size),
        "--learning-rate",
        repr(config.learning_rate),
        "--augment",
        config.augment,
        "--seed",
        str(config.seed),
    ]
    args += ["--validation", str(config.validation)] if config.validation else []
    return args + (["--limit", str(config.limit)] if config.limit else [])


def crash_report(signal_name: str, output: str) -> dict:
    """What a run that crashed below Python says on its page: the fatal line of its log, if it printed one
    (absl's "F1205 12:00:00 file.cc:161] why", "Fatal Python error: why", "Check failed: why"), and the
    end of its log without the stack's raw addresses ("    @ 0x7f... name"), which say nothing to a teacher."""
    lines = [line for line in output.splitlines() if not re.match(r"\s*@\s+0x[0-9a-f]+", line)]
    fatal = [line for line in lines if re.match(r"(F\d{4} |Fatal Python error|Check failed)", line)]
    why = re.sub(r"^F\d{4} [\d:.]+\s+\d+ [\w.]+:\d+\] ", "", fatal[-1]).strip() if fatal else ""
    error = f"the training process crashed ({signal_name})" + (f": {why}" if why else "; the end of its log says why")
    return {"error": error, "traceback": "\n".join(lines)}


def _watch_child(child: subprocess.Popen, folder: Path) -> None:
    """Reap the child when it ends; log a failure with its traceback (the page shows its end too)."""
    code = child.wait()
    if code == 0:
        return
    saved = runs.read_json(folder / "status.json", {})
    if saved.get("status") == "failed":  # the run recorded its own exception
        log.error("training run %s failed: %s\n%s", folder.name, saved.get("error"), saved.get("traceback") or "")
        return
    output = (folder / "train.log").read_text(errors="replace")[-3000:] if (folder / "train.log").is_file() else ""
    if -code in CRASH_SIGNALS and saved.get("status") in runs.LIVE:
        # it crashed below Python (XLA's abort, a segfault), with no exception to record: its output says why
        name = signal.Signals(-code).name
        log.error("training run %s crashed (%s):\n%s", folder.name, name, output)
        runs.write_status(folder, "failed", **crash_report(name, output))
    elif code < 0:  # killed (out of memory, kill -9): "interrupted", resumable from its last finished epoch
        log.error(
            "training run %s was killed by signal %s; it can resume from its last finished epoch", folder.name, -code
        )
    elif saved.get("status") in runs.LIVE:  # it ended before it could say why: its output says
        log.error("training run %s ended with exit code %s:\n%s", folder.name, code, output)
        runs.write_status(folder, "failed", error=f"the training process ended with exit code {code}", traceback=output)


def start(
    config: TrainConfig | None = None, data: str | None = None, resume: Path | None = None, root: Path | None = None
) -> str:
    """Start `python -m cnn_lab train` for a new run (or `--resume` the run in folder `resume`) as a
    child process, in a session of its own; returns the run's id at once.

    RunBusy if a run trains on this computer already, ValueError for a run that cannot resume.
    """
    pressed = time.time()  # Start: the run's clock counts from here, the child's start-up included
    root = Path(root) if root else Path(resume).parent if resume is not None else runs.runs_dir()
    root.mkdir(parents=True, exist_ok=True)
    with open(root / ".start.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # two Start clicks at once: one of them waits, then is refused
        if (busy := runs.live_run(root)) is not None:
            raise RunBusy(f"run {busy.name} is training (process {runs.training_pid(busy)}); stop it or wait for it")
        if resume is not None:
            folder = Path(resume)
            if not (folder / "config.json").is_file() or not (folder / "model.keras").is_file():
                raise ValueError(f"{folder}: no run to resume there (no config.json or model.keras)")
            args = ["--resume"] + (["--data", data] if data else [])
        else:
            folder = runs.run_path(runs.new_run_id(), root)
            args = command_line(config or preset("fast")) + (["--data", data] if data else [])
        folder.mkdir(parents=True, exist_ok=True)
        runs.clear_stop(folder)
        env = dict(
            os.environ,
            CNN_LAB_RUNS=str(root),
            CNN_LAB_STARTED=repr(pressed),
            PYTHONUNBUFFERED="1",
            PYTHONPATH=os.pathsep.join(
                [str(PACKAGE_PARENT)] + [p for p in os.environ.get("PYTHONPATH", "").split(os.pathsep) if p]
            ),
        )
        with open(folder / "train.log", "ab") as out:
            child = subprocess.Popen(
                [sys.executable, "-m", "cnn_lab", "train", *args, "--no-download", "--run-dir", str(folder)],
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=subprocess.STDOUT,
                env=env,
                cwd=str(PACKAGE_PARENT.parent),
                start_new_session=True,
            )
        runs.write_status(folder, "starting", pid=child.pid)  # seen as this run's at once, by every page
    threading.Thread(target=_watch_child, args=(child, folder), name=f"cnn-lab-run-{folder.name}", daemon=True).start()
    return folder.name


def stop(run_id: str, root: Path | None = None) -> bool:
    """Ask a live run to stop after its batch in progress; False if it is not training."""
    folder = runs.run_path(run_id, root)
    if runs.training_pid(folder) is None:
        return False
    runs.request_stop(folder)
    return True


def force_stop(run_id: str, root: Path | None = None) -> bool:
    """End a run's process at once (SIGKILL to its process group), for a run stuck in a step that
    never sees its stop request; False if it is not training. The run keeps its last finished epoch
    and shows as interrupted, resumable from there."""
    folder = runs.run_path(run_id, root)
    pid = runs.training_pid(folder)
    if pid is None:
        return False
    try:
        if os.getpgid(pid) == pid:  # started by the lab, in a session of its own: its children go too
            os.killpg(pid, signal.SIGKILL)
        else:  # started in a terminal, in the shell's process group: that process alone
            os.kill(pid, signal.SIGKILL)
    except ProcessLookupError:
        return False
    log.warning("training run %s did not stop when asked and was ended (SIGKILL)", run_id)
    return True
