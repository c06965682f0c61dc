"""The CIFAR-10 loader: formats, the search order, safety against bad files, and the sample."""

import io
import os
import pickle
import tarfile

import numpy as np
import pytest

from cnn_lab.settings import CLASS_NAMES, SAMPLE_PATH
from cnn_lab.network import data as D

pytestmark = pytest.mark.core  # run under TensorFlow and again under JAX (tests/test_backends.py)


def _batch(n, seed, label_offset=0):
    rng = np.random.default_rng(seed)
    return {
        b"batch_label": b"tiny",
        b"labels": [(i + label_offset) % 10 for i in range(n)],
        b"data": rng.integers(0, 256, (n, 3072), dtype=np.uint8),
        b"filenames": [b"x.png"] * n,
    }


def _tiny_blobs(n=4):
    blobs = {name: pickle.dumps(_batch(n, i, i), protocol=2) for i, name in enumerate(D.TRAIN_BATCHES)}
    blobs["test_batch"] = pickle.dumps(_batch(n, 9, 3), protocol=2)
    blobs["batches.meta"] = pickle.dumps({b"label_names": [c.encode() for c in CLASS_NAMES]}, protocol=2)
    return blobs


def _write_archive(path, blobs):
    with tarfile.open(path, "w:gz") as tar:
        for name, raw in blobs.items():
            info = tarfile.TarInfo(f"cifar-10-batches-py/{name}")
            info.size = len(raw)
            tar.addfile(info, io.BytesIO(raw))
    return path


@pytest.fixture
def tiny_archive(tmp_path):
    return _write_archive(tmp_path / "cifar-10-python.tar.gz", _tiny_blobs())


def test_archive_is_read_into_hwc_uint8(tiny_archive):
    d = D.read_source(tiny_archive)
    assert d.x_train.shape == (20, 32, 32, 3) and d.x_train.dtype == np.uint8
    assert d.x_test.shape == (4, 32, 32, 3) and d.y_test.dtype == np.uint8
    assert d.class_names == CLASS_NAMES and not d.is_sample
    raw = _batch(4, 9, 3)[b"data"][0]
    # Row layout: 1024 red values, then green, then blue, each row-major 32x32.
    assert d.x_test[0, 0, 0].tolist() == [raw[0], raw[1024], raw[2048]]
    assert d.x_test[0, 1, 2, 1] == raw[1024 + 32 + 2]
    assert d.y_test.tolist() == [3, 4, 5, 6]


def test_extracted_folder_and_its_parent(tmp_path):
    folder = tmp_path / "cifar-10-batches-py"
    folder.mkdir()
    for name, raw in _tiny_blobs().items():
        (folder / name).write_bytes(raw)
    assert D.read_source(folder).x_train.shape == (20, 32, 32, 3)
    assert D.read_source(tmp_path).x_test.shape == (4, 32, 32, 3)


def test_search_order_env_then_keras_cache_then_sample(tmp_path, monkeypatch, tiny_archive):
    assert D.find_source() is None  # conftest: no CNN_LAB_DATA, an empty Keras cache
    assert D.load_cifar10().is_sample
    cache = D.keras_cache_dir()
    cache.mkdir(parents=True)
    _write_archive(cache / D.ARCHIVE_NAME, _tiny_blobs(2))
    assert D.find_source() == cache / D.ARCHIVE_NAME
    monkeypatch.setenv("CNN_LAB_DATA", str(tiny_archive))
    assert D.find_source() == tiny_archive
    assert len(D.load_cifar10().x_test) == 4


def test_offline_never_tries_to_download(monkeypatch):
    monkeypatch.setattr(D, "download", lambda *a, **k: pytest.fail("downloaded while offline"))
    assert not D.online()
    assert D.load_cifar10(download=True).is_sample


def test_corrupt_archive_names_the_file(tmp_path):
    bad = tmp_path / "cifar-10-python.tar.gz"
    bad.write_bytes(os.urandom(5000))
    with pytest.raises(D.DataError, match="cifar-10-python.tar.gz.*(corrupt|truncated)"):
        D.read_source(bad)


