"""Results pages: the accuracy panel, the confusion matrix and the mistakes gallery, checked against
NumPy references on hand-made predictions; and the shared background evaluation behind them."""

import json
import os
import re
import subprocess
import sys
import threading
import time

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from conftest import ROOT, captions, figures, run
from cnn_lab.network.data import load_cifar10
from cnn_lab.network.evaluation import EVALUATIONS, Evaluation, EvaluationJob
from cnn_lab.network.model import load_classifier
from cnn_lab.network.model import predict


@pytest.fixture
def made_up(tiny_model_path):
    """A hand-made Evaluation of the tiny model on the test set the pages use: random but confident
    predictions, about half of them right, stored as if the background job had computed it."""
    data = load_cifar10()
    rng = np.random.default_rng(4)
    labels = data.y_test
    said = np.where(rng.random(len(labels)) < 0.5, labels, rng.integers(0, 10, len(labels)))
    probabilities = rng.dirichlet(np.full(10, 0.3), len(labels)).astype("float32")
    probabilities[np.arange(len(labels)), said] += 1.0  # the predicted class is the top one
    probabilities /= probabilities.sum(1, keepdims=True)
    made = Evaluation(probabilities, labels)
    assert np.array_equal(made.predictions, said)
    EVALUATIONS.store(EVALUATIONS.key(tiny_model_path, data), made)
    return made


def shown_indices(at: AppTest) -> list[int]:
    return [int(re.match(r"#(\d+):", c).group(1)) for c in captions(at)]


def test_accuracy_panel_as_the_article_writes_it(made_up, tiny_model_path):
    at = run("results.py", tiny_model_path)
    assert not at.exception
    correct = int((made_up.predictions == made_up.labels).sum())
    page = "\n".join(m.value for m in at.markdown)
    assert f"{correct} / 200 ({100 * correct / 200:.2f} %)" in page
    assert any("bundled sample" in i.value for i in at.info)  # the sample is said plainly
    bars = figures(at)[0]["data"][0]
    for c, name in enumerate(made_up.class_names):
        of_class = made_up.labels == c
        assert bars["y"][c] == name
        assert bars["x"][c] == pytest.approx(100 * np.mean(made_up.predictions[of_class] == c))


def test_confusion_counts_equal_a_numpy_reference(made_up, tiny_model_path):
    reference, _, _ = np.histogram2d(made_up.labels, made_up.predictions, bins=10, range=[[0, 10], [0, 10]])
    at = run("confusion.py", tiny_model_path)
    assert not at.exception
    fig = figures(at)[0]
    names = list(made_up.class_names)
    written = np.full((10, 10), -1)
    for note in fig["layout"]["annotations"]:  # the count written in each cell
        written[names.index(note["y"]), names.index(note["x"])] = int(note["text"])
    assert np.array_equal(written, reference)
    cells = fig["data"][0]
    off_diagonal = ~np.eye(10, dtype=bool)  # coloured by mistakes only, at first
    assert np.array_equal(np.array(cells["z"], dtype=float)[off_diagonal], reference[off_diagonal])
    at.toggle(key="cm_mistakes_only").set_value(False).run()
    assert np.array_equal(np.array(figures(at)[0]["data"][0]["z"], dtype=float), reference)


def test_a_confusion_cell_shows_exactly_its_images(made_up, tiny_model_path):
    at = run("confusion.py", tiny_model_path)
    # At first the most confused pair is open.
    off = made_up.confusion().copy()
    np.fill_diagonal(off, -1)
    true, pred = np.unravel_index(off.argmax(), off.shape)
    assert (at.selectbox(key="cm_true").value, at.selectbox(key="cm_pred").value) == (true, pred)
    for true, pred in [(3, 5), (1, 1), (8, 0)]:
        at.selectbox(key="cm_true").set_value(true)
        at.selectbox(key="cm_pred").set_value(pred).run()
        expected = np.flatnonzero((made_up.labels == true) & (made_up.predictions == pred))
        shown = shown_indices(at)
        assert sorted(shown) == sorted(expected)
        confidence = made_up.probabilities[shown, pred]
        assert np.all(np.diff(confidence) <= 0)  # surest first
        for i, caption in zip(shown, captions(at)):
            assert caption.endswith(f"{100 * made_up.probabilities[i, pred]:.0f} % {made_up.class_names[pred]}")
        shape = figures(at)[0]["layout"]["shapes"][0]  # the open cell is outlined on the chart
        assert (shape["x0"] + 0.5, shape["y0"] + 0.5) == (pred, true)


