"""The cnn-lab command: real runs on the bundled sample, and one-line errors for bad input."""

import json
import os
import signal
import subprocess
import sys

import numpy as np
import pytest

pytestmark = pytest.mark.core  # run under TensorFlow and again under JAX (tests/test_backends.py)


def cnn_lab(*args, timeout=300):
    return subprocess.run(
        [sys.executable, "-m", "cnn_lab", *map(str, args)],
        capture_output=True,
        text=True,
        timeout=timeout,
        env=dict(os.environ),
    )


def _one_line_error(result):
    assert result.returncode == 2
    lines = [
        line
        for line in result.stderr.splitlines()
        if line.strip() and "oneDNN" not in line and not line.startswith(("I0000", "WARNING: All log"))
    ]
    assert len(lines) == 1 and lines[0].startswith("cnn-lab: error:"), result.stderr
    assert "Traceback" not in result.stderr
    return lines[0]


@pytest.mark.parametrize(
    "args, says",
    [
        (["train", "--epochs", "0"], "not a positive number"),
        (["train", "--epochs", "many"], "not a whole number"),
        (["train", "--preset", "huge"], "invalid choice"),
        (["train", "--bogus"], "unrecognized arguments"),
        (["frobnicate"], "invalid choice"),
        (["evaluate"], "required"),
        (["evaluate", "--model", "no/such.keras"], "no such file"),
        (["train", "--data", "no/such/folder", "--limit", "8"], "no such file or folder"),
        (["data", "--data", "no/such/folder"], "no such file or folder"),
    ],
)
def test_bad_arguments_give_one_line_and_exit_2(args, says):
    assert says in _one_line_error(cnn_lab(*args))


def test_a_model_file_that_is_not_a_model(tmp_path):
    fake = tmp_path / "fake.keras"
    fake.write_text("this is not a model")
    assert "not a model CNN Lab can use" in _one_line_error(cnn_lab("evaluate", "--model", fake))


def test_corrupt_data_is_one_line(tmp_path):
    bad = tmp_path / "cifar-10-python.tar.gz"
    bad.write_bytes(b"\x1f\x8b" + os.urandom(300))
    assert "cifar-10-python.tar.gz" in _one_line_error(cnn_lab("data", "--data", bad))


def test_evaluate_prints_the_articles_format_and_json(tiny_model_path):
    text = cnn_lab("evaluate", "--model", tiny_model_path)
    assert text.returncode == 0, text.stderr
    assert "bundled sample" in text.stdout
    assert "accuracy: " in text.stdout and "/200 (" in text.stdout and "airplane" in text.stdout
    out = cnn_lab("evaluate", "--model", tiny_model_path, "--json")
    result = json.loads(out.stdout.strip().splitlines()[-1])
    assert result["total"] == 200 and 0 <= result["correct"] <= 200
    assert result["accuracy"] == pytest.approx(result["correct"] / 200)
    assert set(result["per_class"]) == {
        "airplane",
        "automobile",
        "bird",
        "cat",
        "deer",
        "dog",
        "frog",
        "horse",
        "ship",
        "truck",
    }


def test_train_then_resume_and_extend_from_the_command_line(tmp_path):
    run = tmp_path / "runs" / "20250101-000000-beef"
    out = cnn_lab("train", "--preset", "article", "--epochs", "1", "--limit", "64", "--run-dir", run)
    assert out.returncode == 0, out.stderr
    assert "bundled sample" in out.stdout and "epoch   1:" in out.stdout and "finished" in out.stdout
    backend = os.environ.get("KERAS_BACKEND", "tensorflow")
    assert "building the network on the CPU (" in out.stdout and f"; Keras on {backend})" in out.stdout  # its device
    assert (run / "model.keras").is_file()
    again = cnn_lab("train", "--resume", "--run-dir", run)
    assert again.returncode == 0, again.stderr
    assert "finished after 1 of 1 epochs" in again.stdout
    longer = cnn_lab("train", "--resume", "--epochs", "2", "--run-dir", run)  # the article's constant rate goes on
    assert longer.returncode == 0, longer.stderr
    assert "finished after 2 of 2 epochs" in longer.stdout and [h["epoch"] for h in _history(run)] == [1, 2]
    with np.load(run / "optimizer.npz") as saved:
        assert int(saved["iteration"]) == 2  # one step of 64 images per epoch, counted on from the checkpoint


def test_a_run_planned_in_its_folder_trains_what_its_config_says(tmp_path):
    """The Train page writes a new run's config.json and starts `cnn-lab train --run-dir DIR`: the command trains
    that config, not a preset's, and refuses a flag that would quietly change it."""
    from cnn_lab.settings import SAMPLE_PATH
    from cnn_lab.recipes import TrainConfig, preset
    from cnn_lab.training.loop import plan, planned

    run = tmp_path / "runs" / "20250101-000000-9a1d"
    run.mkdir(parents=True)
    config = preset("lesson", epochs=1, limit=64, seed=3)
    plan(run, config, str(SAMPLE_PATH))
    said = _one_line_error(cnn_lab("train", "--seed", "4", "--run-dir", run))
    assert "already plans its run: --seed cannot change it" in said
    out = cnn_lab("train", "--run-dir", run)
    assert out.returncode == 0, out.stderr
    assert "finished after 1 of 1 epochs" in out.stdout
    saved = json.loads((run / "config.json").read_text())
    assert TrainConfig.from_dict(saved["train"]) == config and saved["data_source"] == str(SAMPLE_PATH)
    assert "bundled sample" in saved["data"] and not planned(run)  # it started: no longer only planned


