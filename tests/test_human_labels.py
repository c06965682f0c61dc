"""CIFAR-10H, how people labelled the test images: the search order, the checks on the file, lining it up
with whichever test set is loaded, and `cnn-lab download` (mocked: nothing downloads in tests)."""

import shutil

import numpy as np
import pytest

from cnn_lab.settings import CLASS_NAMES, SAMPLE_PATH
from cnn_lab.cli.main import main as cnn_lab_main
from cnn_lab.network import data as D
from cnn_lab.classroom import human_labels as H


@pytest.fixture
def nowhere_local(monkeypatch, tmp_path):
    """No CIFAR-10H in the project's data/ folder or the Keras cache, whatever this computer holds."""
    monkeypatch.setattr(H, "local_candidates", lambda: [tmp_path / "data" / H.COUNTS_NAME])


def test_the_shared_file_is_cifar10h(human_counts):
    counts = H.read_counts(human_counts)
    assert counts.shape == (10000, 10) and counts.dtype == np.int64
    people = counts.sum(1)
    assert people.min() == 47 and people.max() == 63 and round(people.mean(), 1) == 51.1


def test_lined_up_with_the_bundled_sample(human_counts):
    """The sample's test images are official test images `test_index[every fifth]`: their rows, in that order."""
    sample = D.read_sample()
    with np.load(SAMPLE_PATH) as f:
        expected = np.load(human_counts)[f["test_index"][np.arange(len(f["y"])) % 5 == 0]]
    people = H.load_human_labels(sample, human_counts)
    np.testing.assert_array_equal(people.counts, expected)
    assert len(people.counts) == len(sample.x_test)


@pytest.mark.full_data
def test_lined_up_with_the_full_test_set(human_counts, full_archive):
    full = D.read_source(full_archive)
    np.testing.assert_array_equal(full.test_numbers, np.arange(10000))
    people = H.load_human_labels(full, human_counts)
    counts = np.load(human_counts)
    np.testing.assert_array_equal(people.counts, counts)
    # ../shared/README.md: the majority vote agrees with CIFAR-10's label on 99.2 %, one person on 95.2 %.
    assert np.mean(counts.argmax(1) == full.y_test) == pytest.approx(0.992, abs=0.0005)
    assert people.agreement(full.y_test).mean() == pytest.approx(0.952, abs=0.0005)


def test_agreement_shares_and_words_against_numpy():
    counts = np.zeros((3, 10), np.int64)
    counts[0, [3, 5, 4]] = 38, 11, 2  # 51 people: a cat to most of them
    counts[1, 0] = 50
    counts[2, [1, 9]] = 25, 26
    people = H.HumanLabels(counts, "test")
    labels = np.array([3, 0, 1])
    np.testing.assert_allclose(people.agreement(labels), [38 / 51, 1.0, 25 / 51])
    np.testing.assert_allclose(people.shares(), counts / counts.sum(1)[:, None])
    assert people.people(0) == 51
    assert people.in_words(0, CLASS_NAMES) == "51 people: 38 said cat, 11 dog, 2 deer"
    assert people.in_words(1, CLASS_NAMES) == "50 people: 50 said airplane"
    assert people.in_words(2, CLASS_NAMES) == "51 people: 26 said truck, 25 automobile"


def test_search_order_named_then_env_then_data_then_keras_cache(tmp_path, monkeypatch):
    monkeypatch.setattr(H, "LOCAL_DATA", tmp_path / "project" / "data")
    assert H.find_counts() is None
    cached = D.keras_cache_dir() / H.COUNTS_NAME  # KERAS_HOME is a temporary folder in every test
    cached.parent.mkdir(parents=True)
    cached.write_bytes(b"")
    assert H.find_counts() == cached
    project = tmp_path / "project" / "data" / H.COUNTS_NAME
    project.parent.mkdir(parents=True)
    project.write_bytes(b"")
    assert H.find_counts() == project
    monkeypatch.setenv("CNN_LAB_HUMAN_LABELS", str(tmp_path / "env.npy"))
    assert H.find_counts() == tmp_path / "env.npy"
    assert H.find_counts(tmp_path / "named.npy") == tmp_path / "named.npy"


def test_without_the_file_there_are_no_human_labels(nowhere_local):
    assert H.load_human_labels(D.read_sample()) is None