def test_the_gallery_lists_exactly_the_models_errors(made_up, tiny_model_path):
    at = run("mistakes.py", tiny_model_path)
    assert not at.exception
    wrong = np.flatnonzero(made_up.predictions != made_up.labels)
    pages = int(at.number_input(key="mistakes_page_None_None").max)
    seen = []
    for page in range(1, pages + 1):
        at.number_input(key="mistakes_page_None_None").set_value(page).run()
        seen += shown_indices(at)
    assert sorted(seen) == sorted(wrong) and len(seen) == len(set(seen))
    surest = made_up.probabilities[seen].max(1)
    assert np.all(np.diff(surest) <= 0)  # most confident mistakes first
    # Filtered by true and predicted class.
    at.selectbox(key="mistakes_true").set_value(3)
    at.selectbox(key="mistakes_pred").set_value(None).run()
    assert sorted(shown_indices(at)) == sorted(np.flatnonzero((made_up.labels == 3) & (made_up.predictions != 3)))
    at.selectbox(key="mistakes_pred").set_value(5).run()
    assert sorted(shown_indices(at)) == sorted(np.flatnonzero((made_up.labels == 3) & (made_up.predictions == 5)))
    # Each card: its true and predicted label, and the top 3 confidences, the largest first.
    at.selectbox(key="mistakes_true").set_value(None)
    at.selectbox(key="mistakes_pred").set_value(None).run()
    first = shown_indices(at)[0]
    assert first == wrong[np.argmax(made_up.probabilities[wrong].max(1))]
    names = made_up.class_names
    assert captions(at)[0] == (
        f"#{first}: really {names[made_up.labels[first]]}, the network said {names[made_up.predictions[first]]}"
    )
    bars = [p.proto.text for p in at.get("progress")][:3]
    top = np.argsort(-made_up.probabilities[first])[:3]
    assert [b.split(":")[0].replace(" (true)", "") for b in bars] == [names[c] for c in top]
    assert bars[0].endswith(f"{100 * made_up.probabilities[first, top[0]]:.1f} %")


def test_pages_say_so_when_the_model_file_is_missing(tmp_path):
    for page in ("results.py", "confusion.py", "mistakes.py"):
        at = run(page, tmp_path / "gone.keras")
        assert not at.exception
        assert any("is gone" in w.value and "Runs page" in w.value for w in at.warning)


def test_results_page_evaluates_in_the_background_once(tiny_model_path, tmp_path):
    model = tmp_path / "fresh.keras"
    model.write_bytes(tiny_model_path.read_bytes())
    at = run("results.py", model)
    assert not at.exception
    key = EVALUATIONS.key(model, load_cifar10())
    assert EVALUATIONS.wait(key, 60)["status"] == "done"
    at.run()
    found = EVALUATIONS.result(key)
    assert f"{found.correct} / 200 (" in "\n".join(m.value for m in at.markdown)
    at.run()  # an unrelated rerun reads the same result, never recomputes it
    assert EVALUATIONS.result(key) is found


def test_evaluation_job_matches_predict_and_is_cached_per_file_version(tiny_model_path, tmp_path):
    data = load_cifar10()
    model = tmp_path / "m.keras"
    model.write_bytes(tiny_model_path.read_bytes())
    job = EvaluationJob()
    key = job.start(model, data)
    assert job.wait(key, 60)["status"] == "done"
    found = job.result(key)
    expected = predict(load_classifier(model), data.x_test)
    np.testing.assert_allclose(found.probabilities, expected, atol=1e-6)
    assert np.array_equal(found.labels, data.y_test)
    assert job.start(model, data) == key and job.result(key) is found  # computed once
    os.utime(model, ns=(0, 10**18))  # a new version of the file is a new evaluation
    assert job.key(model, data) != key and job.result(job.key(model, data)) is None


def test_evaluation_job_stops_and_reports_a_broken_file(tiny_model_path, tmp_path, caplog):
    data = load_cifar10()
    job = EvaluationJob()
    busy = threading.Event()
    job._pool.submit(busy.wait)  # another evaluation holds the one thread: this one waits in the queue
    key = job.start(tiny_model_path, data)
    assert job.status(key)["status"] == "queued"
    job.stop(key)
    busy.set()
    assert job.wait(key, 60)["status"] == "stopped" and job.result(key) is None
    broken = tmp_path / "broken.keras"
    broken.write_bytes(b"not a model")
    with caplog.at_level("ERROR", logger="cnn_lab.network.jobs"):
        state = job.wait(job.start(broken, data), 60)
    assert state["status"] == "failed" and state["error"]
    (record,) = [r for r in caplog.records if r.name == "cnn_lab.network.jobs"]  # in the server's log,
    assert str(broken) in record.getMessage() and record.exc_info  # with its traceback


