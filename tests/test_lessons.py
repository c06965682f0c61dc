"""The lesson arithmetic (cnn_lab.lessons.maths) against what TensorFlow and Keras compute."""

import numpy as np
import pytest

from cnn_lab.lessons import maths


@pytest.fixture
def rng():
    return np.random.default_rng(7)


def test_greyscale_matches_tensorflow(rng):
    import tensorflow as tf

    image = rng.random((5, 32, 32, 3), dtype=np.float32)
    expected = tf.image.rgb_to_grayscale(image).numpy()[..., 0]
    np.testing.assert_allclose(maths.greyscale(image), expected, atol=1e-5)


def test_greyscale_of_uint8_pixels_is_within_one_step_of_tensorflow(rng):
    import tensorflow as tf

    pixels = rng.integers(0, 256, (32, 32, 3), dtype=np.uint8)
    ours = maths.greyscale_uint8(pixels)
    theirs = tf.image.rgb_to_grayscale(pixels).numpy()[..., 0]
    assert ours.dtype == np.uint8 and ours.shape == (32, 32)
    assert np.abs(ours.astype(int) - theirs.astype(int)).max() <= 1
    # the weights are those the page writes in its formula
    assert maths.greyscale(np.array([[[255, 0, 0]]], np.uint8))[0, 0] == pytest.approx(0.2989 * 255)


def test_greyscale_refuses_non_rgb():
    with pytest.raises(ValueError):
        maths.greyscale(np.zeros((4, 4)))


