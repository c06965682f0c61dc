"""The numbers the lesson pages write beside their pictures (cnn_lab.lessons.captions) and the Dataset page's
examples of each class (cnn_lab.lessons.examples), against numpy written out by hand."""

import numpy as np

from cnn_lab.lessons import captions
from cnn_lab.lessons.examples import class_examples

RNG = np.random.default_rng(7)


def test_scaled_pixels_go_from_0_to_1_as_float32():
    pixels = np.array([[[0, 51, 255]]], np.uint8)
    out = captions.scaled(pixels)
    assert out.dtype == np.float32 and np.array_equal(out, np.float32([[[0, 51 / 255, 1]]]))


def test_value_range_keeps_whole_numbers_whole():
    grey = np.array([[12, 200], [7, 90]], np.uint8)
    assert captions.value_range(grey) == (7, 200) and all(type(v) is int for v in captions.value_range(grey))
    values = RNG.normal(size=(5, 5))
    assert captions.value_range(values) == (values.min(), values.max())


def test_colour_limit_is_the_largest_size_or_1():
    assert captions.colour_limit(np.array([[3.0, -7.5], [2.0, 0.0]])) == 7.5
    assert captions.colour_limit(np.zeros((4, 4))) == 1.0


def test_shares_of_a_mask_and_of_the_values_outside_0_to_1():
    mask = np.array([[True, False], [False, False]])
    assert captions.share(mask) == 0.25
    before = np.array([-0.2, 0.0, 0.5, 1.0, 1.3, 2.0, 0.9, 0.1])
    assert captions.share_outside(before) == 3 / 8  # -0.2, 1.3 and 2.0; 0 and 1 themselves are inside


def test_the_most_clipped_version_or_none():
    assert captions.most_clipped(np.array([0.1, 0.4, 0.2, 0.4])) == 1  # the first of a tie
    assert captions.most_clipped(np.zeros(16)) is None


def test_most_and_fewest_images_the_first_of_a_tie():
    assert captions.most_and_fewest(np.array([5, 9, 2, 9, 2])) == (1, 2)


def test_a_feature_maps_average_and_the_values_above_zero():
    maps = RNG.normal(size=(6, 6, 4))
    assert np.isclose(captions.map_average(maps, 2), sum(maps[r, c, 2] for r in range(6) for c in range(6)) / 36)
    assert captions.above_zero(np.array([-1.0, 0.0, 0.5, 3.0])) == 2


def test_nearly_equal_probabilities():
    p = np.full(10, 0.1)
    assert captions.nearly_equal(p, p + 5e-5) and not captions.nearly_equal(p, p + np.eye(10)[3] * 1e-3)


def test_class_examples_are_of_their_class_without_repeats_and_the_same_for_a_seed():
    labels = RNG.integers(0, 10, 500)
    labels[labels == 7] = 3  # class 7 has no images
    examples = class_examples(labels, 10, 10, seed=4)
    for label, (chosen, total) in enumerate(examples):
        assert total == np.sum(labels == label) and len(chosen) == min(10, total)
        assert (labels[chosen] == label).all() and len(set(chosen.tolist())) == len(chosen)
    assert all(np.array_equal(a, b) for (a, _), (b, _) in zip(examples, class_examples(labels, 10, 10, seed=4)))
    assert not all(np.array_equal(a, b) for (a, _), (b, _) in zip(examples, class_examples(labels, 10, 10, seed=5)))


def test_class_examples_are_those_the_dataset_page_always_showed():
    labels = RNG.integers(0, 10, 300)
    rng = np.random.default_rng(2)  # the page's own draw, before it moved to cnn_lab
    before = [rng.choice(np.flatnonzero(labels == c), size=10, replace=False) for c in range(10)]
    assert all(np.array_equal(a, b) for a, (b, _) in zip(before, class_examples(labels, 10, 10, seed=2)))


def test_counted_shares_of_a_class_s_answers():
    total, shares = captions.counted_shares(np.array([0, 3, 0, 1, 0, 0, 0, 0, 0, 0]))
    assert total == 4 and shares.tolist() == [0, 0.75, 0, 0.25, 0, 0, 0, 0, 0, 0]
    total, shares = captions.counted_shares(np.zeros(10, int))  # nobody answered yet
    assert total == 0 and shares.tolist() == [0.0] * 10
