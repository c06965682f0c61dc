"""The Train page starts `cnn-lab train` as a process of its own and reads its run folder: start,
watch, stop (seen at once); the Runs page resumes a run and picks a model; a killed run or a killed
server loses nothing."""

import json
import os
import re
import signal
import socket
import subprocess
import sys
import textwrap
import time

import pytest
from conftest import ROOT, fake_run, figures, page_text, texts, wait_for
from streamlit.testing.v1 import AppTest

from cnn_lab.runs.records import Snapshot
from cnn_lab.runs import folders
from cnn_lab.training import launcher
from cnn_lab.settings import SAMPLE_PATH
from cnn_lab.recipes import PRESETS
from cnn_lab.runs.folders import list_runs, live_run, run_path, snapshot, training_pid

PAGE = "../dashboard/views/train.py"
RUNS = "../dashboard/views/runs.py"


def page() -> AppTest:
    return AppTest.from_file(PAGE, default_timeout=120).run()


def runs_page() -> AppTest:
    return AppTest.from_file(RUNS, default_timeout=120).run()


def quick_run(at: AppTest, epochs: int) -> AppTest:
    """Set the page up for a run of a few seconds: the bundled sample, 256 images, `epochs` epochs."""
    at.radio(key="train_source").set_value("sample")
    at.selectbox(key="train_limit").set_value(256)
    at.number_input(key=f"train_epochs_{at.selectbox(key='train_recipe').value}").set_value(epochs)
    return at.button(key="train_start").click().run()


def the_run() -> Snapshot:
    """The run training now, as its folder tells it."""
    folder = live_run()
    assert folder is not None, "no run is training"
    return snapshot(folder)


def state(run_id: str) -> Snapshot:
    return snapshot(run_path(run_id))


def test_start_progress_stop():
    at = page()
    assert not at.exception
    assert "Nothing is training right now" in page_text(at)
    at.number_input(key="train_seed").set_value(7)  # another random start: a setting like any other
    at.checkbox(key="train_validation").check()  # 1 in 10 of the 256 training images held out
    at = quick_run(at, epochs=50)
    assert not at.exception
    run = the_run()  # its process and folder exist as soon as Start returns
    run_id = run.run_id
    assert f"**Starting: run `{run_id}`**" in page_text(at)
    wait_for(lambda: len(state(run_id).batches) >= 2)
    at.run()
    assert f"**Training: run `{run_id}`** (lesson recipe)" in page_text(at)  # on a CPU, the page proposes it
    assert state(run_id).config["limit"] == 256 and state(run_id).config["seed"] == 7
    assert state(run_id).config["validation"] == 25
    assert "Training on **the CPU (" in page_text(at) and "; Keras on tensorflow)**" in page_text(at)  # its device
    bar = at.get("progress")[0].proto
    assert bar.value > 0 and "Epoch 1 of 50" in bar.text
    assert len(at.get("plotly_chart")) == 1  # the live curves
    trainer = training_pid(run_path(run_id))
    told = dict(e.split("=", 1) for e in open(f"/proc/{trainer}/environ").read().split("\0") if "=" in e)
    assert 0 < time.time() - float(told["CNN_LAB_STARTED"]) < 600  # the run's clock starts at the click
    os.kill(trainer, signal.SIGSTOP)  # a loaded machine: the run is slow to reach its next batch
    try:
        at.button(key="train_stop").click().run()
        assert f"**Stop requested: stopping after this batch: run `{run_id}`**" in page_text(at)  # said at once
        assert at.button(key="train_stop").disabled
    finally:
        os.kill(trainer, signal.SIGCONT)
    wait_for(lambda: state(run_id).status == "stopped")
    at.run()
    assert f"**Stopped: run `{run_id}`**" in page_text(at)
    kept = len(state(run_id).history)  # the bar shows what was kept, not the epoch it stopped in
    assert at.get("progress")[0].proto.text == f"{kept} of 50 epochs finished and saved"
    table = runs_page().dataframe[0].value
    assert list(table["Run"]) == [run_id] and list(table["Status"]) == ["stopped"]


