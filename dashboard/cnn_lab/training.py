"""Training as a background job that any number of pages, tabs and students can watch.

    job = TrainingJob()
    job.start(preset("fast"))     # returns at once; a thread trains
    job.snapshot()                # progress: epoch, batch, loss, accuracy, images/s, ETA, device
    job.stop()                    # takes effect after the current batch

One job runs at a time per server process (`JOB` is that job). Every finished epoch is
checkpointed atomically (write to a temporary file, then rename) into its run folder:

    <runs>/<run-id>/model.keras      the classifier (uint8 32x32x3 in, 10 probabilities out)
                    optimizer.npz    the optimizer's state, so a resumed run goes on exactly
                    history.json     one record per finished epoch
                    config.json      the TrainConfig and the data source
                    status.json      running / finished / stopped / failed

so a run that was stopped, or whose process died, resumes from its last finished epoch.
Nothing here imports streamlit or calls into a page.
"""

from __future__ import annotations

import datetime
import json
import os
import re
import secrets
import socket
import threading
import time
import traceback
from pathlib import Path

import numpy as np

from .data import PROJECT_ROOT, load_cifar10
from .recipes import TrainConfig

RUN_ID = re.compile(r"^[0-9]{8}-[0-9]{6}-[0-9a-f]{4}$")
CHECKPOINT_FILES = ("model.keras", "optimizer.npz", "history.json", "config.json", "status.json")


class JobBusy(RuntimeError):
    """A run is already training in this server."""


def runs_dir() -> Path:
    return Path(os.environ.get("CNN_LAB_RUNS", PROJECT_ROOT / "runs")).expanduser()


def new_run_id() -> str:
    return datetime.datetime.now().strftime("%Y%m%d-%H%M%S-") + secrets.token_hex(2)


def run_path(run_id: str, root: Path | None = None) -> Path:
    """The folder of a run, after checking that the id is one of ours (never a path of a user's)."""
    if not isinstance(run_id, str) or not RUN_ID.match(run_id):
        raise ValueError(f"not a run id: {run_id!r}")
    return (root or runs_dir()) / run_id


def _write_atomic(path: Path, write) -> None:
    """Write through a temporary file in the same folder, then rename: never half a file."""
    tmp = path.with_name(f".tmp-{path.stem}{path.suffix}")  # keeps the suffix Keras insists on
    write(tmp)
    os.replace(tmp, path)


def _write_json(path: Path, value) -> None:
    _write_atomic(path, lambda p: p.write_text(json.dumps(value, indent=1)))


def read_json(path: Path, default=None):
    try:
        return json.loads(Path(path).read_text())
    except (OSError, ValueError):
        return default


def describe_device() -> dict:
    """What trains: the GPU's name, or the CPU's, said plainly."""
    import keras

    backend = keras.config.backend()
    name = None
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
        return {"kind": "GPU", "name": name, "backend": backend}
    cpu = "CPU"
    try:
        cpu = next(line.split(":", 1)[1].strip() for line in open("/proc/cpuinfo") if line.startswith("model name"))
    except (OSError, StopIteration):
        pass
    return {"kind": "CPU", "name": f"{cpu}, {os.cpu_count()} cores", "backend": backend}


def running_elsewhere(folder: Path) -> int | None:
    """The id of another live process on this computer that is training this run (`cnn-lab train`
    in a terminal, or another server), else None. Its status.json names the process."""
    saved = read_json(Path(folder) / "status.json", {})
    pid = saved.get("pid")
    if saved.get("status") != "running" or not isinstance(pid, int) or pid == os.getpid() \
            or saved.get("host") != socket.gethostname():
        return None
    try:
        os.kill(pid, 0)  # signal 0 sends nothing: it only asks whether the process exists
    except ProcessLookupError:
        return None
    except PermissionError:
        pass  # it exists, under another user
    return pid


