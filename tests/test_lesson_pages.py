"""The five lesson pages, run headless with Streamlit's AppTest on the bundled sample."""

import io
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from streamlit.testing.v1 import AppTest

from conftest import captions, figures, run

ROOT = Path(__file__).resolve().parents[1]
PAGES = ROOT / "dashboard" / "views"


def show_me(at, prefix: str):
    """Pick "Show me" on the page's guess whose key starts with `prefix` (test_lesson_guesses.py tests the guessing)."""
    at.radio(key=next(r.key for r in at.radio if r.key.startswith(prefix))).set_value("Show me").run()
    assert not at.exception
    return at


def png_bytes(size=(60, 40), colour=(200, 30, 30)):
    buffer = io.BytesIO()
    Image.new("RGB", size, colour).save(buffer, format="PNG")
    return buffer.getvalue()


# --- 1. images are numbers ---------------------------------------------------------------------


def test_images_are_numbers_shows_the_greyscale_heatmap_with_its_numbers():
    from cnn_lab.network.data import read_sample
    from cnn_lab.lessons.maths import greyscale_uint8

    at = run("1_images_are_numbers.py", lesson_class="cat", lesson_index=3)
    drawn = figures(at)
    grey = drawn[0]["data"][0]
    assert grey["type"] == "heatmap" and grey["texttemplate"] == "%{z:.0f}"
    data = read_sample()
    cat = data.x_test[np.flatnonzero(data.y_test == data.class_names.index("cat"))[3]]
    np.testing.assert_array_equal(np.asarray(grey["z"]), greyscale_uint8(cat))
    assert "row" in grey["hovertemplate"] and "column" in grey["hovertemplate"]
    # the RGB split: three channel heatmaps of the same pixels
    assert [np.asarray(f["data"][0]["z"]).tolist() for f in drawn[1:4]] == [cat[..., c].tolist() for c in range(3)]
    assert any("0.2989" in x.value and "0.587" in x.value for x in at.get("latex"))
    assert [m.value for m in at.metric] == ["32 × 32 × 3", "3,072"]


def test_images_are_numbers_pixel_example_follows_the_inputs():
    at = run("1_images_are_numbers.py")
    at.number_input(key="grey_row").set_value(3).run()
    at.number_input(key="grey_col").set_value(30).run()
    shape = figures(at)[0]["layout"]["shapes"][0]
    assert (shape["x0"], shape["y0"]) == (29.5, 2.5)
    at.toggle(key="grey_numbers").set_value(False).run()
    assert "texttemplate" not in figures(at)[0]["data"][0]


def test_images_are_numbers_on_an_uploaded_photo_and_a_bad_upload():
    at = AppTest.from_file(str(PAGES / "1_images_are_numbers.py"), default_timeout=60)
    at.session_state["lesson_source"] = "your own photo"
    at.session_state["lesson_photo"] = ("red.png", png_bytes())
    at.run()
    assert not at.exception
    grey = np.asarray(figures(at)[0]["data"][0]["z"])
    assert grey.shape == (32, 32) and (grey == round(0.2989 * 200 + 0.5870 * 30 + 0.1140 * 30)).all()

    at.session_state["lesson_photo"] = ("notes.png", b"this is not an image")
    at.run()
    assert not at.exception
    assert at.error and at.error[0].value.startswith("notes.png: ")  # PhotoError's message, not a traceback
    assert not figures(at)


def test_random_button_picks_an_image_of_the_chosen_class():
    at = run("1_images_are_numbers.py", lesson_class="ship")
    for _ in range(3):
        at.button(key="lesson_random").click().run()
        assert at.number_input(key="lesson_index").value < 200
        assert any(": ship, enlarged" in c for c in captions(at))


# --- 2. the dataset ----------------------------------------------------------------------------


def test_dataset_counts_come_from_the_data_and_say_it_is_the_sample():
    from cnn_lab.network.data import read_sample

    data = read_sample()
    at = run("2_dataset.py")
    assert [m.value for m in at.metric] == [f"{len(data.x_train):,}", f"{len(data.x_test):,}", "10"]
    counts = figures(at)[0]["data"]
    assert np.asarray(counts[0]["y"]).tolist() == np.bincount(data.y_train, minlength=10).tolist()
    assert np.asarray(counts[1]["y"]).tolist() == np.bincount(data.y_test, minlength=10).tolist()
    assert any("bundled sample" in c.value for c in at.caption)


def test_dataset_button_draws_64_distinct_training_images():
    at = run("2_dataset.py")
    first = at.session_state["dataset_batch"]
    button = next(b for b in at.button if "batch of 64" in b.label)
    button.click().run()
    batch = at.session_state["dataset_batch"]
    assert len(batch) == 64 == len(set(batch)) and max(batch) < 800
    assert batch != first
    assert np.asarray(figures(at)[1]["data"][0]["y"]).sum() == 64


# --- 3. augmentation ---------------------------------------------------------------------------


