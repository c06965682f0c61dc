"""What a filter wants (cnn_lab.network.filter_wants): the ascent follows the true gradient and climbs, the
receptive field is the patch that really matters, and the top-9 search is the direct computation's."""

import types

import keras
import numpy as np
import pytest

from cnn_lab.lessons.filter_guesses import patch_guess
from cnn_lab.network import filter_search as fs
from cnn_lab.network import filter_wants as fw
from cnn_lab.network.model import CNNConfig, build_cnn, classifier, load_classifier

pytestmark = pytest.mark.core
SMALL = dict(filters=(4, 8, 8), dense=(8, 8))


def small_cnn(batch_norm=False, kernel_sizes=(3, 3, 3), seed=1):
    """A small network whose weights come from NumPy's generator: the same numbers on either backend."""
    cnn = build_cnn(CNNConfig(**SMALL, kernel_sizes=kernel_sizes, batch_norm=batch_norm))
    rng = np.random.default_rng(seed)
    for layer in cnn.layers:
        if isinstance(layer, keras.layers.BatchNormalization):  # statistics of its own, not the identity
            gamma, beta, mean, variance = (w.shape for w in layer.get_weights())
            kept = rng.uniform(0.5, 2, gamma), rng.normal(0, 0.3, beta), rng.normal(0, 0.3, mean)
            layer.set_weights([*kept, rng.uniform(0.5, 2, variance)])
        elif layer.get_weights():
            kernel, *bias = layer.get_weights()
            fan_in = int(np.prod(kernel.shape[:-1]))
            kernel = rng.normal(0, np.sqrt(2 / fan_in), kernel.shape)
            layer.set_weights([kernel, *(rng.normal(0, 0.05, b.shape) for b in bias)])
    return cnn


@pytest.mark.parametrize("batch_norm", [False, True])
@pytest.mark.parametrize("where", fw.WHERE)
@pytest.mark.parametrize("layer", ["conv1", "conv2", "conv3"])
def test_the_ascent_follows_the_gradient_of_the_answer(layer, where, batch_norm):
    cnn = small_cnn(batch_norm)
    objective = fw.answer_to_raise(cnn, layer, 1, where)
    rng = np.random.default_rng(3)
    x = rng.uniform(0.2, 0.8, (1, 24, 24, 3)).astype(np.float32)
    value, slope = fw.value_and_gradient(objective, x)
    assert value == pytest.approx(float(keras.ops.convert_to_numpy(objective(x))), rel=1e-5, abs=1e-6)
    # at the largest slope and 4 random pixels among those whose slope is not tiny (float32 rounding would
    # drown a tiny one): a central finite difference of the answer itself
    large = np.argwhere(np.abs(slope) >= 0.1 * np.abs(slope).max())
    places = [tuple(large[i]) for i in rng.choice(len(large), 4)] + [
        np.unravel_index(np.abs(slope).argmax(), slope.shape)
    ]
    h = 1e-3
    for place in places:
        step = np.zeros_like(x)
        step[place] = h
        assert_slope(objective, x, step, h, float(slope[place]), 2e-2 * float(np.abs(slope).max()))
    # and along a random direction over every pixel at once
    direction = rng.normal(size=x.shape).astype(np.float32)
    assert_slope(objective, x, 1e-4 * direction, 1e-4, float((slope * direction).sum()), 1e-3)


def assert_slope(objective, x, step, size, slope, tolerance):
    """The answer's change along `step` matches `slope`: the central difference, or where a ReLU or a
    max-pooling switches within the step (the network is linear between such switches), the one-sided
    difference on the side that does not switch. `size`: how far `step` goes in the slope's units."""
    here, up, down = (float(objective(x + k * step)) for k in (0, 1, -1))
    estimates = [(up - down) / (2 * size), (up - here) / size, (here - down) / size]
    assert any(e == pytest.approx(slope, rel=0.05, abs=tolerance) for e in estimates), (estimates, slope)


