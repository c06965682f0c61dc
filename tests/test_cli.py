"""The cnn-lab command: real runs on the bundled sample, and one-line errors for bad input."""

import json
import os
import subprocess
import sys

import pytest


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


def test_train_then_resume_from_the_command_line(tmp_path):
    run = tmp_path / "runs" / "20250101-000000-beef"
    out = cnn_lab("train", "--preset", "fast", "--epochs", "1", "--limit", "64", "--run-dir", run)
    assert out.returncode == 0, out.stderr
    assert "bundled sample" in out.stdout and "epoch   1:" in out.stdout and "finished" in out.stdout
    assert (run / "model.keras").is_file()
    again = cnn_lab("train", "--resume", "--run-dir", run)
    assert again.returncode == 0, again.stderr
    assert "finished after 1 of 1 epochs" in again.stdout
