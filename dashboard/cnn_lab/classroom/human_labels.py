"""How people labelled the CIFAR-10 test images: CIFAR-10H.

CIFAR-10H (Peterson, Battleday, Griffiths & Russakovsky, ICCV 2019) had about 51 people (47 to 63, each person
only some of the images) label each of the 10,000 CIFAR-10 test images. Its `cifar10h-counts.npy` is a 10000 x
10 array of whole numbers: row i counts how many people chose each class for official test image i, in the
order of `test_batch` and of the classes. It is released under CC BY-NC-SA 4.0, so it stays a data file of its
own, fetched like CIFAR-10 itself and never folded into the code, and `CREDIT` goes wherever it is shown.

`find_counts()` looks in this order and takes the first it finds:

1. the path you name: `--human-labels PATH` or the `CNN_LAB_HUMAN_LABELS` environment variable;
2. `data/cifar10h-counts.npy` in the project folder;
3. the Keras cache (`~/.keras/datasets`, or `$KERAS_HOME/datasets`), where `cnn-lab download` puts it
   when it is online.

Without it everything else works: `load_human_labels()` returns None and the pages say `HOW_TO_GET_IT`.
"""

from __future__ import annotations

import dataclasses
import os
from pathlib import Path

import numpy as np

from cnn_lab.network.data import Cifar10, DataError, keras_cache_dir
from cnn_lab.settings import HUMAN_LABELS_VARIABLE, LOCAL_DATA, NUM_CLASSES, TEST_IMAGES

COUNTS_NAME = "cifar10h-counts.npy"
HOME = "https://github.com/jcpeterson/cifar-10h"
COUNTS_URL = f"{HOME}/raw/master/data/{COUNTS_NAME}"
CREDIT = (
    "People's labels: CIFAR-10H, from Peterson, Battleday, Griffiths & Russakovsky (2019), "
    f"*Human uncertainty makes classification more robust*, ICCV ({HOME}), under CC BY-NC-SA 4.0."
)
HOW_TO_GET_IT = (
    f"How people labelled each image comes from CIFAR-10H ({COUNTS_NAME}, about 51 people per test image). "
    f"It is not on this computer: run `cnn-lab download` once while online, or copy {COUNTS_NAME} "
    f"(from {HOME}) into the project's data/ folder, or point CNN_LAB_HUMAN_LABELS at it."
)
# A counts file that lines up with the test set gives the true class the most votes on 99.2 % of the
# images; one that does not (another order, another data set) on about 10 %.
MIN_MAJORITY_AGREEMENT = 0.9


@dataclasses.dataclass(frozen=True)
class HumanLabels:
    counts: np.ndarray  # (N, 10): how many people chose each class, one row per image of the loaded test set
    source: str  # where the file came from, for people to read

    def people(self, index: int) -> int:
        """How many people labelled test image `index`."""
        return int(self.counts[index].sum())

    def shares(self) -> np.ndarray:
        """(N, 10): the fraction of people who chose each class."""
        return self.counts / self.counts.sum(1, keepdims=True)

    def agreement(self, labels) -> np.ndarray:
        """(N,): the fraction of people who gave each image its true class (`labels`). This is also the
        score of the average person on it: a person picked at random is right this often."""
        return self.shares()[np.arange(len(self.counts)), np.asarray(labels)]

    def in_words(self, index: int, class_names) -> str:
        """'51 people: 38 said cat, 11 dog, 2 deer' (the classes anyone chose, most votes first)."""
        row = self.counts[index]
        chosen = [c for c in np.argsort(-row, kind="stable") if row[c] > 0]
        said = ", ".join(f"{row[c]} {'said ' if n == 0 else ''}{class_names[c]}" for n, c in enumerate(chosen))
        return f"{self.people(index)} people: {said}"


def local_candidates() -> list[Path]:
    """Steps 2 and 3 of the search order: the project's data/ folder, then the Keras cache."""
    return [LOCAL_DATA / COUNTS_NAME, keras_cache_dir() / COUNTS_NAME]


