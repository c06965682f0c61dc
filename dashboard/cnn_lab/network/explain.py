"""Why did the network say that? Grad-CAM: where in the picture the evidence for a class is.

Grad-CAM (Selvaraju et al., 2017) looks at the last convolution block, the 6x6 grid of feature
maps just before the last pooling. For one class it asks: if a feature map grew, how much would
that class's score (the logit, before the softmax) grow? The average of that gradient over the
grid is the feature map's weight; the weighted sum of the maps, negatives set to zero, is a 6x6
map of where the evidence for the class is. It is then stretched to the 24x24 the network sees.

A network without convolutions gets gradient saliency instead: how much each input pixel changes
the class's score.

The classifier we save is pixels -> Rescaling -> Cropping2D -> cnn (optionally averaged with the
cnn of the mirror image: flip-TTA); this module works on the inner `cnn` and, for flip-TTA,
averages the map of the image with the mirrored map of its mirror image, as the model averages
its predictions. Gradients come from cnn_lab.network.gradients (tf.GradientTape or jax.grad).
"""

from __future__ import annotations

import dataclasses

import keras
import numpy as np
from keras import ops
from PIL import Image

from cnn_lab.network.augment import center_crop
from cnn_lab.network.gradients import NoGradients, value_and_gradient
from cnn_lab.network.model import cnn_of


class ExplainError(ValueError):
    """This model cannot be explained here; the message says why."""


@dataclasses.dataclass
class Explanation:
    heatmap: np.ndarray  # (24, 24) float32 in [0, 1]: 1 = strongest evidence; all 0 = none found
    class_index: int
    method: str  # "Grad-CAM" or "gradient saliency"
    layer: str | None  # the layer Grad-CAM looked at

    @property
    def found_any(self) -> bool:
        """Whether any part of the picture raised the class's score (else the heatmap is all 0)."""
        return bool(self.heatmap.max() > 0)


def has_flip_tta(model: keras.Model) -> bool:
    return any(layer.name == "flip_tta" for layer in model.layers)


def split(cnn: keras.Model):
    """(layers up to the last convolution block, the rest, that block's name or None).

    The last convolution block's output is the last 4-D output before the flatten that is not a
    pooling layer (conv3, or relu3 after batch normalisation)."""
    layers = list(cnn.layers)
    target = None
    for i, layer in enumerate(layers):
        if isinstance(layer, keras.layers.Flatten):
            break
        if len(layer.output.shape) == 4 and not isinstance(
            layer, (keras.layers.MaxPooling2D, keras.layers.AveragePooling2D)
        ):
            target = i
    if target is None:
        return [], layers, None
    return layers[: target + 1], layers[target + 1 :], layers[target].name


def _run(layers, x):
    for layer in layers:
        x = layer(x, training=False)
    return x


def _logits(tail, x):
    """The class scores before the softmax: the last Dense layer's kernel without its activation."""
    last = tail[-1]
    if isinstance(last, keras.layers.Dense) and last.activation is keras.activations.softmax:
        return ops.matmul(_run(tail[:-1], x), last.kernel) + last.bias
    return _run(tail, x)  # no separate softmax: use what the network outputs


def _gradient(tail, a, class_index):
    """d score[class_index] / d a, for a batch `a`."""
    try:
        return value_and_gradient(lambda v: ops.sum(_logits(tail, v)[:, class_index]), a)[1]
    except NoGradients as e:
        raise ExplainError(f"Grad-CAM: {e}.") from None


def _resize(heatmap: np.ndarray, size: int) -> np.ndarray:
    if heatmap.shape == (size, size):
        return heatmap.astype(np.float32)
    return np.asarray(Image.fromarray(heatmap.astype(np.float32)).resize((size, size), Image.BILINEAR))


def explain(model: keras.Model, pixels: np.ndarray, class_index: int) -> Explanation:
    """Where in the uint8 (32, 32, 3) image the evidence for `class_index` is, as a (24, 24) map in
    [0, 1] over the 24x24 centre crop the network sees."""
    try:
        cnn = cnn_of(model)
    except ValueError:
        raise ExplainError("This model has no inner network named 'cnn', so it cannot be explained here.") from None
    size = cnn.input_shape[1]
    x = center_crop(np.asarray(pixels, dtype=np.float32)[None] / 255.0, size)
    if has_flip_tta(model):
        x = np.concatenate([x, x[:, :, ::-1]])
    head, tail, layer = split(cnn)
    a = ops.convert_to_tensor(_run(head, ops.convert_to_tensor(x)) if head else x)
    grads = ops.convert_to_numpy(_gradient(tail, a, int(class_index)))
    if layer is None:  # gradient saliency on the input pixels
        maps = np.abs(grads).max(axis=-1)
    else:
        weights = grads.mean(axis=(1, 2), keepdims=True)  # one weight per feature map
        maps = np.maximum((ops.convert_to_numpy(a) * weights).sum(axis=-1), 0)
    maps = [_resize(m, size) for m in maps]
    heatmap = maps[0] if len(maps) == 1 else (maps[0] + maps[1][:, ::-1]) / 2  # mirror's map mirrored back
    top = float(heatmap.max(initial=0))
    heatmap = heatmap / top if top > 0 else np.zeros_like(heatmap)
    return Explanation(
        np.clip(heatmap, 0, 1).astype(np.float32), int(class_index), "Grad-CAM" if layer else "gradient saliency", layer
    )


def _viridis() -> np.ndarray:
    from plotly.colors import sample_colorscale, unlabel_rgb

    colours = sample_colorscale("Viridis", list(np.linspace(0, 1, 256)))
    return np.array([unlabel_rgb(c) for c in colours], dtype=np.float32)


_LUT = None


def overlay(
    image: np.ndarray, heatmap: np.ndarray, alpha: float = 0.55, crop_fraction: float = 24 / 32, dim: float = 0.35
) -> np.ndarray:
    """The heatmap coloured with Viridis (colour-blind safe; yellow = most evidence) over the middle
    `crop_fraction` of a square uint8 image, whose border (which the network never sees) is dimmed."""
    global _LUT
    if _LUT is None:
        _LUT = _viridis()
    image = np.asarray(image, dtype=np.float32)
    side = image.shape[0]
    inner = int(round(side * crop_fraction))
    start = (side - inner) // 2
    out = image * dim  # the border, dimmed
    colours = _LUT[np.clip(np.round(_resize(heatmap, inner) * 255), 0, 255).astype(int)]
    region = image[start : start + inner, start : start + inner]
    out[start : start + inner, start : start + inner] = (1 - alpha) * region + alpha * colours
    return np.clip(np.round(out), 0, 255).astype(np.uint8)


def where_strongest(heatmap) -> str:
    """Where a heatmap is largest, in words: "in the top left", "in the centre"..."""
    heatmap = np.asarray(heatmap)
    if heatmap.max() <= 0:
        return "nowhere: no part of the photo counts for it"
    row, col = np.unravel_index(int(heatmap.argmax()), heatmap.shape[:2])
    vertical = ("top", "middle", "bottom")[min(2, 3 * row // heatmap.shape[0])]
    horizontal = ("left", "centre", "right")[min(2, 3 * col // heatmap.shape[1])]
    return "in the centre" if (vertical, horizontal) == ("middle", "centre") else f"in the {vertical} {horizontal}"
