"""Adding variance: the article's pre-processing, as Keras 3 operations.

Training sees a different version of every image each time:

    random crop to 24x24 -> random horizontal flip -> hue +-0.05 -> contrast x[0.3, 1.0]
    -> brightness +-0.2 -> saturation x[0, 2] -> clip to [0, 1]

and testing sees the 24x24 centre crop. Each step is a plain function with its factor given
(`adjust_hue(images, delta)`, ...) that does what `tf.image.adjust_*` does; the random layer
`ArticleAugmentation` draws one factor per image and calls those same functions, inside the
compiled training step, on whatever backend Keras runs (TensorFlow, or JAX on a GPU).
The lesson pages call exactly these functions and this layer.
"""

from __future__ import annotations

import keras
from keras import ops

from cnn_lab.recipes import AUGMENT_MODES as MODES

from cnn_lab.settings import CROP

HUE_DELTA = 0.05
CONTRAST = (0.3, 1.0)
BRIGHTNESS_DELTA = 0.2
SATURATION = (0.0, 2.0)


def _per_image(value, images):
    """A scalar or one value per image, shaped (batch, 1, 1, 1) to broadcast over an image."""
    value = ops.convert_to_tensor(value, dtype=images.dtype)
    return ops.reshape(value, (-1, 1, 1, 1)) if ops.ndim(value) else value


def adjust_brightness(images, delta):
    """tf.image.adjust_brightness: add `delta` to every value."""
    return images + _per_image(delta, images)


def adjust_contrast(images, factor):
    """tf.image.adjust_contrast: move each channel towards (factor < 1) or away from its mean."""
    mean = ops.mean(images, axis=(-3, -2), keepdims=True)
    return (images - mean) * _per_image(factor, images) + mean


def adjust_hue(images, delta):
    """tf.image.adjust_hue: turn the colour wheel by `delta` (a fraction of a full turn)."""
    hsv = ops.image.rgb_to_hsv(images)
    hue = (hsv[..., :1] + _per_image(delta, images)) % 1.0
    return ops.image.hsv_to_rgb(ops.concatenate([hue, hsv[..., 1:]], axis=-1))


def adjust_saturation(images, factor):
    """tf.image.adjust_saturation: scale the saturation by `factor`, kept within [0, 1]."""
    hsv = ops.image.rgb_to_hsv(images)
    saturation = ops.clip(hsv[..., 1:2] * _per_image(factor, images), 0.0, 1.0)
    return ops.image.hsv_to_rgb(ops.concatenate([hsv[..., :1], saturation, hsv[..., 2:]], axis=-1))


def crop(images, top, left, size=CROP):
    """Cut a size x size window out of each image, at its own (top, left)."""
    shape = ops.shape(images)
    top, left = ops.cast(top, "int32"), ops.cast(left, "int32")
    rows = ops.expand_dims(top, 1) + ops.arange(size, dtype="int32")  # (batch, size)
    cols = ops.expand_dims(left, 1) + ops.arange(size, dtype="int32")
    rows = ops.broadcast_to(rows[:, :, None, None], (shape[0], size, shape[2], shape[3]))
    images = ops.take_along_axis(images, rows, axis=1)
    cols = ops.broadcast_to(cols[:, None, :, None], (shape[0], size, size, shape[3]))
    return ops.take_along_axis(images, cols, axis=2)


def center_crop(images, size=CROP):
    """The test-time crop: the middle size x size pixels (rows and columns 4..27 of 32)."""
    top = (images.shape[-3] - size) // 2
    left = (images.shape[-2] - size) // 2
    return images[..., top : top + size, left : left + size, :]


def flip(images, mask):
    """Mirror the images whose mask is True left to right."""
    return ops.where(_per_image(mask, images), ops.flip(images, axis=-2), images)


@keras.saving.register_keras_serializable(package="cnn_lab")
class ArticleAugmentation(keras.layers.Layer):
    """The article's random pre-processing while training; the centre crop otherwise.

    Takes float images in [0, 1] of shape (batch, 32, 32, 3) and gives (batch, 24, 24, 3).
    `mode`: "article" (all of it), "crop_flip" (only the random crop and flip), or "none"
    (the centre crop always). `seed` makes a sequence of augmentations reproducible.
    """

    def __init__(self, mode="article", size=CROP, seed=None, **kwargs):
        kwargs.setdefault("dtype", "float32")  # colour maths stay in float32 under mixed precision
        super().__init__(**kwargs)
        if mode not in MODES:
            raise ValueError(f"augmentation mode must be one of {MODES}, not {mode!r}")
        self.mode, self.size, self.seed = mode, size, seed
        self.seed_generator = keras.random.SeedGenerator(seed)

    def draw(self, batch):
        """The random factors for a batch: one per image and per step."""

        def uniform(low, high):
            return keras.random.uniform((batch,), low, high, seed=self.seed_generator)

        margin = 32 - self.size + 1
        return {
            "top": ops.floor(uniform(0, margin)),
            "left": ops.floor(uniform(0, margin)),
            "flip": uniform(0, 1) < 0.5,
            "hue": uniform(-HUE_DELTA, HUE_DELTA),
            "contrast": uniform(*CONTRAST),
            "brightness": uniform(-BRIGHTNESS_DELTA, BRIGHTNESS_DELTA),
            "saturation": uniform(*SATURATION),
        }

    def apply(self, images, f, clip=True):
        """The pipeline with its factors given: what `call` does with the ones it drew.
        `clip=False` leaves out the final clip to [0, 1] (to show which pixels it changes)."""
        images = flip(crop(images, f["top"], f["left"], self.size), f["flip"])
        if self.mode == "article":
            images = adjust_hue(images, f["hue"])
            images = adjust_contrast(images, f["contrast"])
            images = adjust_brightness(images, f["brightness"])
            images = adjust_saturation(images, f["saturation"])
            if clip:
                images = ops.clip(images, 0.0, 1.0)
        return images

    def call(self, images, training=None):
        images = ops.cast(images, self.compute_dtype)
        if not training or self.mode == "none":
            return center_crop(images, self.size)
        return self.apply(images, self.draw(ops.shape(images)[0]))

    def compute_output_shape(self, input_shape):
        return (input_shape[0], self.size, self.size, input_shape[-1])

    def get_config(self):
        return {**super().get_config(), "mode": self.mode, "size": self.size, "seed": self.seed}


def augment_examples(image, count=16, seed=0, mode="article"):
    """`count` random versions of one float image in [0, 1] (32, 32, 3), reproducible by seed."""
    layer = ArticleAugmentation(mode=mode, seed=seed)
    batch = ops.repeat(ops.convert_to_tensor(image[None], dtype="float32"), count, axis=0)
    return ops.convert_to_numpy(layer(batch, training=True))
