"""The map of the test images (cnn_lab.network.image_map, views/network_map.py): its numbers against Keras and
NumPy, its neighbours against a brute-force count, what is kept on disk, and that its neighbours mean something."""

import dataclasses

import numpy as np
import pytest

from cnn_lab.network.data import read_sample
from cnn_lab.network.image_map import (
    MAPS,
    SAVED_MAPS,
    ImageMap,
    SavedMaps,
    hidden_layer,
    make_map,
    mosaic,
    neighbour_agreement,
    network_features,
    pixel_features,
)
from cnn_lab.settings import SHIPPED_MODEL

pytestmark = pytest.mark.core


def brute_force_agreement(points, labels, count=10):
    distances = np.square(points[:, None, :] - points[None, :, :]).sum(-1)
    np.fill_diagonal(distances, np.inf)
    near = np.argsort(distances, axis=1, kind="stable")[:, :count]
    return float((labels[near] == labels[:, None]).mean())


def test_neighbour_agreement_counts_the_nearest_other_images():
    rng = np.random.default_rng(0)
    points, labels = rng.normal(size=(120, 2)), rng.integers(0, 3, 120)
    assert neighbour_agreement(points, labels) == pytest.approx(brute_force_agreement(points, labels))
    two_groups = np.concatenate([rng.normal(0, 0.1, (30, 2)), rng.normal(50, 0.1, (30, 2))])
    assert neighbour_agreement(two_groups, np.repeat([0, 1], 30)) == 1.0


def test_the_hidden_layer_numbers_are_the_last_hidden_layers_output(tiny_model_path):
    import keras

    from cnn_lab.network.model import cnn_of, load_classifier

    model = load_classifier(tiny_model_path)
    cnn = cnn_of(model)
    assert hidden_layer(cnn).name == "fc2"  # the last Dense before the softmax
    images = read_sample().x_test[:7]
    features = network_features(model, images, batch_size=3)
    crops = images[:, 4:28, 4:28].astype(np.float32) / 255  # the centre crop the classifier feeds its network
    reference = keras.Model(cnn.inputs, cnn.get_layer("fc2").output).predict(crops, verbose=0)
    np.testing.assert_allclose(features, reference, rtol=1e-5, atol=1e-5)
    assert pixel_features(images).shape == (7, 24 * 24 * 3)
    assert network_features(model, images, should_stop=lambda: True) is None


def test_a_new_image_lands_among_its_nearest_test_images():
    features = np.array([[0, 0], [1, 0], [0, 1], [10, 10], [11, 10]], np.float32)
    kept = ImageMap(np.arange(10, dtype=np.float32).reshape(5, 2), np.zeros(5, int), features)
    near = kept.nearest([0.1, 0.1], 3)
    assert near.tolist() == [0, 1, 2]
    where, _ = kept.place(np.array([0.1, 0.1]))
    assert where.tolist() == kept.positions[kept.nearest([0.1, 0.1])].mean(0).tolist()


def test_an_images_neighbours_leave_it_out_and_are_counted_by_class():
    features = np.array([[0, 0], [0, 0], [1, 0], [5, 5], [6, 5], [0, 2]], np.float32)
    kept = ImageMap(features.copy(), np.array([2, 0, 2, 1, 1, 0]), features)
    near = kept.neighbours_of(1)  # image 0 is as near as itself: it stays, image 1 goes
    assert 1 not in near and near[:3].tolist() == [0, 2, 5]
    assert kept.classes_among(np.array([0, 2, 5, 3])) == [(2, 2), (0, 1), (1, 1)]


def test_the_mosaic_pastes_the_most_central_picture_of_each_cell_where_the_map_puts_it():
    # a 4 x 2 map, 4 cells across its longer side: cells of 1 x 1, 4 columns and 2 rows
    positions = np.array([[0, 0], [0.4, 0.4], [3.5, 1.5], [2.2, 0.6], [4, 2]])
    images = np.stack([np.full((2, 2, 3), 10 * (i + 1), np.uint8) for i in range(len(positions))])
    found = mosaic(positions, images, cells=4)
    assert found.image.shape == (2 * 2, 4 * 2, 3)
    assert (found.left, found.right, found.bottom, found.top) == (0, 4, 0, 2)
    # image 1 is nearer the middle of the bottom-left cell than image 0, image 2 nearer the top-right's than 4
    assert sorted(found.shown.tolist()) == [1, 2, 3]
    assert (found.image[2:, 0:2] == 20).all()  # bottom-left
    assert (found.image[:2, 6:] == 30).all()  # top-right
    assert (found.image[2:, 4:6] == 40).all()  # bottom, third column
    assert (found.image[:2, :6] == 255).all() and (found.image[2:, 2:4] == 255).all()  # empty cells stay white