def test_two_sessions_watch_one_run_and_a_second_start_is_refused():
    first = quick_run(page(), epochs=50)
    run_id = the_run().run_id
    second = page()  # another tab, or another student's computer
    assert f"run `{run_id}`" in page_text(second)
    wait_for(lambda: state(run_id).batches)
    first.run(), second.run()
    assert "Epoch 1 of 50" in second.get("progress")[0].proto.text
    second = quick_run(second, epochs=1)  # tries to start its own run
    assert "A run is already training" in page_text(second) and run_id in page_text(second)
    assert [r.run_id for r in list_runs()] == [run_id]  # still the first run, untouched
    second.button(key="train_stop").click().run()  # either session can stop it
    wait_for(lambda: state(run_id).status == "stopped")
    first.run()
    assert f"**Stopped: run `{run_id}`**" in page_text(first)  # every viewer sees it, not just the one who clicked


def test_stopped_run_resumes_and_becomes_the_active_model():
    quick_run(page(), epochs=3)
    run_id = the_run().run_id
    wait_for(lambda: len(state(run_id).history) >= 1)
    launcher.stop(run_id)
    wait_for(lambda: state(run_id).status in ("stopped", "finished"))
    done = len(state(run_id).history)
    assert done < 3, "the run finished before it could be stopped"
    runs_view = runs_page()
    run = runs_view.selectbox(key="runs_resume_choice").value
    assert run.status == "stopped" and run.epochs_done == done
    runs_view.button(key="runs_resume").click().run()
    assert not runs_view.exception
    wait_for(lambda: state(run_id).status == "finished")
    assert [h.epoch for h in state(run_id).history] == [1, 2, 3]
    runs_view.run()
    model = str(run.path / "model.keras")
    runs_view.selectbox(key="runs_model_choice").set_value(model).run()
    assert runs_view.session_state["model_path"] == model
    assert not runs_view.exception


def test_a_run_killed_mid_epoch_shows_as_interrupted_and_resumes():
    at = quick_run(page(), epochs=50)
    run_id = the_run().run_id
    wait_for(lambda: len(state(run_id).history) >= 1 and state(run_id).batch >= 1)
    os.kill(training_pid(run_path(run_id)), signal.SIGKILL)  # out of memory, or a crash
    wait_for(lambda: state(run_id).status == "interrupted")
    done = len(state(run_id).history)
    at.run()
    assert not at.exception
    assert f"**Interrupted: run `{run_id}`**" in page_text(at)
    assert f"It can resume from its last finished epoch (epoch {done}), on the Runs page." in page_text(at)
    runs_view = runs_page()
    assert list(runs_view.dataframe[0].value["Status"]) == ["interrupted"]
    assert runs_view.selectbox(key="runs_resume_choice").value.run_id == run_id
    runs_view.button(key="runs_resume").click().run()
    wait_for(lambda: len(state(run_id).history) > done)  # it goes on from its last finished epoch
    assert [h.epoch for h in state(run_id).history][: done + 1] == list(range(1, done + 2))
    at.run()
    assert f"**Training: run `{run_id}`**" in page_text(at)


def test_a_failed_run_says_why_on_the_page_and_in_the_log(caplog):
    folder = run_path("20260101-000000-bad0")
    folder.mkdir(parents=True)
    (folder / "config.json").write_text(
        json.dumps({"train": {"epochs": 3, "preset": "fast"}, "data": "sample", "data_source": str(SAMPLE_PATH)})
    )
    (folder / "model.keras").write_bytes(b"not a model")
    launcher.start(resume=folder)  # the process starts, then fails on the broken checkpoint
    wait_for(lambda: state(folder.name).status == "failed" and not live_run(), what="the failure")
    at = page()
    assert f"**Failed: run `{folder.name}`**" in page_text(at)
    assert any("Training failed" in e.value for e in at.error)
    wait_for(lambda: "training run 20260101-000000-bad0 failed" in caplog.text, 30, "the log")
    assert "Traceback" in caplog.text


