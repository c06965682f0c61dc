"""The article's network: 3 convolution layers, each followed by 2x2 max-pooling, a flatten,
2 fully connected layers and a softmax over the 10 classes.

    24x24x3 -> conv -> pool -> 12x12 -> conv -> pool -> 6x6 -> conv -> pool -> 3x3
            -> flatten -> dense -> dense -> softmax (10)

`build_cnn(config)` builds that network for 24x24 float images in [0, 1].
`classifier(cnn)` wraps it into what we save and share: raw uint8 32x32x3 pixels (0-255) in,
10 probabilities out, with the scaling and the test-time centre crop inside. It is made of
built-in Keras layers only, so `keras.saving.load_model(path)` alone can use it.
`trainer(cnn, mode)` wraps the same network for training, with the random augmentation.
"""

from __future__ import annotations

import keras
import numpy as np

from cnn_lab.network.augment import ArticleAugmentation
from cnn_lab.settings import IMAGE_SIZE, NUM_CLASSES, PIXELS
from cnn_lab.recipes import CNNConfig


def build_cnn(config: CNNConfig | None = None, name="cnn") -> keras.Sequential:
    """The article's CNN for (24, 24, 3) float images in [0, 1]."""
    c = config or CNNConfig()
    layers = [keras.Input((c.input_size, c.input_size, 3), name="image")]
    for i, (filters, k) in enumerate(zip(c.filters, c.kernel_sizes), start=1):
        layers.append(
            keras.layers.Conv2D(
                filters,
                k,
                padding="same",
                use_bias=not c.batch_norm,
                activation=None if c.batch_norm else "relu",
                name=f"conv{i}",
            )
        )
        if c.batch_norm:
            # momentum 0.9: the running statistics keep up with weights that change fast early on
            layers += [keras.layers.BatchNormalization(momentum=0.9, name=f"bn{i}"), keras.layers.ReLU(name=f"relu{i}")]
        layers.append(keras.layers.MaxPooling2D(2, name=f"pool{i}"))
    layers.append(keras.layers.Flatten(name="flatten"))
    for i, units in enumerate(c.dense, start=1):
        if c.dropout:
            layers.append(keras.layers.Dropout(c.dropout, name=f"dropout{i}"))
        layers.append(keras.layers.Dense(units, activation="relu", name=f"fc{i}"))
    layers.append(keras.layers.Dense(NUM_CLASSES, activation="softmax", dtype="float32", name="softmax"))
    return keras.Sequential(layers, name=name)


def mirror(width: int, name="mirror") -> list:
    """Built-in layers that flip an image left to right: move the width axis last, multiply by
    the reversing permutation matrix (exact: each output is 1 x one input), move it back."""
    reverse = keras.layers.Dense(width, use_bias=False, trainable=False, name=f"{name}_reverse")
    reverse.build((None, width))
    reverse.set_weights([np.eye(width, dtype="float32")[::-1]])
    return [
        keras.layers.Permute((1, 3, 2), name=f"{name}_to"),
        reverse,
        keras.layers.Permute((1, 3, 2), name=f"{name}_back"),
    ]


def classifier(cnn: keras.Model, flip_tta: bool = False) -> keras.Model:
    """uint8 (32, 32, 3) pixels in, 10 class probabilities out: the model we save and share.

    With `flip_tta`, the prediction is the average of those for the image and its mirror image.
    """
    pixels = keras.Input(PIXELS, dtype="uint8", name="pixels")
    x = keras.layers.Rescaling(1 / 255, name="scale")(pixels)
    x = keras.layers.Cropping2D((IMAGE_SIZE - cnn.input_shape[1]) // 2, name="center_crop")(x)
    probabilities = cnn(x)
    if flip_tta:
        mirrored = x
        for layer in mirror(cnn.input_shape[2]):
            mirrored = layer(mirrored)
        probabilities = keras.layers.Average(name="flip_tta")([probabilities, cnn(mirrored)])
    return keras.Model(pixels, probabilities, name="cifar10_classifier")


def trainer(cnn: keras.Model, mode: str = "article", seed=None) -> keras.Sequential:
    """The same network with the random augmentation in front, for training only."""
    return keras.Sequential(
        [
            keras.Input(PIXELS, dtype="uint8", name="pixels"),
            keras.layers.Rescaling(1 / 255, name="scale"),
            ArticleAugmentation(mode=mode, size=cnn.input_shape[1], seed=seed, name="augment"),
            cnn,
        ],
        name="cifar10_trainer",
    )


def cnn_of(model: keras.Model) -> keras.Model:
    """The network inside a saved classifier."""
    return model.get_layer("cnn")


class NotACifarClassifier(ValueError):
    """A Keras model that opens but is for another task: not 32x32x3 images in, 10 classes out."""

    def __init__(self, path, found: str):
        super().__init__(f"{path}: expected a model from 32x32x3 images to 10 classes, found {found}")
        self.found = found


def load_classifier(path) -> keras.Model:
    """Load a saved classifier safely (no arbitrary code) and check its contract (NotACifarClassifier)."""
    model = keras.saving.load_model(path, compile=False, safe_mode=True)
    if tuple(model.input_shape[1:]) != PIXELS or tuple(model.output_shape[1:]) != (NUM_CLASSES,):
        raise NotACifarClassifier(path, f"{model.input_shape} -> {model.output_shape}")
    return model


def warm_up(model: keras.Model, batch_sizes=(1, 2)) -> None:
    """Run a classifier once per batch size, so that its compiled call (seconds the first time) is ready
    before a student waits for it; a second batch size lets that call accept any number of images."""
    for size in batch_sizes:
        model.predict_on_batch(np.zeros((size, *PIXELS), np.uint8))


def predict(model, images, batch_size=500, should_stop=lambda: False, on_progress=None):
    """Class probabilities for uint8 images, a compiled call per chunk; None if stopped."""
    out = []
    for start in range(0, len(images), batch_size):
        if should_stop():
            return None
        out.append(np.asarray(model.predict_on_batch(images[start : start + batch_size])))
        if on_progress:
            on_progress(min(len(images), start + batch_size), len(images))
    return np.concatenate(out) if out else np.zeros((0, NUM_CLASSES), "float32")
