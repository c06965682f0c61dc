"""One-click experiments: each differs from the quick reference in exactly one setting, is a run that
`cnn-lab train` can start, is recognised again from its saved config, and the Train page starts it (for
the teacher only) and draws it beside the shipped reference."""

import json

import pytest
from conftest import fake_run, page_text
from streamlit.testing.v1 import AppTest

from cnn_lab import settings
from cnn_lab.runs import experiments
from cnn_lab.training import launcher, loop
from cnn_lab.runs.experiments import EXPERIMENTS, QUICK
from cnn_lab.runs.compare import differences, flatten
from cnn_lab.recipes import TrainConfig
from cnn_lab.runs.folders import list_runs

PAGE = "../dashboard/views/train.py"


@pytest.mark.parametrize("key", EXPERIMENTS)
def test_each_experiment_changes_one_setting_and_the_command_line_can_train_it(key, tmp_path):
    experiment = EXPERIMENTS[key]
    changed = differences([flatten(QUICK.to_dict()), flatten(experiment.config.to_dict())])  # Compare's table
    assert list(changed) == [experiment.change[0]], changed
    # the page plans the run in its folder and starts `cnn-lab train --run-dir`, which trains what the plan says
    loop.plan(tmp_path, experiment.config, None)
    assert loop.planned(tmp_path) and loop.planned_config(tmp_path) == (experiment.config, None)


def test_a_runs_saved_config_says_which_experiment_it_is():
    for experiment in EXPERIMENTS.values():
        saved = json.loads(json.dumps(experiment.config.to_dict()))  # as config.json keeps it
        assert experiments.which(saved) is experiment
    assert experiments.which(QUICK.to_dict()) is None  # the reference itself is no experiment
    assert experiments.which({"epochs": 3, "preset": "fast"}) is None
    assert experiments.which({"no such setting": 1}) is None
    assert experiments.which(None) is None


def test_the_quick_reference_ships_with_its_recipe():
    folder = experiments.reference()
    assert folder is not None, "assets/reference/experiments/quick is missing: scripts/reference_experiments.py"
    saved = json.loads((folder / "config.json").read_text())["train"]
    assert TrainConfig.from_dict(saved) == QUICK
    history = json.loads((folder / "history.json").read_text())
    assert [h["epoch"] for h in history] == list(range(1, QUICK.epochs + 1))


@pytest.fixture
def full_data(monkeypatch, tmp_path):
    """A stand-in for the full CIFAR-10's file (the page only looks for it; training is not run here)."""
    found = tmp_path / "cifar-10-python.tar.gz"
    found.write_bytes(b"")
    monkeypatch.setenv("CNN_LAB_DATA", str(found))
    return found


@pytest.fixture
def started(monkeypatch):
    """launcher.start, recorded instead of run: each call makes the run folder a start would."""
    calls = []

    def start(config=None, data=None, resume=None, root=None):
        run_id = f"20260101-00000{len(calls)}-aaaa"
        folder = fake_run(run_id, status="running")
        (folder / "config.json").write_text(json.dumps({"train": config.to_dict(), "data": data}))
        calls.append((config, data))
        return run_id

    monkeypatch.setattr(launcher, "start", start)
    return calls


def test_a_click_starts_the_experiment_on_the_full_data_and_names_it(full_data, started):
    at = AppTest.from_file(PAGE, default_timeout=120).run()
    at.button(key="train_experiment_no_augmentation").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert started == [(EXPERIMENTS["no_augmentation"].config, str(full_data))]
    assert list_runs()[0].name == "What if we switch augmentation off? (quick)"
    assert "The experiment beside its reference" in [h.value for h in at.subheader]
    assert "Look for the training accuracy racing ahead" in page_text(at)
    chart = next(c for c in at.get("plotly_chart") if c.proto.id.endswith("train_experiment_curves"))
    names = {trace.get("name") for trace in json.loads(chart.proto.spec)["data"]}
    assert any(experiments.REFERENCE_TITLE in str(n) for n in names), names
    assert any(EXPERIMENTS["no_augmentation"].title in str(n) for n in names), names


def test_without_the_full_data_the_experiments_say_so_and_cannot_start(started):
    at = AppTest.from_file(PAGE, default_timeout=120).run()
    assert all(at.button(key=f"train_experiment_{key}").disabled for key in EXPERIMENTS)
    assert any("They need the full CIFAR-10" in i.value for i in at.info)
    assert started == []


def test_students_cannot_start_an_experiment(full_data, started, monkeypatch):
    monkeypatch.setenv(settings.TEACHER_TOKEN_VARIABLE, "owl-lantern-42")
    at = AppTest.from_file(PAGE, default_timeout=120).run()
    assert all(at.button(key=f"train_experiment_{key}").disabled for key in EXPERIMENTS)
    assert any("Only the teacher can" in c.value for c in at.caption)