def test_a_run_whose_process_crashes_below_python_shows_as_failed_with_the_end_of_its_log(caplog):
    """An abort (XLA's fatal checks end a process so, as issue 29's stuck collectives did) gives Python no
    exception to record: the run is failed all the same, and says what its process printed last."""
    from cnn_lab.recipes import preset

    run_id = launcher.start(preset("fast", epochs=50, limit=256), data=str(SAMPLE_PATH))
    folder = run_path(run_id)
    wait_for(lambda: len(state(run_id).batches) >= 1, what="a batch")
    os.kill(training_pid(folder), signal.SIGABRT)
    wait_for(lambda: state(run_id).status == "failed", what="the failure")
    s = state(run_id)
    assert s.error == "the training process crashed (SIGABRT); the end of its log says why"
    last = (folder / "train.log").read_text().strip().splitlines()[-1]
    assert s.traceback.strip().endswith(last)
    at = page()
    assert any("the training process crashed (SIGABRT)" in e.value for e in at.error)
    assert last.strip() in "\n".join(c.value for c in at.code)  # the end of its log, on the page
    assert "crashed (SIGABRT)" in caplog.text
    assert list_runs()[0].status == "failed"  # resumable from its last finished epoch, like any failed run


def test_a_crash_says_its_fatal_line_and_leaves_out_the_stack_s_addresses():
    xla = textwrap.dedent("""\
        training on the first 2,000 of the full CIFAR-10's 50,000 training images
        E1205 07:45:36.340514    2959 rendezvous.cc:43]
        F1205 07:45:36.340517    2959 rendezvous.cc:161] [id=0] Termination timeout for `all reduce` of 40 s exceeded.
        *** Check failure stack trace: ***
            @     0x7f9e5fd40634  absl::lts_20260107::log_internal::LogMessage::SendToLog()
            @     0x7f9e5fd405b6  absl::lts_20260107::log_internal::LogMessage::Flush()
        """)
    report = launcher.crash_report("SIGABRT", xla)
    assert report["error"] == (
        "the training process crashed (SIGABRT): [id=0] Termination timeout for `all reduce` of 40 s exceeded."
    )
    assert report["traceback"].splitlines()[-1] == "*** Check failure stack trace: ***"
    assert "0x7f9e" not in report["traceback"]
    python = "Fatal Python error: Segmentation fault\n\nCurrent thread 0x01 (most recent call first):\n  File x.py"
    assert launcher.crash_report("SIGSEGV", python)["error"] == (
        "the training process crashed (SIGSEGV): Fatal Python error: Segmentation fault"
    )


def test_a_run_from_a_terminal_is_watched_and_can_be_stopped_but_not_started_twice():
    folder = run_path("20260101-000000-abcd")
    folder.mkdir(parents=True)
    (folder / "config.json").write_text(json.dumps({"train": {"epochs": 3, "preset": "fast"}, "data": "sample"}))
    (folder / "model.keras").write_bytes(b"")
    other = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])  # `cnn-lab train` elsewhere
    try:
        (folder / "status.json").write_text(
            json.dumps({"status": "running", "pid": other.pid, "host": socket.gethostname()})
        )
        assert list_runs()[0].status == "running"
        with pytest.raises(launcher.RunBusy, match="20260101-000000-abcd"):
            launcher.start(resume=folder)
        at = page()
        assert "**Training: run `20260101-000000-abcd`**" in page_text(at)
        assert not [s for s in runs_page().selectbox if s.key == "runs_resume_choice"]
        at.button(key="train_stop").click().run()
        assert (folder / "stop").is_file() and "Stop requested" in page_text(at)
    finally:
        other.kill()
        other.wait()
    assert list_runs()[0].status == "interrupted"  # its process is gone: resumable


STUCK = textwrap.dedent("""
    import signal, subprocess, sys, time
    signal.signal(signal.SIGTERM, signal.SIG_IGN)  # a step stuck in native code sees no request and no SIGTERM
    helper = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(600)"])  # a data-loading worker
    print(helper.pid, flush=True)
    time.sleep(600)
""")


