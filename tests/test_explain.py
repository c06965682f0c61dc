"""Grad-CAM: the right shape and range, the same numbers as a textbook implementation, and it
points at the object on a task where we know where the object is."""

import keras
import numpy as np
import pytest
from PIL import Image

from cnn_lab.network.explain import ExplainError, Explanation, explain, overlay, split, where_strongest
from cnn_lab.network.model import CNNConfig, build_cnn, classifier, cnn_of, load_classifier

pytestmark = pytest.mark.core  # run under TensorFlow and again under JAX (tests/test_backends.py)

RNG_PIXELS = np.random.default_rng(1).integers(0, 256, (32, 32, 3), dtype=np.uint8)


def reference_grad_cam(model, pixels, class_index, layer_name):
    """Grad-CAM as in the Keras example: one functional model to the conv output and the logits."""
    import tensorflow as tf

    cnn = cnn_of(model)
    features = cnn.get_layer(layer_name).output
    fc2 = cnn.layers[-2].output
    probe = keras.Model(cnn.inputs, [features, fc2])
    x = tf.constant(pixels[None, 4:28, 4:28].astype("float32") / 255)
    with tf.GradientTape() as tape:
        conv, hidden = probe(x, training=False)
        logit = (tf.matmul(hidden, cnn.layers[-1].kernel) + cnn.layers[-1].bias)[:, class_index]
    grads = tape.gradient(logit, conv)
    cam = tf.nn.relu(tf.reduce_sum(conv * tf.reduce_mean(grads, axis=(1, 2), keepdims=True), axis=-1))[0]
    cam = tf.image.resize(cam[..., None], (24, 24), method="bilinear")[..., 0].numpy()
    return cam / cam.max() if cam.max() > 0 else cam


@pytest.mark.one_backend  # its reference is tf.GradientTape; JAX's maps are checked against it in test_backends
@pytest.mark.parametrize("batch_norm", [False, True])
def test_grad_cam_matches_the_textbook_implementation(batch_norm):
    keras.utils.set_random_seed(3)
    model = classifier(build_cnn(CNNConfig(filters=(4, 8, 8), dense=(16, 16), batch_norm=batch_norm)))
    head, tail, layer = split(cnn_of(model))
    assert layer == ("relu3" if batch_norm else "conv3") and tail[0].name == "pool3"
    for class_index in (0, 7):
        ours = explain(model, RNG_PIXELS, class_index)
        assert ours.method == "Grad-CAM" and ours.class_index == class_index
        assert ours.heatmap.shape == (24, 24) and ours.heatmap.dtype == np.float32
        # Pillow's and TensorFlow's bilinear resizing differ by a little at the edges
        reference = reference_grad_cam(model, RNG_PIXELS, class_index, layer)
        assert np.abs(ours.heatmap - reference).mean() < 0.05
        assert np.corrcoef(ours.heatmap.ravel(), reference.ravel())[0, 1] > 0.97


def finite_difference_grad_cam(model, pixels, class_index, layer_name, step=1e-3):
    """Grad-CAM with its weights from central differences, not from autodiff. A map's weight is the mean of
    the score's gradient over the map's positions, which is the score's derivative when the whole map is
    shifted by t, divided by its size: so each map is shifted up and down by `step`, all in one batch.
    (A shift of a whole map also keeps the order within each max-pooling window, which nudging one
    activation of a window of equal zeros would not.) Backend-free."""
    cnn = cnn_of(model)
    names = [layer.name for layer in cnn.layers]
    after, last = cnn.layers[names.index(layer_name) + 1 : -1], cnn.layers[-1]  # the last is Dense + softmax
    x = pixels[None, 4:28, 4:28].astype("float32") / 255
    a = keras.ops.convert_to_numpy(keras.Model(cnn.inputs, cnn.get_layer(layer_name).output)(x))[0]
    maps = a.shape[-1]
    shifts = np.eye(maps, dtype="float32")[:, None, None, :] * step  # shift k moves map k, everywhere
    h = keras.ops.convert_to_tensor(np.concatenate([a + shifts, a - shifts]))
    for layer in after:
        h = layer(h, training=False)
    scores = keras.ops.convert_to_numpy(h) @ keras.ops.convert_to_numpy(last.kernel)[:, class_index]
    weights = (scores[:maps] - scores[maps:]) / (2 * step) / (a.shape[0] * a.shape[1])
    cam = np.maximum((a * weights).sum(axis=-1), 0).astype("float32")
    cam = np.asarray(Image.fromarray(cam).resize((24, 24), Image.BILINEAR))
    return cam / cam.max() if cam.max() > 0 else cam


@pytest.mark.parametrize("batch_norm", [False, True])
def test_grad_cam_matches_finite_differences_on_either_backend(batch_norm):
    """The gradient is what it should be, whichever backend takes it (tf.GradientTape or jax.grad)."""
    keras.utils.set_random_seed(4)
    model = classifier(build_cnn(CNNConfig(filters=(4, 8, 8), dense=(16, 16), batch_norm=batch_norm)))
    layer = split(cnn_of(model))[2]
    for class_index in (1, 8):
        ours = explain(model, RNG_PIXELS, class_index).heatmap
        reference = finite_difference_grad_cam(model, RNG_PIXELS, class_index, layer)
        assert reference.max() == 1.0  # a map with something in it, not two empty ones agreeing
        assert np.abs(ours - reference).max() < 1e-3, np.abs(ours - reference).max()  # measured: at most 2e-4


