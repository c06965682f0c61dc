"""What a filter wants: the picture that excites one filter most, and the test images that excite it most.

A filter of a convolution layer answers with one number at every place of its grid: large where the
piece of picture under it looks like what it has learnt to find. Two ways to see what that is:

1. **Make the picture it likes best.** Start from a grey picture (0.5 in every colour) and change the
   pixels, a small step at a time, in the direction that raises the filter's answer (the gradient,
   `value_and_gradient`): gradient *ascent*, the opposite of the descent that trains the network. The
   number raised is either the filter's answer at the middle place of its grid ("centre": the picture
   changes only inside the patch that place sees) or its mean answer over the grid ("everywhere": a
   pattern repeated over the picture; averaged over the places whose patch sees no padding, so the
   picture's edge adds no stripes of its own). We raise the answer just *before* the ReLU (the
   convolution's sum plus its bias, then batch normalisation where the network has it): ReLU keeps a
   positive answer as it is, so raising that value raises what ReLU lets through; but at grey ReLU often
   gives 0 everywhere, and 0 has no slope to climb. Each step moves the pixels by STEP_SIZE on average
   (the gradient divided by its mean size over the pixels the answer depends on, `seen_pixels`; for
   "centre" the others stay grey, softening included). The usual tricks keep the picture natural: for
   "everywhere" the picture is rolled by up to JITTER pixels before each step (the pattern must work wherever it
   lands), every BLUR_EVERY steps it is softened a little, and its pixels always stay between 0 and 1.
   The rolls come from a seeded random generator: the same seed gives the same picture. (Where no pixel
   has any slope, because every ReLU below gives 0, the step is a little of that generator's noise.)
   (The first layer is a sum of pixels times weights: away from the picture's edge its mean answer
   everywhere depends on the mean colour only, so a pattern gains nothing there; its answer at one place
   shows its pattern.)

2. **Search the test images.** For every test image, the filter's strongest answer anywhere on its grid
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
from cnn_lab.network.gradients import value_and_gradient
from cnn_lab.network.images import ORANGE, enlarge, grid, outlined, rgb
from cnn_lab.network.jobs import BackgroundJobs
from cnn_lab.network.model import cnn_of, load_classifier
from cnn_lab.settings import file_version

GREY = 0.5  # where the picture starts: every colour of every pixel half-way between 0 and 1
STEPS = 100  # gradient-ascent steps for one picture
STEP_SIZE = 0.03  # each step moves the pixels by this much on average (the gradient, scaled to mean size 1)
JITTER = 2  # each step, the picture is rolled by up to this many pixels up, down, left or right
BLUR_EVERY = 4  # every this many steps the picture is softened: each pixel mixed with its 4 neighbours
BLUR = 0.3  # how much of the neighbours' mean goes into a pixel when it is softened
NUDGE = 0.05  # a picture where no pixel has any slope gets seeded noise up to this much (see favourite_input)
BATCH = 250  # test images run through the network at once when searching them
TOP = 9  # how many test images the search keeps


class FilterError(ValueError):
    """A layer or filter this model does not have; the message says which ones it has."""


@dataclasses.dataclass(frozen=True)
class Block:
    """A convolution layer and what follows it up to its ReLU."""

    conv: str  # the Conv2D layer's name: conv1
    norm: str | None  # the batch normalisation after it, if any: bn1
    filters: int  # how many filters (feature maps) it has


@dataclasses.dataclass(frozen=True)
class Field:
    """Receptive field: grid place (row, col) of a layer depends on the `size` x `size` pixels from
    (start + row x step, start + col x step) of the network's 24x24 picture (start < 0: the padding)."""

    size: int
    step: int
    start: int
    growth: tuple = ()  # (layer, its kernel or pooling size, the patch's size after it) up to this layer

    def window(self, row: int, col: int, side: int) -> tuple[int, int, int, int]:
        """(top, left, height, width) of the patch under grid place (row, col), cut to the side x side picture."""
        top, left = self.start + row * self.step, self.start + col * self.step
        y0, x0 = max(top, 0), max(left, 0)
        return y0, x0, min(top + self.size, side) - y0, min(left + self.size, side) - x0


def blocks(cnn: keras.Model) -> dict[str, Block]:
    """{conv name: Block} for every convolution layer of the inner network, in order."""
    layers, found = list(cnn.layers), {}
    for i, layer in enumerate(layers):
        if isinstance(layer, keras.layers.Conv2D):
            after = layers[i + 1] if i + 1 < len(layers) else None
            norm = after.name if isinstance(after, keras.layers.BatchNormalization) else None
            found[layer.name] = Block(layer.name, norm, int(layer.filters))
    return found


