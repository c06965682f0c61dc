"""cnn_lab.runs.compare: the settings that differ and each run's numbers, against hand-made runs."""

import dataclasses
import json

import pytest
from conftest import fake_run

from cnn_lab.runs.records import Epoch, records
from cnn_lab.runs.compare import (
    ComparedRun,
    class_chance,
    compare,
    differences,
    flatten,
    gap_in_words,
    numbers,
    table,
)


def test_only_the_settings_that_differ_are_listed():
    a = {"model": {"filters": [64, 128, 256], "batch_norm": False}, "learning_rate": 1e-3, "epochs": 20}
    b = {"model": {"filters": [64, 128, 256], "batch_norm": True}, "learning_rate": 1e-3, "epochs": 20}
    c = {**b, "learning_rate": 1e-2}
    assert flatten(a) == {
        "model.filters": [64, 128, 256],
        "model.batch_norm": False,
        "learning_rate": 1e-3,
        "epochs": 20,
    }
    assert differences([a, b]) == {"model.batch_norm": [False, True]}
    assert differences([a, b, c]) == {"model.batch_norm": [False, True, True], "learning_rate": [1e-3, 1e-3, 1e-2]}
    assert differences([a, a]) == {}
    assert differences([a, {"epochs": 20}])["model.filters"] == [[64, 128, 256], None]


def test_numbers_and_the_gap_between_training_and_test():
    history = [
        {"epoch": 1, "accuracy": 0.50, "test_accuracy": 0.48, "test_correct": 4800, "test_images": 10000},
        {"epoch": 2, "accuracy": 0.80, "test_accuracy": 0.70, "test_correct": 7000, "test_images": 10000},
        {"epoch": 3, "accuracy": 0.95, "test_accuracy": 0.66, "test_correct": 6600, "test_images": 10000},
    ]
    found = numbers(records(Epoch, history))
    assert found["test_correct"] == 6600 and found["best_test_accuracy"] == 0.70 and found["best_epoch"] == 2
    assert found["gap"] == pytest.approx(0.95 - 0.66)
    assert numbers([])["test_accuracy"] is None


def test_compare_reads_run_folders_and_the_table_says_it():
    one = fake_run("20250101-000000-0001", epochs=3)
    two = fake_run("20250101-000000-0002", epochs=5)
    comparison = compare([one, two])
    assert comparison["differences"] == {"epochs": [3, 5]}
    text = table(comparison)
    assert "epochs" in text and "1 of 3" in text and "1 of 5" in text and "50.00 %" in text
    same = compare([one, one])
    assert "nothing: the same settings" in table(same)
    with pytest.raises(ValueError, match="two runs or more"):
        compare([one])
    (two / "config.json").write_text("{not json")
    with pytest.raises(ValueError, match="not a run"):
        compare([one, two])
    json.dumps([r.to_json() for r in comparison["runs"]])  # plain data: what `cnn-lab compare --json` prints


def test_the_same_data_read_from_two_places_is_no_difference():
    described = "the full CIFAR-10: 50,000 training and 10,000 test images"
    one = fake_run("20250101-000000-0001", data=f"{described} (archive /home/teacher/cifar-10-python.tar.gz)")
    two = fake_run("20250101-000000-0002", data=described)  # a shipped experiment keeps what, not where
    assert compare([one, two])["differences"] == {}
    three = fake_run("20250101-000000-0003", data="the bundled sample: 800 training and 200 test images")
    assert list(compare([one, three])["differences"]) == ["data"]


def a_run(**fields) -> ComparedRun:
    """A compared run made by hand: what its numbers say, its history left empty."""
    blank = {f.name: None for f in dataclasses.fields(ComparedRun)}
    return ComparedRun(**{**blank, "history": [], "epochs_done": 0, **fields})


def test_the_gap_in_words_does_not_blame_augmentation_a_run_did_not_have():
    run = a_run(label="run", gap=-0.04, augment="crop_flip")
    assert "augmented photos" in gap_in_words(run)
    assert "augmented" not in gap_in_words(dataclasses.replace(run, augment="none"))
    assert "overfits" in gap_in_words(dataclasses.replace(run, gap=0.3, augment="none"))


def test_a_run_that_learned_nothing_is_not_said_to_have_a_healthy_gap():
    run = a_run(label="rate 1e-2", gap=0.007, test_accuracy=0.10, augment="article")
    assert gap_in_words(run) == (
        "rate 1e-2: +0.7 points (no gap, but both at a blind guess's 10 %: it learned nothing)."
    )
    assert "starting to learn its training images better" in gap_in_words(
        dataclasses.replace(run, gap=0.087, test_accuracy=0.67)
    )


def test_choosing_by_validation_against_choosing_by_the_test():
    from cnn_lab.runs.compare import choice_in_words, chosen_epochs

    history = [
        {"epoch": 1, "test_accuracy": 0.60, "validation_accuracy": 0.50},
        {"epoch": 2, "test_accuracy": 0.60, "validation_accuracy": 0.70},  # as good on the test as epoch 1
        {"epoch": 3, "test_accuracy": 0.55},  # stopped while validating: tested only
    ]
    history = records(Epoch, history)
    assert chosen_epochs(history)["by_validation"].epoch == 2
    assert "no better than the fair choice this time" in choice_in_words(history)  # a tie is no gain
    history[2] = dataclasses.replace(history[2], test_accuracy=0.65)
    assert chosen_epochs(history)["by_test"].epoch == 3
    assert "epoch 3 would look best (65.00 %), 5.00 points more, only because the test chose it" in (
        choice_in_words(history)
    )
    assert chosen_epochs([Epoch(1, test_accuracy=0.6)]) is None and choice_in_words([]) is None


def test_class_chance_says_how_many_test_images_each_class_has():
    assert class_chance([c for c in range(10) for _ in range(1000)], 10).startswith(
        "Each class has 1,000 of the 10,000 test images, so its figure moves more by chance"
    )
    assert class_chance([0] * 12 + [1] * 30, 2).startswith("Each class has 12 to 30 of the 42 test images")
