"""What is known about a model (its recipe, its data) and the article recipe's own result."""

import json

from cnn_lab.runs.model_card import ModelRecord, model_record
from cnn_lab.recipes import PRESETS, differences, preset
from cnn_lab.runs.records import Epoch, records
from cnn_lab.runs.reference import ARTICLE_RUN, ReferenceRun, article_run


def test_the_articles_recipe_differs_from_itself_in_nothing():
    assert differences(PRESETS["article"]) == []


def test_differences_name_each_changed_setting_once():
    changed = differences(preset("article", batch_size=128, augment="crop_flip", limit=2000))
    assert changed == [
        "augmentation: crop and flip only (the article's recipe: crop, flip, hue, contrast, brightness, saturation)",
        "batch size: 128 (the article's recipe: 64)",
        "trained on the first 2,000 training images only",
    ]


def test_the_shipped_models_card_gives_its_recipe():
    record = model_record(ARTICLE_RUN.parents[1] / "models" / "default.keras")
    assert record.config == PRESETS["best"] and not record.is_sample
    assert record.data.startswith("the full CIFAR-10")


def test_a_runs_config_gives_its_recipe_and_its_data(tmp_path):
    run = tmp_path / "run1"
    run.mkdir()
    (run / "config.json").write_text(
        json.dumps({"train": PRESETS["fast"].to_dict(), "is_sample": True, "data": "the bundled sample"})
    )
    record = model_record(run / "model.keras")
    assert record.config == PRESETS["fast"] and record.is_sample and record.data == "the bundled sample"


def test_a_file_without_a_card_or_with_a_broken_one_is_unknown(tmp_path):
    assert model_record(tmp_path / "x.keras") == ModelRecord(None, False, None)
    (tmp_path / "y.json").write_text("{not json")
    assert model_record(tmp_path / "y.keras").config is None
    (tmp_path / "z.json").write_text(json.dumps({"train": {"augment": "sideways"}}))
    assert model_record(tmp_path / "z.keras").config is None


def test_the_reference_run_is_the_articles_recipe_on_the_full_data():
    reference = article_run()
    assert reference is not None, f"{ARTICLE_RUN} is missing: python scripts/reference_run.py <article run>"
    assert reference.config == PRESETS["article"]
    assert reference.data.startswith("the full CIFAR-10")
    assert [h.epoch for h in reference.history] == list(range(1, 21)) and reference.finished
    assert reference.test_accuracy == 0.7478
    assert reference.summary() == "74.78 % after 20 epochs"


def test_an_unfinished_reference_says_how_far_it_got():
    history = [{"epoch": e, "test_accuracy": a} for e, a in [(1, 0.4123), (2, 0.5), (3, 0.70104)]]
    unfinished = ReferenceRun(PRESETS["article"], records(Epoch, history), "the bundled sample", {})
    assert not unfinished.finished
    assert unfinished.summary() == "70.10 % after 3 of 20 epochs"


def test_a_missing_or_damaged_reference_is_none(tmp_path):
    assert article_run(tmp_path / "none.json") is None
    (tmp_path / "bad.json").write_text(json.dumps({"train": {}}))
    assert article_run(tmp_path / "bad.json") is None
    (tmp_path / "empty.json").write_text(json.dumps({"train": {}, "history": [], "data": "", "device": {}}))
    assert article_run(tmp_path / "empty.json") is None