def test_truncated_archive_says_so(tmp_path, tiny_archive):
    cut = tmp_path / "cut.tar.gz"
    cut.write_bytes(tiny_archive.read_bytes()[: tiny_archive.stat().st_size // 2])
    with pytest.raises(D.DataError, match="cut.tar.gz: the archive is truncated"):
        D.read_source(cut)


def test_missing_batches_and_missing_paths(tmp_path):
    blobs = _tiny_blobs()
    del blobs["data_batch_3"]
    with pytest.raises(D.DataError, match="missing data_batch_3"):
        D.read_source(_write_archive(tmp_path / "a.tar.gz", blobs))
    with pytest.raises(D.DataError, match="no such file"):
        D.read_source(tmp_path / "nowhere")


class _Exploit:
    def __reduce__(self):
        return (os.system, ("touch exploited",))


def test_a_pickle_cannot_run_code(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    blobs = _tiny_blobs()
    blobs["test_batch"] = pickle.dumps({b"data": _Exploit(), b"labels": [0]}, protocol=2)
    with pytest.raises(D.DataError, match="refusing to load"):
        D.read_source(_write_archive(tmp_path / "evil.tar.gz", blobs))
    assert not (tmp_path / "exploited").exists()


@pytest.mark.parametrize(
    "change, message",
    [
        (lambda b: b.update({b"data": np.zeros((4, 100), np.uint8)}), "expected \\(N, 3072\\) uint8"),
        (lambda b: b.update({b"labels": [0, 1, 2, 12]}), "labels from 0 to 9"),
        (lambda b: b.update({b"labels": [0, 1]}), "labels from 0 to 9"),
        (lambda b: b.pop(b"data"), "no data/labels"),
    ],
)
def test_shape_and_label_checks(tmp_path, change, message):
    blobs = _tiny_blobs()
    batch = _batch(4, 1)
    change(batch)
    blobs["data_batch_1"] = pickle.dumps(batch, protocol=2)
    with pytest.raises(D.DataError, match=message):
        D.read_source(_write_archive(tmp_path / "b.tar.gz", blobs))


def test_bundled_sample_is_genuine_test_images_and_balanced():
    with np.load(SAMPLE_PATH) as f:
        x, y, index = f["x"], f["y"], f["test_index"]
    assert x.shape == (len(y), 32, 32, 3) and x.dtype == np.uint8
    assert np.bincount(y, minlength=10).min() >= 100
    assert len(np.unique(index)) == len(index) and index.max() < 10000
    sample = D.read_sample()
    assert sample.is_sample and len(sample.x_train) + len(sample.x_test) == len(x)
    assert "sample" in sample.description


def test_a_run_says_what_it_trains_on_all_of_it_or_the_first_images():
    full = D.Cifar10(*[np.zeros((n, 1), "uint8") for n in (50000, 50000, 10000, 10000)], (), "archive x", False)
    assert (
        full.training_on(50000)
        == full.description
        == ("the full CIFAR-10: 50,000 training and 10,000 test images (archive x)")
    )
    assert full.training_on(2000) == (
        "the first 2,000 of the full CIFAR-10's 50,000 training images, tested on its 10,000 test images (archive x)"
    )


@pytest.mark.full_data
def test_full_archive(full_archive):
    d = D.read_source(full_archive)
    assert d.x_train.shape == (50000, 32, 32, 3) and d.x_test.shape == (10000, 32, 32, 3)
    assert d.y_train[:5].tolist() == [6, 9, 9, 4, 1] and d.y_test[:5].tolist() == [3, 8, 8, 0, 6]
    assert np.bincount(d.y_train).tolist() == [5000] * 10 and np.bincount(d.y_test).tolist() == [1000] * 10
    with np.load(SAMPLE_PATH) as f:
        np.testing.assert_array_equal(f["x"], d.x_test[f["test_index"]])
        np.testing.assert_array_equal(f["y"], d.y_test[f["test_index"]])
