"""How good is a model? Accuracy as the article writes it, per class, and what it confuses.

`EVALUATIONS` evaluates saved models in the background, once per model file and test set, and
keeps every evaluation on disk (`SAVED`, <runs>/evaluations/), keyed by the hashes of the model
file and of the test set: after a restart a model's Results open at once, and a changed file or
test set is evaluated afresh. A training run saves each checkpoint's evaluation there as it tests
it, so a finished run's Results open at once too.
"""

from __future__ import annotations

import dataclasses
import hashlib
import logging
import threading
from concurrent import futures
from pathlib import Path

import numpy as np

from cnn_lab.files import write_atomic
from cnn_lab.settings import runs_dir
from cnn_lab.settings import CLASS_NAMES, NUM_CLASSES, file_version

log = logging.getLogger(__name__)


@dataclasses.dataclass
class Evaluation:
    probabilities: np.ndarray  # (N, 10) what the model said for each test image
    labels: np.ndarray  # (N,) the true classes
    class_names: tuple = CLASS_NAMES

    @property
    def predictions(self) -> np.ndarray:
        return self.probabilities.argmax(1)

    @property
    def correct(self) -> int:
        return int((self.predictions == self.labels).sum())

    @property
    def total(self) -> int:
        return len(self.labels)

    @property
    def accuracy(self) -> float:
        return self.correct / max(1, self.total)

    def summary(self) -> str:
        """The article's way: 7844/10000 (78.44%)."""
        return f"{self.correct}/{self.total} ({100 * self.accuracy:.2f}%)"

    def per_class(self) -> dict[str, float]:
        return {
            name: float(np.mean(self.predictions[self.labels == c] == c)) if np.any(self.labels == c) else float("nan")
            for c, name in enumerate(self.class_names)
        }

    def easiest_and_hardest(self) -> tuple[str, str]:
        """The classes with the highest and the lowest accuracy (the first of a tie; a class with no test
        images is neither)."""
        tested = {name: accuracy for name, accuracy in self.per_class().items() if not np.isnan(accuracy)}
        return max(tested, key=tested.get), min(tested, key=tested.get)

    def top_classes(self, index: int, count: int = 3) -> list[int]:
        """The `count` classes the model gave test image `index` the highest probabilities, highest first."""
        return [int(c) for c in np.argsort(-self.probabilities[index], kind="stable")[:count]]

    def per_class_counts(self) -> tuple[np.ndarray, np.ndarray]:
        """(right, seen): for each class, its test images classified right, and all its test images."""
        counts = self.confusion()
        return counts.diagonal().copy(), counts.sum(1)

    def most_confused(self) -> tuple[int, int]:
        """(true, predicted): the two different classes the model mixes up most often."""
        off = self.confusion()
        np.fill_diagonal(off, -1)
        true, predicted = np.unravel_index(off.argmax(), off.shape)
        return int(true), int(predicted)

    def confusion(self) -> np.ndarray:
        """counts[true, predicted]."""
        counts = np.zeros((NUM_CLASSES, NUM_CLASSES), dtype=np.int64)
        np.add.at(counts, (self.labels, self.predictions), 1)
        return counts

    def cell(self, true: int, predicted: int) -> np.ndarray:
        """Indices of the images of class `true` that the model called `predicted`, highest probability first."""
        idx = np.flatnonzero((self.labels == true) & (self.predictions == predicted))
        return idx[np.argsort(-self.probabilities[idx, predicted], kind="stable")]

    def mistakes(self, true: int | None = None, predicted: int | None = None) -> np.ndarray:
        """Indices of the wrongly classified images, the highest probability on a wrong class first."""
        wrong = self.predictions != self.labels
        if true is not None:
            wrong &= self.labels == true
        if predicted is not None:
            wrong &= self.predictions == predicted
        idx = np.flatnonzero(wrong)
        return idx[np.argsort(-self.probabilities[idx].max(1), kind="stable")]

    def to_dict(self) -> dict:
        return {"correct": self.correct, "total": self.total, "accuracy": self.accuracy, "per_class": self.per_class()}