def test_a_run_stuck_in_a_step_can_be_ended_from_the_page_and_resumes_from_its_last_epoch(tiny_model_path):
    folder = fake_run("20260101-000000-5700", status="running", model=tiny_model_path, epochs=5)
    stuck = subprocess.Popen([sys.executable, "-c", STUCK], stdout=subprocess.PIPE, text=True, start_new_session=True)
    try:
        helper = int(stuck.stdout.readline())
        (folder / "status.json").write_text(
            json.dumps({"status": "running", "pid": stuck.pid, "host": socket.gethostname()})
        )
        at = page()
        assert not [b for b in at.button if b.key == "train_force_stop"]  # not while it trains
        at.button(key="train_stop").click().run()
        assert "Stop requested" in page_text(at)
        assert not [b for b in at.button if b.key == "train_force_stop"]  # not before it had time to stop
        long_ago = time.time() - folders.STOP_GRACE_SECONDS - 5
        (folder / "stop").write_text(json.dumps({"requested": long_ago}))  # ...and it never did
        at.run()
        assert re.search(r"asked to stop 6\d s ago and has not stopped", page_text(at))
        at.button(key="train_force_stop").click().run()
        assert stuck.wait(timeout=30) == -signal.SIGKILL
        wait_for(lambda: not folders._alive(helper), 30, "the run's own child process to end")
        at.run()
        assert f"**Interrupted: run `{folder.name}`**" in page_text(at)
        assert runs_page().selectbox(key="runs_resume_choice").value.run_id == folder.name  # resumable
        assert at.get("progress")[0].proto.text == "1 of 5 epochs finished and saved"
    finally:
        stuck.kill()
        stuck.wait()


def test_a_student_cannot_end_a_run(tiny_model_path, monkeypatch):
    monkeypatch.setenv("CNN_LAB_TEACHER_TOKEN", "a-long-teacher-token")
    folder = fake_run("20260101-000000-5701", status="running", model=tiny_model_path, epochs=5)
    other = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"], start_new_session=True)
    try:
        (folder / "status.json").write_text(
            json.dumps({"status": "running", "pid": other.pid, "host": socket.gethostname()})
        )
        (folder / "stop").write_text(json.dumps({"requested": time.time() - folders.STOP_GRACE_SECONDS - 5}))
        at = page()
        assert at.button(key="train_force_stop").disabled
        assert launcher.force_stop("20260101-000000-5701") and other.wait(timeout=30) == -signal.SIGKILL
    finally:
        other.kill()
        other.wait()


def test_the_model_chooser_offers_a_live_runs_newest_checkpoint(tiny_model_path):
    folder = fake_run("20260101-000000-5702", status="running", model=tiny_model_path, epochs=5)
    other = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        (folder / "status.json").write_text(
            json.dumps({"status": "running", "pid": other.pid, "host": socket.gethostname()})
        )
        at = runs_page()
        assert (
            "Run 20260101-000000-5702 (fast, 1 epochs, 50.0 % after its last epoch, running)"
            in at.selectbox(key="runs_model_choice").options
        )
        history = [{"epoch": 1, "test_accuracy": 0.7}, {"epoch": 2, "test_accuracy": 0.6}]  # model.keras: epoch 2's
        # what the once-a-second watcher compares to rerun the whole page, model chooser included
        before = at.session_state["runs_seen"]
        assert before == folders.changes() and before[0][:2] == ("20260101-000000-5702", "running")
        (folder / "history.json").write_text(json.dumps(history))  # the run saved its next epoch
        assert folders.changes() != before  # the watcher sees it...
        at.run()
        assert at.session_state["runs_seen"] == folders.changes()  # ...and the page that reran shows it
        assert (
            "Run 20260101-000000-5702 (fast, 2 epochs, 60.0 % after its last epoch, running)"
            in at.selectbox(key="runs_model_choice").options
        )
        assert "**Run `20260101-000000-5702` is training now**: watch it live, or stop it" in page_text(at)
        option = str(folder / "model.keras")
        at.selectbox(key="runs_model_choice").set_value(option).run()
        assert at.session_state["model_path"] == option
    finally:
        other.kill()
        other.wait()