def test_a_server_with_evaluations_under_way_exits_at_once(tmp_path):
    """Stopping the lab does not wait for its evaluations: the running one stops after its chunk, the
    queued one never starts (a model that would take a minute stands in for a real one)."""
    code = f"""
import sys, time, types
sys.path.insert(0, {str(ROOT / "dashboard")!r})
slow = sys.modules["cnn_lab.network.model"] = types.ModuleType("cnn_lab.network.model")
slow.load_classifier = lambda path: None
def predict(model, images, should_stop, on_progress, **options):
    for chunk in range(600):
        if should_stop():
            return None
        time.sleep(0.1)
slow.predict = predict
from cnn_lab.network.evaluation import EvaluationJob
class Data:
    source, x_test, y_test, class_names = "made up", [0] * 10, [0] * 10, tuple("abcdefghij")
job = EvaluationJob()
first, second = job.start(sys.argv[1], Data()), job.start(sys.argv[2], Data())
while job.status(first)["status"] != "running":
    time.sleep(0.01)
print(job.status(first)["status"], job.status(second)["status"])
"""
    for name in ("a.keras", "b.keras"):
        (tmp_path / name).write_text(name)
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-c", code, str(tmp_path / "a.keras"), str(tmp_path / "b.keras")],
        capture_output=True,
        text=True,
        timeout=50,
    )
    assert done.stdout.split() == ["running", "queued"], done.stderr
    assert time.perf_counter() - started < 20  # not the 60 s of the running evaluation, nor 120 s with the queued one


def test_the_easiest_and_hardest_classes_as_numpy_finds_them():
    labels = np.repeat(np.arange(10), 10)
    said = labels.copy()
    for c, wrong in enumerate([3, 0, 5, 9, 0, 5, 1, 2, 9, 4]):  # class 0 loses 3 images, class 3 loses 9, ...
        said[10 * c : 10 * c + wrong] = (c + 1) % 10
    made = Evaluation(np.eye(10, dtype="float32")[said], labels)
    accuracy = np.array([np.mean(said[labels == c] == c) for c in range(10)])  # the reference
    names = made.class_names
    assert made.easiest_and_hardest() == (names[int(np.argmax(accuracy))], names[int(np.argmin(accuracy))])
    assert made.easiest_and_hardest() == ("automobile", "cat")  # ties: the first class (automobile and deer)
    without_cats = Evaluation(made.probabilities[labels != 3], labels[labels != 3])
    assert without_cats.easiest_and_hardest() == ("automobile", "ship")  # a class with no test images is neither


def test_per_class_counts_most_confused_pair_and_top_classes():
    probabilities = np.eye(10, dtype="float32")[[0, 0, 1, 3, 3, 3, 5]] * 0.7 + 0.03
    labels = np.array([0, 1, 1, 5, 5, 3, 5])  # two 5s called 3, one 1 called 0
    made = Evaluation(probabilities, labels)
    right, seen = made.per_class_counts()
    assert right.tolist() == [1, 1, 0, 1, 0, 1, 0, 0, 0, 0] and seen.tolist() == [1, 2, 0, 1, 0, 3, 0, 0, 0, 0]
    assert made.per_class()["dog"] == pytest.approx(1 / 3)
    assert made.most_confused() == (5, 3)
    assert made.top_classes(6, 3)[0] == 5 and len(made.top_classes(6, 3)) == 3


def test_the_model_card_gives_the_shipped_result(tmp_path):
    from cnn_lab.settings import PROJECT_ROOT
    from cnn_lab.runs.model_card import reported_result

    assert re.fullmatch(r"\d+/10000 \(\d+\.\d\d%\)", reported_result(PROJECT_ROOT / "assets/models/default.keras"))
    (tmp_path / "bad.json").write_text("[1, 2")
    assert reported_result(tmp_path / "bad.keras") is None and reported_result(tmp_path / "none.keras") is None


