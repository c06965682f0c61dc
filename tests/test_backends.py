"""The lab on both of Keras's backends: the core tests (marked `core`) pass under JAX as they do under
TensorFlow, a model saved on one backend loads and gives the same numbers on the other, and a machine
without TensorFlow trains and evaluates.

Keras chooses its backend once, when it is imported, so the JAX pass is a pytest of its own in a child
process; `python -m pytest` (the README's test command, and .ci/run) therefore runs both backends."""

import importlib.util
import os
import subprocess
import sys

import keras
import numpy as np
import pytest
from conftest import ROOT

from cnn_lab.network.explain import explain
from cnn_lab.network.model import CNNConfig, build_cnn, classifier, load_classifier, predict

pytestmark = [
    pytest.mark.skipif(importlib.util.find_spec("jax") is None, reason="needs JAX: pip install jax"),
    pytest.mark.skipif(keras.config.backend() != "tensorflow", reason="started from the TensorFlow pass"),
]
CLASSES = (0, 3, 8)  # the Grad-CAM maps compared across backends


def under_jax(args: list[str], timeout: float, **env) -> subprocess.CompletedProcess:
    """`python args...` from the project's root with KERAS_BACKEND=jax and this checkout's cnn_lab."""
    path = os.pathsep.join([str(ROOT / "dashboard"), str(ROOT / "benchmarks"), os.environ.get("PYTHONPATH", "")])
    return subprocess.run(
        [sys.executable, *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        cwd=ROOT,
        env={**os.environ, "KERAS_BACKEND": "jax", "PYTHONPATH": path, **env},
    )


CORE = "core and not one_backend"  # the core tests that run on both backends


def core_test_files() -> list[str]:
    """The files that hold core tests, as pytest's own `-m` selects them (a module's pytestmark, a list of
    marks, a decorator), from a collect-only pass on this backend: the JAX pass then imports only these,
    not the pages' and browser tests' files."""
    args = ["-m", "pytest", "--collect-only", "-qq", "-p", "no:cacheprovider", "-m", CORE, "tests"]
    out = subprocess.run([sys.executable, *args], capture_output=True, text=True, timeout=300, cwd=ROOT)
    assert out.returncode == 0, out.stdout[-6000:] + out.stderr[-2000:]
    # -qq lists one line per file: "tests/test_model.py: 5"
    return sorted(str(ROOT / line.split(":")[0]) for line in out.stdout.splitlines() if line.startswith("tests/"))


def test_the_core_tests_pass_under_jax():
    core_files = core_test_files()
    assert len(core_files) >= 6, core_files
    args = ["-m", "pytest", "-m", CORE, "-q", "-p", "no:cacheprovider", *core_files]
    out = under_jax(args, timeout=1500)
    summary = out.stdout.strip().splitlines()[-1] if out.stdout.strip() else ""
    assert out.returncode == 0, out.stdout[-6000:] + out.stderr[-2000:]
    assert " passed" in summary and "failed" not in summary and "error" not in summary, summary


def _model(seed: int):
    """A small classifier with batch-norm and flip-TTA, its moving statistics not a fresh one's."""
    keras.utils.set_random_seed(seed)
    model = classifier(build_cnn(CNNConfig(filters=(4, 8, 8), dense=(16, 16), batch_norm=True)), flip_tta=True)
    rng = np.random.default_rng(seed)
    for variable in model.non_trainable_weights:
        low, high = (0.5, 1.5) if "variance" in variable.path else (-0.1, 0.1)
        variable.assign(rng.uniform(low, high, variable.shape).astype("float32"))
    return model


def _numbers(model, images) -> dict:
    """What the pages show of a model: its probabilities, and Grad-CAM maps of the first image."""
    heatmaps = np.stack([explain(model, images[0], c).heatmap for c in CLASSES])
    return {"probabilities": predict(model, images), "heatmaps": heatmaps}


# The child: load the model TensorFlow saved, give its numbers; save one of its own for TensorFlow to load.
CHILD = f"""
import sys
from pathlib import Path
import keras, numpy as np
sys.path.insert(0, {str(ROOT / "tests")!r})
from test_backends import _model, _numbers
from cnn_lab.network.model import load_classifier
assert keras.config.backend() == "jax", keras.config.backend()
folder = Path(sys.argv[1])
images = np.load(folder / "images.npy")
np.savez(folder / "tf_model_under_jax.npz", **_numbers(load_classifier(folder / "tf.keras"), images))
model = _model(seed=2)
model.save(folder / "jax.keras")
np.savez(folder / "jax_model_under_jax.npz", **_numbers(model, images))
print("ok")
"""


def test_a_model_saved_on_one_backend_gives_the_same_numbers_on_the_other(tmp_path):
    images = np.random.default_rng(0).integers(0, 256, (16, 32, 32, 3), dtype=np.uint8)
    np.save(tmp_path / "images.npy", images)
    model = _model(seed=1)
    model.save(tmp_path / "tf.keras")
    out = under_jax(["-c", CHILD, str(tmp_path)], timeout=300)
    assert out.returncode == 0 and out.stdout.strip().endswith("ok"), out.stderr[-3000:]
    for ours, theirs in [
        (_numbers(model, images), np.load(tmp_path / "tf_model_under_jax.npz")),
        (_numbers(load_classifier(tmp_path / "jax.keras"), images), np.load(tmp_path / "jax_model_under_jax.npz")),
    ]:
        assert ours["probabilities"].shape == (16, 10)
        np.testing.assert_allclose(theirs["probabilities"], ours["probabilities"], atol=1e-5)
        assert ours["heatmaps"].max() > 0  # a map with evidence in it, not two empty ones
        np.testing.assert_allclose(theirs["heatmaps"], ours["heatmaps"], atol=1e-4)


# A JAX-only machine: `import tensorflow` fails in the child, as it does where TensorFlow is not installed.
NO_TENSORFLOW = """
import sys


class NoTensorFlow:
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] == "tensorflow":
            raise ModuleNotFoundError("No module named 'tensorflow'")


sys.meta_path.insert(0, NoTensorFlow())
"""


def test_without_tensorflow_the_command_line_trains_and_evaluates_under_jax(tmp_path):
    (tmp_path / "sitecustomize.py").write_text(NO_TENSORFLOW)
    hidden = {"PYTHONPATH": os.pathsep.join([str(tmp_path), str(ROOT / "dashboard")])}
    assert "No module named 'tensorflow'" in under_jax(["-c", "import tensorflow"], timeout=60, **hidden).stderr
    run = tmp_path / "runs" / "20250101-000000-0a0b"
    args = ["-m", "cnn_lab", "train", "--preset", "fast", "--epochs", "1", "--limit", "64", "--run-dir", str(run)]
    out = under_jax(args, timeout=300, **hidden)
    assert out.returncode == 0 and "Keras on jax" in out.stdout and "finished" in out.stdout, out.stderr[-3000:]
    out = under_jax(["-m", "cnn_lab", "evaluate", "--model", str(run / "model.keras")], timeout=300, **hidden)
    assert out.returncode == 0 and "accuracy:" in out.stdout, out.stderr[-3000:]
