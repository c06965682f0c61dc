"""How good is a model? Accuracy as the article writes it, per class, and what it confuses."""

from __future__ import annotations

import dataclasses

import numpy as np

from .data import CLASS_NAMES


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
        return {name: float(np.mean(self.predictions[self.labels == c] == c)) if np.any(self.labels == c)
                else float("nan") for c, name in enumerate(self.class_names)}

    def confusion(self) -> np.ndarray:
        """counts[true, predicted]."""
        counts = np.zeros((10, 10), dtype=np.int64)
        np.add.at(counts, (self.labels, self.predictions), 1)
        return counts

    def cell(self, true: int, predicted: int) -> np.ndarray:
        """Indices of the images of class `true` that the model called `predicted`, surest first."""
        idx = np.flatnonzero((self.labels == true) & (self.predictions == predicted))
        return idx[np.argsort(-self.probabilities[idx, predicted], kind="stable")]

    def mistakes(self, true: int | None = None, predicted: int | None = None) -> np.ndarray:
        """Indices of the wrongly classified images, most confident mistakes first."""
        wrong = self.predictions != self.labels
        if true is not None:
            wrong &= self.labels == true
        if predicted is not None:
            wrong &= self.predictions == predicted
        idx = np.flatnonzero(wrong)
        return idx[np.argsort(-self.probabilities[idx].max(1), kind="stable")]

    def to_dict(self) -> dict:
        return {"correct": self.correct, "total": self.total, "accuracy": self.accuracy,
                "per_class": self.per_class()}


def evaluate(model, images, labels, class_names=CLASS_NAMES, **predict_options) -> Evaluation | None:
    """Run the model over the images; None if `should_stop` said so on the way."""
    from .training import predict

    probabilities = predict(model, images, **predict_options)
    return None if probabilities is None else Evaluation(probabilities, np.asarray(labels), tuple(class_names))
