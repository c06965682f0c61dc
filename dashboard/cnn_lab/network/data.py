"""CIFAR-10, loaded safely from wherever a classroom happens to have it.

`load_cifar10()` looks in this order and takes the first source it finds:

1. the source you name: `load_cifar10("path")`, `cnn-lab --data path`, or the `CNN_LAB_DATA`
   environment variable: the official `cifar-10-python.tar.gz`, or an extracted
   `cifar-10-batches-py` folder (or the folder that holds either);
2. `data/` in the project folder (drop the archive there);
3. the Keras cache (`~/.keras/datasets`, or `$KERAS_HOME/datasets`): an archive that
   `cnn-lab download` saved, or the folder `keras.datasets.cifar10.load_data()` extracted;
4. a download through Keras, only when asked (`download=True`, as `cnn-lab train` and
   `cnn-lab download` do) and the internet answers within a second;
5. the bundled sample, `assets/cifar10_sample.npz`: 1,000 genuine CIFAR-10 test images.

Every image comes back as uint8 `(N, 32, 32, 3)`, every label as uint8 `(N,)`.
The batches are Python pickles; they are read with an unpickler that can build numpy
arrays and nothing else, so a tampered file cannot run code.
"""

from __future__ import annotations

import dataclasses
import functools
import io
import os
import pickle
import socket
import tarfile
import zlib
from pathlib import Path

import numpy as np

from cnn_lab.settings import (
    CHANNELS,
    CLASS_NAMES,
    DATA_VARIABLE,
    IMAGE_SIZE,
    LOCAL_DATA,
    OFFLINE_VARIABLE,
    SAMPLE_PATH,
)

ARCHIVE_NAME = "cifar-10-python.tar.gz"
BATCHES_DIR = "cifar-10-batches-py"
TRAIN_BATCHES = tuple(f"data_batch_{i}" for i in range(1, 6))
TEST_BATCH = "test_batch"
OFFICIAL_URL = "https://www.cs.toronto.edu/~kriz/cifar-10-python.tar.gz"
OFFICIAL_SHA256 = "6d958be074577803d12ecdefd02955f39262c83c16fe9348329d7fe0b5c001ce"
HOW_TO_GET_IT = (
    "To use the full CIFAR-10, run `cnn-lab download` once while online, or copy "
    f"{ARCHIVE_NAME} (from {OFFICIAL_URL}) into the project's data/ folder, "
    "or point CNN_LAB_DATA at it."
)


TRAINING_IMAGES = {"full": 50_000, "sample": 800}  # how many images each source trains on (read_sample's split)


class DataError(Exception):
    """A data source is missing, truncated, corrupt or not CIFAR-10. The message says which and why."""


@dataclasses.dataclass(frozen=True)
class Cifar10:
    x_train: np.ndarray
    y_train: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray
    class_names: tuple
    source: str  # where it came from, for people to read
    is_sample: bool  # True for the bundled 1,000-image sample
    # The official test-set number (0-9999, the order of `test_batch`) of each image in x_test, so that
    # data kept per official test image (CIFAR-10H's human labels) lines up with it; None if unknown.
    test_numbers: np.ndarray | None = None

    @property
    def description(self) -> str:
        kind = "the bundled sample" if self.is_sample else "the full CIFAR-10"
        return f"{kind}: {len(self.x_train):,} training and {len(self.x_test):,} test images ({self.source})"

    def training_on(self, images: int) -> str:
        """What a run trains on, in words: all of it, or the first `images` training images of it."""
        if images >= len(self.x_train):
            return self.description
        kind = "the bundled sample's" if self.is_sample else "the full CIFAR-10's"
        return (
            f"the first {images:,} of {kind} {len(self.x_train):,} training images, "
            f"tested on its {len(self.x_test):,} test images ({self.source})"
        )


# --- safe unpickling -------------------------------------------------------------------------

_ALLOWED_GLOBALS = {
    ("numpy", "ndarray"),
    ("numpy", "dtype"),
    ("numpy.core.multiarray", "_reconstruct"),
    ("numpy._core.multiarray", "_reconstruct"),
    ("_codecs", "encode"),  # how Python 3 writes bytes in a protocol-2 pickle; it only encodes text
}