def evaluate(model, images, labels, class_names=CLASS_NAMES, **predict_options) -> Evaluation | None:
    """Run the model over the images; None if `should_stop` said so on the way."""
    from cnn_lab.network.model import predict

    probabilities = predict(model, images, **predict_options)
    return None if probabilities is None else Evaluation(probabilities, np.asarray(labels), tuple(class_names))


class SavedEvaluations:
    """Evaluations on disk, one .npz per (model file, test set), named by their SHA-256 hashes.

    Nothing in a file is trusted: it is read without pickle, and used only if its labels are the
    test set's and its probabilities have the right shape; anything else is evaluated afresh."""

    def __init__(self, folder: Path | None = None):
        self._folder = folder
        self._lock = threading.Lock()
        self._model_hashes: dict[tuple, str] = {}  # settings.file_version -> hash: each version read once
        self._data_hashes: dict[int, tuple] = {}  # id(x_test) -> (x_test, hash): each test set hashed once

    def folder(self) -> Path:
        return self._folder or runs_dir() / "evaluations"

    def _model_hash(self, model_path: Path) -> str:
        version = file_version(model_path)
        with self._lock:
            if version in self._model_hashes:
                return self._model_hashes[version]
        digest = hashlib.sha256()
        with open(model_path, "rb") as f:
            for block in iter(lambda: f.read(1 << 20), b""):
                digest.update(block)
        with self._lock:
            self._model_hashes[version] = digest.hexdigest()
        return digest.hexdigest()

    def _data_hash(self, data) -> str:
        with self._lock:
            kept = self._data_hashes.get(id(data.x_test))
            if kept is not None and kept[0] is data.x_test:
                return kept[1]
        digest = hashlib.sha256(np.ascontiguousarray(data.x_test).tobytes())
        digest.update(np.asarray(data.y_test, dtype=np.int64).tobytes())
        with self._lock:
            self._data_hashes[id(data.x_test)] = (data.x_test, digest.hexdigest())
        return digest.hexdigest()

    def path(self, model_path: Path, data) -> Path:
        return self.folder() / f"{self._model_hash(model_path)[:24]}-{self._data_hash(data)[:24]}.npz"

    def load(self, model_path: Path, data) -> Evaluation | None:
        """The saved evaluation of this model file on this test set, or None."""
        try:
            path = self.path(model_path, data)
            if not path.is_file():
                return None
            with np.load(path, allow_pickle=False) as saved:
                probabilities, labels = saved["probabilities"], saved["labels"]
        except Exception as e:  # damaged, cut short, not an npz: evaluate afresh
            log.warning("ignoring a saved evaluation of %s: %s", model_path, e)
            return None
        if probabilities.shape != (len(data.y_test), NUM_CLASSES) or not np.array_equal(labels, data.y_test):
            log.warning("ignoring a saved evaluation of %s that is not of this test set", model_path)
            return None
        return Evaluation(probabilities, np.asarray(data.y_test), tuple(data.class_names))

    def save(self, model_path: Path, data, evaluation: Evaluation) -> Path | None:
        """Keep an evaluation on disk (written whole or not at all); None if the folder cannot be written."""
        try:
            path = self.path(model_path, data)
            path.parent.mkdir(parents=True, exist_ok=True)
            write_atomic(path, lambda p: np.savez(p, probabilities=evaluation.probabilities, labels=evaluation.labels))
            return path
        except OSError as e:
            log.warning("could not save the evaluation of %s: %s", model_path, e)
            return None


SAVED = SavedEvaluations()


