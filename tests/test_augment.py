"""The article's augmentation against TensorFlow's own tf.image functions."""

import numpy as np
import pytest

tf = pytest.importorskip("tensorflow")
import keras  # noqa: E402

from cnn_lab.network import augment as A  # noqa: E402

pytestmark = pytest.mark.core  # run under TensorFlow and again under JAX (tests/test_backends.py)

RNG = np.random.default_rng(0)
IMAGES = RNG.random((6, 32, 32, 3)).astype("float32")


@pytest.mark.parametrize(
    "ours, reference, low, high",
    [
        (A.adjust_hue, tf.image.adjust_hue, -A.HUE_DELTA, A.HUE_DELTA),
        (A.adjust_contrast, tf.image.adjust_contrast, *A.CONTRAST),
        (A.adjust_brightness, tf.image.adjust_brightness, -A.BRIGHTNESS_DELTA, A.BRIGHTNESS_DELTA),
        (A.adjust_saturation, tf.image.adjust_saturation, *A.SATURATION),
    ],
)
def test_each_step_equals_tf_image(ours, reference, low, high):
    _check(ours, reference, low, high, IMAGES)


def test_saturation_equals_tf_image_beyond_0_1():
    """Saturation comes after brightness, so it sees values a little outside [0, 1]."""
    _check(A.adjust_saturation, tf.image.adjust_saturation, *A.SATURATION, IMAGES * 1.4 - 0.2)


def _check(ours, reference, low, high, images):
    factors = RNG.uniform(low, high, len(images)).astype("float32")
    expected = np.stack([reference(image, float(f)).numpy() for image, f in zip(images, factors)])
    np.testing.assert_allclose(np.asarray(ours(images, factors)), expected, atol=1e-5)
    # a single factor for the whole batch works too
    np.testing.assert_allclose(
        np.asarray(ours(images, factors[0])), reference(images, float(factors[0])).numpy(), atol=1e-5
    )


def test_pipeline_with_fixed_factors_equals_tf_image_chain():
    layer = A.ArticleAugmentation(seed=3)
    f = {k: np.asarray(v) for k, v in layer.draw(len(IMAGES)).items()}
    ours = np.asarray(layer.apply(IMAGES, f))
    for i, image in enumerate(IMAGES):
        x = tf.image.crop_to_bounding_box(image, int(f["top"][i]), int(f["left"][i]), 24, 24)
        x = tf.image.flip_left_right(x) if f["flip"][i] else x
        x = tf.image.adjust_hue(x, float(f["hue"][i]))
        x = tf.image.adjust_contrast(x, float(f["contrast"][i]))
        x = tf.image.adjust_brightness(x, float(f["brightness"][i]))
        x = tf.image.adjust_saturation(x, float(f["saturation"][i]))
        np.testing.assert_allclose(ours[i], tf.clip_by_value(x, 0, 1).numpy(), atol=1e-5)


def test_random_factors_stay_within_the_articles_ranges():
    f = {k: np.asarray(v) for k, v in A.ArticleAugmentation(seed=1).draw(4000).items()}
    assert f["top"].min() == 0 and f["top"].max() == 8 and f["left"].max() == 8
    assert 0.4 < f["flip"].mean() < 0.6
    assert np.abs(f["hue"]).max() <= 0.05 and np.abs(f["brightness"]).max() <= 0.2
    assert f["contrast"].min() >= 0.3 and f["contrast"].max() <= 1.0
    assert f["saturation"].min() >= 0.0 and f["saturation"].max() <= 2.0


def test_training_output_is_24x24_in_range_and_seeded():
    a = A.augment_examples(IMAGES[0], count=16, seed=7)
    b = A.augment_examples(IMAGES[0], count=16, seed=7)
    assert a.shape == (16, 24, 24, 3) and a.min() >= 0 and a.max() <= 1
    np.testing.assert_array_equal(a, b)
    assert not np.allclose(a[0], a[1])  # each of the 16 is different
    assert not np.allclose(a, A.augment_examples(IMAGES[0], count=16, seed=8))


def test_test_time_is_the_centre_crop():
    layer = A.ArticleAugmentation()
    expected = keras.layers.Cropping2D(4)(IMAGES)
    np.testing.assert_array_equal(np.asarray(layer(IMAGES)), np.asarray(expected))
    np.testing.assert_array_equal(np.asarray(layer(IMAGES, training=False)), IMAGES[:, 4:28, 4:28])


def test_crop_and_flip_modes():
    out = np.asarray(A.ArticleAugmentation(mode="crop_flip", seed=2)(IMAGES, training=True))
    # crop+flip only moves pixels: every output window exists in the original or its mirror
    for image, window in zip(IMAGES, out):
        found = any(
            np.array_equal(candidate[t : t + 24, left : left + 24], window)
            for candidate in (image, image[:, ::-1])
            for t in range(9)
            for left in range(9)
        )
        assert found
    np.testing.assert_array_equal(
        np.asarray(A.ArticleAugmentation(mode="none")(IMAGES, training=True)), IMAGES[:, 4:28, 4:28]
    )
    with pytest.raises(ValueError):
        A.ArticleAugmentation(mode="sepia")
