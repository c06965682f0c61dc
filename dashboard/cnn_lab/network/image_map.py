"""The map: where the network puts each of the test images.

Just before its answer, the network describes an image by the numbers of its last hidden layer (fc2: 128
numbers for the shipped model). Two images the network finds alike get similar numbers. To draw 128
numbers on a screen they must become 2, and t-SNE (van der Maaten & Hinton, 2008) does that so that
each image's nearest neighbours among the 128 numbers stay near it on the map. Before t-SNE, PCA keeps
the 50 directions in which the numbers vary most, as scikit-learn's guide advises: it is faster.

The same map made from the pixels the network sees (24 x 24 x 3 = 1,728 numbers) shows what training
bought: there, neighbours are images of similar colours, seldom of the same class.

Why t-SNE (benchmarks/image_map.py measures it on the shipped model and the 10,000 test images): PCA
straight to 2 numbers takes well under a second but keeps only 56 % of the 10 nearest neighbours in
the same class; t-SNE keeps 80 %, as many as the 128 numbers themselves (81 %), in about 20 s on 2 cores
(TSNE_STEPS = 500; scikit-learn's default 1,000 keep no more and take twice as long). A new model's whole
map, its last hidden layer on the 10,000 images included, takes about 30 s. UMAP was not tried: it needs
numba and its compiler, a large install for a classroom laptop. Only the positions are t-SNE's; distances
between far-apart clusters mean little.

A new image (a student's photo) is not in the t-SNE: it is drawn where its 10 nearest test images, by
the same numbers, are on average.

`MAPS` makes each model's map once, in the background thread every long job shares, and keeps it beside
the saved evaluations (<runs>/evaluations/); the shipped model's map on the full test set ships in
assets/maps/.
"""

from __future__ import annotations

import dataclasses
import functools
import logging
import threading
import time
from pathlib import Path

import numpy as np

from cnn_lab.files import write_atomic
from cnn_lab.network.augment import center_crop
from cnn_lab.network.evaluation import SAVED
from cnn_lab.network.jobs import BackgroundJobs
from cnn_lab.settings import ASSETS, CROP, file_version

log = logging.getLogger(__name__)

NEIGHBOURS = 10  # a new image is placed among, and a map is judged by, this many nearest test images
PCA_DIMENSIONS = 50  # PCA keeps this many directions before t-SNE
PERPLEXITY = 30  # t-SNE's guess of each image's number of close neighbours (scikit-learn's default)
TSNE_STEPS = 500  # scikit-learn's default is 1,000: 500 keep as many neighbours in class, in half the time
SHIPPED_MAPS = ASSETS / "maps"