class _NumpyOnlyUnpickler(pickle.Unpickler):
    """Builds dicts, lists, bytes, numbers and numpy arrays; refuses every other global."""

    def find_class(self, module, name):
        if (module, name) in _ALLOWED_GLOBALS:
            return super().find_class(module, name)
        raise pickle.UnpicklingError(f"refusing to load {module}.{name}")


def parse_batch(raw: bytes, name: str) -> tuple[np.ndarray, np.ndarray]:
    """One pickled CIFAR-10 batch -> (images uint8 (N,32,32,3), labels uint8 (N,))."""
    try:
        batch = _NumpyOnlyUnpickler(io.BytesIO(raw), encoding="bytes").load()
    except Exception as e:  # every unpickling failure means the same to a user
        raise DataError(f"{name}: not a readable CIFAR-10 batch ({e})") from None
    if not isinstance(batch, dict) or b"data" not in batch or b"labels" not in batch:
        raise DataError(f"{name}: not a CIFAR-10 batch (no data/labels inside)")
    data = np.asarray(batch[b"data"])
    labels = np.asarray(batch[b"labels"])
    if data.dtype != np.uint8 or data.ndim != 2 or data.shape[1] != 3072:
        raise DataError(f"{name}: images have shape {data.shape} and type {data.dtype}, expected (N, 3072) uint8")
    if labels.shape != (len(data),) or labels.min(initial=0) < 0 or labels.max(initial=0) > 9:
        raise DataError(f"{name}: expected {len(data)} labels from 0 to 9")
    # Each row holds 1024 red, then 1024 green, then 1024 blue values.
    images = data.reshape(-1, CHANNELS, IMAGE_SIZE, IMAGE_SIZE).transpose(0, 2, 3, 1)
    return np.ascontiguousarray(images), labels.astype(np.uint8)


def _parse_meta(raw: bytes, name: str) -> tuple:
    try:
        meta = _NumpyOnlyUnpickler(io.BytesIO(raw), encoding="bytes").load()
        names = tuple(n.decode() for n in meta[b"label_names"])
    except Exception as e:
        raise DataError(f"{name}: not a readable batches.meta ({e})") from None
    if len(names) != 10:
        raise DataError(f"{name}: expected 10 class names, found {len(names)}")
    return names


def _assemble(blobs: dict[str, bytes], where: str, source: str) -> Cifar10:
    missing = [n for n in (*TRAIN_BATCHES, TEST_BATCH) if n not in blobs]
    if missing:
        raise DataError(f"{where}: missing {', '.join(missing)}")
    train = [parse_batch(blobs[n], f"{where}: {n}") for n in TRAIN_BATCHES]
    x_test, y_test = parse_batch(blobs[TEST_BATCH], f"{where}: {TEST_BATCH}")
    names = _parse_meta(blobs["batches.meta"], where) if "batches.meta" in blobs else CLASS_NAMES
    return Cifar10(
        np.concatenate([x for x, _ in train]),
        np.concatenate([y for _, y in train]),
        x_test,
        y_test,
        names,
        source,
        is_sample=False,
        test_numbers=np.arange(len(x_test)),
    )


def read_archive(path: Path) -> Cifar10:
    """The official cifar-10-python.tar.gz (read in memory, never extracted to disk)."""
    wanted = {*TRAIN_BATCHES, TEST_BATCH, "batches.meta"}
    blobs = {}
    try:
        with tarfile.open(path, "r:*") as tar:
            for member in tar:
                name = member.name.rsplit("/", 1)[-1]
                if member.isfile() and name in wanted:
                    blobs[name] = tar.extractfile(member).read()
    except (tarfile.TarError, EOFError, OSError, zlib.error) as e:
        if isinstance(e, EOFError) or "end" in str(e).lower():
            raise DataError(f"{path}: the archive is truncated (it ends too soon: {e})") from None
        raise DataError(f"{path}: the archive is corrupt or not a .tar.gz") from None
    return _assemble(blobs, str(path), f"archive {path}")


def read_folder(path: Path) -> Cifar10:
    """An extracted cifar-10-batches-py folder."""
    blobs = {}
    for name in (*TRAIN_BATCHES, TEST_BATCH, "batches.meta"):
        if (path / name).is_file():
            blobs[name] = (path / name).read_bytes()
    return _assemble(blobs, str(path), f"folder {path}")


