"""What a filter wants: the picture that excites one filter most, and the test images that excite it most.

A filter of a convolution layer answers with one number at every place of its grid: large where the piece of
picture under it looks like what it has learnt to find. Here: **make the picture it likes best.**
Start from a grey picture (0.5 in every colour) and change the pixels, a small step at a time, in the direction
that raises the filter's answer (the gradient, `value_and_gradient`): gradient *ascent*, the opposite of the
descent that trains the network. The number raised is either the filter's answer at the middle place of its grid
("centre": the picture changes only inside the patch that place sees) or its mean answer over the grid
("everywhere": a pattern repeated over the picture; averaged over the places whose patch sees no padding, so the
picture's edge adds no stripes of its own). We raise the answer just *before* the ReLU (the convolution's sum
plus its bias, then batch normalisation where the network has it): ReLU keeps a positive answer as it is, so
raising that value raises what ReLU lets through; but at grey ReLU often gives 0 everywhere, and 0 has no slope
to climb. Each step moves the pixels by STEP_SIZE on average (the gradient divided by its mean size over the
pixels the answer depends on, `seen_pixels`; for "centre" the others stay grey, softening included). The usual
tricks keep the picture natural: for "everywhere" the picture is rolled by up to JITTER pixels before each step
(the pattern must work wherever it lands), every BLUR_EVERY steps it is softened a little, and its pixels always
stay between 0 and 1. The rolls come from a seeded random generator: the same seed gives the same picture.
(Where no pixel has any slope, because every ReLU below gives 0, the step is a little of that generator's
noise.) (The first layer is a sum of pixels times weights: away from the picture's edge its mean answer
everywhere depends on the mean colour only, so a pattern gains nothing there; its answer at one place shows its
pattern.)

The search of the test images for the 9 patches that excite a filter most is in filter_search.py.
"""

from __future__ import annotations

import dataclasses

import keras
import numpy as np
from keras import ops

from cnn_lab.network.gradients import value_and_gradient
from cnn_lab.network.images import outlined

GREY = 0.5  # where the picture starts: every colour of every pixel half-way between 0 and 1
STEPS = 100  # gradient-ascent steps for one picture
STEP_SIZE = 0.03  # each step moves the pixels by this much on average (the gradient, scaled to mean size 1)
JITTER = 2  # each step, the picture is rolled by up to this many pixels up, down, left or right
BLUR_EVERY = 4  # every this many steps the picture is softened: each pixel mixed with its 4 neighbours
BLUR = 0.3  # how much of the neighbours' mean goes into a pixel when it is softened
NUDGE = 0.05  # a picture where no pixel has any slope gets seeded noise up to this much (see favourite_input)


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


def before_relu(cnn: keras.Model, block: Block, x):
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
    """One filter's answer before its ReLU, (batch, rows, cols): as `before_relu` gives it, but
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
