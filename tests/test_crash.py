"""kill -9 in the middle of training: the run survives as 'interrupted' and resumes."""

import json
import os
import signal
import subprocess
import sys

import numpy as np
import pytest
from conftest import wait_for

pytest.importorskip("keras")

from cnn_lab.network.model import load_classifier  # noqa: E402
from cnn_lab.runs.folders import list_runs, read_json, run_path, snapshot  # noqa: E402
from cnn_lab.training.loop import train  # noqa: E402


def test_kill_9_during_training_loses_at_most_the_epoch_in_progress():
    folder = run_path("20250102-030405-dead")
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "cnn_lab",
            "train",
            "--preset",
            "fast",
            "--epochs",
            "30",
            "--limit",
            "256",
            "--batch-size",
            "16",
            "--run-dir",
            str(folder),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env=dict(os.environ),
    )

    def in_a_later_epoch() -> bool:
        """An epoch is checkpointed, and the run has trained batches of the next one."""
        assert proc.poll() is None, "the run ended before it could be killed"
        done = read_json(folder / "history.json", [])
        progress = read_json(folder / "progress.json", {})
        return bool(done) and progress.get("epoch", 0) >= len(done) and progress.get("batch", 0) > 0

    try:
        wait_for(in_a_later_epoch, timeout=240, what="the run (a batch past its first checkpoint)")
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait()

    [run] = list_runs()  # a fresh look, as a restarted server has
    assert run.status == "interrupted" and run.has_model
    done = json.loads((folder / "history.json").read_text())
    assert 1 <= len(done) < 30 and [h["epoch"] for h in done] == list(range(1, len(done) + 1))
    load_classifier(folder / "model.keras")  # the checkpoint is whole, never half-written
    with np.load(folder / "optimizer.npz") as saved:  # at most one epoch ahead of the history
        assert int(saved["iteration"]) // 16 in (len(done), len(done) + 1)

    # it resumes from there (one more epoch is enough to show it)
    config = json.loads((folder / "config.json").read_text())
    config["train"]["epochs"] = len(done) + 1
    (folder / "config.json").write_text(json.dumps(config))
    assert train(None, None, folder, resume=True) == "finished"
    s = snapshot(folder)
    assert s.error is None and [h.epoch for h in s.history] == list(range(1, len(done) + 2))
    assert list_runs()[0].status == "finished"
