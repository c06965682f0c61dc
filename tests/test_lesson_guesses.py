"""Predict first: every guess on the lesson pages and every check question, run with AppTest.

For each, a right answer and a wrong one both get their feedback, and the result the guess hides
appears only once it is made. The right answers come from cnn_lab (max_pool, conv_step, the model),
never from the page."""

import numpy as np
import pytest

from cnn_lab.lessons.maths import conv2d
from cnn_lab.lessons.guesses import SIGNS, class_guess, pool_guess, shape_text, sign_guess
from cnn_lab.lessons.questions import read_questions
from conftest import captions, figures, run

LESSONS = {
    "1_images_are_numbers.py": "images_are_numbers",
    "2_dataset.py": "dataset",
    "3_augmentation.py": "augmentation",
    "4_convolution.py": "convolution",
    "channels.py": "channels",
    "5_network.py": "network",
    "gradient.py": "gradient",
}


def feedback(at) -> str:
    return "\n".join(str(e.value) for group in (at.success, at.warning, at.info) for e in group)


def answer(at, key: str, option: str):
    at.radio(key=key).set_value(option).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def wrong_option(options, right: str) -> str:
    return next(option for option in options if option != right)


@pytest.mark.parametrize("page", sorted(LESSONS))
def test_check_questions_give_feedback_for_a_right_and_a_wrong_answer(page, tiny_model_path):
    name = LESSONS[page]
    questions = read_questions(name)
    assert 2 <= len(questions) <= 3
    at = run(page, model_path=tiny_model_path)
    assert "Check yourself" in [h.value for h in at.header]
    for number, question in enumerate(questions, 1):
        key = f"check_{name}_{number}"
        assert at.radio(key=key).value is None  # nothing picked for the student
        right, wrong = question.right, next(o for o in question.options if not o.correct)
        answer(at, key, wrong.answer)
        assert f"**Not quite.** {wrong.why} The answer: **{right.answer}**." in feedback(at)
        answer(at, key, right.answer)
        assert f"**Right.** {right.why}" in feedback(at)
        assert f"**Not quite.** {wrong.why}" not in feedback(at)
        # every option's one-line explanation, once answered
        listed = "\n".join(m.value for m in at.markdown)
        assert all(f"**{o.answer}** ({'right' if o.correct else 'wrong'}): {o.why}" in listed for o in question.options)


def _questions_on_one_of_two_pages():
    import streamlit as st

    import ui

    if st.session_state.get("on_this_page", True):
        ui.check_questions("images_are_numbers")
    else:
        st.write("another page")


def test_an_answer_survives_a_visit_to_another_page():
    from streamlit.testing.v1 import AppTest

    key = "check_images_are_numbers_1"
    right = read_questions("images_are_numbers")[0].right.answer
    at = AppTest.from_function(_questions_on_one_of_two_pages).run()
    answer(at, key, right)
    at.session_state["on_this_page"] = False
    at.run()  # the widget is not drawn: Streamlit forgets its state
    assert not at.radio
    at.session_state["on_this_page"] = True
    at.run()
    assert at.radio(key=key).value == right and "**Right.**" in feedback(at)


# --- 4. convolution: the sign of a sum, the next pooling output --------------------------------


def sign_key(at) -> str:
    return next(r.key for r in at.radio if r.key.startswith("guess_sign_"))


def test_the_sign_of_the_sum_is_hidden_until_guessed_then_judged():
    at = run("4_convolution.py")
    tile = np.array(figures(at)[0]["data"][0]["text"], dtype=float)
    kernel = np.array([[1, 0, -1], [2, 0, -2], [1, 0, -1]])
    expected = sign_guess(tile, kernel, 0, 0)
    assert np.array(figures(at)[0]["data"][2]["text"]).tolist() == [["?"] * 3] * 3  # the products, hidden
    assert not any("**Position 1**" in m.value for m in at.markdown)
    key = sign_key(at)
    assert at.radio(key=key).options == [*SIGNS, "Show me"]
    answer(at, key, wrong_option(SIGNS, expected.answer))
    assert f"**Not quite: it is {expected.answer}" in feedback(at) and expected.why in feedback(at)
    answer(at, key, expected.answer)
    assert f"**Right: {expected.answer}.** {expected.why}" in feedback(at)
    assert any("**Position 1**" in m.value for m in at.markdown)
    assert "?" not in np.array(figures(at)[0]["data"][2]["text"]).ravel().tolist()
    # the next position asks again
    at.slider(key="kernel_position").set_value(2).run()
    assert at.radio(key=sign_key(at)).value is None


def test_show_me_reveals_without_a_guess():
    at = run("4_convolution.py")
    answer(at, sign_key(at), "Show me")
    assert any("**Position 1**" in m.value for m in at.markdown)
    assert at.info and "Right" not in feedback(at)