def test_training_on_the_sample_says_it_cannot_be_compared_with_the_test_set():
    at = page()
    at.radio(key="train_source").set_value("sample").run()
    assert any("cannot be compared with test-set figures" in c.value for c in at.caption)


SERVER = textwrap.dedent("""
    import sys, time
    from cnn_lab.runs import folders
    from cnn_lab.training import launcher
    from cnn_lab.settings import SAMPLE_PATH
    from cnn_lab.recipes import preset
    print(launcher.start(preset("fast", epochs=50, limit=256), data=str(SAMPLE_PATH)), flush=True)
    time.sleep(600)
""")


def test_killing_the_server_leaves_the_run_training_and_a_restarted_page_finds_and_stops_it():
    """The Train page's start() in a server process, then kill -9 of that server: its run trains on
    (a session of its own), and a new server's page shows it live and stops it."""
    server = subprocess.Popen(
        [sys.executable, "-c", SERVER],
        stdout=subprocess.PIPE,
        text=True,
        env=dict(os.environ, PYTHONPATH=str(ROOT / "dashboard")),
    )
    try:
        run_id = server.stdout.readline().strip()
        wait_for(lambda: state(run_id).batches)
    finally:
        server.kill()
        server.wait()
    seen = state(run_id).batches[-1].step
    wait_for(lambda: state(run_id).batches[-1].step > seen, 60, "training after the server died")
    at = page()  # a restarted server
    assert f"**Training: run `{run_id}`**" in page_text(at)
    at.button(key="train_stop").click().run()
    wait_for(lambda: state(run_id).status == "stopped")
    assert training_pid(run_path(run_id)) is None


def test_on_a_cpu_the_page_proposes_the_lesson_recipe_and_marks_the_moment_the_line_was_passed():
    at = page()
    assert at.selectbox(key="train_recipe").value == "lesson"  # this machine has no GPU
    assert at.number_input(key="train_epochs_lesson").value == PRESETS["lesson"].epochs
    folder = fake_run("20260101-000000-c0de", epochs=6)
    crossed = {"epoch": 4.5, "seconds": 161.2, "test_accuracy": 0.7861, "test_correct": 7861, "test_images": 10000}
    batches = [{"step": s, "epoch": s / 10, "loss": 1.0, "accuracy": 0.5} for s in range(1, 61)]
    checks = [{"epoch": 4.5, "test_accuracy": 0.79, "test_images": 2000, "seconds": 150.0}]
    (folder / "progress.json").write_text(json.dumps({"batches": batches, "checks": checks, "crossed": crossed}))
    at.run()
    said = "78.4 % passed after 2 min 41 s: 7,861 of 10,000 test images right (78.61 %), in epoch 5"
    assert any(said in s.value for s in at.success)
    [curves] = [f for f in figures(at) if any(t.get("name") == "training loss" for t in f["data"])]
    [star] = [t for t in curves["data"] if t.get("name", "").startswith("78.4 % passed")]
    assert list(star["x"]) == [4.5] and list(star["y"]) == [78.61] and star["text"] == ["passed after 2 min 41 s"]
    [within] = [t for t in curves["data"] if t.get("name", "").startswith("test accuracy (within epochs")]
    assert "first 2,000 test images" in within["name"]
    assert said in texts(at.caption)  # the curves' text alternative says it too


