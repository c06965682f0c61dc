"""The gradient of a number a network computes, with respect to its input: on either Keras backend.

Keras 3 has no backend-free gradient, so this is the one place that asks TensorFlow (tf.GradientTape) or
JAX (jax.value_and_grad). Grad-CAM, what a filter wants and fooling the network all call it:

    value, slope = value_and_gradient(lambda x: ops.sum(cnn(x)[:, 3]), images)   # both NumPy

A search that takes many small steps (fooling the network) compiles its function once instead:

    gradient = compiled_value_and_gradient(lambda x, weights: ops.sum(cnn(x) * weights))
    value, slope = gradient(image, weights)   # a few milliseconds a call once compiled
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


def compiled_value_and_gradient(fn: Callable) -> Callable[..., tuple[float, np.ndarray]]:
    """value_and_gradient for a function called many times on inputs of the same shapes: fn(x, *more) is
    compiled once (tf.function or jax.jit) and differentiated with respect to x only. `more` are further
    float32 inputs it reads (which class to aim at, as a one-hot vector...): new values of them do not compile
    it again. The first call compiles (a fraction of a second to seconds); later calls cost milliseconds where
    value_and_gradient's cost tens. The returned function gives (value, slope), both NumPy, as that one does."""
    backend = keras.config.backend()
    if backend == "tensorflow":
        import tensorflow as tf

        @tf.function(reduce_retracing=True)
        def both(x, *more):
            with tf.GradientTape() as tape:
                tape.watch(x)
                value = fn(x, *more)
            return value, tape.gradient(value, x)

    elif backend == "jax":
        import jax

        both = jax.jit(jax.value_and_grad(fn))
    else:
        raise NoGradients(f"gradients need the TensorFlow or JAX backend of Keras; this server runs {backend}")

    def value_and_slope(x, *more) -> tuple[float, np.ndarray]:
        inputs = [ops.convert_to_tensor(np.asarray(a, dtype=np.float32)) for a in (x, *more)]
        value, slope = both(*inputs)
        return float(ops.convert_to_numpy(value)), ops.convert_to_numpy(slope)

    return value_and_slope
