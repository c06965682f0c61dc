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
from pathlib import Path

import numpy as np

from cnn_lab.files import write_atomic
from cnn_lab.network.jobs import BackgroundJobs
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

    def model_hash(self, model_path: Path) -> str:
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

    def data_hash(self, data) -> str:
        with self._lock:
            kept = self._data_hashes.get(id(data.x_test))
            if kept is not None and kept[0] is data.x_test:
                return kept[1]
        digest = hashlib.sha256(np.ascontiguousarray(data.x_test).tobytes())
        digest.update(np.asarray(data.y_test, dtype=np.int64).tobytes())
        with self._lock:
            self._data_hashes[id(data.x_test)] = (data.x_test, digest.hexdigest())
        return digest.hexdigest()

    def name(self, model_path: Path, data) -> str:
        """What names the files kept for this model file and test set (their hashes, shortened)."""
        return f"{self.model_hash(model_path)[:24]}-{self.data_hash(data)[:24]}"

    def path(self, model_path: Path, data) -> Path:
        return self.folder() / f"{self.name(model_path, data)}.npz"

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


class EvaluationJob(BackgroundJobs):
    """Evaluations of saved models, each computed once per server in the background (cnn_lab.network.jobs).

    A result is kept per model file version and test set: (path, modification time, size, data
    source). Thirty students opening the results of one model share one evaluation; a rerun of
    a page only reads it.

        key = EVALUATIONS.start("model.keras", data)    # returns at once
        EVALUATIONS.status(key)    # {"status": "queued" | "running" | "done" | ..., "done": 500, ...}
        EVALUATIONS.result(key)    # the Evaluation once done, else None
    """

    def __init__(self, keep: int = 16):
        super().__init__("Evaluating", keep)

    @staticmethod
    def key(model_path, data) -> tuple:
        """What an evaluation depends on: the model file's version and the test set."""
        # FileNotFoundError for a missing model: callers say so first
        return (*file_version(model_path), data.source, len(data.x_test))

    def status(self, key: tuple) -> dict:
        state = super().status(key)
        if state["status"] == "done":
            state["done"] = state["total"] = self.result(key).total
        return state

    def find(self, model_path, data) -> Evaluation | None:
        """The evaluation of this model file on this test set if it was done before: by this server,
        or by any run of the lab or a training run, kept on disk."""
        key = self.key(model_path, data)
        found = self.result(key)
        if found is None and (found := SAVED.load(Path(model_path), data)) is not None:
            self.store(key, found)
        return found

    def start(self, model_path, data) -> tuple:
        """Evaluate the model on `data`'s test set in the background, unless that is done or under way."""
        model_path = Path(model_path)

        def work(stop: threading.Event, progress) -> Evaluation | None:
            from cnn_lab.network.model import load_classifier

            model = load_classifier(model_path)
            found = evaluate(
                model, data.x_test, data.y_test, data.class_names, should_stop=stop.is_set, on_progress=progress
            )
            if found is not None:
                SAVED.save(model_path, data, found)
            return found

        return self.submit(self.key(model_path, data), work, total=len(data.x_test))


EVALUATIONS = EvaluationJob()