def block_of(cnn: keras.Model, layer: str, filter_index: int | None = None) -> Block:
    """The block of `layer`, checked (and `filter_index`, from 0); FilterError says what there is."""
    found = blocks(cnn)
    if layer not in found:
        raise FilterError(f"this model has no convolution layer {layer!r}; it has {', '.join(found) or 'none'}")
    block = found[layer]
    if filter_index is not None and not 0 <= filter_index < block.filters:
        raise FilterError(f"{layer} has filters 1 to {block.filters}; there is no filter {filter_index + 1}")
    return block


def receptive_field(cnn: keras.Model, layer: str) -> Field:
    """The patch of the input that one grid place of `layer` depends on, from the kernel sizes, strides
    and padding of every convolution and pooling up to it (other layers work place by place)."""
    size, step, start, growth = 1, 1, 0, []
    for each in cnn.layers:
        if isinstance(each, (keras.layers.Conv2D, keras.layers.MaxPooling2D, keras.layers.AveragePooling2D)):
            kernel = each.kernel_size[0] if isinstance(each, keras.layers.Conv2D) else each.pool_size[0]
            if each.padding == "same":  # Keras pads (kernel - 1) // 2 before when the stride is 1
                start -= (kernel - 1) // 2 * step
            size += (kernel - 1) * step
            step *= each.strides[0]
            growth.append((each.name, int(kernel), int(size)))
        if each.name == layer:
            return Field(int(size), int(step), int(start), tuple(growth))
    raise FilterError(f"this model has no layer {layer!r}")


def _before_relu(cnn: keras.Model, block: Block, x):
    """Every filter's answer of `block` before its ReLU, for a batch of 24x24 pictures in [0, 1]."""
    layers = list(cnn.layers)
    conv = cnn.get_layer(block.conv)
    for layer in layers[: layers.index(conv)]:
        x = layer(x, training=False)
    x = conv.convolution_op(x, conv.kernel)  # the convolution's sums, without its activation
    if conv.use_bias:
        x = x + conv.bias
    if block.norm:
        x = cnn.get_layer(block.norm)(x, training=False)
    return x


def _one_filter_before_relu(cnn: keras.Model, block: Block, filter_index: int, x):
    """One filter's answer before its ReLU, (batch, rows, cols): as `_before_relu` gives it, but
    computing that filter only (the ascent runs it hundreds of times)."""
    layers = list(cnn.layers)
    conv = cnn.get_layer(block.conv)
    for layer in layers[: layers.index(conv)]:
        x = layer(x, training=False)
    x = conv.convolution_op(x, conv.kernel[..., filter_index : filter_index + 1])[..., 0]
    if conv.use_bias:
        x = x + conv.bias[filter_index]
    if block.norm:  # batch normalisation as Keras does it outside training, for this filter's map only
        norm = cnn.get_layer(block.norm)
        x = (x - norm.moving_mean[filter_index]) * ops.rsqrt(norm.moving_variance[filter_index] + norm.epsilon)
        x = x * norm.gamma[filter_index] if norm.scale else x
        x = x + norm.beta[filter_index] if norm.center else x
    return x


WHERE = ("everywhere", "centre")  # the filter's mean answer over its grid, or its answer at the grid's middle


def inside_places(cnn: keras.Model, layer: str) -> tuple[np.ndarray, np.ndarray]:
    """(rows, cols) of `layer`'s grid places whose patch lies wholly inside the picture (the others also
    see the padding's zeros at the picture's edge); all of them if none does."""
    field, side = receptive_field(cnn, layer), cnn.input_shape[1]
    places = np.arange(cnn.get_layer(layer).output.shape[1])
    inside = places[(field.start + places * field.step >= 0) & (field.start + places * field.step + field.size <= side)]
    return (inside, inside) if len(inside) else (places, places)


def answer_to_raise(cnn: keras.Model, layer: str, filter_index: int, where: str = "everywhere"):
    """The number the ascent raises, as a function of a batch of pictures (summed over the batch): the
    filter's answer before ReLU, averaged over the grid places that see no padding ("everywhere"), or
    at the grid's middle place ("centre")."""
    block = block_of(cnn, layer, filter_index)
    if where not in WHERE:
        raise FilterError(f"where must be one of {', '.join(WHERE)}")
    rows, cols = inside_places(cnn, layer)
    middle = cnn.get_layer(layer).output.shape[1] // 2
    rows, cols = (rows, cols) if where == "everywhere" else (np.array([middle]), np.array([middle]))

    def answer(x):
        maps = _one_filter_before_relu(cnn, block, filter_index, x)
        return ops.sum(ops.mean(maps[:, rows[0] : rows[-1] + 1, cols[0] : cols[-1] + 1], axis=(1, 2)))

    return answer


