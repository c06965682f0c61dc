"""The Compare page, on recorded runs: it plots exactly the recorded values, lists exactly the
settings that differ, and its per-class and confusion differences check against NumPy."""

import dataclasses
import json
import shutil
from pathlib import Path

import numpy as np
import pytest
from conftest import figures, run

from cnn_lab.runs import compare
from cnn_lab.network.data import load_cifar10
from cnn_lab.network.evaluation import SAVED, Evaluation
from cnn_lab.recipes import PRESETS
from cnn_lab.runs.folders import runs_dir, set_name


def recorded(folder, train, accuracies, tests, name=None):
    """A run folder as training (or scripts/reference_experiments.py) leaves it."""
    folder.mkdir(parents=True)
    config = {"train": dataclasses.asdict(train), "data": "the full CIFAR-10: 50,000 training and 10,000 test images"}
    (folder / "config.json").write_text(json.dumps(config))
    history = [
        {"epoch": e + 1, "loss": 2.0 / (e + 1), "accuracy": a, "test_accuracy": t, "seconds": 90.0 + e}
        | {"test_correct": round(t * 10000), "test_images": 10000}
        for e, (a, t) in enumerate(zip(accuracies, tests))
    ]
    (folder / "history.json").write_text(json.dumps(history))
    (folder / "status.json").write_text(json.dumps({"status": "finished"}))
    if name:
        set_name(folder, name)
    return folder


@pytest.fixture
def shipped(tmp_path, monkeypatch):
    root = tmp_path / "reference"
    article = PRESETS["article"]
    recorded(root / "article", article, [0.4, 0.6, 0.7], [0.45, 0.6, 0.66], "with augmentation")
    recorded(
        root / "no_augmentation",
        dataclasses.replace(article, augment="none"),
        [0.5, 0.8, 0.97],
        [0.5, 0.62, 0.58],
        "no augmentation",
    )
    monkeypatch.setattr(compare, "REFERENCE_EXPERIMENTS", root)
    return root


def test_the_page_opens_on_the_augmentation_comparison_and_draws_the_recorded_values(shipped):
    at = run("compare.py")
    assert not at.exception
    picked = [compare.label(Path(p)) for p in at.multiselect(key="compare_runs").value]
    assert picked == ["with augmentation", "no augmentation"]
    accuracy = figures(at)[0]["data"]
    for trace, folder in zip(accuracy[0::2], ["article", "no_augmentation"]):  # the test lines
        history = json.loads((shipped / folder / "history.json").read_text())
        assert trace["x"] == [h["epoch"] for h in history]
        assert trace["y"] == [100 * h["test_accuracy"] for h in history]
    gap = figures(at)[1]["data"][1]
    assert gap["y"] == pytest.approx([0.0, 18.0, 39.0])  # training minus test, in points
    table = at.dataframe[0].value
    assert list(table["setting"]) == ["augment"]  # the only setting that differs
    assert list(table.iloc[0])[1:] == ["article", "none"]
    assert [m.value for m in at.metric] == ["66.00 %", "58.00 %"]  # fits four columns; N/10000 in full below
    assert {"6,600/10,000 (66.00 %)", "5,800/10,000 (58.00 %)"} <= {c.value for c in at.caption}
    assert any("it overfits" in m.value for m in at.markdown)

    at.radio(key="compare_by").set_value("seconds").run()
    assert figures(at)[0]["data"][0]["x"] == [90.0, 181.0, 273.0]  # each epoch's seconds added up


def test_confusion_and_per_class_differences_check_against_numpy(shipped, tiny_model_path):
    data = load_cifar10()
    rng = np.random.default_rng(7)
    made = {}
    for run_id, right in [("20250101-000000-c001", 0.3), ("20250101-000000-c002", 0.6)]:
        folder = recorded(runs_dir() / run_id, PRESETS["fast"], [0.5], [right])
        shutil.copy(tiny_model_path, folder / "model.keras")
        with open(folder / "model.keras", "ab") as f:
            f.write(run_id.encode())  # two different files: two different evaluations
        said = np.where(rng.random(len(data.y_test)) < right, data.y_test, rng.integers(0, 10, len(data.y_test)))
        probabilities = np.eye(10, dtype="float32")[said]
        made[run_id] = Evaluation(probabilities, data.y_test, data.class_names)
        SAVED.save(folder / "model.keras", data, made[run_id])
    at = run("compare.py")
    picked = [str(runs_dir() / "20250101-000000-c001"), str(runs_dir() / "20250101-000000-c002")]
    at.multiselect(key="compare_runs").set_value(picked).run()
    assert not at.exception
    first, second = made["20250101-000000-c001"], made["20250101-000000-c002"]
    classes = next(f for f in figures(at) if f["data"][0]["type"] == "bar")["data"][0]
    reference = [
        np.mean(second.predictions[data.y_test == c] == c) - np.mean(first.predictions[data.y_test == c] == c)
        for c in range(10)
    ]
    assert classes["x"] == pytest.approx([100 * r for r in reference])
    heat = next(f for f in figures(at) if f["data"][0]["type"] == "heatmap")["data"][0]
    counts = lambda e: np.histogram2d(e.labels, e.predictions, bins=10, range=[[0, 10], [0, 10]])[0]  # noqa: E731
    expected = counts(second) - counts(first)
    drawn = np.array(heat["z"], dtype=float)
    off = ~np.eye(10, dtype=bool)
    assert np.array_equal(drawn[off], expected[off]) and np.isnan(drawn[~off]).all()
    assert drawn[off].sum() == expected[off].sum()
    # under the classes' bars: how many test images each class has, as this test set holds them
    per_class = np.bincount(data.y_test, minlength=10)
    said = f"Each class has {per_class.min():,}" + (
        "" if per_class.min() == per_class.max() else f" to {per_class.max():,}"
    )
    assert any(c.value.startswith(said + f" of the {len(data.y_test):,} test images") for c in at.caption), said