def test_while_a_lesson_run_trains_the_page_says_when_the_line_is_expected(tmp_path, monkeypatch):
    """The ETA to 78.4 %: the reference run of the same recipe passed it in epoch 3; this run is at epoch 2,
    batch 50 of 100, 1,280 images/s, batches of 128: 150 batches, 15 s."""
    from cnn_lab.runs import compare

    lesson = PRESETS["lesson"]
    reference = tmp_path / "reference" / "lesson"
    reference.mkdir(parents=True)
    (reference / "config.json").write_text(json.dumps({"train": lesson.to_dict()}))
    accuracies = [0.70, 0.77, 0.79, 0.82]
    (reference / "history.json").write_text(
        json.dumps([{"epoch": e + 1, "test_accuracy": a} for e, a in enumerate(accuracies)])
    )
    monkeypatch.setattr(compare, "REFERENCE_EXPERIMENTS", tmp_path / "reference")
    folder = run_path("20260101-000000-e7a0")
    folder.mkdir(parents=True)
    (folder / "config.json").write_text(
        json.dumps(
            {
                "train": {**lesson.to_dict(), "seed": 5},
                "data": "the full CIFAR-10: 50,000 training and 10,000 test images",
            }
        )
    )
    (folder / "history.json").write_text(json.dumps([{"epoch": 1, "test_accuracy": 0.7}]))
    progress = {"epoch": 1, "batch": 50, "batches_per_epoch": 100, "images_per_second": 1280.0, "batches": []}
    (folder / "progress.json").write_text(json.dumps(progress))
    other = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])  # its training process
    try:
        (folder / "status.json").write_text(
            json.dumps({"status": "running", "pid": other.pid, "host": socket.gethostname()})
        )
        at = page()
        assert any("78.4 % expected in about 15 s" in i.value and "passed it in epoch 3" in i.value for i in at.info)
    finally:
        other.kill()
        other.wait()


def test_the_learning_rate_can_follow_the_batch_size():
    """The larger-batch option (a GPU's): with scaling on, a batch twice the recipe's takes steps twice as big."""
    at = page()
    recipe = at.selectbox(key="train_recipe").value
    base = PRESETS[recipe]
    assert at.checkbox(key=f"train_scale_{recipe}").value is False  # on a CPU it is offered, not on
    at.select_slider(key=f"train_batch_{recipe}").set_value(2 * base.batch_size).run()
    assert not [c for c in at.caption if c.value.startswith("Learning rate used")]  # off: the rate as set
    at.checkbox(key=f"train_scale_{recipe}").check().run()
    used = f"Learning rate used: {2 * base.learning_rate:g} ({base.learning_rate:g} × {2 * base.batch_size} / "
    assert any(c.value.startswith(used) for c in at.caption), texts(at.caption)


def test_a_run_with_a_validation_set_is_chosen_by_it_not_by_the_test():
    folder = fake_run("20260101-000000-0a1d")
    history = [
        {"epoch": 1, "test_accuracy": 0.50, "validation_accuracy": 0.60, "validation_images": 80},
        {"epoch": 2, "test_accuracy": 0.62, "validation_accuracy": 0.55, "validation_images": 80},
    ]
    (folder / "history.json").write_text(json.dumps(history))
    (folder / "progress.json").write_text(
        json.dumps({"batches": [{"epoch": 2, "step": 8, "loss": 1, "accuracy": 0.6}]})
    )
    at = page()
    assert {m.label: m.value for m in at.metric}["Best so far on validation"] == "60.00 %"
    said = "\n".join(i.value for i in at.info)
    assert "Chosen by validation: epoch 1, whose test accuracy is 50.00 %" in said
    assert "epoch 2 would look best (62.00 %), 12.00 points more, only because the test chose it" in said
    curves = figures(at)[0]["data"]
    [validated] = [t for t in curves if t["name"].startswith("validation")]
    assert validated["name"] == "validation accuracy (80 held-out training images)"
    assert validated["y"] == pytest.approx([60, 55])


def test_the_runs_page_opens_without_tensorflow():
    """Choosing, naming or deleting a run needs no Keras: it is imported only once a model is opened."""
    code = (
        "import sys\n"
        f"sys.path.insert(0, {str(ROOT / 'dashboard')!r})\n"
        "from streamlit.testing.v1 import AppTest\n"
        f"at = AppTest.from_file({str(ROOT / 'dashboard' / 'views' / 'runs.py')!r}, default_timeout=60).run()\n"
        "assert not at.exception and at.selectbox(key='runs_model_choice'), 'the page did not draw'\n"
        "print(sorted(m for m in ('tensorflow', 'keras', 'jax') if m in sys.modules))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip().splitlines()[-1] == "[]"
