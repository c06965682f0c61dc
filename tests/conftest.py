"""Shared test set-up: offline, on the bundled sample, with runs in a temporary folder."""

import base64
import json
import os
import shutil
import signal
import time
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[1]
FULL_ARCHIVE = ROOT.parent / "shared" / "data" / "cifar-10-python.tar.gz"
HUMAN_COUNTS = ROOT.parent / "shared" / "data" / "cifar10h-counts.npy"  # CIFAR-10H (../shared/README.md)

# Nothing downloads in tests. (The pages find `ui` through pytest's `pythonpath`, in pyproject.toml.)
os.environ["CNN_LAB_OFFLINE"] = "1"
os.environ.pop("CNN_LAB_DATA", None)
os.environ.pop("CNN_LAB_HUMAN_LABELS", None)  # a test that wants CIFAR-10H names it
os.environ.pop("CNN_LAB_TEACHER_TOKEN", None)  # the lab is open unless a test sets a token
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")


def _why_no_browser() -> str | None:
    """Why the browser tests cannot run here, or None: they need Playwright and Debian's chromium."""
    from lab_browser import CHROMIUM

    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "needs Playwright: pip install playwright"
    if not shutil.which(CHROMIUM):
        return f"needs Debian's chromium at {CHROMIUM}: apt-get install chromium"
    return None


def on_ci() -> bool:
    """True where the suite runs as CI (CI services set CI=true; so does .ci/run)."""
    return os.environ.get("CI", "").strip().lower() in {"1", "true", "yes"}


@pytest.hookimpl(trylast=True)  # after `-m` deselected: a pass without browser tests needs no browser
def pytest_collection_modifyitems(config, items):
    """Every test marked `browser` (pytestmark = pytest.mark.browser) is skipped, with the reason,
    where Playwright or chromium is missing; under CI, which must have both, the run fails instead."""
    browser_tests = [item for item in items if item.get_closest_marker("browser")]
    if not browser_tests or (reason := _why_no_browser()) is None:
        return
    if on_ci():
        raise pytest.UsageError(f"CI=true, and the browser tests ({len(browser_tests)}) cannot run: {reason}")
    for item in browser_tests:
        item.add_marker(pytest.mark.skip(reason=reason))


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
def _no_run_left_training(_isolated_runs):
    """A run a test left training (in a process of its own) is killed before the next test starts."""
    from cnn_lab.runs import folders

    yield
    deadline = time.time() + 30
    while (folder := folders.live_run()) is not None:
        pid = folders.training_pid(folder)
        if pid is not None and pid != os.getpid():
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        assert time.time() < deadline, f"run {folder.name} still trains"
        time.sleep(0.1)


def wait_for(condition, timeout: float = 180, what: str = "the run"):
    """Poll `condition()` until it returns something true, and return that; fail after `timeout` s."""
    deadline = time.time() + timeout
    while not (found := condition()):
        assert time.time() < deadline, f"{what} did not get there within {timeout:.0f} s"
        time.sleep(0.05)
    return found


@pytest.fixture(scope="session")
def full_archive():
    """The full CIFAR-10 archive beside the project; tests that need it skip without it."""
    if not FULL_ARCHIVE.is_file():
        pytest.skip(f"needs the full CIFAR-10 at {FULL_ARCHIVE} (absent here)")
    return FULL_ARCHIVE


@pytest.fixture(scope="session")
def human_counts():
    """CIFAR-10H's counts beside the project; tests that need them skip without them."""
    if not HUMAN_COUNTS.is_file():
        pytest.skip(f"needs CIFAR-10H's counts at {HUMAN_COUNTS} (absent here)")
    return HUMAN_COUNTS


@pytest.fixture(scope="session")
def tiny_model_path(tmp_path_factory):
    """A small, untrained classifier with the real contract (uint8 32x32x3 in, 10 probabilities out)."""
    from cnn_lab.network.model import CNNConfig, build_cnn, classifier

    path = tmp_path_factory.mktemp("models") / "tiny.keras"
    classifier(build_cnn(CNNConfig(filters=(4, 8, 8), dense=(16, 16)))).save(path)
    return path