@pytest.mark.parametrize("shape", [(4, 4), (6, 6), (7, 5), (24, 24, 8)])
def test_max_pool_matches_keras_and_points_at_each_maximum(rng, shape):
    import keras

    x = rng.normal(size=shape).astype(np.float32)
    pooled, rows, cols = maths.max_pool(x)
    batch = x[None] if x.ndim == 3 else x[None, ..., None]
    expected = keras.layers.MaxPooling2D(2)(batch).numpy()[0]
    if x.ndim == 2:
        expected = expected[..., 0]
    np.testing.assert_array_equal(pooled, expected)
    # each position lies in its own 2x2 window and holds the maximum
    i, j = np.indices(pooled.shape[:2])
    if x.ndim == 3:
        i, j = i[..., None], j[..., None]
    assert ((rows // 2 == i) & (cols // 2 == j)).all()
    values = x[rows, cols] if x.ndim == 2 else x[rows, cols, np.arange(shape[2])]
    np.testing.assert_array_equal(values, pooled)


def test_max_pool_positions_on_a_small_grid():
    grid = np.array([[1, 5, 0, 2], [3, 4, 9, 1], [0, 0, 6, 7], [8, 2, 3, 1]])
    pooled, rows, cols = maths.max_pool(grid)
    np.testing.assert_array_equal(pooled, [[5, 9], [8, 7]])
    np.testing.assert_array_equal(rows, [[0, 1], [3, 2]])
    np.testing.assert_array_equal(cols, [[1, 2], [0, 3]])


def test_max_pool_refuses_a_grid_smaller_than_the_window():
    with pytest.raises(ValueError):
        maths.max_pool(np.zeros((1, 3)))


@pytest.mark.parametrize("padding", ["valid", "same"])
@pytest.mark.parametrize("k", [3, 4, 5])
def test_conv2d_matches_keras(rng, padding, k):
    import keras

    image = rng.random((9, 11, 3), dtype=np.float32)
    layer = keras.layers.Conv2D(4, k, padding=padding)
    expected = layer(image[None]).numpy()[0]
    kernel, bias = layer.get_weights()
    np.testing.assert_allclose(maths.conv2d(image, kernel, bias, padding), expected, atol=1e-5)


def test_conv2d_on_a_greyscale_tile_and_its_steps(rng):
    import keras

    tile = rng.integers(0, 256, (8, 8)).astype(np.float64)
    kernel = np.array([[1, 0, -1], [2, 0, -2], [1, 0, -1]], np.float64)
    out = maths.conv2d(tile, kernel)
    layer = keras.layers.Conv2D(1, 3, use_bias=False)
    layer.build((None, 8, 8, 1))
    layer.set_weights([kernel[:, :, None, None]])
    np.testing.assert_allclose(out, layer(tile[None, ..., None].astype(np.float32)).numpy()[0, ..., 0], rtol=1e-5)
    assert maths.conv2d(tile, kernel, padding="same").shape == (8, 8)
    step = maths.conv_step(tile, kernel, 2, 3)
    np.testing.assert_array_equal(step["tile"], tile[2:5, 3:6])
    assert step["sum"] == pytest.approx(out[2, 3])
    with pytest.raises(ValueError):
        maths.conv_step(tile, kernel, 6, 0)


def test_conv2d_refuses_mismatched_shapes():
    with pytest.raises(ValueError):
        maths.conv2d(np.zeros((5, 5, 3)), np.zeros((3, 3, 1, 2)))
    with pytest.raises(ValueError):
        maths.conv2d(np.zeros((5, 5)), np.zeros((3, 3)), padding="full")


def test_random_batch_draws_distinct_indices(rng):
    batch = maths.random_batch(800, rng=rng)
    assert len(batch) == 64 == len(set(batch.tolist()))
    assert batch.min() >= 0 and batch.max() < 800
    with pytest.raises(ValueError):
        maths.random_batch(10)


def test_class_counts():
    np.testing.assert_array_equal(maths.class_counts(np.array([0, 0, 3, 9], np.uint8)), [2, 0, 0, 1, 0, 0, 0, 0, 0, 1])


def test_normalise():
    np.testing.assert_allclose(maths.normalise([[-2, 0], [2, 1]]), [[0, 0.5], [1, 0.75]])
    assert not maths.normalise(np.full((3, 3), 4.0)).any()


def test_augment_with_overflow_is_the_training_augmentation_before_its_clip(rng):
    from cnn_lab.network.augment import augment_examples

    image = rng.random((32, 32, 3), dtype=np.float32)
    result = maths.augment_with_overflow(image, count=16, seed=3)
    assert result["before_clip"].shape == (16, 24, 24, 3)
    np.testing.assert_allclose(result["after_clip"], augment_examples(image, 16, seed=3), atol=1e-6)
    assert ((result["before_clip"] > 1).any(-1) == result["above"]).all()
    assert result["above"].any() or result["below"].any()  # brightness +-0.2 pushes some pixels out
    outside = result["above"] | result["below"]
    np.testing.assert_allclose(result["before_clip"][~outside], result["after_clip"][~outside])


def test_augment_with_overflow_with_given_factors(rng):
    image = rng.random((32, 32, 3), dtype=np.float32)
    factors = {
        "top": [4],
        "left": [4],
        "flip": [False],
        "hue": [0.0],
        "contrast": [1.0],
        "brightness": [0.3],
        "saturation": [1.0],
    }
    result = maths.augment_with_overflow(image, count=1, factors=factors)
    expected = image[4:28, 4:28] + 0.3  # only the brightness changes anything
    np.testing.assert_allclose(result["before_clip"][0], expected, atol=1e-4)
    assert result["above"][0].mean() == pytest.approx((expected > 1).any(-1).mean(), abs=0.01)
    assert not result["below"].any()


def test_layer_activations_end_in_what_the_model_predicts(tiny_model_path):
    from cnn_lab.network.model import load_classifier

    model = load_classifier(tiny_model_path)
    image = np.random.default_rng(0).integers(0, 256, (32, 32, 3), dtype=np.uint8)
    steps = maths.layer_activations(model, image)
    names = [s["name"] for s in steps]
    assert names[:4] == ["scale", "center_crop", "conv1", "pool1"] and names[-1] == "softmax"
    assert steps[1]["output"].shape == (24, 24, 3)
    assert steps[2]["output"].shape == (24, 24, 4) and steps[3]["output"].shape == (12, 12, 4)
    np.testing.assert_allclose(steps[-1]["output"], model.predict(image[None], verbose=0)[0], atol=1e-5)
    assert steps[2]["params"] == 3 * 3 * 3 * 4 + 4
    assert steps[2]["activation"] == "relu" and steps[-1]["activation"] == "softmax" and steps[3]["activation"] is None
    # the first convolution is the arithmetic of maths.conv2d (then the ReLU)
    kernel, bias = model.get_layer("cnn").get_layer("conv1").get_weights()
    np.testing.assert_allclose(
        steps[2]["output"], np.maximum(maths.conv2d(steps[1]["output"], kernel, bias, "same"), 0), atol=1e-5
    )


def test_layer_activations_use_inference_mode_with_batch_norm_and_dropout():
    import keras

    from cnn_lab.network.model import CNNConfig, build_cnn, classifier

    cnn = build_cnn(CNNConfig(filters=(4, 8, 8), dense=(16, 16), batch_norm=True, dropout=0.5))
    # move the batch-norm statistics away from their start, so training and inference differ
    for layer in cnn.layers:
        if isinstance(layer, keras.layers.BatchNormalization):
            gamma, beta, mean, variance = layer.get_weights()
            layer.set_weights([gamma, beta, mean + 0.3, variance * 2])
    model = classifier(cnn, flip_tta=True)
    image = np.random.default_rng(1).integers(0, 256, (32, 32, 3), dtype=np.uint8)
    steps = maths.layer_activations(model, image)
    assert [s["name"] for s in steps][2:6] == ["conv1", "bn1", "relu1", "pool1"]
    crop = image[None, 4:28, 4:28].astype(np.float32) / 255
    np.testing.assert_allclose(steps[-1]["output"], cnn.predict(crop, verbose=0)[0], atol=1e-5)


def test_augment_with_overflow_counts_the_clipped_share_of_each_version(rng):
    result = maths.augment_with_overflow(rng.random((32, 32, 3), dtype=np.float32), count=4, seed=1)
    np.testing.assert_allclose(result["clipped_share"], (result["above"] | result["below"]).mean(axis=(1, 2)))


def test_one_augmentation_step_by_hand_is_the_training_function(rng):
    from cnn_lab.network import augment

    image = rng.random((32, 32, 3), dtype=np.float32)
    np.testing.assert_allclose(maths.augmented(image, "crop", (2, 5)), image[2:26, 5:29])
    np.testing.assert_allclose(maths.augmented(image, "flip", True), image[:, ::-1])
    np.testing.assert_allclose(maths.augmented(image, "center_crop"), image[4:28, 4:28])
    brighter = np.clip(np.asarray(augment.adjust_brightness(image[None], 0.3))[0], 0, 1)
    np.testing.assert_allclose(maths.augmented(image, "brightness", 0.3), brighter, atol=1e-6)
    with pytest.raises(ValueError, match="unknown augmentation step"):
        maths.augmented(image, "rotate", 10)


def test_clip_overlay_paints_what_was_above_1_orange_and_below_0_blue():
    from cnn_lab.network.images import BLUE, ORANGE, rgb

    after = np.full((2, 2, 3), 0.5, np.float32)
    above = np.array([[True, False], [False, False]])
    below = np.array([[False, False], [False, True]])
    overlay = maths.clip_overlay(after, above, below)
    np.testing.assert_allclose(overlay[0, 0] * 255, rgb(ORANGE))
    np.testing.assert_allclose(overlay[1, 1] * 255, rgb(BLUE))
    np.testing.assert_allclose(overlay[0, 1], [0.5, 0.5, 0.5], atol=1e-3)  # dimmed grey: 0.25 + 0.5 x 0.5


def test_strongest_maps_random_grids_and_filter_pictures(rng):
    maps = np.stack([np.full((4, 4), v) for v in (0.1, 0.9, 0.5)], axis=-1)
    assert maths.strongest_maps(maps, 2) == [1, 2]
    grid = maths.random_grid(6, rng)
    assert len(grid) == 6 and all(len(row) == 6 and all(0 <= v <= 9 for v in row) for row in grid)
    pictures = maths.filter_pictures(rng.normal(size=(3, 3, 3, 5)))
    assert pictures.shape == (5, 3, 3, 3) and pictures.dtype == np.uint8
    assert all(p.min() == 0 and p.max() == 255 for p in pictures)


def test_outlined_frames_the_window_in_orange():
    from cnn_lab.network.images import ORANGE, outlined, rgb

    big = outlined(np.zeros((32, 32, 3), np.uint8), top=4, left=8, size=24, scale=2)
    assert big.shape == (64, 64, 3)
    assert tuple(big[8, 16]) == rgb(ORANGE) and tuple(big[8 + 47, 16 + 47]) == rgb(ORANGE)
    assert tuple(big[20, 30]) == (0, 0, 0)  # inside the frame: the picture


@pytest.mark.parametrize("name", sorted(maths.CHANNEL_FILTERS))
def test_one_filter_over_three_colours_with_its_bias_and_relu_is_keras_conv2d(name, rng):
    """The Channels page's arithmetic against Keras: a Conv2D of one filter over RGB, its bias, ReLU."""
    import keras

    kernel, bias = maths.CHANNEL_FILTERS[name]
    image = rng.integers(0, 256, (32, 32, 3)).astype(np.float64)
    layer = keras.layers.Conv2D(1, 3, padding="same", activation="relu")
    layer.build((None, 32, 32, 3))
    layer.set_weights([kernel[..., None].astype(np.float32), np.array([bias], np.float32)])
    expected = keras.ops.convert_to_numpy(layer(image[None].astype(np.float32)))[0, ..., 0]
    maps = maths.channel_maps(image, kernel, bias)
    before, after = maps["before"], maps["after"]
    assert maps["zeroed"] == int(((expected == 0) & (np.abs(before) > 1e-3)).sum())  # what Keras's ReLU made 0
    np.testing.assert_allclose(after, expected, rtol=1e-5, atol=1e-3)
    np.testing.assert_array_equal(after, np.maximum(before, 0))
    step = maths.channel_step(image, kernel, bias, 10, 20)  # the tile whose centre is (11, 21)
    assert step["total"] == pytest.approx(before[11, 21]) and step["relu"] == pytest.approx(after[11, 21], abs=1e-3)
    np.testing.assert_allclose(step["sums"], [(image[10:13, 20:23, c] * kernel[..., c]).sum() for c in range(3)])
    assert step["total"] == pytest.approx(step["sums"].sum() + bias)
    with pytest.raises(ValueError):
        maths.channel_step(image, kernel, bias, 30, 0)


def test_the_network_s_outline_goes_from_the_picture_to_10_probabilities():
    """The Network page's diagram: one block per layer, batch-norm and ReLU inside their convolution's block,
    each block's shape what Keras computes, and the parameters all counted once."""
    from cnn_lab.network.model import build_cnn, classifier
    from cnn_lab.recipes import PRESETS

    model = classifier(build_cnn(PRESETS["lesson"].model))
    steps = maths.layer_activations(model, np.zeros((32, 32, 3), np.uint8))
    blocks = maths.network_outline(steps)
    assert [b["shape"] for b in blocks] == [
        (32, 32, 3), (32, 32, 3), (24, 24, 3),
        (24, 24, 32), (12, 12, 32), (12, 12, 64), (6, 6, 64), (6, 6, 128), (3, 3, 128),
        (1152,), (256,), (128,), (10,),
    ]  # fmt: skip
    assert blocks[3]["label"] == "conv1<br>32 filters" and blocks[3]["also"] == ["batch-norm", "relu"]
    assert blocks[-1]["also"] == ["softmax"] and blocks[-2]["also"] == ["relu"]
    trained = sum(int(np.prod(w.shape)) for w in model.get_layer("cnn").trainable_weights)
    assert sum(b["params"] for b in blocks) == trained < model.get_layer("cnn").count_params()  # no kept averages
    assert sum(s["trained"] for s in steps) == trained
    hidden = maths.network_outline(steps, shown={"conv1"})
    assert [b["shown"] for b in hidden][:5] == [True, False, False, True, False]
    assert maths.network_outline(steps, shown={"relu1"})[3]["shown"]  # relu1 keeps conv1's shape: one block
