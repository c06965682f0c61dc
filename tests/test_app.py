"""The app shell: navigation and the home page."""

import importlib.util
import tomllib
from pathlib import Path

from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parents[1]


def test_home_explains_the_journey_and_the_data_in_use():
    at = AppTest.from_file("../dashboard/app.py", default_timeout=60).run()
    assert not at.exception
    text = " ".join(m.value for m in at.markdown)
    assert "78.44 %" in text and "Adding variance" in text
    assert any("bundled sample" in i.value for i in at.info)  # tests run offline on the sample


def test_home_shows_a_missing_model_plainly(tmp_path):
    at = AppTest.from_file("../dashboard/app.py", default_timeout=60)
    at.session_state["model_path"] = str(tmp_path / "none.keras")
    at.run()
    assert not at.exception
    assert any("No trained model yet" in w.value for w in at.warning)


def _count_keras_resets(monkeypatch) -> list:
    """Counts keras.backend.clear_session() calls, with Streamlit's own after-run hook in place (a fresh
    copy of its module's: an earlier test's app run may have switched it off in this process)."""
    import keras
    from streamlit.runtime.scriptrunner import script_runner

    spec = importlib.util.find_spec(script_runner.__name__)
    fresh = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(fresh)
    calls = []
    monkeypatch.setattr(keras.backend, "clear_session", lambda *a, **k: calls.append(1))
    monkeypatch.setattr(script_runner, "_clean_problem_modules", fresh._clean_problem_modules)
    return calls


def test_streamlit_resets_keras_after_a_run_unless_the_app_says_not_to(monkeypatch):
    """The reference: a bare page, run twice, gets Streamlit's clean-up (and the slow-down) each time."""
    calls = _count_keras_resets(monkeypatch)
    at = AppTest.from_file("../dashboard/views/home.py", default_timeout=60).run()
    at.run()
    assert calls, (
        "this Streamlit no longer resets Keras after a script run: remove the lab's patch "
        "(dashboard/ui/streamlit_patch.py, its call in app.py and its tests) and the upper bound on "
        "streamlit in pyproject.toml"
    )
    assert len(calls) == 2


def test_the_app_leaves_keras_alone_between_runs(monkeypatch):
    """A class watching the Train page reruns it every second per student; each Keras reset took ~0.3 s
    of the training process (benchmarks/watched_training.py)."""
    calls = _count_keras_resets(monkeypatch)
    at = AppTest.from_file("../dashboard/app.py", default_timeout=60).run()
    at.run()
    assert not at.exception
    assert calls == []


def test_no_full_garbage_collection_after_every_run():
    """Streamlit reads dashboard/.streamlit/config.toml (beside app.py) wherever it is started from."""
    config = tomllib.loads((ROOT / "dashboard" / ".streamlit" / "config.toml").read_text())
    assert config["runner"]["postScriptGC"] is False
    assert not (ROOT / ".streamlit" / "config.toml").exists()  # one config, not two that could disagree


def test_the_streamlit_patch_warns_when_the_function_it_replaces_is_gone(monkeypatch, caplog):
    import ui
    from streamlit.runtime.scriptrunner import script_runner

    monkeypatch.delattr(script_runner, "_clean_problem_modules")
    with caplog.at_level("WARNING", logger="ui.streamlit_patch"):
        ui.keep_keras_between_runs()
    assert "_clean_problem_modules" in caplog.text
