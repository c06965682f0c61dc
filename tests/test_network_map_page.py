"""The map page (views/network_map.py), run headless with AppTest on the bundled sample and the shipped model."""

import numpy as np
import pytest

from conftest import captions, figures, page_text, run, texts
from cnn_lab.network.data import read_sample
from cnn_lab.network.evaluation import EVALUATIONS
from cnn_lab.network.image_map import MAPS
from cnn_lab.settings import SHIPPED_MODEL


@pytest.fixture(scope="module")
def made():
    """The evaluation and both maps of the sample, made before the page opens (the page shows their progress
    while they are made: tests/test_results.py tests that path)."""
    data = read_sample()
    for jobs, key in (
        (EVALUATIONS, EVALUATIONS.start(SHIPPED_MODEL, data)),
        (MAPS, MAPS.start(SHIPPED_MODEL, data)),
        (MAPS, MAPS.start(None, data)),
    ):
        assert jobs.wait(key, 180)["status"] == "done"
    return data


def answer_the_guess(at):
    at.radio(key="guess_map_neighbours").set_value("Show me").run()
    assert not at.exception
    return at


def test_the_map_waits_for_the_guess_then_shows_every_test_image(made):
    at = run("network_map.py")
    assert not figures(at), "the map is hidden until the student guesses"
    at = answer_the_guess(at)
    traces = figures(at)[0]["data"]
    classes = [t for t in traces if t["name"] in made.class_names]
    assert sum(len(t["x"]) for t in classes) == len(made.y_test)  # every test image, once
    network = MAPS.find(SHIPPED_MODEL, made)
    assert (
        f"On average, **{10 * network.agreement:.1f}** of an image's 10 nearest dots are of its class on this map"
        in texts(at.caption)
    )


def test_the_pixels_map_and_a_clicked_image(made):
    at = answer_the_guess(run("network_map.py"))
    at.radio(key="map_made_from").set_value("the pixels the network sees").run()
    pixels = MAPS.find(None, made)
    cat = made.class_names.index("cat")
    xs = next(t for t in figures(at)[0]["data"] if t["name"] == "cat")["x"]
    np.testing.assert_allclose(xs, pixels.positions[made.y_test == cat, 0], rtol=1e-5)
    # a click picks the test image (the chart's callback calls lesson_picker.choose_test_image)
    at.session_state["lesson_source"] = "a CIFAR-10 image"
    at.session_state["lesson_index"] = 7
    at.run()
    assert not at.exception
    assert "test image #7" in page_text(at) and "Its 10 nearest test images" in " ".join(captions(at))
    assert any(t["name"] == "image #7" for t in figures(at)[0]["data"])


def test_a_photo_lands_on_the_map_as_a_star(made):
    from test_lesson_pages import png_bytes

    at = answer_the_guess(run("network_map.py", lesson_source="your own photo"))
    at.session_state["lesson_photo"] = ("red.png", png_bytes())
    at.run()
    assert not at.exception
    star = next(t for t in figures(at)[0]["data"] if t["name"] == "your photo")
    assert len(star["x"]) == 1 and "The network's top 3" in page_text(at)


def test_the_pictures_show_under_the_dots(made):
    at = answer_the_guess(run("network_map.py"))
    assert not figures(at)[0]["layout"].get("images")
    at.toggle(key="map_pictures").set_value(True).run()
    assert not at.exception
    figure = figures(at)[0]
    (picture,) = figure["layout"]["images"]
    assert picture["source"].startswith("data:image/jpeg;base64,") and picture["layer"] == "below"
    network = MAPS.find(SHIPPED_MODEL, made)
    assert picture["x"] == pytest.approx(float(network.positions[:, 0].min()))
    assert picture["y"] == pytest.approx(float(network.positions[:, 1].min()) + picture["sizey"])