def test_augmentation_shows_each_step_16_versions_and_the_clip():
    at = run("3_augmentation.py")
    assert [s.value for s in at.slider] == [0, 0, 0.05, 0.3, 0.2, 2.0]  # the article's parameters
    shown = captions(at)
    assert sum(1 for c in shown if c.startswith("#")) == 16
    assert any("centre 24 × 24" in c for c in shown)
    assert figures(at)[0]["data"][0]["type"] == "histogram"
    # another seed draws 16 other versions
    seed = at.number_input(key="aug_seed").value
    next(b for b in at.button if "16 new" in b.label).click().run()
    assert at.number_input(key="aug_seed").value == seed + 1


def test_augmentation_clip_of_the_slider_values_finds_overflow():
    at = run("3_augmentation.py", lesson_class="airplane")
    at.slider(key="aug_contrast").set_value(1.0)
    at.slider(key="aug_brightness").set_value(0.5)
    at.selectbox(key="aug_clip_pick").set_value("your slider values (steps 1 to 6 together)").run()
    assert not at.exception
    overflow = [c for c in captions(at) if c.startswith("Orange")]
    assert overflow and "(0% of the pixels)" not in overflow[0]


# --- 4. convolution and pooling ----------------------------------------------------------------


def test_convolution_needs_no_model_and_channels_without_one_still_teaches_bias_and_relu(tmp_path):
    at = run("4_convolution.py", model_path=tmp_path / "missing.keras")
    assert not at.warning  # kernels and pooling need no network: its first layer is on the next page
    assert len(figures(at)) == 4  # kernel steps, the image and its filtered version, pooling
    at = show_me(run("channels.py", model_path=tmp_path / "missing.keras"), "guess_relu_")
    assert any("is gone" in w.value for w in at.warning)
    assert len(figures(at)) == 2  # the filter's map before and after ReLU


def test_pooling_figure_follows_the_grid_and_the_step():
    at = run("4_convolution.py")
    at.slider(key="pool_step_4").set_value(4).run()
    pool = figures(show_me(at, "guess_pool_4_"))[3]  # after the filter sliding over a tile (and its two images)
    assert np.array(pool["data"][1]["text"]).tolist() == [["6", "8"], ["3", "4"]]  # the article's figure
    at.slider(key="pool_step_4").set_value(2).run()
    pool = figures(show_me(at, "guess_pool_2_"))[3]
    assert np.array(pool["data"][1]["text"]).tolist() == [["6", "8"], ["?", "?"]]
    at.button(key="pool_random").click().run()
    assert at.session_state["pool_grid"] != [[1, 1, 2, 4], [5, 6, 7, 8], [3, 2, 1, 0], [1, 2, 3, 4]]
    at.radio(key="pool_size").set_value(6).run()
    assert not at.exception
    assert np.array(figures(at)[3]["data"][1]["text"]).shape == (3, 3)


def test_kernel_step_sum_is_the_multiply_and_add():
    from cnn_lab.lessons.maths import conv2d

    at = run("4_convolution.py")
    at.slider(key="kernel_position").set_value(8).run()
    figure = figures(show_me(at, "guess_sign_"))[0]
    tile = np.array(figure["data"][0]["text"], dtype=float)
    kernel = np.array([[1, 0, -1], [2, 0, -2], [1, 0, -1]])
    row, col = divmod(7, 6)
    expected = conv2d(tile, kernel)[row, col]
    assert any(f"= **{expected:.1f}**" in m.value for m in at.markdown)


def test_channels_one_filter_over_three_colours_its_bias_and_relu():
    from cnn_lab.network.data import read_sample
    from cnn_lab.lessons.maths import CHANNEL_FILTERS, channel_maps, channel_step

    data = read_sample()
    cat = data.x_test[np.flatnonzero(data.y_test == data.class_names.index("cat"))[3]]
    at = run("channels.py", lesson_class="cat", lesson_index=3)
    assert not at.exception
    at.selectbox(key="channel_filter").set_value("brighter than mid-grey").run()
    at.number_input(key="channel_row").set_value(5).run()
    at.number_input(key="channel_col").set_value(7).run()
    assert not any("ReLU" in str(f["layout"].get("title")) for f in figures(at))
    at = show_me(at, "guess_relu_")  # the maps wait for the guess
    kernel, bias = CHANNEL_FILTERS["brighter than mid-grey"]
    step = channel_step(cat, kernel, bias, 5, 7)
    said = "\n".join(m.value for m in at.markdown)
    assert f"bias {bias:g} = **{step['total']:.1f}**; after ReLU: **{step['relu']:.1f}**" in said
    titled = [f for f in figures(at) if "title" in f["layout"]]
    drawn = {f["layout"]["title"]["text"]: np.asarray(f["data"][0]["z"], float) for f in titled}
    before, after = drawn["Before ReLU: sums and bias"], drawn["After ReLU"]
    maps = channel_maps(cat, kernel, bias)
    np.testing.assert_allclose(before, maps["before"])
    np.testing.assert_allclose(after, maps["after"])
    assert f"ReLU turned {maps['zeroed']:,} of the map's 1,024 numbers into 0" in " ".join(c.value for c in at.caption)
    at.number_input(key="channel_bias_brighter than mid-grey").set_value(-300).run()  # above every pixel's 255
    at = show_me(at, "guess_relu_")
    assert "ReLU turned 1,024 of the map's 1,024 numbers into 0" in " ".join(c.value for c in at.caption)