def test_fewer_than_two_runs_say_so(tmp_path, monkeypatch):
    monkeypatch.setattr(compare, "REFERENCE_EXPERIMENTS", tmp_path / "none")
    at = run("compare.py")
    assert not at.exception and "Comparing needs two runs or more" in at.info[0].value
    assert not at.multiselect  # no empty, greyed-out chooser


def test_the_page_opens_on_the_first_group_shipped_with_two_runs_or_more(tmp_path, monkeypatch):
    root = tmp_path / "reference"
    article, fast = PRESETS["article"], PRESETS["fast"]
    recorded(root / "article", article, [0.5], [0.5])  # the augmentation group, alone
    recorded(root / "fast_rate_1e-2", dataclasses.replace(fast, learning_rate=1e-2), [0.5], [0.5])
    recorded(root / "fast_rate_1e-3", dataclasses.replace(fast, learning_rate=1e-3), [0.5], [0.5])
    monkeypatch.setattr(compare, "REFERENCE_EXPERIMENTS", root)
    at = run("compare.py")
    assert [Path(p).name for p in at.multiselect(key="compare_runs").value] == ["fast_rate_1e-2", "fast_rate_1e-3"]
    assert list(at.dataframe[0].value["setting"]) == ["learning_rate"]


def test_the_shipped_experiments_are_whole_runs_of_the_full_cifar10():
    shipped = compare.reference_runs()
    assert "article" in [f.name for f in shipped]
    for folder in shipped:
        config = json.loads((folder / "config.json").read_text())
        history = json.loads((folder / "history.json").read_text())
        assert config["data"].startswith("the full CIFAR-10") and len(history) == config["train"]["epochs"], folder
        assert compare.label(folder) and not compare.label(folder).startswith("run "), folder  # named
    for group in compare.GROUPS:  # one setting changes within a group, and the epochs do not
        members = [f for f in shipped if f.name in group]
        if len(members) >= 2:
            changed = set(compare.compare(members)["differences"])
            assert len(changed - {"preset"}) == 1 and "epochs" not in changed, (group, changed)


def test_benchmarks_lists_every_shipped_experiment_with_its_final_number():
    from conftest import ROOT

    table = (ROOT / "BENCHMARKS.md").read_text().split("## The experiments the Compare page ships")[1].split("\n## ")[0]
    for folder in compare.reference_runs():
        [run] = compare.compare([folder, folder])["runs"][:1]
        assert f"{round(run.test_accuracy * 10000):,}/10,000 ({100 * run.test_accuracy:.2f} %)" in table, folder


def test_a_link_that_names_its_runs_opens_on_them_once(tmp_path, monkeypatch):
    """The Train page's "Open both on Compare runs" is a link: ?runs=<reference>&runs=<run id>."""
    from streamlit.testing.v1 import AppTest

    root = tmp_path / "reference"
    recorded(root / "article", PRESETS["article"], [0.5], [0.5])
    recorded(root / "quick", PRESETS["article"], [0.4], [0.4])
    recorded(root / "no_augmentation", PRESETS["article"], [0.3], [0.3])
    monkeypatch.setattr(compare, "REFERENCE_EXPERIMENTS", root)
    at = AppTest.from_file("../dashboard/views/compare.py", default_timeout=60)
    at.query_params["runs"] = ["quick", "no_augmentation"]
    at.run()
    assert not at.exception
    assert [Path(p).name for p in at.multiselect(key="compare_runs").value] == ["quick", "no_augmentation"]
    assert "runs" not in at.query_params  # used once: the teacher's own picks are not undone by the next rerun
    at.multiselect(key="compare_runs").set_value([str(root / "article"), str(root / "quick")]).run()
    assert [Path(p).name for p in at.multiselect(key="compare_runs").value] == ["article", "quick"]


def test_the_two_seeds_open_with_one_button_and_differ_only_in_their_seed():
    """Run-to-run noise: the shipped Lesson recipe from two random starts, side by side."""
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file("../dashboard/views/compare.py", default_timeout=60).run()
    at.button(key="compare_seeds").click().run()
    assert not at.exception
    assert [Path(p).name for p in at.session_state["compare_runs"]] == ["lesson", "lesson_seed_1"]
    [changed] = at.dataframe
    assert list(changed.value["setting"]) == ["seed"]
    assert "0.52 points apart" in "\n".join(m.value for m in at.markdown)

    at.button(key="compare_validation").click().run()
    assert [Path(p).name for p in at.session_state["compare_runs"]] == ["lesson", "lesson_validation"]
    [changed] = at.dataframe
    assert list(changed.value["setting"]) == ["validation"]  # a run saved before the setting held out none
    said = "\n".join(m.value for m in at.markdown)
    assert "Chosen by validation: epoch 7, whose test accuracy is 78.05 %" in said
