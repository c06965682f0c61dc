"""The network's shape and the saved classifier's contract."""

import subprocess
import sys

import numpy as np
import pytest

keras = pytest.importorskip("keras")

from cnn_lab.network.model import CNNConfig, NotACifarClassifier, build_cnn, classifier, cnn_of, load_classifier  # noqa: E402

pytestmark = pytest.mark.core  # run under TensorFlow and again under JAX (tests/test_backends.py)


def test_the_articles_architecture():
    cnn = build_cnn(CNNConfig(batch_norm=True, dropout=0.2))
    kinds = [type(layer).__name__ for layer in cnn.layers]
    convs = [i for i, k in enumerate(kinds) if k == "Conv2D"]
    pools = [i for i, k in enumerate(kinds) if k == "MaxPooling2D"]
    assert len(convs) == 3 and len(pools) == 3
    assert all(c < p for c, p in zip(convs, pools)) and all(p < c for p, c in zip(pools, convs[1:]))
    assert kinds.count("Flatten") == 1 and kinds.count("Dense") == 3  # fc1, fc2, softmax
    assert cnn.get_layer("pool3").output.shape[1:] == (3, 3, 256)
    assert cnn.layers[-1].activation.__name__ == "softmax"
    with pytest.raises(ValueError):
        CNNConfig(filters=(32, 64))


@pytest.mark.parametrize("flip_tta", [False, True])
def test_classifier_takes_uint8_pixels_and_returns_probabilities(flip_tta):
    cnn = build_cnn(CNNConfig(filters=(4, 8, 8), dense=(16, 16)))
    model = classifier(cnn, flip_tta)
    assert model.input.dtype == "uint8" and tuple(model.input_shape) == (None, 32, 32, 3)
    pixels = np.random.default_rng(0).integers(0, 256, (5, 32, 32, 3), dtype=np.uint8)
    p = np.asarray(model(pixels))
    assert p.shape == (5, 10)
    np.testing.assert_allclose(p.sum(1), 1, atol=1e-5)
    crop = pixels[:, 4:28, 4:28].astype("float32") / 255
    expected = np.asarray(cnn(crop))
    if flip_tta:
        expected = (expected + np.asarray(cnn(crop[:, :, ::-1]))) / 2
    np.testing.assert_allclose(p, expected, atol=1e-6)
    assert cnn_of(model) is cnn


def test_saved_model_loads_with_keras_alone(tmp_path):
    model = classifier(build_cnn(CNNConfig(filters=(4, 8, 8), dense=(16, 16))), flip_tta=True)
    path = tmp_path / "m.keras"
    model.save(path)
    pixels = np.random.default_rng(1).integers(0, 256, (3, 32, 32, 3), dtype=np.uint8)
    np.save(tmp_path / "x.npy", pixels)
    np.save(tmp_path / "p.npy", np.asarray(model(pixels)))
    # A fresh interpreter that never imports cnn_lab: load_model alone, in safe mode.
    code = (
        f"import keras, numpy as np, sys; m = keras.saving.load_model({str(path)!r}); "
        f"p = m.predict_on_batch(np.load({str(tmp_path / 'x.npy')!r})); "
        f"assert 'cnn_lab' not in sys.modules; "
        f"np.testing.assert_allclose(p, np.load({str(tmp_path / 'p.npy')!r}), atol=1e-6); print('ok')"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert out.stdout.strip().endswith("ok"), out.stderr[-2000:]
    assert load_classifier(path).output_shape == (None, 10)


def test_load_classifier_refuses_other_models(tmp_path):
    other = keras.Sequential([keras.Input((8,)), keras.layers.Dense(3)])
    other.save(tmp_path / "other.keras")
    with pytest.raises(NotACifarClassifier, match="expected a model from 32x32x3 images to 10 classes") as refused:
        load_classifier(tmp_path / "other.keras")
    assert refused.value.found == "(None, 8) -> (None, 3)"  # what it is instead
