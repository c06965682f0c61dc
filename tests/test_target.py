"""The article's line during a run: when to expect it (the recipe's reference run, the run's speed),
and the words for the moment it was passed."""

import dataclasses
import json

from conftest import a_snapshot

from cnn_lab.formatting import minutes_and_seconds
from cnn_lab.recipes import PRESETS
from cnn_lab.runs.eta import crossing_words, reference_epoch, seconds_to_line
from cnn_lab.runs.records import Epoch, Status, AccuracyCheck


def test_durations_in_words():
    assert [minutes_and_seconds(s) for s in (0, 41.4, 60, 161, 3725)] == [
        "0 s",
        "41 s",
        "1 min 0 s",
        "2 min 41 s",
        "1 h 02 min",
    ]


def test_the_moment_the_line_was_passed_in_words():
    crossed = {"epoch": 4.5, "seconds": 161, "test_accuracy": 0.7861, "test_correct": 7861, "test_images": 10000}
    assert crossing_words(AccuracyCheck(**crossed)) == (
        "78.4 % passed after 2 min 41 s: 7,861 of 10,000 test images right (78.61 %), in epoch 5"
    )
    assert crossing_words(AccuracyCheck(**{**crossed, "epoch": 5})).endswith("in epoch 5")


def shipped(root, name, config, accuracies):
    folder = root / name
    folder.mkdir(parents=True)
    (folder / "config.json").write_text(json.dumps({"train": config}))
    history = [{"epoch": e + 1, "test_accuracy": a} for e, a in enumerate(accuracies)]
    (folder / "history.json").write_text(json.dumps(history))


def test_the_epoch_to_expect_comes_from_the_reference_run_of_the_same_recipe(tmp_path):
    lesson = PRESETS["lesson"].to_dict()
    shipped(tmp_path, "lesson", {**lesson, "seed": 3}, [0.61, 0.77, 0.79, 0.81])  # any seed: the same recipe
    shipped(tmp_path, "article", PRESETS["article"].to_dict(), [0.5, 0.6])
    assert reference_epoch(lesson, tmp_path) == 3
    assert reference_epoch(PRESETS["article"].to_dict(), tmp_path) is None  # its reference never passed it
    assert reference_epoch({**lesson, "epochs": 9}, tmp_path) is None  # another recipe: nothing to go by
    assert reference_epoch({"no such": "setting"}, tmp_path) is None


def test_seconds_to_the_line_at_the_run_s_own_speed():
    snap = a_snapshot(
        "running",
        {"batch_size": 128, "epochs": 6},
        [{"epoch": 1}],
        epoch=1,
        batch=50,
        batches_per_epoch=100,
        images_per_second=1280.0,
    )
    later = dataclasses.replace
    assert seconds_to_line(snap, 3) == 150 * 128 / 1280  # 150 batches to the end of epoch 3, 10 batches a second
    assert (
        seconds_to_line(later(snap, epoch=3, batch=20, history=[Epoch(1), Epoch(2), Epoch(3)]), 3) == 0
    )  # there: any moment
    assert seconds_to_line(later(snap, crossed=AccuracyCheck(1.5, 0.785, 10000, 90.0)), 3) is None  # passed already
    assert seconds_to_line(later(snap, status=Status.STOPPED), 3) is None
    assert seconds_to_line(snap, None) is None and seconds_to_line(later(snap, images_per_second=None), 3) is None


def test_the_expected_epoch_comes_from_the_reference_run_with_the_same_seed():
    """The shipped Lesson runs from seeds 0 and 1 passed 78.4 % in epochs 6 and 7: a seed-1 run expects 7."""
    import dataclasses

    from cnn_lab.recipes import PRESETS
    from cnn_lab.runs.eta import reference_epoch

    lesson = PRESETS["lesson"]
    assert reference_epoch(lesson.to_dict()) == 6
    assert reference_epoch(dataclasses.replace(lesson, seed=1).to_dict()) == 7
    assert reference_epoch(dataclasses.replace(lesson, seed=5).to_dict()) == 6  # no such run: seed 0's


def test_a_run_on_other_data_than_the_references_expects_nothing():
    """The reference runs trained on the full CIFAR-10: a run of the same recipe on the bundled sample is not
    promised the line (no recipe gets there on 800 images)."""
    from cnn_lab.runs.eta import expected_epoch

    lesson = PRESETS["lesson"].to_dict()
    full = dataclasses.replace(
        a_snapshot("running", lesson), data="the full CIFAR-10: 50,000 training and 10,000 test images"
    )
    assert expected_epoch(full) == 6
    sample = "the bundled sample: 800 training and 200 test images"
    assert expected_epoch(dataclasses.replace(full, data=sample)) is None
    assert expected_epoch(dataclasses.replace(full, data=None)) is None