def test_a_saved_map_is_used_only_for_its_test_set(tmp_path, tiny_model_path):
    data = read_sample()
    made = make_map(np.random.default_rng(0).normal(size=(len(data.y_test), 6)), data.y_test)
    saved = SavedMaps(tmp_path / "kept", shipped=tmp_path / "shipped")
    assert saved.save(tiny_model_path, data, made) is not None
    found = saved.load(tiny_model_path, data)
    np.testing.assert_array_equal(found.positions, made.positions)
    np.testing.assert_allclose(found.features, made.features, rtol=1e-3, atol=1e-3)  # kept as float16
    changed = data.x_test.copy()
    changed[0, 0, 0, 0] ^= 1
    other = dataclasses.replace(data, x_test=changed)  # another test set: another name, nothing found
    assert saved.load(tiny_model_path, other) is None
    (tmp_path / "kept" / saved.name(tiny_model_path, data)).write_bytes(b"not a map")
    assert saved.load(tiny_model_path, data) is None  # damaged: made afresh


def test_the_job_makes_each_map_once_and_its_neighbours_mean_something():
    """On the bundled sample's 200 test images: the shipped model's map keeps far more of each image's
    neighbours in its class than the pixels' map."""
    data = read_sample()
    network_key, pixels_key = MAPS.start(SHIPPED_MODEL, data), MAPS.start(None, data)
    assert MAPS.wait(network_key, 120)["status"] == "done" and MAPS.wait(pixels_key, 120)["status"] == "done"
    network, pixels = MAPS.find(SHIPPED_MODEL, data), MAPS.find(None, data)
    assert MAPS.start(SHIPPED_MODEL, data) == network_key and MAPS.result(network_key) is network  # made once
    assert network.positions.shape == pixels.positions.shape == (len(data.y_test), 2)
    assert network.agreement > 0.5 and pixels.agreement < 0.3, (network.agreement, pixels.agreement)


@pytest.mark.one_backend
@pytest.mark.full_data
def test_the_shipped_map_is_the_shipped_models_and_its_neighbours_share_a_class(full_archive):
    """The issue's test: on the shipped model and the 10,000 test images, the 10 nearest neighbours on the network's
    map share the image's true class far more often than on the pixels' map; and the shipped map is made from
    the shipped model's own numbers."""
    from cnn_lab.network.data import load_cifar10
    from cnn_lab.network.model import load_classifier

    data = load_cifar10(str(full_archive))
    network, pixels = SAVED_MAPS.load(SHIPPED_MODEL, data), SAVED_MAPS.load(None, data)
    assert network is not None and pixels is not None, (
        "assets/maps/ lacks the shipped maps: benchmarks/image_map.py --ship"
    )
    assert network.agreement > 0.75 and pixels.agreement < 0.3, (network.agreement, pixels.agreement)
    features = network_features(load_classifier(SHIPPED_MODEL), data.x_test[:500])
    np.testing.assert_allclose(network.features[:500], features, rtol=1e-2, atol=2e-2)


def test_the_sprite_holds_each_image_where_the_hover_script_cuts_it():
    """ui/hover_pictures.js shows image i from column i % SPRITE_COLUMNS, row i // SPRITE_COLUMNS of the sprite:
    each tile is that image as JPEG keeps it alone (no neighbour bleeding in), far from every other image."""
    import io

    from PIL import Image

    from cnn_lab.network.images import SPRITE_COLUMNS, jpeg, sprite

    def decoded(jpeg_bytes):
        return np.asarray(Image.open(io.BytesIO(jpeg_bytes)).convert("RGB"), float)

    images = read_sample().x_test
    picture = decoded(sprite(images))
    assert picture.shape == (-(-len(images) // SPRITE_COLUMNS) * 32, SPRITE_COLUMNS * 32, 3)
    tiles = picture.reshape(-1, 32, SPRITE_COLUMNS, 32, 3).swapaxes(1, 2).reshape(-1, 32, 32, 3)[: len(images)]
    alone = np.array([np.abs(tile - decoded(jpeg(image))).mean() for tile, image in zip(tiles, images)])
    assert alone.mean() < 1 and alone.max() < 3, (alone.mean(), alone.max())  # measured: 0.43 and 1.47
    to_own = np.abs(tiles - images).mean(axis=(1, 2, 3))
    to_next = np.abs(tiles - np.roll(images, -1, axis=0)).mean(axis=(1, 2, 3))
    assert to_own.max() < 12 and (to_next > 2 * to_own).all(), (to_own.max(), to_next.min())