# --- helpers the test files share (import them: `from conftest import run, figures, captions, texts`) ---------
PAGES = ROOT / "dashboard" / "views"


def run(page: str, model_path=None, timeout: float = 120, **state):
    """Run dashboard/views/<page> headless with AppTest, with `model_path` as this session's model and
    `state` in its session state; it must not raise."""
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(PAGES / page), default_timeout=timeout)
    if model_path is not None:
        at.session_state["model_path"] = str(model_path)
    for key, value in state.items():
        at.session_state[key] = value
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _decoded(value):
    """Plotly sends numpy arrays as base64 typed arrays ({"dtype", "bdata", "shape"}): back to numpy."""
    if isinstance(value, dict) and "bdata" in value:
        shape = [int(n) for n in str(value.get("shape", "-1")).split(",")]
        return np.frombuffer(base64.b64decode(value["bdata"]), dtype=value["dtype"]).reshape(shape)
    if isinstance(value, dict):
        return {k: _decoded(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_decoded(v) for v in value]
    return value


def figures(at) -> list[dict]:
    """Every Plotly figure the page drew, as dicts, with their arrays as numpy."""
    return [_decoded(json.loads(chart.proto.spec)) for chart in at.get("plotly_chart")]


def captions(at) -> list[str]:
    """The captions of every image the page shows."""
    return [caption for element in at.get("image") for caption in element.captions]


def texts(*elements) -> str:
    """The text of some elements (e.g. `texts(at.markdown, at.warning)`), one per line."""
    return "\n".join(str(e.value) for group in elements for e in group)


def page_text(at) -> str:
    """What a page says in its Markdown and its info, warning and error boxes, one element per line."""
    return texts(at.markdown, at.info, at.warning, at.error)


def a_snapshot(status="running", config=None, history=(), **fields):
    """A run's Snapshot (cnn_lab.runs.records) made by hand, with only the fields a test is about: its history,
    batches, checks and crossed may be written as the files hold them (dicts)."""
    from cnn_lab.runs.records import CurvePoint, Epoch, Snapshot, Status, AccuracyCheck, record, records

    for name, kind in (("batches", CurvePoint), ("checks", AccuracyCheck)):
        if name in fields:
            fields[name] = records(kind, fields[name])
    if isinstance(fields.get("crossed"), dict):
        fields["crossed"] = record(AccuracyCheck, fields["crossed"])
    return Snapshot(
        "20260101-000000-aaaa",
        "",
        Path("20260101-000000-aaaa"),
        Status(status),
        config or {},
        records(Epoch, list(history)),
        None,
        None,
        **fields,
    )


def fake_run(run_id: str, status: str = "finished", model=None, epochs: int = 3, data: str = "sample"):
    """A run folder as training leaves it, with one tested epoch (no training needed)."""
    from cnn_lab.runs.folders import run_path

    folder = run_path(run_id)
    folder.mkdir(parents=True)
    (folder / "config.json").write_text(json.dumps({"train": {"epochs": epochs, "preset": "fast"}, "data": data}))
    (folder / "history.json").write_text(json.dumps([{"epoch": 1, "test_accuracy": 0.5}]))
    (folder / "status.json").write_text(json.dumps({"status": status}))
    if model is not None:
        shutil.copy(model, folder / "model.keras")
    return folder


@pytest.fixture(scope="session")
def browser():
    """Debian's chromium through Playwright, one for the whole session and every browser test file.

    Playwright's sync API runs one event loop per process: a second `sync_playwright()` started while
    another is open fails ("using Playwright Sync API inside the asyncio loop"), so test files must not
    each start their own."""
    from lab_browser import CHROMIUM, CHROMIUM_ARGS
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser):
    """A fresh browser context's page, 1280x720 (a projector), for one test."""
    from lab_browser import VIEWPORT, watch_for_errors

    context = browser.new_context(viewport=VIEWPORT)
    page = context.new_page()
    page.set_default_timeout(90_000)
    watch_for_errors(page)
    yield page
    context.close()