def test_the_next_pooling_output_is_guessed_before_it_is_shown():
    grid = [[1, 1, 2, 4], [5, 6, 7, 8], [3, 2, 1, 0], [1, 2, 3, 4]]
    at = run("4_convolution.py")
    pool = figures(at)[3]
    assert np.array(pool["data"][1]["text"]).tolist() == [["?", "?"], ["?", "?"]]  # step 1, not yet guessed
    expected = pool_guess(np.array(grid), 1)
    key = "guess_pool_1_1_1_5_6"
    assert at.radio(key=key).options == ["1", "5", "6", "Show me"]
    answer(at, key, "5")
    assert f"**Not quite: it is {expected.answer}, not 5.** {expected.why}" in feedback(at)
    assert np.array(figures(at)[3]["data"][1]["text"]).tolist() == [["6", "?"], ["?", "?"]]
    answer(at, key, "6")
    assert f"**Right: 6.** {expected.why}" in feedback(at)
    at.slider(key="pool_step_4").set_value(2).run()
    assert np.array(figures(at)[3]["data"][1]["text"]).tolist() == [["6", "?"], ["?", "?"]]
    assert at.radio(key="guess_pool_2_2_4_7_8").options == ["2", "4", "7", "8", "Show me"]
    answer(at, "guess_pool_2_2_4_7_8", "8")
    assert np.array(figures(at)[3]["data"][1]["text"]).tolist() == [["6", "8"], ["?", "?"]]


# --- 3. augmentation: which of four is a version of this picture --------------------------------


def test_the_augmentation_guess_judges_a_right_and_a_wrong_pick():
    at = run("3_augmentation.py", lesson_class="cat", lesson_index=2)
    letters = [c for c in captions(at) if c in ("A", "B", "C", "D")]
    assert letters == ["A", "B", "C", "D"]
    key = next(r.key for r in at.radio if r.key.startswith("guess_augment_"))
    assert at.radio(key=key).options == ["A", "B", "C", "D", "Show me"]
    answer(at, key, "A")
    said = feedback(at)
    right = "A" if said.startswith("**Right") else said.split("it is ", 1)[1][0]
    assert "is your picture" in said and said.count("test image #") == 3
    answer(at, key, "B" if right == "A" else "A")
    answer(at, key, right)
    assert feedback(at).startswith(f"**Right: {right}.**")


def test_the_augmentation_guess_shows_the_pictures_own_training_version():
    """The right picture is the augmentation layer's output for this image, the others for other test images."""
    from cnn_lab.network.data import read_sample
    from cnn_lab.lessons.guesses import augmentation_guess, distractors

    data = read_sample()
    image = data.x_test[5] / 255
    others = distractors(data.y_test, int(data.y_test[5]), seed=4)
    assert len(set(others.tolist())) == 3 and (data.y_test[others] != data.y_test[5]).all()
    guess, shown = augmentation_guess(image, data.x_test[others] / 255, ["one", "two", "three"], seed=4)
    assert shown.shape == (4, 24, 24, 3) and shown.min() >= 0 and shown.max() <= 1
    from cnn_lab.network.augment import ArticleAugmentation

    batch = np.stack([image, *(data.x_test[others] / 255)]).astype(np.float32)
    versions = np.asarray(ArticleAugmentation(mode="article", seed=4)(batch, training=True))
    np.testing.assert_allclose(shown[guess.options.index(guess.answer)], versions[0], atol=1e-6)


# --- 5. the network: the shape after a layer, the class it says ---------------------------------


def test_the_shape_after_a_layer_is_guessed_before_it_is_shown(tiny_model_path):
    at = run("5_network.py", model_path=tiny_model_path)
    table = at.table[0].value
    assert table.loc["conv1", "output shape"] == "? (guess below)"
    key = "guess_shape_tiny.keras_conv1"
    options = at.radio(key=key).options
    assert "24 × 24 × 4" in options and "24 × 24 × 3" in options  # the right shape, and its input's
    answer(at, key, "24 × 24 × 3")
    assert "**Not quite: it is 24 × 24 × 4, not 24 × 24 × 3.**" in feedback(at)
    answer(at, key, "24 × 24 × 4")
    assert "**Right: 24 × 24 × 4.** conv1 slides its filters" in feedback(at)
    assert at.table[0].value.loc["conv1", "output shape"] == "24 × 24 × 4"
    assert at.table[0].value.loc["pool1", "output shape"] == "? (guess below)"
    assert any("Output: **24 × 24 × 4**" in m.value for m in at.markdown)
    at.select_slider(key="network_layer").set_value("pool1").run()
    answer(at, "guess_shape_tiny.keras_pool1", "Show me")
    assert "12 × 12 × 4" in feedback(at) and at.table[0].value.loc["pool1", "output shape"] == "12 × 12 × 4"