@pytest.mark.parametrize("batch_norm", [False, True])
def test_one_filter_s_answer_is_that_filter_s_map_of_the_whole_layer(batch_norm):
    cnn = small_cnn(batch_norm)
    x = np.random.default_rng(0).uniform(0, 1, (3, 24, 24, 3)).astype(np.float32)
    for block in fw.blocks(cnn).values():
        every = keras.ops.convert_to_numpy(fw.before_relu(cnn, block, x))
        for f in (0, block.filters - 1):
            one = keras.ops.convert_to_numpy(fw._one_filter_before_relu(cnn, block, f, x))
            np.testing.assert_allclose(one, every[..., f], rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("where", fw.WHERE)
@pytest.mark.parametrize("batch_norm, layer, f", [(False, "conv3", 0), (True, "conv1", 3)])
def test_the_ascent_climbs_well_above_grey_and_is_the_same_for_the_same_seed(where, batch_norm, layer, f):
    """(Without batch-norm, every conv1 ReLU of this small network gives 0 at grey: the seeded nudge.)"""
    cnn = small_cnn(batch_norm)
    first = fw.favourite_input(cnn, layer, f, where, steps=40)
    assert first.picture.shape == (24, 24, 3) and 0 <= first.picture.min() and first.picture.max() <= 1
    assert first.reached > first.at_grey + 0.25
    again = fw.favourite_input(cnn, layer, f, where, steps=40)
    np.testing.assert_array_equal(first.picture, again.picture)
    pixels, second = fw.favourite_views(cnn, first)
    assert pixels.dtype == np.uint8 and pixels.shape == (24, 24, 3)
    assert second.shape == ((72, 72, 3) if where == "everywhere" else (240, 240, 3))


@pytest.mark.parametrize("layer", ["conv1", "conv2", "conv3"])
def test_at_one_place_only_the_patch_changes_and_each_step_is_small(layer):
    """ "centre": the pixels outside the patch the middle place sees stay grey (the softening spreads nothing
    there), and one step moves the patch's pixels by STEP_SIZE on average, not more because most of the
    picture does not count."""
    cnn = small_cnn(batch_norm=True)
    seen = fw.seen_pixels(cnn, layer, "centre")[0, ..., 0]
    middle = cnn.get_layer(layer).output.shape[1] // 2
    top, left, height, width = fw.receptive_field(cnn, layer).window(middle, middle, 24)
    assert seen.sum() == height * width < 24 * 24 and seen[top : top + height, left : left + width].all()
    one = fw.favourite_input(cnn, layer, 3, "centre", steps=1)
    moved = np.abs(one.picture - fw.GREY)[seen]
    assert 0.5 * fw.STEP_SIZE < moved.mean() <= fw.STEP_SIZE + 1e-6  # clipping at 0 and 1 can only shorten it
    many = fw.favourite_input(cnn, layer, 3, "centre", steps=2 * fw.BLUR_EVERY)
    assert np.all(many.picture[~seen] == fw.GREY) and np.any(many.picture[seen] != fw.GREY)
    assert fw.seen_pixels(cnn, layer, "everywhere").all()


def test_a_bad_layer_or_filter_is_said_plainly():
    cnn = small_cnn()
    with pytest.raises(fw.FilterError, match="conv1, conv2, conv3"):
        fw.answer_to_raise(cnn, "conv9", 0)
    with pytest.raises(fw.FilterError, match="filters 1 to 8"):
        fw.answer_to_raise(cnn, "conv2", 8)


@pytest.mark.parametrize("kernel_sizes", [(3, 3, 3), (5, 3, 3), (4, 3, 2)])
def test_the_receptive_field_is_the_patch_whose_pixels_change_the_answer(kernel_sizes):
    """Brute force: positive weights, no bias; each pixel in turn raised by 100: an answer changes exactly
    when that pixel is in the answer's patch."""
    cnn = small_cnn(kernel_sizes=kernel_sizes)
    rng = np.random.default_rng(0)
    for layer in cnn.layers:
        if isinstance(layer, keras.layers.Conv2D):
            kernel, bias = layer.get_weights()
            layer.set_weights([rng.uniform(0.1, 1, kernel.shape).astype(np.float32), np.zeros_like(bias)])
    base = np.full((1, 24, 24, 3), 0.5, np.float32)
    raised = np.repeat(base, 24 * 24, axis=0)
    raised.reshape(24 * 24, 24 * 24, 3)[np.arange(24 * 24), np.arange(24 * 24)] += 100
    for layer, block in fw.blocks(cnn).items():
        maps = keras.ops.convert_to_numpy(fw.before_relu(cnn, block, np.concatenate([base, raised])))[..., 0]
        changed = np.abs(maps[1:] - maps[0]) > 1e-3 * np.abs(maps[0]).max()  # (pixel, row, col)
        field = fw.receptive_field(cnn, layer)
        for row in range(maps.shape[1]):
            for col in range(maps.shape[2]):
                top, left, height, width = field.window(row, col, 24)
                expected = np.zeros((24, 24), bool)
                expected[top : top + height, left : left + width] = True
                np.testing.assert_array_equal(changed[:, row, col].reshape(24, 24), expected, f"{layer} {row},{col}")


def test_the_receptive_fields_of_the_article_s_network_by_hand():
    """3 x 3 kernels: conv1 sees 3 pixels; pool1 makes a step 2, so conv2 sees 4 + 2 x 2 = 8; pool2 makes it
    10 with a step 4, so conv3 sees 10 + 2 x 4 = 18."""
    cnn = build_cnn(CNNConfig())
    fields = {layer: fw.receptive_field(cnn, layer) for layer in ("conv1", "pool1", "conv2", "pool2", "conv3")}
    assert [(f.size, f.step) for f in fields.values()] == [(3, 1), (4, 2), (8, 2), (10, 4), (18, 4)]
    assert fields["conv3"].growth[-1] == ("conv3", 3, 18)
    guess = patch_guess("conv3", {n: fields[n] for n in ("conv1", "conv2", "conv3")}, 24)
    assert guess.answer == "18 × 18 pixels" and guess.answer in guess.options
    assert guess.options == ("3 × 3 pixels", "8 × 8 pixels", "18 × 18 pixels", "the whole 24 × 24 picture")
    assert patch_guess("conv1", {"conv1": fields["conv1"]}, 24).answer == "3 × 3 pixels"


@pytest.mark.parametrize("batch_norm", [False, True])
def test_the_top_nine_are_the_direct_computation_s(batch_norm):
    cnn = small_cnn(batch_norm)
    model = classifier(cnn)
    images = np.random.default_rng(5).integers(0, 256, (40, 32, 32, 3), dtype=np.uint8)
    for layer in ("conv1", "conv3"):
        out = cnn.get_layer(f"bn{layer[-1]}" if batch_norm else layer).output  # plain: the output after ReLU
        direct = keras.Model(cnn.inputs, out).predict(images[:, 4:28, 4:28].astype(np.float32) / 255, verbose=0)
        direct = direct.reshape(len(images), -1, direct.shape[-1])
        answers = fs.layer_answers(model, images, layer, batch=7)
        strongest = np.maximum(answers.strongest, 0) if not batch_norm else answers.strongest
        np.testing.assert_allclose(strongest, direct.max(axis=1), rtol=1e-4, atol=1e-5)
        for f in range(2):
            patches = fs.strongest_patches(answers, f, 24)
            expected = np.argsort(-answers.strongest[:, f], kind="stable")[: fs.TOP]
            assert [p.image for p in patches] == list(expected)
            best = direct[patches[0].image, :, f]
            assert patches[0].row * answers.grid_width + patches[0].col in np.flatnonzero(best >= best.max() - 1e-5)
            assert [p.answer for p in patches] == sorted((p.answer for p in patches), reverse=True)
            if batch_norm:
                assert np.argsort(-direct.max(axis=1)[:, f], kind="stable")[0] == patches[0].image
        framed, cut = fs.patch_pictures(images, patches, 24)
        assert framed.dtype == cut.dtype == np.uint8 and framed.shape[0] == 3 * 96 + 4 * 4


def test_the_search_batches_agree_and_it_stops_between_batches():
    model = classifier(small_cnn())
    images = np.random.default_rng(2).integers(0, 256, (25, 32, 32, 3), dtype=np.uint8)
    seen = []
    whole = fs.layer_answers(model, images, "conv2", on_progress=lambda done, total: seen.append((done, total)))
    assert seen == [(25, 25)]
    again = fs.layer_answers(model, images, "conv2", batch=4)
    np.testing.assert_allclose(again.strongest, whole.strongest, rtol=1e-5, atol=1e-6)
    np.testing.assert_array_equal(again.where, whole.where)
    batches = []
    stopped = fs.layer_answers(
        model,
        images,
        "conv2",
        batch=4,
        should_stop=lambda: len(batches) == 2,
        on_progress=lambda done, total: batches.append(done),
    )
    assert stopped is None and batches == [4, 8]


def test_the_search_runs_once_per_model_file_data_and_layer_in_the_background(tmp_path):
    path = tmp_path / "small.keras"
    classifier(small_cnn()).save(path)
    data = types.SimpleNamespace(
        x_test=np.random.default_rng(3).integers(0, 256, (30, 32, 32, 3), dtype=np.uint8), source="thirty images"
    )
    searches = fs.SearchJobs()
    key = searches.start(path, data, "conv1")
    assert searches.start(path, data, "conv1") == key  # under way or done: not started twice
    assert searches.wait(key, 120)["status"] == "done"
    found = searches.result(key)
    direct = fs.layer_answers(load_classifier(path), data.x_test, "conv1")
    np.testing.assert_allclose(found.strongest, direct.strongest, rtol=1e-5, atol=1e-6)
    assert searches.key(path, data, "conv2") != key


def test_a_patch_cut_at_the_edge_keeps_its_frame_inside_the_picture():
    field = fw.Field(size=18, step=4, start=-7)
    assert field.window(0, 0, 24) == (0, 0, 11, 11)
    assert field.window(5, 5, 24) == (13, 13, 11, 11)
    assert field.window(2, 3, 24) == (1, 5, 18, 18)
