"""The Train page drives the shared background job: start, watch, stop, resume, and pick a model."""

import time

import pytest
from streamlit.testing.v1 import AppTest

from cnn_lab.training import JOB

PAGE = "../dashboard/views/train.py"


def page() -> AppTest:
    return AppTest.from_file(PAGE, default_timeout=120).run()


def quick_run(at: AppTest, epochs: int) -> AppTest:
    """Set the page up for a run of a few seconds: the bundled sample, 256 images, `epochs` epochs."""
    at.radio(key="train_source").set_value("sample")
    at.selectbox(key="train_limit").set_value(256)
    at.number_input(key="train_epochs_fast").set_value(epochs)
    return at.button[0].click().run()  # "Start training"


def until(condition, timeout=90.0):
    deadline = time.time() + timeout
    while not condition():
        assert time.time() < deadline, "the run did not get there in time"
        time.sleep(0.02)


def texts(at: AppTest) -> str:
    return "\n".join([m.value for m in at.markdown] + [m.value for m in at.warning] + [m.value for m in at.info])


def test_start_progress_stop():
    at = page()
    assert not at.exception
    assert "Nothing is training right now" in texts(at)
    at = quick_run(at, epochs=50)
    assert not at.exception
    run_id = JOB.snapshot()["run_id"]
    assert JOB.running and JOB.snapshot()["config"]["limit"] == 256
    until(lambda: len(JOB.snapshot()["batches"]) >= 2)
    at.run()
    assert f"run `{run_id}`" in texts(at)
    bar = at.get("progress")[0].proto
    assert bar.value > 0 and "Epoch 1 of 50" in bar.text
    assert len(at.get("plotly_chart")) == 1  # the live curves
    stop = next(b for b in at.button if b.label == "Stop")
    stop.click().run()
    assert JOB.wait(120)["status"] == "stopped"
    at.run()
    assert f"**Stopped: run `{run_id}`**" in texts(at)
    table = at.dataframe[0].value
    assert list(table["Run"]) == [run_id] and list(table["Status"]) == ["stopped"]


def test_two_sessions_watch_one_job_and_a_second_start_is_refused():
    first = quick_run(page(), epochs=50)
    run_id = JOB.snapshot()["run_id"]
    second = page()  # another tab, or another student's computer
    assert f"run `{run_id}`" in texts(second)
    until(lambda: len(JOB.snapshot()["batches"]) >= 1)
    first.run(), second.run()
    assert "Epoch 1 of 50" in second.get("progress")[0].proto.text
    second = quick_run(second, epochs=1)  # tries to start its own run
    assert "A run is already training" in texts(second) and run_id in texts(second)
    assert JOB.snapshot()["run_id"] == run_id  # still the first run, untouched
    next(b for b in second.button if b.label == "Stop").click().run()  # either session can stop it
    assert JOB.wait(120)["status"] == "stopped"


def test_stopped_run_resumes_and_becomes_the_active_model():
    at = quick_run(page(), epochs=3)
    until(lambda: len(JOB.snapshot()["history"]) >= 1)
    JOB.stop()
    done = len(JOB.wait(120)["history"])
    assert done < 3, "the run finished before it could be stopped"
    at.run()
    choice = at.selectbox(key="train_resume_choice")
    run = choice.value
    assert run["status"] == "stopped" and run["epochs_done"] == done
    next(b for b in at.button if b.label == "Resume it").click().run()
    assert JOB.wait(120)["status"] == "finished"
    assert [h["epoch"] for h in JOB.snapshot()["history"]] == [1, 2, 3]
    at.run()
    model = str(run["path"] / "model.keras")
    at.selectbox(key="train_model_choice").set_value(model).run()
    assert at.session_state["model_path"] == model
    assert not at.exception


def test_a_run_training_in_another_process_is_neither_interrupted_nor_resumable(tmp_path):
    import json
    import socket
    import subprocess
    import sys

    from cnn_lab.training import JobBusy, list_runs, run_path

    folder = run_path("20260101-000000-abcd")
    folder.mkdir(parents=True)
    (folder / "config.json").write_text(json.dumps({"train": {"epochs": 3, "preset": "fast"}, "data": "sample"}))
    (folder / "model.keras").write_bytes(b"")
    other = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])  # `cnn-lab train` elsewhere
    try:
        (folder / "status.json").write_text(json.dumps({"status": "running", "pid": other.pid,
                                                        "host": socket.gethostname()}))
        assert list_runs()[0]["status"] == "running elsewhere"
        with pytest.raises(JobBusy, match="another process"):
            JOB.start(resume=True, run_dir=folder)
        at = page()
        assert "running elsewhere" in list(at.dataframe[0].value["Status"])
        assert not [s for s in at.selectbox if s.key == "train_resume_choice"]
    finally:
        other.kill()
        other.wait()
    assert list_runs()[0]["status"] == "interrupted"  # its process is gone: resumable


def test_training_on_the_sample_says_it_cannot_be_compared_with_the_test_set():
    at = page()
    at.radio(key="train_source").set_value("sample").run()
    assert any("cannot be compared with test-set figures" in c.value for c in at.caption)