def test_channels_shows_the_models_first_layer(tiny_model_path):
    at = run("channels.py", model_path=tiny_model_path)
    assert not at.warning
    first = figures(at)[-1]
    kinds = [t["type"] for t in first["data"]]
    # the tiny model has 4 filters: each with its picture, its 24x24 map and its 12x12 pooled map
    assert kinds.count("image") == 4 and kinds.count("heatmap") == 8
    maps = [np.asarray(t["z"]) for t in first["data"] if t["type"] == "heatmap"]
    assert {m.shape for m in maps} == {(24, 24), (12, 12)}
    assert any("The 4 filters of the first layer" in c for c in captions(at))


# --- 5. the network ----------------------------------------------------------------------------


def test_network_without_a_model_says_so(tmp_path):
    at = run("5_network.py", model_path=tmp_path / "missing.keras")
    assert any("is gone" in w.value for w in at.warning)


def test_network_shows_every_layer_and_the_probabilities(tiny_model_path):
    from cnn_lab.network.model import load_classifier

    at = run("5_network.py", model_path=tiny_model_path)
    show_me(show_me(at, "guess_shape_tiny.keras_conv1"), "guess_class_")
    table = at.table[0].value
    assert list(table.index[:4]) == ["scale", "center_crop", "conv1", "pool1"] and table.index[-1] == "softmax"
    assert table.loc["conv1", "output shape"] == "24 × 24 × 4" and table.loc["conv1", "parameters"] == "112"
    in_table = sum(int(n.replace(",", "")) for n in table["parameters"])  # what training sets, as the caption says
    assert any(c.value.startswith(f"{in_table:,} parameters set by training") for c in at.caption), in_table
    bars = figures(at)[-1]["data"][0]
    model = load_classifier(tiny_model_path)
    from cnn_lab.network.data import read_sample

    expected = model.predict(read_sample().x_test[:1], verbose=0)[0] * 100
    np.testing.assert_allclose(np.asarray(bars["y"]), expected, rtol=1e-4)
    for name in ("scale", "pool1", "conv3", "flatten", "fc2", "softmax"):  # each kind of layer can be shown
        at.select_slider(key="network_layer").set_value(name).run()
        show_me(at, f"guess_shape_tiny.keras_{name}")
        assert f"**{name}**" in " ".join(m.value for m in at.markdown)


# --- no TensorFlow for pages 1 and 2 -----------------------------------------------------------


@pytest.mark.parametrize("page", ["1_images_are_numbers.py", "2_dataset.py"])
def test_light_pages_do_not_import_tensorflow(page):
    code = (
        "import os, sys\n"
        f"sys.path.insert(0, {str(ROOT / 'dashboard')!r})\n"
        "os.environ['CNN_LAB_OFFLINE'] = '1'\n"
        "from streamlit.testing.v1 import AppTest\n"
        f"at = AppTest.from_file({str(PAGES / page)!r}, default_timeout=60).run()\n"
        "assert not at.exception, at.exception\n"
        "assert at.get('plotly_chart'), 'the page drew nothing'\n"
        "print(sorted(m for m in ('tensorflow', 'keras') if m in sys.modules))\n"
    )
    env = {k: v for k, v in __import__("os").environ.items() if k != "CNN_LAB_DATA"}
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, env=env)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip().splitlines()[-1] == "[]"


# --- how it learns -----------------------------------------------------------------------------


def test_how_it_learns_steps_downhill_on_one_weight_after_the_guess():
    from cnn_lab.lessons.gradient import BEST, descend

    at = run("gradient.py")
    assert not figures(at)  # the steps wait for the guess: which way does the first one go?
    at.slider(key="gradient_start").set_value(3.0).run()
    at.select_slider(key="gradient_rate").set_value(12).run()
    at = show_me(at, "guess_step_")
    assert "to a smaller weight (left)" in "\n".join(i.value for i in at.info)  # the slope at 3 is positive
    [figure] = figures(at)
    steps = figure["data"][1]
    path = descend(3.0, 12, 6)
    np.testing.assert_allclose(steps["x"], [p["weight"] for p in path])
    assert steps["text"] == [str(k) for k in range(7)]
    crossed = sum(1 for a, b in zip(path, path[1:]) if (a["weight"] - BEST) * (b["weight"] - BEST) < 0)
    assert crossed and f"{crossed} of the steps jumped past the bottom" in " ".join(c.value for c in at.caption)