def _history(run):
    return json.loads((run / "history.json").read_text())


@pytest.mark.one_backend  # the command line's rules, the same on every backend; and it trains 5 times
def test_resume_with_epochs_extends_a_run_and_no_flag_is_ignored(tmp_path):
    from cnn_lab.runs.folders import runs_dir

    article = runs_dir() / "20250101-000000-a001"
    out = cnn_lab("train", "--preset", "article", "--epochs", "1", "--limit", "64", "--run-dir", article)
    assert out.returncode == 0, out.stderr
    longer = cnn_lab("train", "--resume", "--epochs", "3", "--run-dir", article)  # a constant rate goes on
    assert longer.returncode == 0, longer.stderr
    assert "finished after 3 of 3 epochs" in longer.stdout
    assert [h["epoch"] for h in _history(article)] == [1, 2, 3]  # no gap, no repeat
    assert json.loads((article / "config.json").read_text())["train"]["epochs"] == 3
    with np.load(article / "optimizer.npz") as saved:
        assert int(saved["iteration"]) == 3  # one step of 64 images per epoch, counted on, not restarted

    fast = runs_dir() / "20250101-000000-f001"
    assert cnn_lab("train", "--preset", "fast", "--epochs", "1", "--limit", "64", "--run-dir", fast).returncode == 0
    said = _one_line_error(cnn_lab("train", "--resume", "--epochs", "2", "--run-dir", fast))
    assert "cosine schedule planned for 1 epochs" in said and "new run with --epochs 2" in said
    assert _one_line_error(cnn_lab("train", "--resume", "--epochs", "2", "--run-dir", article)).endswith(
        "has already trained 3 epochs: --epochs 2 would undo them"
    )
    for flag, value in [("--batch-size", "32"), ("--learning-rate", "0.01"), ("--preset", "fast"), ("--limit", "8")]:
        said = _one_line_error(cnn_lab("train", "--resume", flag, value, "--run-dir", article))
        assert f"so {flag} cannot change them" in said
    assert [h["epoch"] for h in _history(fast)] == [1] and len(_history(article)) == 3  # refusals wrote nothing

    listed = cnn_lab("runs")
    assert listed.returncode == 0, listed.stderr
    assert listed.stdout.index("20250101-000000-f001") < listed.stdout.index("20250101-000000-a001")  # newest first
    assert "3 of 3   epochs" in listed.stdout
    assert [r["run_id"] for r in json.loads(cnn_lab("runs", "--json").stdout)] == [fast.name, article.name]

    table = cnn_lab("compare", article.name, fast)
    assert table.returncode == 0, table.stderr
    correct = _history(article)[-1]["test_correct"]
    assert f"{correct:,}/200" in table.stdout and "learning_rate" in table.stdout
    report = json.loads(cnn_lab("compare", article.name, fast.name, "--json").stdout)
    article_config = json.loads((article / "config.json").read_text())["train"]
    fast_config = json.loads((fast / "config.json").read_text())["train"]
    from cnn_lab.runs.compare import flatten

    a, f = flatten(article_config), flatten(fast_config)
    assert set(report["differences"]) == {name for name in a if a[name] != f[name]}
    assert report["runs"][0]["test_accuracy"] == _history(article)[-1]["test_accuracy"] == correct / 200
    assert "no such run" in _one_line_error(cnn_lab("compare", article.name, "20990101-000000-0000"))


@pytest.mark.one_backend  # the terminal's signal handling, the same on every backend
def test_a_kill_from_another_process_stops_the_run_after_its_batch(tmp_path):
    """`kill` sends SIGTERM: the same request as Ctrl-C and the Train page's Stop button. The run stops
    after its batch, keeps its last finished epoch and says it stopped (a kill while in model.fit too)."""
    from conftest import wait_for

    from cnn_lab.runs import folders

    run = tmp_path / "runs" / "20250101-000000-5e9d"
    child = subprocess.Popen(
        [sys.executable, "-m", "cnn_lab", "train", "--preset", "lesson", "--epochs", "50", "--limit", "400"]
        + ["--run-dir", str(run)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env=dict(os.environ),
    )
    try:
        wait_for(lambda: (run / "history.json").is_file() and folders.snapshot(run).batches, 180, "a trained epoch")
        child.send_signal(signal.SIGTERM)
        out, _ = child.communicate(timeout=120)
    finally:
        child.kill()
    assert child.returncode == 0, out
    assert "stopping after this batch" in out and f"stopped: {run}" in out
    assert folders.snapshot(run).status == "stopped"
    assert 1 <= len(_history(run)) < 50