def _model_with(tmp_path, tiny_model_path, made_up, name, about):
    """A copy of the tiny model with what is known about it: a card (<name>.json) or, for a run's
    model.keras, the run's config.json; evaluated as `made_up`."""
    import shutil

    path = tmp_path / name
    path.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(tiny_model_path, path)
    card = path.parent / "config.json" if path.name == "model.keras" else path.with_suffix(".json")
    card.write_text(json.dumps(about))
    EVALUATIONS.store(EVALUATIONS.key(path, load_cifar10()), made_up)
    return path


def test_a_model_is_named_with_every_way_its_recipe_differs_from_the_articles(tmp_path, tiny_model_path, made_up):
    from cnn_lab.recipes import PRESETS
    from cnn_lab.runs.reference import article_run

    path = _model_with(tmp_path, tiny_model_path, made_up, "shipped_like.keras", {"train": PRESETS["best"].to_dict()})
    at = run("results.py", path)
    assert not at.exception
    page = "\n".join(m.value for m in at.markdown)
    assert "Not the article's network" in page
    for said in (
        "96, 192, 384",
        "AdamW, weight decay 0.02",
        "label smoothing: 0.1",
        "crop and flip only",
        "epochs: 32",
        "mirror image: yes",
    ):
        assert said in page, said
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["The article"] == "78.44 %"
    reference = article_run()
    assert metrics["The article's recipe, trained in this lab"] == f"{100 * reference.test_accuracy:.2f} %"


def _results_of_a_run(tmp_path, tiny_model_path, made_up, recipe: str, on_the_sample: bool):
    """The Accuracy page of a run's model trained with `recipe` (a run folder's config.json says how)."""
    from cnn_lab.recipes import PRESETS

    about = {"train": PRESETS[recipe].to_dict(), "is_sample": on_the_sample}
    return run("results.py", _model_with(tmp_path, tiny_model_path, made_up, "runs/abc/model.keras", about))


def test_a_model_of_the_articles_recipe_is_not_given_differences(tmp_path, tiny_model_path, made_up):
    at = _results_of_a_run(tmp_path, tiny_model_path, made_up, "article", on_the_sample=False)
    page = "\n".join(m.value for m in at.markdown)
    assert "trained with the article's recipe" in page and "Not the article's network" not in page


def test_a_model_trained_on_the_sample_says_so(tmp_path, tiny_model_path, made_up):
    at = _results_of_a_run(tmp_path, tiny_model_path, made_up, "fast", on_the_sample=True)
    assert not at.exception
    assert any("trained on the bundled sample" in i.value for i in at.info)  # the tests run on the sample


def test_a_model_without_a_card_says_its_recipe_is_unknown(made_up, tiny_model_path):
    at = run("results.py", tiny_model_path)
    assert any("is not known" in c.value for c in at.caption)


def test_the_article_s_own_network_trained_longer_is_not_called_another_network(tmp_path, tiny_model_path, made_up):
    """Issue 25: 'Not the article's network' was shown for any difference at all, also for the article's own
    network trained for more epochs or on 2,000 images. The heading says whether the network differs."""
    import dataclasses

    from cnn_lab.recipes import PRESETS

    longer = dataclasses.replace(PRESETS["article"], epochs=40, limit=2000)
    path = _model_with(tmp_path, tiny_model_path, made_up, "longer.keras", {"train": longer.to_dict()})
    at = run("results.py", path)
    page = "\n".join(m.value for m in at.markdown)
    assert "The article's network, trained another way" in page and "Not the article's network" not in page
    assert "epochs: 40" in page

    unknown = _model_with(tmp_path, tiny_model_path, made_up, "stranger.keras", {})
    page = "\n".join(m.value for m in run("results.py", unknown).markdown)
    assert "Not the article's network" not in page and "trained another way" not in page  # not known: no heading


def test_a_stopped_run_s_model_says_it_did_not_train_to_its_end(tmp_path, tiny_model_path, made_up):
    """A model chosen from a run stopped after 3 of its 20 epochs is not 'trained with the article's recipe'."""
    from cnn_lab.recipes import PRESETS

    about = {"train": PRESETS["article"].to_dict(), "is_sample": False}
    path = _model_with(tmp_path, tiny_model_path, made_up, "runs/abc/model.keras", about)
    (path.parent / "history.json").write_text(json.dumps([{"epoch": e, "test_accuracy": 0.5} for e in (1, 2, 3)]))
    at = run("results.py", path)
    assert any("stopped after 3 of its 20 epochs" in w.value for w in at.warning)
    assert "trained with the article's recipe, but not to its end" in "\n".join(m.value for m in at.markdown)
