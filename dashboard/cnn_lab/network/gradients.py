"""The gradient of a number a network computes, with respect to its input: on either Keras backend.

Keras 3 has no backend-free gradient, so this is the one place that asks TensorFlow (tf.GradientTape) or
JAX (jax.value_and_grad). Grad-CAM, what a filter wants and fooling the network all call it:

    value, slope = value_and_gradient(lambda x: ops.sum(cnn(x)[:, 3]), images)   # both NumPy
"""

from __future__ import annotations

from collections.abc import Callable

import keras
import numpy as np
from keras import ops


class NoGradients(ValueError):
    """This backend of Keras cannot give gradients here; the message says which backends can."""


def value_and_gradient(fn: Callable, x) -> tuple[float, np.ndarray]:
    """(fn(x), d fn / d x) for a function of a float32 tensor that returns one number."""
    backend = keras.config.backend()
    if backend == "tensorflow":
        import tensorflow as tf

        x = tf.convert_to_tensor(np.asarray(x, dtype=np.float32))
        with tf.GradientTape() as tape:
            tape.watch(x)
            value = fn(x)
        return float(ops.convert_to_numpy(value)), ops.convert_to_numpy(tape.gradient(value, x))
    if backend == "jax":
        import jax

        value, slope = jax.value_and_grad(fn)(ops.convert_to_tensor(np.asarray(x, dtype=np.float32)))
        return float(value), np.asarray(slope)
    raise NoGradients(f"gradients need the TensorFlow or JAX backend of Keras; this server runs {backend}")