def find_counts(explicit: str | os.PathLike | None = None) -> Path | None:
    """The first CIFAR-10H file in the search order (see this module's docstring), or None."""
    explicit = explicit or os.environ.get(HUMAN_LABELS_VARIABLE)
    if explicit:
        return Path(explicit).expanduser()
    return next((p for p in local_candidates() if p.is_file()), None)


def read_counts(path: str | os.PathLike) -> np.ndarray:
    """The 10000 x 10 counts from a .npy file, checked; DataError says what is wrong, in plain words."""
    path = Path(path)
    if not path.is_file():
        raise DataError(f"{path}: no such file (CIFAR-10H's {COUNTS_NAME} was expected there)")
    with path.open("rb") as f:
        if f.read(6) != b"\x93NUMPY":
            raise DataError(f"{path}: not a .npy file (CIFAR-10H's {COUNTS_NAME} is one)")
    try:
        counts = np.load(path, allow_pickle=False)  # a .npy holding Python objects is refused, never run
    except ValueError as e:
        why = "it holds Python objects, which the lab never loads" if "pickle" in str(e) else str(e)[:200]
        raise DataError(f"{path}: not a readable array ({why})") from None
    except OSError as e:
        raise DataError(f"{path}: could not be read ({e})") from None
    if not isinstance(counts, np.ndarray) or counts.shape != (TEST_IMAGES, NUM_CLASSES):
        shape = getattr(counts, "shape", "no array")
        raise DataError(f"{path}: holds {shape}, but CIFAR-10H's counts are a {TEST_IMAGES} x 10 array")
    if not np.issubdtype(counts.dtype, np.integer):
        raise DataError(f"{path}: holds {counts.dtype} numbers, but CIFAR-10H's counts are whole numbers")
    if counts.min() < 0 or counts.sum(1).min() < 1:
        raise DataError(f"{path}: has negative counts or images nobody labelled: not CIFAR-10H's counts")
    return counts.astype(np.int64)


def line_up(counts: np.ndarray, data: Cifar10, where: str = "CIFAR-10H") -> np.ndarray:
    """The rows of `counts` (one per official test image) for the images of `data`'s test set, in its order."""
    if data.test_numbers is None:
        raise DataError(f"{data.source}: its test images have no official test numbers, so {where} cannot be matched")
    rows = counts[np.asarray(data.test_numbers)]
    majority = float(np.mean(rows.argmax(1) == np.asarray(data.y_test)))
    if majority < MIN_MAJORITY_AGREEMENT:
        raise DataError(
            f"{where}: most people chose the true class on only {100 * majority:.0f} % of the test images "
            f"(CIFAR-10H gives 99 %): the file is not in the order of the CIFAR-10 test set"
        )
    return rows


def load_human_labels(data: Cifar10, explicit: str | os.PathLike | None = None) -> HumanLabels | None:
    """CIFAR-10H lined up with `data`'s test set, or None when there is none on this computer.
    A file that is there but broken raises DataError; it is never skipped silently."""
    path = find_counts(explicit)
    if path is None:
        return None
    return HumanLabels(line_up(read_counts(path), data, str(path)), str(path))


def download(cache_dir: Path | None = None) -> Path:
    """Fetch cifar10h-counts.npy from its public home into the Keras cache, and check it reads as CIFAR-10H.
    (Its home publishes no checksum; `read_counts` checks its shape and numbers instead.)"""
    import keras  # only a download needs it

    target = Path(cache_dir or keras_cache_dir())
    target.mkdir(parents=True, exist_ok=True)
    path = Path(keras.utils.get_file(COUNTS_NAME, COUNTS_URL, cache_dir=str(target.parent), cache_subdir=target.name))
    try:
        read_counts(path)
    except DataError:
        path.unlink(missing_ok=True)  # never leave a broken file where the lab looks first
        raise
    return path