def list_runs(root: Path | None = None, live_run_id: str | None = None) -> list[dict]:
    """Every run folder, newest first, with what a page needs to show and choose it."""
    root = root or runs_dir()
    runs = []
    for folder in sorted(root.glob("*"), reverse=True) if root.is_dir() else []:
        if not RUN_ID.match(folder.name) or not (folder / "config.json").is_file():
            continue
        config = read_json(folder / "config.json", {})
        history = read_json(folder / "history.json", [])
        status = read_json(folder / "status.json", {}).get("status", "unknown")
        if status == "running" and folder.name != live_run_id:
            # another process trains it, or its process died mid-run: resumable from the last epoch
            status = "running elsewhere" if running_elsewhere(folder) else "interrupted"
        scores = [h["test_accuracy"] for h in history if h.get("test_accuracy") is not None]
        runs.append({
            "run_id": folder.name, "path": folder, "status": status,
            "epochs_done": len(history), "epochs": config.get("train", {}).get("epochs"),
            "preset": config.get("train", {}).get("preset"),
            "best_test_accuracy": max(scores) if scores else None,
            "data": config.get("data", "?"), "has_model": (folder / "model.keras").is_file(),
            "started": config.get("started"),
        })
    return runs


def _one_hot(labels) -> np.ndarray:
    return np.eye(10, dtype="float32")[labels]


def build_optimizer(config: TrainConfig, steps_per_epoch: int):
    import keras

    rate = config.learning_rate
    if config.schedule == "cosine":
        warmup = int(config.warmup_epochs * steps_per_epoch)
        rate = keras.optimizers.schedules.CosineDecay(
            initial_learning_rate=0.0 if warmup else rate, warmup_target=rate if warmup else None,
            warmup_steps=warmup, decay_steps=max(1, config.epochs * steps_per_epoch - warmup))
    if config.weight_decay:
        return keras.optimizers.AdamW(rate, weight_decay=config.weight_decay)
    return keras.optimizers.Adam(rate)


def predict(model, images, batch_size=500, should_stop=lambda: False, on_progress=None):
    """Class probabilities for uint8 images, a compiled call per chunk; None if stopped."""
    out = []
    for start in range(0, len(images), batch_size):
        if should_stop():
            return None
        out.append(np.asarray(model.predict_on_batch(images[start:start + batch_size])))
        if on_progress:
            on_progress(min(len(images), start + batch_size), len(images))
    return np.concatenate(out) if out else np.zeros((0, 10), "float32")


