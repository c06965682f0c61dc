"""The training loop: progress through the run folder, stop within a batch, checkpoints, resume."""

import dataclasses
import json
import threading
import time
from pathlib import Path

import numpy as np
import pytest
from conftest import fake_run, wait_for

pytest.importorskip("keras")

from cnn_lab.runs.records import Epoch, Position, Snapshot, Status
from cnn_lab.runs import folders  # noqa: E402
from cnn_lab.network.data import DataError, load_cifar10  # noqa: E402
from cnn_lab.training import callback, launcher, loop, progress  # noqa: E402
from cnn_lab.settings import SAMPLE_PATH  # noqa: E402
from cnn_lab.network.model import CNNConfig  # noqa: E402
from cnn_lab.recipes import TrainConfig, preset  # noqa: E402
from cnn_lab.runs.folders import list_runs, new_run_id, run_path, snapshot  # noqa: E402

pytestmark = pytest.mark.core  # run under TensorFlow and again under JAX (tests/test_backends.py)

TINY = CNNConfig(filters=(4, 8, 8), dense=(16, 16), batch_norm=True)


def test_a_run_trains_evaluates_and_checkpoints_every_epoch():
    folder = run_path(new_run_id())
    config = TrainConfig(model=TINY, epochs=2, batch_size=32, limit=128, augment="article")
    assert loop.train(config, str(SAMPLE_PATH), folder) == "finished"
    history = json.loads((folder / "history.json").read_text())
    assert [h["epoch"] for h in history] == [1, 2]
    for h in history:
        assert {"epoch", "loss", "accuracy", "test_accuracy", "seconds"} <= set(h)
        assert 0 <= h["test_accuracy"] <= 1
    assert json.loads((folder / "config.json").read_text())["train"]["epochs"] == 2
    s = snapshot(folder)
    assert s.status == "finished" and s.device.kind in ("CPU", "GPU") and s.device.name
    assert len(s.batches) == 2 * 4 and s.images_per_second > 0
    assert s.position() == Position(epoch=2, epochs=2, batch=4, batches_per_epoch=4, fraction=1.0)
    assert not list(folder.glob(".tmp-*")) and not (folder / "stop").exists()  # nothing left behind
    [run] = list_runs()
    assert run.run_id == folder.name and run.epochs_done == 2 and run.has_model


def test_stop_takes_effect_within_a_batch_then_resume_goes_on(monkeypatch):
    monkeypatch.setattr(progress, "PUBLISH_EVERY", 0)  # progress.json after every batch: the test sees each one
    folder = run_path(new_run_id())
    config = TrainConfig(
        model=TINY, epochs=3, batch_size=8, limit=400, learning_rate=1e-3, schedule="cosine", warmup_epochs=0.5
    )
    ended = []
    thread = threading.Thread(target=lambda: ended.append(loop.train(config, str(SAMPLE_PATH), folder)))
    thread.start()
    wait_for(lambda: len(snapshot(folder).history) == 1 and snapshot(folder).batch >= 5)
    with pytest.raises(launcher.RunBusy):  # one run at a time: this process trains one
        launcher.start(config, str(SAMPLE_PATH))
    folders.request_stop(folder)
    assert snapshot(folder).status == "stopping"  # every reader sees the request at once
    seen = snapshot(folder).batch
    thread.join(120)
    assert ended == ["stopped"]
    s = snapshot(folder)
    assert s.status == "stopped" and s.batch <= seen + 1  # the batch in flight finishes, no more
    assert len(s.history) == 1  # the half epoch is not saved as if finished
    assert list_runs()[0].status == "stopped"

    assert loop.train(None, None, folder, resume=True) == "finished"
    assert [h.epoch for h in snapshot(folder).history] == [1, 2, 3]
    # the optimizer went on from where it was: 3 epochs of 50 steps in all (found by name, not position)
    with np.load(folder / "optimizer.npz") as saved:
        assert int(saved["iteration"]) == 150
        assert "conv1/kernel:momentum" in saved.files


def test_a_run_whose_process_died_is_listed_as_interrupted(tmp_path):
    fake_run("20250101-120000-abcd", status="running", epochs=5)  # no process holds it any more
    [run] = list_runs()
    assert run.status is Status.INTERRUPTED and run.best_test_accuracy == 0.5


def test_position_is_the_same_arithmetic_for_page_and_terminal():
    def snap(status, history, epoch, batch, batches_per_epoch):
        config = {"epochs": 4}
        return Snapshot("r", "", Path("r"), status, config, history, None, None, epoch, batch, batches_per_epoch)

    running = snap(Status.RUNNING, [Epoch(1)], epoch=1, batch=3, batches_per_epoch=10)
    assert running.position() == Position(epoch=2, epochs=4, batch=3, batches_per_epoch=10, fraction=0.325)
    fresh = snap(Status.STARTING, [], epoch=0, batch=0, batches_per_epoch=None)
    assert fresh.position() == Position(epoch=1, epochs=4, batch=0, batches_per_epoch=0, fraction=0.0)
    # a stopped run kept its finished epoch only: the 3 batches of the epoch it was in are gone
    stopped = dataclasses.replace(running, status=Status.STOPPED)
    assert stopped.position() == Position(epoch=1, epochs=4, batch=10, batches_per_epoch=10, fraction=0.25)