def read_sample(path: Path = SAMPLE_PATH) -> Cifar10:
    """The bundled sample: genuine CIFAR-10 test images. Split 800 / 200 so it can train and test."""
    with np.load(path, allow_pickle=False) as f:
        x, y = f["x"], f["y"].astype(np.uint8)
        test_index = f["test_index"] if "test_index" in f else None  # each image's official test number
    split = np.arange(len(x)) % 5 == 0  # every fifth image is kept for testing: 200, from 12 to 30 per class
    return Cifar10(
        x[~split],
        y[~split],
        x[split],
        y[split],
        CLASS_NAMES,
        "assets/cifar10_sample.npz, 1,000 images of the official test set",
        is_sample=True,
        test_numbers=None if test_index is None else test_index[split],
    )


def read_source(source: str | os.PathLike) -> Cifar10:
    """A path the user named: an archive, an extracted folder, or a folder holding one of them
    (or the bundled sample's .npz, as a run trained on the sample records it)."""
    path = Path(source).expanduser()
    if path.is_file() and path.suffix == ".npz":
        return read_sample(path)
    if path.is_file():
        return read_archive(path)
    if path.is_dir():
        for candidate in (path, path / BATCHES_DIR):
            if (candidate / TEST_BATCH).is_file():
                return read_folder(candidate)
        if (path / ARCHIVE_NAME).is_file():
            return read_archive(path / ARCHIVE_NAME)
        raise DataError(f"{path}: no {ARCHIVE_NAME} or {BATCHES_DIR} folder in it")
    raise DataError(f"{path}: no such file or folder")


def keras_cache_dir() -> Path:
    return Path(os.environ.get("KERAS_HOME", Path.home() / ".keras")).expanduser() / "datasets"


def local_candidates() -> list[Path]:
    """Steps 2 and 3 of the search order: the project's data/ folder, then the Keras cache."""
    cache = keras_cache_dir()
    return [
        LOCAL_DATA / ARCHIVE_NAME,
        LOCAL_DATA / BATCHES_DIR,
        cache / ARCHIVE_NAME,
        cache / "cifar-10-batches-py-target_extracted" / BATCHES_DIR,  # Keras 3 load_data()
        cache / "cifar-10-batches-py-target" / BATCHES_DIR,
        cache / BATCHES_DIR,
    ]  # Keras 2 load_data()


def online(host: str = "www.cs.toronto.edu", timeout: float = 1.0) -> bool:
    """True when the CIFAR-10 host answers quickly; offline classrooms never wait longer than this."""
    if os.environ.get(OFFLINE_VARIABLE):
        return False
    try:
        socket.create_connection((host, 443), timeout=timeout).close()
        return True
    except OSError:
        return False


def download(cache_dir: Path | None = None) -> Path:
    """Fetch the official archive through Keras (with its progress bar), checked by SHA-256."""
    import keras  # only a download needs it

    target = Path(cache_dir or keras_cache_dir())
    target.mkdir(parents=True, exist_ok=True)
    return Path(
        keras.utils.get_file(
            ARCHIVE_NAME,
            OFFICIAL_URL,
            file_hash=OFFICIAL_SHA256,
            cache_dir=str(target.parent),
            cache_subdir=target.name,
        )
    )


def find_source(explicit: str | os.PathLike | None = None) -> Path | None:
    """The first local source in the search order (steps 1-3), or None."""
    explicit = explicit or os.environ.get(DATA_VARIABLE)
    if explicit:
        return Path(explicit).expanduser()
    return next((p for p in local_candidates() if p.exists()), None)


@functools.lru_cache(maxsize=4)
def _load_cached(explicit: str | None, download_allowed: bool) -> Cifar10:
    source = find_source(explicit)
    if source is not None:
        return read_source(source)
    if download_allowed and online():
        return read_archive(download())
    return read_sample()


def load_cifar10(source: str | os.PathLike | None = None, download: bool = False) -> Cifar10:
    """CIFAR-10 from the first source in the search order (see this module's docstring).

    Loaded once per process and shared: every page and every student reads the same arrays.
    A source that was named but is broken raises DataError; it never falls back silently.
    """
    explicit = str(source) if source else os.environ.get(DATA_VARIABLE) or None
    return _load_cached(explicit, download)