class TrainingJob:
    """One background training run at a time, observable from any thread."""

    def __init__(self):
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._state: dict = {"status": "idle"}

    # --- what readers use -------------------------------------------------------------------
    def snapshot(self) -> dict:
        """A copy of the progress, safe to read while the job trains."""
        with self._lock:
            s = dict(self._state)
            s["history"] = list(s.get("history", []))
            s["batches"] = list(s.get("batches", []))
            return s

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def stop(self) -> None:
        """Ask the run to stop; it does after the batch in progress and keeps its last checkpoint."""
        if self.running:
            self._stop.set()
            self._update(status="stopping")

    def wait(self, timeout: float | None = None) -> dict:
        if self._thread is not None:
            self._thread.join(timeout)
        return self.snapshot()

    def start(self, config: TrainConfig | None = None, data: str | None = None,
              run_dir: str | os.PathLike | None = None, resume: bool = False) -> str:
        """Start a run (or resume one, from `run_dir`) in a background thread; returns its id."""
        with self._lock:
            if self._thread is not None and self._thread.is_alive():
                raise JobBusy(f"run {self._state.get('run_id')} is training; stop it or wait for it")
            if resume:
                folder = Path(run_dir)
                if pid := running_elsewhere(folder):
                    raise JobBusy(f"run {folder.name} is training in another process (id {pid})")
                saved = read_json(folder / "config.json")
                if saved is None or not (folder / "model.keras").is_file():
                    raise ValueError(f"{folder}: no run to resume there (no config.json or model.keras)")
                config = TrainConfig.from_dict(saved["train"])
                data = data or saved.get("data_source")
            else:
                config = config or TrainConfig()
                folder = Path(run_dir) if run_dir else run_path(new_run_id())
            self._stop.clear()
            self._state = {"status": "starting", "run_id": folder.name, "run_dir": str(folder),
                           "config": config.to_dict(), "epoch": 0, "epochs": config.epochs, "batch": 0,
                           "batches_per_epoch": None, "history": [], "batches": [],
                           "images_per_second": None, "eta_seconds": None, "device": None,
                           "message": "loading the data", "error": None, "started": time.time()}
            self._thread = threading.Thread(target=self._run, args=(config, data, folder, resume),
                                            name="cnn-lab-training", daemon=True)
            self._thread.start()
            return folder.name

    # --- the thread -------------------------------------------------------------------------
    def _update(self, **changes) -> None:
        with self._lock:
            self._state.update(changes)

    def _run(self, config: TrainConfig, data_source, folder: Path, resume: bool) -> None:
        try:
            self._train(config, data_source, folder, resume)
        except Exception as e:  # the message reaches every reader; the last checkpoint stays
            self._update(status="failed", error=f"{type(e).__name__}: {e}", message="training failed",
                         traceback=traceback.format_exc())
            if folder.is_dir():
                _write_json(folder / "status.json", {"status": "failed", "error": str(e)})

    def _train(self, config: TrainConfig, data_source, folder: Path, resume: bool) -> None:
        import keras

        from .model import build_cnn, classifier, cnn_of, load_classifier, trainer

        data = load_cifar10(data_source)
        x_train, y_train = data.x_train[:config.limit], data.y_train[:config.limit]
        steps = -(-len(x_train) // config.batch_size)
        device = describe_device()
        self._update(device=device, batches_per_epoch=steps, data=data.description,
                     message=f"building the network on the {device['kind']}")
        keras.utils.set_random_seed(config.seed)
        folder.mkdir(parents=True, exist_ok=True)

        history = read_json(folder / "history.json", []) if resume else []
        cnn = cnn_of(load_classifier(folder / "model.keras")) if resume else build_cnn(config.model)
        net = trainer(cnn, config.augment, seed=config.seed)
        model = classifier(cnn, config.flip_tta)
        optimizer = build_optimizer(config, steps)
        net.compile(optimizer=optimizer, metrics=["accuracy"],
                    loss=keras.losses.CategoricalCrossentropy(label_smoothing=config.label_smoothing),
                    jit_compile=device["kind"] == "GPU")  # XLA: 4x slower on a CPU, faster on a GPU
        if resume and (folder / "optimizer.npz").is_file():
            optimizer.build(net.trainable_variables)
            with np.load(folder / "optimizer.npz") as saved:
                for i, variable in enumerate(optimizer.variables):
                    variable.assign(saved[f"arr_{i}"])
        if not resume:
            _write_json(folder / "config.json", {
                "train": config.to_dict(), "data": data.description, "data_source": data_source,
                "is_sample": data.is_sample, "device": device,
                "started": datetime.datetime.now().isoformat(timespec="seconds")})
        _write_json(folder / "status.json", {"status": "running", "pid": os.getpid(), "host": socket.gethostname()})
        self._update(status="running", history=list(history), epoch=len(history),
                     message=f"training on {data.description}")

        progress = _make_progress_class()(self, model, data, folder, optimizer, history, steps, config)
        if len(history) < config.epochs:
            net.fit(x_train, _one_hot(y_train), batch_size=config.batch_size, epochs=config.epochs,
                    initial_epoch=len(history), shuffle=True, verbose=0, callbacks=[progress])
        status = "stopped" if self._stop.is_set() else "finished"
        _write_json(folder / "status.json", {"status": status})
        self._update(status=status, eta_seconds=0 if status == "finished" else None,
                     message=f"{status} after {len(history)} of {config.epochs} epochs")


def _make_progress_class():
    import keras

    class Progress(keras.callbacks.Callback):
        """Publishes every batch, honours stop(), evaluates and checkpoints every epoch."""

        def __init__(self, job, model, data, folder, optimizer, history, steps, config):
            super().__init__()
            self.job, self.classifier, self.data, self.folder = job, model, data, folder
            self.optimizer, self.history, self.steps, self.config = optimizer, history, steps, config
            self.recent: list[tuple[float, int]] = []  # (time, images) of the last batches
            self.smoothed = None

        def on_epoch_begin(self, epoch, logs=None):
            self.epoch_start, self.previous = time.time(), (0.0, 0.0)

        def on_train_batch_end(self, batch, logs=None):
            now, k = time.time(), batch + 1
            loss, accuracy = float(logs["loss"]), float(logs["accuracy"])
            # Keras reports means over the epoch so far; recover this batch's own values.
            this = (k * loss - batch * self.previous[0], k * accuracy - batch * self.previous[1])
            self.previous = (loss, accuracy)
            ema = 0.9 if self.smoothed else 0.0
            self.smoothed = tuple(ema * s + (1 - ema) * v for s, v in zip(self.smoothed or this, this))
            self.recent = (self.recent + [(now, self.config.batch_size)])[-50:]
            speed = None
            if len(self.recent) > 1:
                speed = sum(n for _, n in self.recent[1:]) / max(1e-9, now - self.recent[0][0])
            epoch = len(self.history)
            left = (self.config.epochs - epoch) * self.steps - k
            with self.job._lock:
                state = self.job._state
                state["batches"].append({"step": epoch * self.steps + k, "epoch": epoch + k / self.steps,
                                         "loss": self.smoothed[0], "accuracy": self.smoothed[1]})
                state.update(epoch=epoch, batch=k, loss=loss, accuracy=accuracy, images_per_second=speed,
                             eta_seconds=left * self.config.batch_size / speed if speed else None)
            if self.job._stop.is_set():
                self.model.stop_training = True

        def on_epoch_end(self, epoch, logs=None):
            if self.job._stop.is_set():
                return  # a stopped epoch is not finished: the last checkpoint stays the last one
            train_seconds = time.time() - self.epoch_start
            self.job._update(message=f"epoch {epoch + 1}: testing on {len(self.data.x_test):,} images")
            probabilities = predict(self.classifier, self.data.x_test, should_stop=self.job._stop.is_set)
            test_accuracy = (None if probabilities is None else
                             float(np.mean(probabilities.argmax(1) == self.data.y_test)))
            record = {"epoch": epoch + 1, "loss": float(logs["loss"]), "accuracy": float(logs["accuracy"]),
                      "test_accuracy": test_accuracy, "seconds": round(time.time() - self.epoch_start, 2),
                      "images_per_second": round(self.steps * self.config.batch_size / train_seconds, 1)}
            self.history.append(record)
            self.checkpoint()
            self.job._update(history=list(self.history), epoch=epoch + 1,
                             message=f"epoch {epoch + 1} of {self.config.epochs} done")

        def checkpoint(self):
            f = self.folder
            _write_atomic(f / "model.keras", lambda p: self.classifier.save(p))
            _write_atomic(f / "optimizer.npz", lambda p: np.savez(
                p, *[np.asarray(v) for v in self.optimizer.variables]))
            _write_json(f / "history.json", self.history)

    return Progress


JOB = TrainingJob()


DELETABLE = ("finished", "stopped", "interrupted", "failed")


def delete_run(run_id: str, root: Path | None = None, live_run_id: str | None = None) -> Path:
    """Delete a finished, stopped, interrupted or failed run's folder; returns the folder.

    Refuses (ValueError) anything that is not a run id, a folder that is not a run, and a run
    that trains: the live one of this server (`live_run_id`, default: JOB's) or one another
    process trains.
    """
    import shutil

    folder = run_path(run_id, root)
    if not (folder / "config.json").is_file():
        raise ValueError(f"no run {run_id} here")
    if live_run_id is None and JOB.running:
        live_run_id = JOB.snapshot().get("run_id")
    status = read_json(folder / "status.json", {}).get("status", "unknown")
    if run_id == live_run_id:
        raise ValueError(f"run {run_id} is training now: stop it first")
    if status == "running":
        if running_elsewhere(folder):
            raise ValueError(f"run {run_id} is training in another process")
        status = "interrupted"
    if status not in DELETABLE:
        raise ValueError(f"run {run_id} is {status}: only a finished, stopped, interrupted or failed run "
                         "can be deleted")
    shutil.rmtree(folder)
    return folder