def test_bad_ids_and_configs_are_refused():
    for bad in ("../etc", "20250101-120000-abcd/../../x", "", None):
        with pytest.raises(ValueError):
            run_path(bad)
    with pytest.raises(ValueError):
        preset("best", augment="sepia")
    with pytest.raises(ValueError):
        preset("nope")
    with pytest.raises(ValueError, match="no run to resume"):
        launcher.start(resume=folders.runs_dir() / "missing")
    with pytest.raises(ValueError, match="validation"):
        TrainConfig(validation=-1)
    assert preset("article").batch_size == 64 and preset("article").augment == "article"


def test_checks_within_an_epoch_and_the_line_passed_on_every_test_image(monkeypatch):
    """Twice an epoch the test accuracy is measured: in between on the first 50 test images, at the end
    on all of them. A check that reaches the line (here 0 %, so the first one does) has every test image
    tested at once: the figure that says the line is passed is a full-test-set number, never the subset's."""
    monkeypatch.setattr(callback, "ARTICLE_ACCURACY", 0.0)
    tested = []
    test = callback.TrainingCallback.test

    def spying(self, images=None, on=None):  # every test pass of the run, by its number of images
        tested.append(images)
        return test(self, images, on)

    monkeypatch.setattr(callback.TrainingCallback, "test", spying)
    folder = run_path(new_run_id())
    config = TrainConfig(model=TINY, epochs=2, batch_size=32, limit=128, checks_per_epoch=2, check_images=50)
    started = time.time() - 30  # Start was pressed 30 s before the training began: the run's clock counts them
    assert loop.train(config, str(SAMPLE_PATH), folder, started=started) == "finished"
    s = snapshot(folder)
    assert [(c.epoch, c.test_images) for c in s.checks] == [(0.5, 50), (1.5, 50)]
    crossed = s.crossed
    assert crossed.epoch == 0.5 and crossed.test_images == 200  # the sample's 200 test images, not 50
    assert crossed.test_correct / 200 == crossed.test_accuracy
    assert tested == [50, None, None, 50, None]  # the check, the full test it set off, epoch 1, the check, epoch 2
    assert 30 <= crossed.seconds <= s.history[0].elapsed <= s.history[1].elapsed
    assert all(h.test_images == 200 for h in s.history)


def test_a_gpu_s_settings_train_in_bfloat16_several_steps_a_call_and_save_float32(monkeypatch):
    """What a GPU run does (bfloat16 arithmetic, 4 steps per call here), on this CPU: the progress still
    counts every batch, the in-between check still comes, and what is tested and saved is a float32
    network, so the figure in the history is the saved model's own."""
    import keras

    from cnn_lab.network.model import load_classifier, predict

    gpu = {"precision": "mixed_bfloat16", "jit_compile": False, "steps_per_execution": 4}
    monkeypatch.setattr(loop, "speed_settings", lambda device: gpu)
    monkeypatch.setattr(progress, "PUBLISH_EVERY", 0)
    folder = run_path(new_run_id())
    config = TrainConfig(model=TINY, epochs=2, batch_size=8, limit=64, checks_per_epoch=2, check_images=40)
    assert loop.train(config, str(SAMPLE_PATH), folder) == "finished"
    s = snapshot(folder)
    assert [b.step for b in s.batches] == [4, 8, 12, 16]  # 2 calls of 4 steps an epoch, every batch counted
    assert [c.epoch for c in s.checks] == [0.5, 1.5]
    saved = load_classifier(folder / "model.keras")
    assert {layer.dtype_policy.name for layer in saved.get_layer("cnn").layers} == {"float32"}
    data = load_cifar10(str(SAMPLE_PATH))
    correct = int((predict(saved, data.x_test).argmax(1) == data.y_test).sum())
    assert s.history[-1].test_correct == correct  # tested as saved
    assert keras.config.dtype_policy().name == "float32"  # the process's policy is back

    loop.extend(folder, 3)  # and a resumed run goes on in bfloat16 from the float32 checkpoint
    assert loop.train(None, None, folder, resume=True) == "finished"
    assert [h.epoch for h in snapshot(folder).history] == [1, 2, 3]


def test_a_validation_split_is_held_out_of_training_and_tested_every_epoch(monkeypatch):
    """The last `validation` training images (after the limit) are never trained on and are tested after every
    epoch, with the model that is saved; the test set stays the test set."""
    from cnn_lab.network.model import load_classifier, predict

    import keras

    seen = []
    real_fit = keras.Model.fit

    def recording_fit(self, x, y, **kwargs):
        seen.append(len(x))
        return real_fit(self, x, y, **kwargs)

    monkeypatch.setattr(keras.Model, "fit", recording_fit)
    folder = run_path(new_run_id())
    config = TrainConfig(model=TINY, epochs=2, batch_size=32, limit=160, validation=32, augment="none")
    assert loop.train(config, str(SAMPLE_PATH), folder) == "finished"
    assert seen == [128]  # 160 images, the last 32 held out
    history = json.loads((folder / "history.json").read_text())
    assert all(h["validation_images"] == 32 and 0 <= h["validation_accuracy"] <= 1 for h in history)
    assert all(h["test_images"] == 200 for h in history)  # the sample's whole test set, as ever
    data = load_cifar10(str(SAMPLE_PATH))
    held = data.x_train[128:160], data.y_train[128:160]
    correct = int((predict(load_classifier(folder / "model.keras"), held[0]).argmax(1) == held[1]).sum())
    assert history[-1]["validation_correct"] == correct  # validated as saved, on exactly those images
    with pytest.raises(DataError, match="cannot hold out 160 images"):
        loop.train(TrainConfig(model=TINY, limit=160, validation=160), str(SAMPLE_PATH), run_path(new_run_id()))
