"""What a filter wants, seen in the test images: the 9 patches of them that excite one filter most.

For every test image, the filter's strongest answer anywhere on its grid
(before the ReLU; ReLU would not change which is largest) and where it was. The 9 largest win. One
number of the grid depends on a square *patch* of the 24x24 picture only, its receptive field:
conv1's k x k kernel sees k x k pixels; each 2x2 pooling doubles the step between two grid places,
and a kernel after it spans (k - 1) more steps. `receptive_field` computes it from the layers
themselves. The images are run BATCH at a time, in the background (`SEARCHES`), once per model file
version, test set and layer.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import keras
import numpy as np
from keras import ops

from cnn_lab.network.augment import center_crop
from cnn_lab.network.filter_wants import Field, FilterError, before_relu, block_of, receptive_field
from cnn_lab.network.images import ORANGE, enlarge, grid, outlined, rgb
from cnn_lab.network.jobs import BackgroundJobs
from cnn_lab.network.model import cnn_of, load_classifier
from cnn_lab.settings import file_version

BATCH = 250  # test images run through the network at once when searching them
TOP = 9  # how many test images the search keeps


@dataclasses.dataclass(frozen=True)
class Answers:
    """Every filter's strongest answer (before ReLU) on each image, and where on the grid it was."""

    layer: str
    strongest: np.ndarray  # (images, filters) float32
    where: np.ndarray  # (images, filters) int32: the grid place, row x grid width + column
    grid_width: int
    field: Field


def layer_answers(
    model: keras.Model, images: np.ndarray, layer: str, batch: int = BATCH, should_stop=lambda: False, on_progress=None
) -> Answers | None:
    """The strongest answers of every filter of `layer` on uint8 (N, 32, 32, 3) images, `batch` at a time
    (never all grids at once); None if `should_stop()` turns true between batches. `on_progress(done, total)`
    after each batch."""
    cnn = cnn_of(model)
    block = block_of(cnn, layer)
    strongest = np.empty((len(images), block.filters), np.float32)
    where = np.empty((len(images), block.filters), np.int32)
    width = cnn.get_layer(block.conv).output.shape[2]
    for start in range(0, len(images), batch):
        if should_stop():
            return None
        chunk = center_crop(np.asarray(images[start : start + batch], np.float32) / 255.0, cnn.input_shape[1])
        maps = ops.convert_to_numpy(before_relu(cnn, block, ops.convert_to_tensor(chunk)))
        flat = maps.reshape(len(chunk), -1, block.filters)  # (batch, grid places, filters)
        where[start : start + len(chunk)] = flat.argmax(axis=1)
        strongest[start : start + len(chunk)] = flat.max(axis=1)
        if on_progress is not None:
            on_progress(start + len(chunk), len(images))
    return Answers(layer, strongest, where, int(width), receptive_field(cnn, layer))


class SearchJobs(BackgroundJobs):
    """Each search of the test images, once per model file version, test set and layer, in the background
    thread every long job shares (up to 11 s for conv3 on 10,000 images: too long for a page's rerun).

        key = SEARCHES.start("model.keras", data, "conv2")
        SEARCHES.status(key)   # {"status": "running", "done": 2500, "total": 10000}
        SEARCHES.result(key)   # the Answers once found, else None
    """

    def __init__(self, keep: int = 6):  # a full test set's conv3 is 10,000 x 384 x 8 bytes = 31 MB
        super().__init__("Searching", keep)

    @staticmethod
    def key(model_path: Path, data, layer: str) -> tuple:
        return (*file_version(model_path), data.source, len(data.x_test), layer)

    def start(self, model_path: Path, data, layer: str) -> tuple:
        """Search the test images in the background, unless it is done or under way."""

        def work(stop, progress) -> Answers | None:
            model = load_classifier(model_path)
            return layer_answers(model, data.x_test, layer, should_stop=stop.is_set, on_progress=progress)

        return self.submit(self.key(model_path, data, layer), work, total=len(data.x_test))


SEARCHES = SearchJobs()


@dataclasses.dataclass(frozen=True)
class Patch:
    image: int  # which test image
    answer: float  # the filter's strongest answer on it (before ReLU)
    row: int  # the grid place of that answer
    col: int
    top: int  # the patch under it in the 24x24 picture the network sees, cut at the picture's edges
    left: int
    height: int
    width: int


def strongest_patches(answers: Answers, filter_index: int, side: int, count: int = TOP) -> list[Patch]:
    """The `count` images on which the filter answers most strongly, strongest first (ties: the lower
    image number first), each with the patch of the side x side picture that answer depends on."""
    if not 0 <= filter_index < answers.strongest.shape[1]:
        raise FilterError(f"{answers.layer} has filters 1 to {answers.strongest.shape[1]}")
    order = np.argsort(-answers.strongest[:, filter_index], kind="stable")[:count]
    found = []
    for image in order:
        row, col = divmod(int(answers.where[image, filter_index]), answers.grid_width)
        top, left, height, width = answers.field.window(row, col, side)
        answer = float(answers.strongest[image, filter_index])
        found.append(Patch(int(image), answer, row, col, top, left, height, width))
    return found


def patch_pictures(images: np.ndarray, patches: list[Patch], side: int, scale: int = 4, patch_side: int = 60):
    """(the pictures the network sees with each patch framed in orange, tiled 3 to a row;
    the patches cut out and enlarged to about patch_side pixels, tiled 3 to a row) as uint8 arrays."""
    seen = center_crop(np.asarray(images)[[p.image for p in patches]], side)
    framed = [_framed(picture, p, scale) for picture, p in zip(seen, patches)]
    size = max(max(p.height, p.width) for p in patches)
    zoom = max(1, patch_side // size)
    cut = [np.full((size * zoom, size * zoom, 3), 255, np.uint8) for _ in patches]
    for canvas, picture, p in zip(cut, seen, patches):
        piece = picture[p.top : p.top + p.height, p.left : p.left + p.width]
        canvas[: p.height * zoom, : p.width * zoom] = np.repeat(np.repeat(piece, zoom, axis=0), zoom, axis=1)
    return grid(framed, columns=3, pad=4), grid(cut, columns=3, pad=4)


def _framed(picture: np.ndarray, patch: Patch, scale: int) -> np.ndarray:
    """The picture enlarged `scale` times with the patch framed in orange (a patch cut at the picture's
    edge is not square, and `outlined` frames squares: that one gets the same frame drawn here)."""
    if patch.height == patch.width:
        return outlined(picture, patch.top, patch.left, patch.height, scale)
    big = np.asarray(enlarge(picture, scale)).copy()
    y0, x0 = patch.top * scale, patch.left * scale
    y1, x1 = (patch.top + patch.height) * scale - 1, (patch.left + patch.width) * scale - 1
    for t in range(2):
        big[y0 + t, x0 : x1 + 1] = big[y1 - t, x0 : x1 + 1] = rgb(ORANGE)
        big[y0 : y1 + 1, x0 + t] = big[y0 : y1 + 1, x1 - t] = rgb(ORANGE)
    return big