def _saved(tmp_path, array, name="bad.npy"):
    path = tmp_path / name
    np.save(path, array, allow_pickle=True)
    return path


@pytest.mark.parametrize(
    "array, message",
    [
        (np.ones((100, 10), np.int64), r"holds \(100, 10\), but CIFAR-10H's counts are a 10000 x 10 array"),
        (np.ones((10000, 10)) / 10, "holds float64 numbers, but CIFAR-10H's counts are whole numbers"),
        (-np.ones((10000, 10), np.int64), "negative counts or images nobody labelled"),
        (np.zeros((10000, 10), np.int64), "negative counts or images nobody labelled"),
        (np.array([{"a": 1}], dtype=object), "holds Python objects, which the lab never loads"),
    ],
)
def test_a_wrong_file_is_a_plain_error(tmp_path, array, message):
    with pytest.raises(D.DataError, match=message):
        H.read_counts(_saved(tmp_path, array))


def test_missing_and_foreign_files(tmp_path):
    with pytest.raises(D.DataError, match="no such file"):
        H.read_counts(tmp_path / "nothing.npy")
    (tmp_path / "text.npy").write_text("hello")
    with pytest.raises(D.DataError, match="not a .npy file"):
        H.read_counts(tmp_path / "text.npy")


def test_counts_in_another_order_are_refused(human_counts, tmp_path):
    shifted = _saved(tmp_path, np.roll(np.load(human_counts), 1, axis=0))
    with pytest.raises(D.DataError, match="not in the order of the CIFAR-10 test set"):
        H.load_human_labels(D.read_sample(), shifted)


def test_a_test_set_without_official_numbers_cannot_be_lined_up(human_counts):
    import dataclasses

    unnumbered = dataclasses.replace(D.read_sample(), test_numbers=None)
    with pytest.raises(D.DataError, match="no official test numbers"):
        H.load_human_labels(unnumbered, human_counts)


def test_download_saves_into_the_keras_cache_and_checks_the_file(monkeypatch, human_counts):
    import keras

    fetched = []

    def fake_get_file(name, url, cache_dir, cache_subdir, **options):
        fetched.append(url)
        target = D.keras_cache_dir() / name
        shutil.copy(human_counts, target)
        return str(target)

    monkeypatch.setattr(keras.utils, "get_file", fake_get_file)
    path = H.download()
    assert path == D.keras_cache_dir() / H.COUNTS_NAME and fetched == [H.COUNTS_URL]
    assert H.COUNTS_URL == "https://github.com/jcpeterson/cifar-10h/raw/master/data/cifar10h-counts.npy"


def test_a_broken_download_is_removed(monkeypatch, tmp_path):
    import keras

    def fake_get_file(name, url, cache_dir, cache_subdir, **options):
        target = D.keras_cache_dir() / name
        target.write_text("<html>rate limited</html>")
        return str(target)

    monkeypatch.setattr(keras.utils, "get_file", fake_get_file)
    with pytest.raises(D.DataError, match="not a .npy file"):
        H.download()
    assert not (D.keras_cache_dir() / H.COUNTS_NAME).exists()


def test_cnn_lab_download_fetches_both(monkeypatch, capsys):
    fetched = []
    monkeypatch.setattr(D, "online", lambda host="www.cs.toronto.edu", timeout=1.0: True)
    monkeypatch.setattr(D, "download", lambda: fetched.append("cifar-10") or "cifar.tar.gz")
    monkeypatch.setattr(H, "download", lambda: fetched.append("cifar-10h") or "counts.npy")
    assert cnn_lab_main(["download"]) == 0
    assert fetched == ["cifar-10", "cifar-10h"]
    assert "Peterson" in capsys.readouterr().out


def test_cnn_lab_data_names_the_file_or_says_where_to_get_it(human_counts, nowhere_local, capsys):
    assert cnn_lab_main(["data"]) == 0
    assert "cnn-lab download" in capsys.readouterr().out
    assert cnn_lab_main(["data", "--human-labels", str(human_counts)]) == 0
    assert f"CIFAR-10H, {human_counts}" in capsys.readouterr().out
    assert cnn_lab_main(["data", "--human-labels", "no/such.npy"]) == 2
    assert "no such file" in capsys.readouterr().err