@dataclasses.dataclass(frozen=True)
class Favourite:
    picture: np.ndarray  # (24, 24, 3) float32 in [0, 1]: the picture the ascent made
    layer: str
    filter_index: int  # from 0
    where: str  # one of WHERE
    at_grey: float  # the answer raised, for the grey picture
    reached: float  # the same for the picture made


def _soften(picture: np.ndarray) -> np.ndarray:
    """Each pixel mixed with the mean of its 4 neighbours (the edges repeat themselves)."""
    padded = np.pad(picture, ((0, 0), (1, 1), (1, 1), (0, 0)), mode="edge")
    neighbours = (padded[:, :-2, 1:-1] + padded[:, 2:, 1:-1] + padded[:, 1:-1, :-2] + padded[:, 1:-1, 2:]) / 4
    return (1 - BLUR) * picture + BLUR * neighbours


def seen_pixels(cnn: keras.Model, layer: str, where: str) -> np.ndarray:
    """(1, side, side, 1) bool: the pixels the answer raised depends on. "centre": the patch the middle place
    sees; "everywhere": the whole picture (rolled by the jitter, any pixel can land in a patch)."""
    side = cnn.input_shape[1]
    if where == "everywhere":
        return np.ones((1, side, side, 1), bool)
    middle = cnn.get_layer(layer).output.shape[1] // 2
    top, left, height, width = receptive_field(cnn, layer).window(middle, middle, side)
    seen = np.zeros((1, side, side, 1), bool)
    seen[:, top : top + height, left : left + width] = True
    return seen


def favourite_input(cnn: keras.Model, layer: str, filter_index: int, where="everywhere", steps=STEPS, seed=0):
    """Gradient ascent from grey on the filter's answer (the module's docstring says how)."""
    objective = answer_to_raise(cnn, layer, filter_index, where)
    side = cnn.input_shape[1]
    rng = np.random.default_rng(seed)
    picture = np.full((1, side, side, 3), GREY, np.float32)
    at_grey = float(ops.convert_to_numpy(objective(ops.convert_to_tensor(picture))))
    jitter = JITTER if where == "everywhere" else 0  # at one place, a moved pattern would miss that place
    seen = seen_pixels(cnn, layer, where)  # the only pixels the answer depends on: the rest stays grey
    for step in range(steps):
        down, right = (int(n) for n in rng.integers(-jitter, jitter + 1, size=2))
        _, slope = value_and_gradient(objective, np.roll(picture, (down, right), axis=(1, 2)))
        slope = np.roll(slope, (-down, -right), axis=(1, 2))  # back to the unrolled picture's pixels
        if not np.abs(slope).max() > 0:  # every ReLU below gives 0 here: a little noise to find a slope
            picture = picture + rng.uniform(-NUDGE, NUDGE, picture.shape)
        else:  # the mean step over the pixels it can move, not over the grey ones that do not count
            picture = picture + STEP_SIZE * slope / (np.abs(slope).sum() / (seen.sum() * 3) + 1e-12)
            if (step + 1) % BLUR_EVERY == 0:
                picture = _soften(picture)
        picture = np.where(seen, np.clip(picture, 0.0, 1.0), GREY).astype(np.float32)
    reached = float(ops.convert_to_numpy(objective(ops.convert_to_tensor(picture))))
    return Favourite(picture[0], layer, filter_index, where, at_grey, reached)


def tiled(picture: np.ndarray, times: int = 3) -> np.ndarray:
    """The picture in [0, 1] as uint8 pixels, repeated times x times: a pattern made for the whole grid tiles."""
    return np.tile(np.clip(np.round(np.asarray(picture) * 255), 0, 255).astype(np.uint8), (times, times, 1))


def favourite_views(cnn: keras.Model, favourite: Favourite, scale: int = 10) -> tuple[np.ndarray, np.ndarray]:
    """(the picture as uint8 pixels; for "everywhere" the picture tiled 3 x 3, for "centre" the picture
    enlarged `scale` times with the patch the middle place sees framed in orange)."""
    pixels = tiled(favourite.picture, 1)
    if favourite.where == "everywhere":
        return pixels, tiled(favourite.picture)
    middle = cnn.get_layer(favourite.layer).output.shape[1] // 2
    top, left, height, _ = receptive_field(cnn, favourite.layer).window(middle, middle, pixels.shape[0])
    return pixels, outlined(pixels, top, left, height, scale)


# --- the test images that excite a filter most -------------------------------------------------


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
        maps = ops.convert_to_numpy(_before_relu(cnn, block, ops.convert_to_tensor(chunk)))
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
