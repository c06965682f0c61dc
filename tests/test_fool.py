"""Fooling the network (cnn_lab.network.fool): the slope the search follows is the true slope of the gap it
pushes down, through the whole saved classifier (flip-TTA too); on the shipped model the search makes the saved
classifier answer the chosen class with no number moved past the budget; and a budget too small says so."""

import keras
import numpy as np
import pytest
from keras import ops

from cnn_lab.network.data import read_sample
from cnn_lab.network.fool import (
    MAX_LEVELS,
    Attempt,
    CannotFool,
    amplification,
    crop_box,
    difference_picture,
    fool,
    gap_and_slope,
    target_gap,
)
from cnn_lab.network.gradients import value_and_gradient
from cnn_lab.network.model import CNNConfig, build_cnn, classifier, load_classifier
from cnn_lab.network.photo import ranking, top
from cnn_lab.settings import SHIPPED_MODEL

pytestmark = pytest.mark.core  # run under TensorFlow and again under JAX (tests/test_backends.py)

PIXELS = np.random.default_rng(5).integers(0, 256, (32, 32, 3), dtype=np.uint8)


def small_model(flip_tta: bool, batch_norm: bool = False) -> keras.Model:
    keras.utils.set_random_seed(11)
    return classifier(build_cnn(CNNConfig(filters=(4, 8, 8), dense=(8, 8), batch_norm=batch_norm)), flip_tta=flip_tta)


def one_hot(c: int) -> np.ndarray:
    return np.eye(10, dtype=np.float32)[c]


def crops_of(pixels) -> np.ndarray:
    """The centre 24 x 24 as the classifier's scaling makes it: float32 in [0, 1], a batch of one."""
    return pixels[None, 4:28, 4:28].astype(np.float32) * np.float32(1 / 255)


@pytest.fixture(scope="module")
def shipped():
    return load_classifier(SHIPPED_MODEL)


@pytest.mark.parametrize("flip_tta", [False, True])
def test_the_gap_is_the_saved_classifiers_own(flip_tta):
    """The gap is computed from the classifier's own probabilities: the strongest other class's log-probability
    minus the target's, as predict_on_batch on the uint8 picture gives them (with the mirror average for TTA)."""
    model = small_model(flip_tta, batch_norm=True)
    p = np.asarray(model.predict_on_batch(PIXELS[None]), np.float64)[0]
    gap = target_gap(model)
    for target in (0, 4, 9):
        expected = np.log(np.delete(p, target).max()) - np.log(p[target])
        value = float(ops.convert_to_numpy(gap(ops.convert_to_tensor(crops_of(PIXELS)), one_hot(target))))
        assert value == pytest.approx(expected, abs=1e-4)


@pytest.mark.parametrize("flip_tta", [False, True])
def test_the_slope_the_search_follows_matches_finite_differences(flip_tta):
    model = small_model(flip_tta)
    target = 3
    x = crops_of(PIXELS)
    value, slope = gap_and_slope(model)(x, one_hot(target))
    plain_value, plain_slope = value_and_gradient(lambda v: target_gap(model)(v, one_hot(target)), x)
    assert value == pytest.approx(plain_value, abs=1e-5)  # compiled and plain: the same numbers
    np.testing.assert_allclose(slope, plain_slope, rtol=1e-4, atol=1e-6)
    assert slope.shape == (1, 24, 24, 3) and np.abs(slope).max() > 0

    x64 = x.astype(np.float64)
    gap = target_gap(model)

    def at(v):
        return float(ops.convert_to_numpy(gap(ops.convert_to_tensor(v.astype(np.float32)), one_hot(target))))

    h = 1e-3  # small enough that no ReLU or max-pooling switches in between; float32 noise ~1e-5 here
    # the coordinates where the slope is largest, and some where it is middling: each checked on its own
    order = np.argsort(-np.abs(slope).ravel())
    for flat in [*order[:3], *order[100:103]]:
        index = np.unravel_index(flat, x.shape)
        up, down = x64.copy(), x64.copy()
        up[index] += h
        down[index] -= h
        estimate = (at(up) - at(down)) / (2 * h)
        assert slope[index] == pytest.approx(estimate, rel=0.05, abs=2e-4), (index, slope[index], estimate)


def test_a_flip_tta_models_slope_counts_the_mirror():
    """With flip-TTA the mirror image counts too: the slope is not that of the unmirrored network alone."""
    plain, mirrored = small_model(False), small_model(True)  # the same weights (same seed)
    _, slope_plain = gap_and_slope(plain)(crops_of(PIXELS), one_hot(2))
    _, slope_tta = gap_and_slope(mirrored)(crops_of(PIXELS), one_hot(2))
    assert not np.allclose(slope_plain, slope_tta)