@dataclasses.dataclass
class ImageMap:
    positions: np.ndarray  # (N, 2) float32: where each test image is drawn
    labels: np.ndarray  # (N,) their true classes: a saved map is used only for this test set
    features: np.ndarray  # (N, D) float32: the numbers the map was made from

    def nearest(self, feature: np.ndarray, count: int = NEIGHBOURS) -> np.ndarray:
        """The `count` test images whose numbers are closest to `feature`, nearest first."""
        distances = np.square(self.features - np.asarray(feature, np.float32)).sum(1)
        return np.argsort(distances, kind="stable")[:count]

    def place(self, feature: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(x, y) for a new image: the mean position of its nearest test images; and those images."""
        near = self.nearest(feature)
        return self.positions[near].mean(0), near

    def neighbours_of(self, index: int) -> np.ndarray:
        """The 10 test images nearest to test image `index` by the map's numbers (itself left out)."""
        near = self.nearest(self.features[index], NEIGHBOURS + 1)
        return near[near != index][:NEIGHBOURS]

    def classes_among(self, near: np.ndarray) -> list[tuple[int, int]]:
        """(class, how many) of the test images `near`, the most frequent first; classes absent left out."""
        counts = np.bincount(self.labels[near], minlength=int(self.labels.max()) + 1)
        return [(int(c), int(counts[c])) for c in np.argsort(-counts, kind="stable") if counts[c]]

    @functools.cached_property
    def agreement(self) -> float:
        """The share of each image's 10 nearest neighbours on the map that have its true class (computed once)."""
        return neighbour_agreement(self.positions, self.labels)


def neighbour_agreement(points: np.ndarray, labels: np.ndarray, count: int = NEIGHBOURS) -> float:
    """How often an image's `count` nearest other images (by straight-line distance) share its class."""
    from sklearn.neighbors import NearestNeighbors

    count = min(count, len(points) - 1)
    _, near = NearestNeighbors(n_neighbors=count + 1).fit(points).kneighbors(points)
    labels = np.asarray(labels)
    return float((labels[near[:, 1:]] == labels[:, None]).mean())


def hidden_layer(cnn):
    """The last hidden layer: the last layer with weights before the one that gives the answer."""
    weighted = [layer for layer in cnn.layers if layer.weights]
    if len(weighted) < 2:
        raise ValueError("this network has no hidden layer before its answer")
    return weighted[-2]


def network_features(model, images, batch_size=500, should_stop=lambda: False, on_progress=None):
    """The last hidden layer's numbers for uint8 (N, 32, 32, 3) images (the centre crop the network sees,
    not its mirror image); None if stopped."""
    import keras

    from cnn_lab.network.model import cnn_of

    cnn = cnn_of(model)
    describe = keras.Model(cnn.inputs, hidden_layer(cnn).output)
    size = cnn.input_shape[1]
    out = []
    for start in range(0, len(images), batch_size):
        if should_stop():
            return None
        crops = center_crop(np.asarray(images[start : start + batch_size], np.float32) / 255.0, size)
        out.append(np.asarray(describe.predict_on_batch(crops), np.float32).reshape(len(crops), -1))
        if on_progress:
            on_progress(min(len(images), start + batch_size), len(images))
    return np.concatenate(out)


def pixel_features(images, size: int = CROP) -> np.ndarray:
    """What the network sees, as plain numbers: the centre crop's pixels in [0, 1], one row per image."""
    return center_crop(np.asarray(images, np.float32) / 255.0, size).reshape(len(images), -1)


def features_of(model, images) -> np.ndarray:
    """The numbers a map is made from, for uint8 images: the model's last hidden layer, or with no model the
    pixels."""
    return pixel_features(images) if model is None else network_features(model, images)


def project(features: np.ndarray, seed: int = 0, steps: int = TSNE_STEPS) -> np.ndarray:
    """(N, 2) positions: PCA to 50 numbers, then `steps` of t-SNE to 2 (scikit-learn), the same every time for
    a seed."""
    from sklearn.decomposition import PCA
    from sklearn.manifold import TSNE

    features = np.asarray(features, np.float32)
    count = len(features)
    if count < 4:
        raise ValueError("a map needs at least 4 images")
    kept = PCA(min(PCA_DIMENSIONS, count - 1, features.shape[1]), random_state=seed).fit_transform(features)
    tsne = TSNE(2, perplexity=min(PERPLEXITY, (count - 1) / 3), init="pca", max_iter=steps, random_state=seed)
    return tsne.fit_transform(kept).astype(np.float32)


@dataclasses.dataclass(frozen=True)
class Mosaic:
    """The map's pictures: one picture per cell of a grid laid over the map, pasted into one image."""

    image: np.ndarray  # (rows * 32, columns * 32, 3) uint8, white where a cell holds no test image
    left: float  # where the image's edges are, in the map's own coordinates
    right: float
    bottom: float
    top: float
    shown: np.ndarray  # the test images pasted, one per cell that holds any


def mosaic(positions: np.ndarray, images: np.ndarray, cells: int = 60) -> Mosaic:
    """Lay a grid of square cells over the map, `cells` across its longer side, and paste, in each cell that holds
    test images, the one whose dot is nearest the cell's centre: the pictures themselves, where the map puts
    them, without overlapping."""
    positions, images = np.asarray(positions, np.float64), np.asarray(images)
    low, high = positions.min(0), positions.max(0)
    width = max(float((high - low).max()), 1e-9) / cells  # a cell's side, in the map's coordinates
    columns, rows = np.clip(np.ceil((high - low) / width - 1e-6).astype(int), 1, cells)
    place = (positions - low) / width  # in cells
    cell = np.minimum(place.astype(np.int64), [columns - 1, rows - 1])  # (column, row from the bottom)
    off_centre = np.square(place - cell - 0.5).sum(1)
    flat = cell[:, 1] * columns + cell[:, 0]
    order = np.lexsort((off_centre, flat))  # by cell, the most central first
    _, first = np.unique(flat[order], return_index=True)
    shown = order[first]
    size = images.shape[1]
    canvas = np.full((rows * size, columns * size, 3), 255, np.uint8)
    for index in shown:
        column, row = cell[index]
        top = (rows - 1 - row) * size  # the image's first row is the map's top
        canvas[top : top + size, column * size : (column + 1) * size] = images[index]
    return Mosaic(
        canvas, float(low[0]), float(low[0] + columns * width), float(low[1]), float(low[1] + rows * width), shown
    )


def make_map(features: np.ndarray, labels: np.ndarray, seed: int = 0) -> ImageMap:
    return ImageMap(project(features, seed), np.asarray(labels).astype(np.int64), np.asarray(features, np.float32))


class SavedMaps:
    """Maps on disk, beside the saved evaluations and named like them (by the hashes of the model file and
    the test set); the shipped ones in assets/maps/. Read without pickle, and used only if they fit."""

    def __init__(self, folder: Path | None = None, shipped: Path = SHIPPED_MAPS):
        self._folder = folder
        self.shipped = shipped

    def folder(self) -> Path:
        return self._folder or SAVED.folder()

    @staticmethod
    def name(model_path: Path | None, data) -> str:
        """`<model>-<test set>-map.npz`, or `pixels-<test set>-map.npz` for the map of the pixels."""
        if model_path is None:
            return f"pixels-{SAVED.data_hash(data)[:24]}-map.npz"
        return f"{SAVED.name(Path(model_path), data)}-map.npz"

    def load(self, model_path: Path | None, data) -> ImageMap | None:
        name = self.name(model_path, data)
        for path in (self.folder() / name, self.shipped / name):
            try:
                if not path.is_file():
                    continue
                with np.load(path, allow_pickle=False) as saved:
                    found = ImageMap(saved["positions"], saved["labels"], saved["features"].astype(np.float32))
            except Exception as e:  # damaged, cut short, not an npz: made afresh
                log.warning("ignoring the saved map %s: %s", path, e)
                continue
            count = len(data.y_test)
            if found.positions.shape == (count, 2) and np.array_equal(found.labels, data.y_test):
                return found
            log.warning("ignoring the saved map %s: it is not of this test set", path)
        return None

    def save(self, model_path: Path | None, data, found: ImageMap, folder: Path | None = None) -> Path | None:
        """Keep a map (written whole or not at all; the numbers as float16, half the size); None if the folder
        cannot be written. The pixel map keeps no numbers: they are the test images themselves."""
        path = (folder or self.folder()) / self.name(model_path, data)
        features = found.features.astype(np.float16) if model_path is not None else np.zeros((0, 0), np.float16)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            write_atomic(
                path,
                lambda p: np.savez_compressed(p, positions=found.positions, labels=found.labels, features=features),
            )
            return path
        except OSError as e:
            log.warning("could not save the map %s: %s", path, e)
            return None


SAVED_MAPS = SavedMaps()


class MapJobs(BackgroundJobs):
    """Each map made once per server, in the background: the network's map per model file version and test
    set, the pixels' map per test set.

        key = MAPS.start("model.keras", data)   # or MAPS.start(None, data): the pixels' map
        MAPS.status(key)   # {"status": "running", "phase": "t-SNE", "since": time.time() at its start, ...}
        MAPS.find("model.keras", data)   # the ImageMap once made (by this server or kept on disk), else None
    """

    def __init__(self, keep: int = 8):
        super().__init__("Mapping", keep)

    @staticmethod
    def key(model_path: Path | None, data) -> tuple:
        where = ("pixels",) if model_path is None else ("network", *file_version(model_path))
        return (*where, data.source, len(data.x_test))

    def find(self, model_path: Path | None, data) -> ImageMap | None:
        key = self.key(model_path, data)
        found = self.result(key)
        if found is None and (found := SAVED_MAPS.load(model_path, data)) is not None:
            if model_path is None:
                found.features = pixel_features(data.x_test)
            self.store(key, found)
        return found

    def start(self, model_path: Path | None, data) -> tuple:
        """Make the map in the background, unless it is made or under way."""

        def work(stop: threading.Event, progress) -> ImageMap | None:
            total = len(data.x_test)
            if model_path is None:
                features = pixel_features(data.x_test)
            else:
                from cnn_lab.network.model import load_classifier

                model = load_classifier(model_path)
                features = network_features(
                    model,
                    data.x_test,
                    should_stop=stop.is_set,
                    on_progress=lambda d, t: progress(d, t, phase="numbers"),
                )
                if features is None:
                    return None
            progress(total, total, phase="t-SNE", since=time.time())
            if stop.is_set():
                return None
            made = make_map(features, data.y_test)
            SAVED_MAPS.save(model_path, data, made)
            return made

        return self.submit(self.key(model_path, data), work, total=len(data.x_test))


MAPS = MapJobs()