def test_grad_cam_shape_and_range_on_a_saved_flip_tta_model(tmp_path, tiny_model_path):
    keras.utils.set_random_seed(4)
    path = tmp_path / "tta.keras"
    classifier(build_cnn(CNNConfig(filters=(4, 8, 8), dense=(16, 16))), flip_tta=True).save(path)
    for model in (load_classifier(path), load_classifier(tiny_model_path)):
        for class_index in range(10):
            heatmap = explain(model, RNG_PIXELS, class_index).heatmap
            assert heatmap.shape == (24, 24) and np.isfinite(heatmap).all()
            assert heatmap.min() >= 0 and heatmap.max() <= 1
            assert heatmap.max() in (0.0, 1.0)  # scaled to its peak, or no evidence at all


def test_an_explanation_says_whether_anything_counts_for_the_class():
    nothing = Explanation(np.zeros((24, 24), np.float32), 3, "Grad-CAM", "conv3")
    assert not nothing.found_any
    somewhere = np.zeros((24, 24), np.float32)
    somewhere[5, 7] = 0.01
    assert Explanation(somewhere, 3, "Grad-CAM", "conv3").found_any


def test_flip_tta_map_is_mirror_symmetric_for_a_mirror_symmetric_model_input():
    """With flip-TTA the map of an image and of its mirror image are mirror images."""
    keras.utils.set_random_seed(5)
    model = classifier(build_cnn(CNNConfig(filters=(4, 8, 8), dense=(16, 16))), flip_tta=True)
    left = explain(model, RNG_PIXELS, 2).heatmap
    right = explain(model, RNG_PIXELS[:, ::-1], 2).heatmap
    assert np.allclose(left, right[:, ::-1], atol=1e-4)


def test_a_network_without_convolutions_gets_gradient_saliency():
    cnn = keras.Sequential(
        [
            keras.Input((24, 24, 3)),
            keras.layers.Flatten(name="flatten"),
            keras.layers.Dense(10, activation="softmax", name="softmax"),
        ],
        name="cnn",
    )
    explanation = explain(classifier(cnn), RNG_PIXELS, 1)
    assert explanation.method == "gradient saliency" and explanation.layer is None
    # for a linear model the saliency is |weight| (largest over the colour channels), scaled to 1
    weights = np.abs(cnn.layers[-1].kernel.numpy()[:, 1]).reshape(24, 24, 3).max(axis=-1)
    assert np.allclose(explanation.heatmap, weights / weights.max(), atol=1e-5)


def test_a_model_without_a_cnn_is_refused_plainly():
    pixels = keras.Input((32, 32, 3), dtype="uint8")
    x = keras.layers.Flatten()(keras.layers.Rescaling(1 / 255)(pixels))
    model = keras.Model(pixels, keras.layers.Dense(10, activation="softmax")(x))
    with pytest.raises(ExplainError, match="no inner network"):
        explain(model, RNG_PIXELS, 0)


def squares(rng, n):
    """Noise; half the images have a bright 6x6 square somewhere in the middle (class 1)."""
    x = rng.integers(0, 80, (n, 32, 32, 3)).astype(np.uint8)
    y = rng.integers(0, 2, n)
    where = rng.integers(4, 22, (n, 2))
    for image, label, (row, col) in zip(x, y, where):
        if label:
            image[row : row + 6, col : col + 6] = 255
    return x, y, where


def test_grad_cam_points_at_the_object():
    keras.utils.set_random_seed(0)
    rng = np.random.default_rng(0)
    x, y, _ = squares(rng, 512)
    model = classifier(build_cnn(CNNConfig(filters=(8, 16, 16), dense=(32, 16))))
    model.compile(keras.optimizers.Adam(3e-3), "sparse_categorical_crossentropy")
    model.fit(x, y, epochs=4, batch_size=32, verbose=0)
    x, y, where = squares(rng, 40)
    assert (model.predict_on_batch(x).argmax(axis=1) == y).mean() > 0.9
    distances, shares = [], []
    for image, (row, col) in zip(x[y == 1], where[y == 1]):
        heatmap = explain(model, image, 1).heatmap
        centre = np.array([row - 4 + 2.5, col - 4 + 2.5])  # the square's centre in the 24x24 crop
        peak = np.unravel_index(heatmap.argmax(), heatmap.shape)
        distances.append(np.abs(np.array(peak) - centre).max())
        top, left = max(row - 6, 0), max(col - 6, 0)  # a 10x10 window around the square (17 % of the image)
        shares.append(heatmap[top : row + 4, left : col + 4].sum() / heatmap.sum())
    assert max(distances) <= 6.5, distances  # within ~1.5 cells of the 6x6 Grad-CAM grid
    assert np.median(distances) <= 3.5, distances
    assert np.mean(shares) > 0.25, shares  # far more than the window's 17 % of the picture


def test_overlay_dims_what_the_network_never_sees():
    image = np.full((64, 64, 3), 200, np.uint8)
    heatmap = np.zeros((24, 24), np.float32)
    heatmap[:12] = 1.0
    out = overlay(image, heatmap, alpha=0.5, dim=0.25)
    assert out.shape == (64, 64, 3) and out.dtype == np.uint8
    assert (out[:8] == 50).all() and (out[:, :8] == 50).all()  # the border: dimmed
    assert out[20, 32].tolist() != out[40, 32].tolist()  # hot half and cold half coloured differently
    assert out[20, 32, 2] < out[40, 32, 2]  # Viridis: yellow (little blue) where hot, purple where cold


def test_where_strongest_names_the_third_of_the_picture_with_the_largest_value():
    heatmap = np.zeros((24, 24), np.float32)
    assert where_strongest(heatmap) == "nowhere: no part of the photo counts for it"
    heatmap[2, 21] = 1.0
    assert where_strongest(heatmap) == "in the top right"
    heatmap[12, 12] = 2.0
    assert where_strongest(heatmap) == "in the centre"
    heatmap[23, 0] = 3.0
    assert where_strongest(heatmap) == "in the bottom left"
