"""A run as a zip (cnn_lab.runs.archive): a round trip gives the same run, and every kind of bad zip
gets its own plain message with nothing written, inside the runs folder or outside it."""

import io
import json
import zipfile

import pytest
from conftest import fake_run
from streamlit.testing.v1 import AppTest

from cnn_lab.runs import archive
from cnn_lab.runs.archive import ImportRefused, export_run, import_run
from cnn_lab.runs.folders import list_runs, run_name, runs_dir, set_name

FILES = ("config.json", "history.json", "model.keras", "name.json")


def zipped(files: dict) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    return out.getvalue()


def everything_under(folder):
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*"))


@pytest.fixture
def exported(tiny_model_path):
    folder = fake_run("20250101-000000-0e01", model=tiny_model_path, epochs=3)
    set_name(folder, "no augmentation, 3 epochs")
    return folder, export_run(folder)


def test_a_round_trip_gives_an_identical_run(exported):
    folder, raw = exported
    run_id = import_run(raw)
    copy = runs_dir() / run_id
    assert run_id != folder.name
    for name in FILES:
        assert (copy / name).read_bytes() == (folder / name).read_bytes(), name
    assert run_name(copy) == "no augmentation, 3 epochs"
    [found] = [r for r in list_runs() if r.run_id == run_id]
    assert found.status == "stopped" and found.epochs_done == 1 and found.has_model  # 1 of 3 epochs
    assert zipfile.ZipFile(io.BytesIO(export_run(copy))).namelist() == list(FILES)  # and it exports again


def refused(raw: bytes, says: str, tmp_path) -> None:
    before_runs, before_outside = everything_under(runs_dir()), everything_under(tmp_path)
    with pytest.raises(ImportRefused, match=says):
        import_run(raw)
    assert everything_under(runs_dir()) == before_runs  # no run, no half-unpacked folder
    assert everything_under(tmp_path) == before_outside


def test_each_bad_zip_gets_its_message_and_writes_nothing(exported, tmp_path, monkeypatch):
    folder, raw = exported
    good = {name: (folder / name).read_bytes() for name in FILES}
    refused(b"this is not a zip", "not a zip file", tmp_path)
    refused(zipped({**good, "../escape.json": b"{}"}), "files a run does not have", tmp_path)
    refused(zipped({**good, "/etc/cron.d/x": b"{}"}), "files a run does not have", tmp_path)
    refused(zipped({**good, "sub/config.json": b"{}"}), "files a run does not have", tmp_path)
    refused(zipped({k: v for k, v in good.items() if k != "model.keras"}), "has no model.keras", tmp_path)
    refused(zipped({**good, "config.json": b"{}"}), "settings or history cannot be read", tmp_path)
    refused(zipped({**good, "history.json": b'{"epoch": 1}'}), "settings or history cannot be read", tmp_path)
    refused(zipped({**good, "model.keras": b"not a model"}), "not a Keras model file", tmp_path)

    import keras

    foreign = tmp_path / "foreign.keras"
    inputs = keras.Input((28, 28, 1))
    keras.Model(inputs, keras.layers.Dense(10, activation="softmax")(keras.layers.Flatten()(inputs))).save(foreign)
    refused(zipped({**good, "model.keras": foreign.read_bytes()}), "cannot be used by CNN Lab", tmp_path)
    foreign.unlink()

    monkeypatch.setitem(archive.LIMITS, "history.json", 10_000)  # a zip bomb, in small
    bomb = zipped({**good, "history.json": b"[" + b" " * 1_000_000 + b"]"})
    assert len(bomb) < 20_000
    refused(bomb, "would unpack to 1,000,002 bytes", tmp_path)


def test_the_runs_page_names_a_run(tiny_model_path):
    folder = fake_run("20250101-000000-0e02", model=tiny_model_path)
    at = AppTest.from_file("../dashboard/views/runs.py", default_timeout=120).run()
    assert at.selectbox(key="runs_manage_choice").value.run_id == folder.name
    at.text_input(key=f"runs_name_{folder.name}").input("crop and flip, <b>20</b> epochs")
    at.button(key="runs_name_save").click().run()
    assert run_name(folder) == "crop and flip, <b>20</b> epochs"
    assert list(at.dataframe[0].value["Name"]) == ["crop and flip, <b>20</b> epochs"]  # text, never markup
    assert f"{folder.name} “crop and flip, <b>20</b> epochs”: 1 of 3 epochs, finished" in (
        at.selectbox(key="runs_manage_choice").options
    )
    assert [b for b in at.get("download_button") if b.proto.label.startswith("Export it as a zip")]


def test_names_are_one_line_of_text():
    folder = fake_run("20250101-000000-0e03")
    assert set_name(folder, "  two\nlines\u202e\t and tabs  ") == "two lines and tabs"
    assert set_name(folder, "x" * 500) == "x" * 80
    assert set_name(folder, "   ") == "" and not (folder / "name.json").exists()


def test_export_and_import_from_the_command_line(exported, tmp_path):
    from test_cli import cnn_lab

    folder, _ = exported
    out = cnn_lab("export", folder.name, "--output", tmp_path / "run.zip")
    assert out.returncode == 0, out.stderr
    back = cnn_lab("import", tmp_path / "run.zip")
    assert back.returncode == 0, back.stderr
    run_id = back.stdout.split("imported as run ")[1].split()[0]
    assert (runs_dir() / run_id / "model.keras").read_bytes() == (folder / "model.keras").read_bytes()
    named = cnn_lab("name", run_id, "imported, 3 epochs")
    assert named.returncode == 0 and run_name(runs_dir() / run_id) == "imported, 3 epochs"
    (tmp_path / "bad.zip").write_bytes(b"PK nonsense")
    bad = cnn_lab("import", tmp_path / "bad.zip")
    assert bad.returncode == 2 and "not a zip file" in bad.stderr and "Traceback" not in bad.stderr
    names = {r["name"] for r in json.loads(cnn_lab("runs", "--json").stdout)}
    assert names == {"imported, 3 epochs", "no augmentation, 3 epochs"}
