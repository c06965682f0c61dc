"""The How it learns page's arithmetic: the one-weight network's loss and slope, gradient descent, and the
slope of softmax + cross-entropy, each against a reference (finite differences; Keras's own loss)."""

import numpy as np
import pytest

from cnn_lab.lessons import gradient as G

pytestmark = pytest.mark.core  # run under TensorFlow and again under JAX (tests/test_backends.py)


def test_the_loss_is_keras_cross_entropy_over_the_four_photos():
    import keras

    labels = np.eye(2)[[0] * G.CATS + [1] * (G.PHOTOS - G.CATS)]  # cat = class 0
    for w in (-2.0, 0.0, 0.7, 3.0):
        scores = np.tile([w, 0.0], (G.PHOTOS, 1))
        keras_loss = keras.losses.CategoricalCrossentropy(from_logits=True)(labels, scores)
        assert float(G.loss(w)) == pytest.approx(float(keras.ops.convert_to_numpy(keras_loss)), rel=1e-5)


def test_the_slope_is_the_loss_s_finite_difference_and_is_0_at_ln_3():
    for w in np.linspace(-4, 4, 17):
        h = 1e-6
        assert float(G.gradient(w)) == pytest.approx(float(G.loss(w + h) - G.loss(w - h)) / (2 * h), abs=1e-7)
    assert G.BEST == pytest.approx(np.log(3)) and float(G.gradient(G.BEST)) == pytest.approx(0, abs=1e-12)
    assert float(G.p_cat(G.BEST)) == pytest.approx(0.75)


def test_descent_goes_downhill_with_a_small_rate_and_overshoots_with_a_large_one():
    small = G.descend(-3.0, 1.0, 20)
    assert [p["step"] for p in small] == list(range(21))
    assert all(b["loss"] < a["loss"] for a, b in zip(small, small[1:]))  # every step lower
    assert all(p["weight"] < G.BEST for p in small)  # from the left, never past the bottom
    big = G.descend(-3.0, 20.0, 6)
    assert any(p["weight"] > G.BEST for p in big) and any(b["loss"] > a["loss"] for a, b in zip(big, big[1:]))
    for a, b in zip(small, small[1:]):  # the rule: against the slope, rate x slope far
        assert b["weight"] == pytest.approx(a["weight"] - 1.0 * a["slope"])


def test_softmax_with_cross_entropy_has_the_slope_p_minus_1_for_the_true_class():
    import keras

    rng = np.random.default_rng(0)
    scores, true = rng.normal(size=10), 3
    target = np.eye(10)[true][None]

    def keras_loss(s):
        value = keras.losses.CategoricalCrossentropy(from_logits=True)(target, s[None])
        return float(keras.ops.convert_to_numpy(value))

    numeric = [(keras_loss(scores + d) - keras_loss(scores - d)) / 2e-2 for d in np.eye(10) * 1e-2]  # float32
    np.testing.assert_allclose(G.score_gradient(scores, true), numeric, atol=3e-4)
    slope = G.score_gradient(scores, true)
    assert slope[true] < 0 and (np.delete(slope, true) > 0).all() and slope.sum() == pytest.approx(0)
    sure = G.score_gradient(np.eye(10)[true] * 10, true)  # right and sure: almost no push
    assert abs(sure).max() < 1e-3
