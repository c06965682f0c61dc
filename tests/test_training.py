"""The background training job: progress, stop within a batch, checkpoints, resume."""

import json
import time

import numpy as np
import pytest

pytest.importorskip("keras")

from cnn_lab.recipes import TrainConfig, preset  # noqa: E402
from cnn_lab.model import CNNConfig  # noqa: E402
from cnn_lab.training import JobBusy, TrainingJob, list_runs, run_path, runs_dir  # noqa: E402

TINY = CNNConfig(filters=(4, 8, 8), dense=(16, 16), batch_norm=True)


def _wait_for(predicate, job, timeout=120):
    deadline = time.time() + timeout
    while time.time() < deadline:
        s = job.snapshot()
        if predicate(s):
            return s
        if s["status"] == "failed":
            pytest.fail(s["error"] + s.get("traceback", ""))
        time.sleep(0.05)
    pytest.fail(f"timed out; last state {job.snapshot()['status']}")


def test_a_run_trains_evaluates_and_checkpoints_every_epoch():
    job = TrainingJob()
    config = TrainConfig(model=TINY, epochs=2, batch_size=32, limit=128, augment="article")
    run_id = job.start(config)
    s = job.wait(120)
    assert s["status"] == "finished", s.get("error")
    folder = run_path(run_id)
    history = json.loads((folder / "history.json").read_text())
    assert [h["epoch"] for h in history] == [1, 2]
    for h in history:
        assert {"epoch", "loss", "accuracy", "test_accuracy", "seconds"} <= set(h)
        assert 0 <= h["test_accuracy"] <= 1
    assert json.loads((folder / "config.json").read_text())["train"]["epochs"] == 2
    assert json.loads((folder / "status.json").read_text())["status"] == "finished"
    assert s["device"]["kind"] in ("CPU", "GPU") and s["device"]["name"]
    assert len(s["batches"]) == 2 * 4 and s["images_per_second"] > 0
    assert not list(folder.glob(".tmp-*"))  # atomic writes leave no temporary files behind
    [run] = list_runs()
    assert run["run_id"] == run_id and run["epochs_done"] == 2 and run["has_model"]


def test_stop_takes_effect_within_a_batch_then_resume_goes_on():
    job = TrainingJob()
    config = TrainConfig(model=TINY, epochs=3, batch_size=8, limit=400, learning_rate=1e-3,
                         schedule="cosine", warmup_epochs=0.5)
    run_id = job.start(config)
    _wait_for(lambda s: len(s["history"]) == 1 and s["batch"] >= 5, job)
    with pytest.raises(JobBusy):
        job.start(config)
    job.stop()
    seen = job.snapshot()["batch"]
    s = job.wait(60)
    assert s["status"] == "stopped"
    assert s["batch"] <= seen + 1  # the batch in flight finishes, no more
    history = json.loads((run_path(run_id) / "history.json").read_text())
    assert len(history) == 1  # the half epoch is not saved as if finished
    assert list_runs()[0]["status"] == "stopped"

    resumed = TrainingJob()
    assert resumed.start(resume=True, run_dir=run_path(run_id)) == run_id
    s = resumed.wait(120)
    assert s["status"] == "finished", s.get("error")
    assert [h["epoch"] for h in s["history"]] == [1, 2, 3]
    # the optimizer went on from where it was: 3 epochs of 50 steps in all
    with np.load(run_path(run_id) / "optimizer.npz") as saved:
        assert int(saved["arr_0"]) == 150


def test_a_run_whose_process_died_is_listed_as_interrupted(tmp_path):
    folder = run_path("20250101-120000-abcd")
    folder.mkdir(parents=True)
    (folder / "config.json").write_text(json.dumps({"train": {"epochs": 5, "preset": "fast"}, "data": "x"}))
    (folder / "history.json").write_text(json.dumps([{"epoch": 1, "test_accuracy": 0.5}]))
    (folder / "status.json").write_text(json.dumps({"status": "running"}))
    [run] = list_runs()
    assert run["status"] == "interrupted" and run["best_test_accuracy"] == 0.5


def test_bad_ids_and_configs_are_refused():
    for bad in ("../etc", "20250101-120000-abcd/../../x", "", None):
        with pytest.raises(ValueError):
            run_path(bad)
    with pytest.raises(ValueError):
        preset("best", augment="sepia")
    with pytest.raises(ValueError):
        preset("nope")
    with pytest.raises(ValueError):
        TrainingJob().start(resume=True, run_dir=runs_dir() / "missing")
    assert preset("article").batch_size == 64 and preset("article").augment == "article"