def test_the_shipped_model_is_fooled_and_its_saved_classifier_agrees(shipped):
    data = read_sample()
    fooled = 0
    for index in (0, 1, 2, 3):
        pixels = data.x_test[index]
        order = ranking(shipped.predict_on_batch(pixels[None])[0])
        target = order[1]  # the network's second choice
        attempt = fool(shipped, pixels, target)
        changed = attempt.changed
        assert changed.dtype == np.uint8 and changed.shape == (32, 32, 3)
        difference = changed.astype(int) - pixels.astype(int)
        # no number moved past the budget, and the budget is within 16 of 255 levels
        assert np.abs(difference).max() <= attempt.budget <= MAX_LEVELS
        assert attempt.largest_change == np.abs(difference).max()
        # the border the network never sees is unchanged
        inside = np.zeros((32, 32, 3), bool)
        inside[crop_box(shipped), crop_box(shipped)] = True
        assert not difference[~inside].any()
        # the saved uint8 classifier itself gives the probabilities reported
        p = np.asarray(shipped.predict_on_batch(changed[None]), np.float64)[0]
        np.testing.assert_allclose(attempt.after, p, atol=1e-6)
        if attempt.fooled:
            fooled += 1
            assert ranking(p)[0] == target
            assert attempt.largest_change >= 1 and attempt.steps >= 1
    assert fooled == 4


# lessons/fool_why.md's measured share (2 levels fool more than half of the sample) is measured in
# tests/test_claims.py, with the page's other claims.


def test_the_search_is_deterministic(shipped):
    pixels = read_sample().x_test[5]
    first, second = fool(shipped, pixels, 9), fool(shipped, pixels, 9)
    assert np.array_equal(first.changed, second.changed) and first.steps == second.steps


def test_a_budget_too_small_says_it_could_not(shipped):
    pixels = read_sample().x_test[0]
    p = shipped.predict_on_batch(pixels[None])[0]
    far = ranking(p)[-1]  # the class the network finds least likely
    attempt = fool(shipped, pixels, far, max_levels=1)
    assert not attempt.fooled
    assert attempt.budget == 1 and attempt.largest_change <= 1
    assert ranking(attempt.after)[0] != far
    assert attempt.steps == attempt.max_levels * 5


def test_the_answer_already_is_the_target(shipped):
    pixels = read_sample().x_test[0]
    answer = ranking(shipped.predict_on_batch(pixels[None])[0])[0]
    attempt = fool(shipped, pixels, answer)
    assert attempt.fooled and attempt.steps == 0 and attempt.largest_change == 0 and attempt.values_changed == 0


def test_bad_input_gets_a_plain_error(shipped):
    with pytest.raises(CannotFool, match="32 x 32"):
        fool(shipped, np.zeros((24, 24, 3), np.uint8), 1)
    with pytest.raises(CannotFool, match="0 to 9"):
        fool(shipped, PIXELS, 10)
    other = keras.Sequential([keras.Input((32, 32, 3)), keras.layers.Flatten(), keras.layers.Dense(10)])
    with pytest.raises(CannotFool, match="no inner network"):
        fool(other, PIXELS, 1)


def test_the_difference_picture_and_the_counts():
    original = np.full((32, 32, 3), 100, np.uint8)
    changed = original.copy()
    changed[10, 10, 0], changed[11, 11, 1] = 104, 98
    attempt = Attempt(original, changed, 1, True, 4, 16, 3, np.full(10, 0.1), np.full(10, 0.1), 0.0)
    assert attempt.largest_change == 4 and attempt.values_changed == 2
    assert attempt.share_changed == pytest.approx(2 / 3072)
    picture = difference_picture(attempt)
    assert picture[0, 0, 0] == 128 and picture[10, 10, 0] == 255 and picture[11, 11, 1] == 128 - round(2 * 127 / 4)
    assert amplification(attempt) == pytest.approx(127 / 4)
    assert top(np.array([0.1, 0.5, 0.0, 0.4, 0, 0, 0, 0, 0, 0]), 2) == [(1, 0.5), (3, 0.4)]


def test_the_guess_answers_from_the_attempt():
    from cnn_lab.lessons.fool_guesses import levels_guess, levels_options

    assert levels_options(16) == ("1 or 2", "3 to 5", "6 to 16", "more than 16: the search gives up")
    assert levels_options(1) == ("1", "more than 1: the search gives up")
    original = np.full((32, 32, 3), 100, np.uint8)
    names = [f"class {c}" for c in range(10)]
    for moved, answer in ((1, "1 or 2"), (2, "1 or 2"), (3, "3 to 5"), (5, "3 to 5"), (6, "6 to 16"), (16, "6 to 16")):
        changed = original.copy()
        changed[12, 12, 2] += moved
        attempt = Attempt(original, changed, 1, True, moved, 16, 7, np.eye(10)[0], np.eye(10)[1], 0.0)
        guess = levels_guess(attempt, names)
        assert guess.answer == answer and answer in guess.options
        assert f"{moved} of 255 levels" in guess.why and "1 of the picture's 3,072 numbers" in guess.why
    failed = Attempt(original, original, 1, False, 16, 16, 80, np.eye(10)[0], np.eye(10)[0], 0.0)
    guess = levels_guess(failed, names)
    assert guess.answer == "more than 16: the search gives up" and "80 steps" in guess.why