class EvaluationJob:
    """Evaluations of saved models, each computed once per server in a background thread.

    A result is kept per model file version and test set: (path, modification time, size, data
    source). Thirty students opening the results of one model share one evaluation; a rerun of
    a page only reads it. One evaluation runs at a time (a pool of one thread: the others wait
    their turn in its queue), and `stop(key)` ends one after the chunk in progress, or before it
    starts. Nothing here imports streamlit.

        key = EVALUATIONS.start("model.keras", data)    # returns at once
        EVALUATIONS.status(key)    # {"status": "queued" | "running" | "done" | ..., "done": 500, ...}
        EVALUATIONS.result(key)    # the Evaluation once done, else None
    """

    def __init__(self, keep: int = 16):
        self._lock = threading.Lock()
        self._pool = futures.ThreadPoolExecutor(1, "cnn-lab-evaluation")  # two cores: one evaluation at a time
        self._keep = keep
        self._results: dict[tuple, Evaluation] = {}  # oldest first
        self._states: dict[tuple, dict] = {}  # the evaluations not done: status, images done, error
        self._jobs: dict[tuple, tuple[futures.Future, threading.Event]] = {}  # the latest evaluation of each key
        # A stopping server must not wait for an evaluation: stop them all before the pool's own exit hook
        # joins its thread (threading's exit hooks, which concurrent.futures uses, run before atexit's).
        threading._register_atexit(self.stop_all)

    @staticmethod
    def key(model_path, data) -> tuple:
        """What an evaluation depends on: the model file's version and the test set."""
        # FileNotFoundError for a missing model: callers say so first
        return (*file_version(model_path), data.source, len(data.x_test))

    def result(self, key: tuple) -> Evaluation | None:
        with self._lock:
            return self._results.get(key)

    def find(self, model_path, data) -> Evaluation | None:
        """The evaluation of this model file on this test set if it was done before: by this server,
        or by any run of the lab or a training run, kept on disk."""
        key = self.key(model_path, data)
        found = self.result(key)
        if found is None and (found := SAVED.load(Path(model_path), data)) is not None:
            self.store(key, found)
        return found

    def status(self, key: tuple) -> dict:
        with self._lock:
            if key in self._results:
                return {"status": "done", "done": self._results[key].total, "total": self._results[key].total}
            return dict(self._states.get(key, {"status": "idle", "done": 0, "total": 0}))

    def store(self, key: tuple, evaluation: Evaluation) -> None:
        """Keep a finished evaluation (the job does this; tests can too), forgetting the oldest."""
        with self._lock:
            self._results.pop(key, None)
            self._results[key] = evaluation
            while len(self._results) > self._keep:
                self._results.pop(next(iter(self._results)))
            self._states.pop(key, None)

    def start(self, model_path, data) -> tuple:
        """Evaluate the model on `data`'s test set in the background, unless that is done or under way."""
        key = self.key(model_path, data)
        with self._lock:
            if key in self._results or self._states.get(key, {}).get("status") in ("queued", "running"):
                return key
            self._states[key] = {"status": "queued", "done": 0, "total": len(data.x_test), "error": None}
            stop = threading.Event()
            self._jobs[key] = (self._pool.submit(self._run, key, Path(model_path), data, stop), stop)
        return key

    def stop(self, key: tuple) -> None:
        """Stop an evaluation: one still queued never starts, a running one ends after its chunk."""
        with self._lock:
            if key not in self._jobs:
                return
            future, stop = self._jobs[key]
            stop.set()
            if future.cancel():
                self._states[key]["status"] = "stopped"

    def stop_all(self) -> None:
        """Stop every evaluation: a server that shuts down does not wait for them."""
        with self._lock:
            keys = list(self._jobs)
        for key in keys:
            self.stop(key)

    def wait(self, key: tuple, timeout: float | None = None) -> dict:
        """Block until the evaluation leaves the queue and finishes (for scripts and tests)."""
        with self._lock:
            future = self._jobs[key][0] if key in self._jobs else None
        if future is not None:
            futures.wait([future], timeout)
        return self.status(key)

    def _set(self, key, **changes) -> None:
        with self._lock:
            self._states.setdefault(key, {}).update(changes)

    def _run(self, key, model_path: Path, data, stop: threading.Event) -> None:
        self._set(key, status="running")
        try:
            from cnn_lab.network.model import load_classifier

            model = load_classifier(model_path)
            evaluation = evaluate(
                model,
                data.x_test,
                data.y_test,
                data.class_names,
                should_stop=stop.is_set,
                on_progress=lambda done, total: self._set(key, done=done, total=total),
            )
        except Exception as e:  # a broken file: every reader sees why, and the server's log has the traceback
            log.exception("Evaluating %s failed", model_path)
            self._set(key, status="failed", error=f"{type(e).__name__}: {str(e).splitlines()[0][:300]}")
            return
        if evaluation is None:
            self._set(key, status="stopped")
        else:
            SAVED.save(model_path, data, evaluation)
            self.store(key, evaluation)


EVALUATIONS = EvaluationJob()
