"""Shared test set-up: offline, on the bundled sample, with runs in a temporary folder."""

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
FULL_ARCHIVE = ROOT.parent / "shared" / "data" / "cifar-10-python.tar.gz"

# Nothing downloads in tests. (The pages find `ui` through pytest's `pythonpath`, in pyproject.toml.)
os.environ["CNN_LAB_OFFLINE"] = "1"
os.environ.pop("CNN_LAB_DATA", None)
os.environ.pop("CNN_LAB_TEACHER_TOKEN", None)  # the lab is open unless a test sets a token
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")


@pytest.fixture(scope="session", autouse=True)
def _the_lab_streamlit_config():
    """AppTest runs a page without `streamlit run`, so it does not read dashboard/.streamlit/config.toml
    (the config beside app.py): set its options here, so that pages see what they see when served."""
    import tomllib

    from streamlit import config

    lab = tomllib.loads((ROOT / "dashboard" / ".streamlit" / "config.toml").read_text())
    for section, options in lab.items():
        for name, value in options.items():
            config.set_option(f"{section}.{name}", value, "dashboard/.streamlit/config.toml")


@pytest.fixture(autouse=True)
def _isolated_runs(tmp_path_factory, monkeypatch):
    """Every test gets its own empty runs folder and Keras cache, never the user's."""
    monkeypatch.setenv("CNN_LAB_RUNS", str(tmp_path_factory.mktemp("runs")))
    monkeypatch.setenv("KERAS_HOME", str(tmp_path_factory.mktemp("keras_home")))


@pytest.fixture(autouse=True)
def _idle_job():
    """The server-wide training job starts every test idle, whatever the test before it ran."""
    from cnn_lab import training

    yield
    if training.JOB.running:
        training.JOB.stop()
        training.JOB.wait(120)
    training.JOB.__init__()


@pytest.fixture(scope="session")
def full_archive():
    """The full CIFAR-10 archive beside the project; tests that need it skip without it."""
    if not FULL_ARCHIVE.is_file():
        pytest.skip(f"needs the full CIFAR-10 at {FULL_ARCHIVE} (absent here)")
    return FULL_ARCHIVE


@pytest.fixture(scope="session")
def tiny_model_path(tmp_path_factory):
    """A small, untrained classifier with the real contract (uint8 32x32x3 in, 10 probabilities out)."""
    from cnn_lab.model import CNNConfig, build_cnn, classifier

    path = tmp_path_factory.mktemp("models") / "tiny.keras"
    classifier(build_cnn(CNNConfig(filters=(4, 8, 8), dense=(16, 16)))).save(path)
    return path
