"""A classroom's lab: a broken model file falls back to the shipped one, no network never hangs the
app, and the projector gets large type and (on request) no sidebar."""

import socket

import pytest
from streamlit.testing.v1 import AppTest

APP = "../dashboard/app.py"
NETWORK_PAGE = "../dashboard/views/5_network.py"


@pytest.fixture
def shipped(monkeypatch, tiny_model_path):
    """The tiny model stands in for the shipped one (tests never depend on assets/models)."""
    import ui

    monkeypatch.setattr(ui.state, "DEFAULT_MODEL", tiny_model_path)
    return tiny_model_path


def foreign_models(folder):
    """Files a student or a teacher might point the lab at by mistake."""
    import keras

    garbage = folder / "garbage.keras"
    garbage.write_bytes(b"this is not a model at all\n" * 20)
    mnist = folder / "mnist.keras"  # a real Keras model, for another problem
    keras.Sequential(
        [keras.Input((28, 28, 1)), keras.layers.Flatten(), keras.layers.Dense(10, activation="softmax")]
    ).save(mnist)
    code = folder / "lambda.keras"  # code inside: safe mode refuses to run it
    keras.Sequential(
        [
            keras.Input((32, 32, 3)),
            keras.layers.Lambda(lambda x: x * 1.0),
            keras.layers.Flatten(),
            keras.layers.Dense(10, activation="softmax"),
        ]
    ).save(code)
    return {"garbage": garbage, "mnist": mnist, "lambda": code}


def test_a_broken_or_foreign_model_says_so_and_falls_back_to_the_shipped_one(shipped, tmp_path):
    for kind, path in foreign_models(tmp_path).items():
        at = AppTest.from_file(NETWORK_PAGE, default_timeout=120)
        at.session_state["model_path"] = str(path)
        at.run()
        assert not at.exception, kind
        errors = " ".join(e.value for e in at.error)
        assert f"Could not load `{path.name}`" in errors and "Showing the shipped model instead" in errors, kind
        assert {
            "garbage": "it is not a Keras model file",
            "mnist": "a Keras model for another task",
            "lambda": "it contains Python code, which the lab never runs",
        }[kind] in errors, (kind, errors)
        assert any(f"The layers of `{shipped.name}`" in h.value for h in at.header), kind  # the fallback
        assert "model_path" not in at.session_state
        at.run()  # the next rerun shows the shipped model without complaining again
        assert not at.error and not at.exception


def test_the_results_pages_fall_back_too(shipped, tmp_path):
    at = AppTest.from_file("../dashboard/views/results.py", default_timeout=120)
    at.session_state["model_path"] = str(foreign_models(tmp_path)["garbage"])
    at.run()
    assert not at.exception
    assert any("Could not load `garbage.keras`" in e.value for e in at.error)
    shown = " ".join([p.proto.text for p in at.get("progress")] + [m.value for m in at.markdown])
    assert "the shipped model" in shown and "garbage" not in shown


def test_offline_the_home_page_starts_on_the_sample_without_trying_the_network(monkeypatch):
    import cnn_lab.network.data
    import ui

    monkeypatch.delenv("CNN_LAB_OFFLINE", raising=False)  # not told: the network is simply not there
    tried = []

    def no_network(*args, **kwargs):
        tried.append(args)
        raise OSError("Network is unreachable")

    def no_download(*args, **kwargs):
        raise AssertionError("a page tried to download CIFAR-10")

    monkeypatch.setattr(socket, "create_connection", no_network)
    monkeypatch.setattr(cnn_lab.network.data, "download", no_download)
    monkeypatch.setattr(cnn_lab.network.data, "local_candidates", lambda: [])  # no data/ archive on this computer
    cnn_lab.network.data._load_cached.cache_clear()
    ui.state._dataset.clear()
    try:
        at = AppTest.from_file(APP, default_timeout=30).run()
        assert not at.exception
        note = " ".join(i.value for i in at.info)
        assert "bundled sample" in note and "works offline" in note
        assert "`cnn-lab download`" in note and "data/ folder" in note
        assert not tried  # no page even asks whether the network is there
    finally:
        cnn_lab.network.data._load_cached.cache_clear()
        ui.state._dataset.clear()


def styles(at: AppTest) -> str:
    return " ".join(h.proto.body for h in at.get("html"))


# ui.presenter_view_controls() as app.py runs it before every page. (AppTest reruns app.py's page, not app.py,
# so app.py is checked on first runs only.)
SHELL = """
import streamlit as st
import ui
ui.presenter_view_controls()
st.markdown("A lesson")
"""


def shell(**query) -> AppTest:
    at = AppTest.from_string(SHELL, default_timeout=30)
    at.query_params.update(query)
    return at.run()


def test_app_py_gives_every_page_the_presenter_view():
    at = AppTest.from_file(APP, default_timeout=60).run()
    assert not at.exception and "font-size: 22px" not in styles(at)
    at = AppTest.from_file(APP, default_timeout=60)
    at.query_params["present"] = "1"
    at.run()
    assert not at.exception and at.sidebar.toggle(key="presenter_view").value
    assert "html { font-size: 22px; }" in styles(at) and any("78.44 %" in m.value for m in at.markdown)


def test_presenter_view_from_the_address_or_the_toggle():
    at = shell()
    assert not at.sidebar.toggle(key="presenter_view").value and "font-size" not in styles(at)
    at.sidebar.toggle(key="presenter_view").set_value(True).run()
    assert "html { font-size: 22px; }" in styles(at) and at.query_params.get("present") in ("1", ["1"])
    assert "display: none" not in styles(at)

    at = shell(present="1")
    assert at.sidebar.toggle(key="presenter_view").value and "font-size: 22px" in styles(at)
    at.sidebar.toggle(key="presenter_view").set_value(False).run()
    assert not at.sidebar.toggle(key="presenter_view").value and "font-size" not in styles(at)
    assert "present" not in at.query_params


def test_the_sidebar_hides_on_request_and_a_button_brings_it_back():
    at = shell(sidebar="off")
    assert at.sidebar.toggle(key="hide_sidebar").value
    assert "[data-testid='stSidebar']" in styles(at) and "display: none" in styles(at)
    next(b for b in at.button if b.label == "Show the sidebar").click().run()
    assert not at.sidebar.toggle(key="hide_sidebar").value and "display: none" not in styles(at)
    assert "sidebar" not in at.query_params and not at.button

    at.sidebar.toggle(key="hide_sidebar").set_value(True).run()
    assert "display: none" in styles(at) and at.query_params.get("sidebar") in ("off", ["off"])
    assert [b.label for b in at.button] == ["Show the sidebar"]
