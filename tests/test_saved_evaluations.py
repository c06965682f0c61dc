"""Evaluations kept on disk (cnn_lab.network.evaluation.SAVED), keyed by the hashes of the model file and
the test set: a restarted lab finds them, a changed file or test set is evaluated afresh, a damaged
file is ignored, and a training run leaves its checkpoint's evaluation there."""

import dataclasses
import json
import shutil

import numpy as np
import pytest
from conftest import run

from cnn_lab.network import evaluation
from cnn_lab.network.data import load_cifar10
from cnn_lab.network.evaluation import SAVED, EvaluationJob
from cnn_lab.network.model import CNNConfig, build_cnn, classifier, load_classifier, predict
from cnn_lab.runs.folders import runs_dir


def evaluated(model, data) -> EvaluationJob:
    job = EvaluationJob()
    assert job.wait(job.start(model, data), 120)["status"] == "done"
    return job


def test_a_restarted_lab_finds_the_evaluation_and_a_change_is_evaluated_afresh(tiny_model_path, tmp_path):
    data = load_cifar10()
    model = tmp_path / "m.keras"
    shutil.copy(tiny_model_path, model)
    first = evaluated(model, data).find(model, data)
    [kept] = (runs_dir() / "evaluations").glob("*.npz")
    assert kept == SAVED.path(model, data)

    restarted = EvaluationJob()  # a new server: nothing in memory
    found = restarted.find(model, data)
    assert found is not None and restarted.status(restarted.key(model, data))["status"] == "done"
    np.testing.assert_array_equal(found.probabilities, first.probabilities)
    np.testing.assert_allclose(found.probabilities, predict(load_classifier(model), data.x_test), atol=1e-6)
    shutil.copy(model, tmp_path / "copy.keras")  # the same bytes elsewhere: the same evaluation
    assert EvaluationJob().find(tmp_path / "copy.keras", data) is not None

    other = tmp_path / "other.keras"
    classifier(build_cnn(CNNConfig(filters=(4, 8, 8), dense=(16, 16)))).save(other)  # another model
    assert EvaluationJob().find(other, data) is None
    relabelled = dataclasses.replace(data, y_test=(data.y_test + 1) % 10)  # another test set
    assert EvaluationJob().find(model, relabelled) is None

    kept.write_bytes(b"not an npz")  # damaged: ignored, evaluated again, and saved whole again
    assert EvaluationJob().find(model, data) is None
    again = evaluated(model, data).find(model, data)
    np.testing.assert_array_equal(again.probabilities, first.probabilities)
    assert EvaluationJob().find(model, data) is not None


def test_a_saved_file_of_another_test_set_is_not_used(tiny_model_path):
    data = load_cifar10()
    evaluated(tiny_model_path, data)
    path = SAVED.path(tiny_model_path, data)
    with np.load(path) as saved:
        probabilities = saved["probabilities"]
    np.savez(path, probabilities=probabilities, labels=(data.y_test + 1) % 10)  # labels that are not these
    assert SAVED.load(tiny_model_path, data) is None
    np.savez(path, probabilities=probabilities[:10], labels=data.y_test)  # the wrong size
    assert SAVED.load(tiny_model_path, data) is None


def test_the_results_page_of_a_restarted_lab_opens_at_once(tiny_model_path, monkeypatch):
    data = load_cifar10()
    evaluated(tiny_model_path, data)
    monkeypatch.setattr(evaluation, "EVALUATIONS", EvaluationJob())  # restarted: memory empty
    at = run("results.py", tiny_model_path)
    assert not at.exception and not at.get("progress")  # no "Testing ... on 200 test images"
    found = evaluation.EVALUATIONS.result(evaluation.EVALUATIONS.key(tiny_model_path, data))
    assert f"{found.correct} / 200 (" in "\n".join(m.value for m in at.markdown)


def test_a_training_run_keeps_its_checkpoints_evaluation():
    from cnn_lab.recipes import preset
    from cnn_lab.training.loop import train

    folder = runs_dir() / "20250101-000000-e001"
    assert train(preset("fast", epochs=2, limit=64), None, folder) == "finished"
    data = load_cifar10()
    kept = SAVED.load(folder / "model.keras", data)  # the last checkpoint's, as the run tested it
    assert kept is not None
    reference = predict(load_classifier(folder / "model.keras"), data.x_test)
    np.testing.assert_allclose(kept.probabilities, reference, atol=1e-5)
    assert kept.correct == json.loads((folder / "history.json").read_text())[-1]["test_correct"]
    assert len(list((runs_dir() / "evaluations").glob("*.npz"))) == 1  # the first epoch's was replaced


@pytest.mark.parametrize("bad", [b"", b"PK\x03\x04 not a zip"])
def test_a_damaged_file_never_breaks_a_page(tiny_model_path, bad):
    data = load_cifar10()
    path = SAVED.path(tiny_model_path, data)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(bad)
    assert SAVED.load(tiny_model_path, data) is None
