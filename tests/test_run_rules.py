"""What may be done with a run, by its status (cnn_lab.runs.records): the Runs page offers Resume, Delete and
Export by these rules, and a list_runs row of a real run folder follows them."""

import pytest
from conftest import fake_run

from pathlib import Path

from cnn_lab.runs.folders import list_runs
from cnn_lab.runs.records import RunRow, Status

STATUSES = tuple(s for s in Status if s is not Status.UNKNOWN)


def row(status: Status, epochs_done: int = 1, epochs: int | None = 3, has_model: bool = True) -> RunRow:
    return RunRow("r", "", Path("r"), status, epochs_done, epochs, "fast", None, None, "?", has_model, None)


def test_only_a_run_that_no_process_trains_can_be_deleted():
    assert [s for s in STATUSES if row(s).can_delete] == ["stopped", "finished", "failed", "interrupted"]


def test_a_run_resumes_when_it_ended_early_with_a_checkpoint_and_epochs_to_go():
    assert [s for s in STATUSES if row(s).can_resume] == ["stopped", "failed", "interrupted"]
    assert not row(Status.STOPPED, has_model=False).can_resume  # nothing saved to go on from
    assert not row(Status.STOPPED, epochs_done=3).can_resume  # all its epochs are done
    assert not row(Status.INTERRUPTED, epochs=None).can_resume  # no config: how far to go is unknown


def test_a_run_is_exported_with_its_model_once_nothing_trains_it():
    assert [s for s in STATUSES if row(s).can_export] == ["stopped", "finished", "failed", "interrupted"]
    assert not row(Status.FINISHED, has_model=False).can_export


def test_a_folder_whose_status_cannot_be_read_is_neither_resumed_nor_deleted():
    unknown = row(Status.UNKNOWN)
    assert (unknown.can_resume, unknown.can_delete, unknown.can_export) == (False, False, True)
    assert Status.read("garbage") is Status.UNKNOWN and Status.read(None) is Status.UNKNOWN


@pytest.mark.parametrize(
    ("status", "resume", "delete"), [("stopped", True, True), ("finished", False, True), ("running", True, True)]
)
def test_the_rules_read_a_real_run_folder(status, resume, delete, tmp_path):
    """A "running" run whose process is gone is interrupted: it resumes and can be deleted."""
    checkpoint = tmp_path / "model.keras"
    checkpoint.write_bytes(b"a checkpoint")  # the rules look only at whether it is there
    fake_run("20260101-000000-aaaa", status=status, model=checkpoint, epochs=3)
    [run] = list_runs()
    assert (run.can_resume, run.can_delete, run.can_export) == (resume, delete, True)


def test_a_snapshot_reads_each_file_once_and_the_watcher_only_status(monkeypatch, tmp_path):
    """Thirty students watch once a second: a snapshot reads each of the run's files once, and the Runs
    page's watcher (folders.changes) reads one small file per run, its status.json."""
    from cnn_lab.runs import folders

    checkpoint = tmp_path / "model.keras"
    checkpoint.write_bytes(b"a checkpoint")
    folder = fake_run("20260101-000000-aaaa", status="running", model=checkpoint, epochs=3)
    real, reads = folders.read_json, []
    monkeypatch.setattr(
        folders, "read_json", lambda path, default=None: reads.append(Path(path).name) or real(path, default)
    )
    snap = folders.snapshot(folder)
    assert snap.status is Status.INTERRUPTED  # "running", but no process trains it
    assert sorted(reads) == ["config.json", "history.json", "name.json", "progress.json", "status.json"]
    reads.clear()
    folders.changes()
    assert reads == ["status.json"]


def test_the_run_files_records_read_back_what_training_writes(tmp_path):
    """history.json's epochs and progress.json's points are typed records: written as the files hold them (an
    epoch's validation keys only once validated), read back equal; a record from elsewhere is left out, not a
    crash."""
    from cnn_lab.runs import folders
    from cnn_lab.runs.records import AccuracyCheck, CurvePoint, Epoch, record, records

    tested = Epoch(1, loss=1.2, accuracy=0.55, test_accuracy=0.6, test_correct=6000, test_images=10000, seconds=9.5)
    validated = Epoch(2, test_accuracy=0.7, validation_accuracy=0.68, validation_correct=3400, validation_images=5000)
    assert "validation_accuracy" not in tested.to_dict() and validated.to_dict()["validation_images"] == 5000
    folders.write_history(tmp_path, [tested, validated])
    assert folders.read_history(tmp_path) == [tested, validated]
    assert records(Epoch, [{"epoch": 3, "a key from a later lab": 1}, {"no epoch": 1}, "not a record"]) == [Epoch(3)]
    assert records(Epoch, {"not": "a list"}) == [] and record(AccuracyCheck, None) is None
    point = record(CurvePoint, {"step": 10, "epoch": 0.5, "loss": 1.9, "accuracy": 0.3})
    assert point == CurvePoint(10, 0.5, 1.9, 0.3)