def test_the_networks_class_is_guessed_before_its_bars_are_shown(tiny_model_path):
    from cnn_lab.network.data import read_sample
    from cnn_lab.network.model import load_classifier, predict

    data = read_sample()
    at = run("5_network.py", model_path=tiny_model_path)
    bars = [f for f in figures(at) if f["layout"].get("title", {}).get("text", "").startswith("The 10 class")]
    assert not bars
    expected = class_guess(predict(load_classifier(tiny_model_path), data.x_test[:1])[0], data.class_names)
    key = next(r.key for r in at.radio if r.key.startswith("guess_class_"))
    assert at.radio(key=key).options == [*data.class_names, "Show me"]
    answer(at, key, wrong_option(data.class_names, expected.answer))
    assert f"**Not quite: it is {expected.answer}" in feedback(at) and expected.why in feedback(at)
    answer(at, key, expected.answer)
    assert f"**Right: {expected.answer}.** {expected.why}" in feedback(at)
    assert any(f"It says **{expected.answer}**" in m.value for m in at.markdown)
    assert np.asarray(figures(at)[-1]["data"][0]["y"]).size == 10


def test_shape_text_and_the_wrong_shapes_offered():
    from cnn_lab.lessons.guesses import shape_options

    assert shape_text((24, 24, 64)) == "24 × 24 × 64" and shape_text((1152,)) == "1,152"
    options = shape_options((24, 24, 64), (12, 12, 64))
    assert (12, 12, 64) in options and (24, 24, 64) in options and len(options) == len(set(options)) == 4
    assert shape_options((10,), (10,)) == [(5,), (10,), (20,)]


def test_every_guess_offers_its_answer_and_takes_it_from_a_reference():
    from cnn_lab.lessons.maths import conv2d

    rng = np.random.default_rng(11)
    for _ in range(50):
        values = rng.integers(0, 10, (6, 6)).astype(float)
        step = int(rng.integers(1, 10))
        i, j = divmod(step - 1, 3)
        guess = pool_guess(values, step)
        assert (
            guess.answer == f"{values[2 * i : 2 * i + 2, 2 * j : 2 * j + 2].max():g}" and guess.answer in guess.options
        )

        tile, kernel = rng.integers(0, 256, (8, 8)).astype(float), rng.normal(size=(3, 3))
        r, q = (int(n) for n in rng.integers(0, 6, 2))
        sums = conv2d(tile, kernel)
        possible = 255 * max(kernel[kernel > 0].sum(), -kernel[kernel < 0].sum())  # the filter's largest sum
        total, near_zero = sums[r, q], max(0.1 * np.abs(sums).max(), 0.02 * possible)
        expected = "about 0" if abs(total) <= near_zero else ("positive" if total > 0 else "negative")
        assert sign_guess(tile, kernel, r, q).answer == expected

        probabilities = rng.dirichlet(np.ones(10))
        names = [f"class {c}" for c in range(10)]
        assert class_guess(probabilities, names).answer == names[int(np.argmax(probabilities))]
    flat = np.full((8, 8), 100.0)
    assert (
        sign_guess(flat, [[1, 0, -1], [2, 0, -2], [1, 0, -1]], 2, 3).answer == "about 0"
    )  # an edge filter on a flat tile


def test_about_0_is_judged_against_the_tile_s_largest_sum_not_against_1():
    """Issue 25: sums are whole numbers in the hundreds, so a flat patch whose sum is 6 is "about 0", not
    "positive": the line is a tenth of the tile's largest sum, and never closer to 0 than 2 % of the largest
    sum the filter can make (255 x 4 = 1,020 for this edge filter: 20.4), as on a tile with no edge at all."""
    edge = [[1, 0, -1], [2, 0, -2], [1, 0, -1]]
    tile = np.full((8, 10), 100.0)
    tile[:, :4] = 250.0  # a strong vertical edge: sums of 4 x 150 = 600 across it
    tile[0, 7] += 50  # a smudge on the flat right part: a sum of 50 there
    sums = conv2d(tile, edge)
    assert sums[0, 7] == 50 and np.abs(sums).max() == 600
    guess = sign_guess(tile, edge, 0, 7)
    assert guess.answer == "about 0" and "±60.0" in guess.why  # beside an edge of 600, 50 is about 0
    assert sign_guess(tile, edge, 0, 2).answer == "positive"  # the edge itself
    smudge = np.full((8, 10), 100.0)
    smudge[0, 7] += 50  # the same smudge alone: the largest sum here is 50, so it counts
    assert sign_guess(smudge, edge, 0, 7).answer == "positive" and "±20.4" in sign_guess(smudge, edge, 0, 7).why
    speck = np.full((8, 10), 100.0)
    speck[0, 7] += 6  # a speck of 6 on a flat tile: about 0 (the lesson's "alike on left and right")
    assert sign_guess(speck, edge, 0, 7).answer == "about 0"
