"""What may be done with a run, by its status (cnn_lab.runs.folders): the Runs page offers Resume, Delete and
Export by these rules, and a list_runs row of a real run folder follows them."""

import pytest
from conftest import fake_run

from cnn_lab.runs.folders import can_delete, can_export, can_resume, list_runs

STATUSES = ("starting", "running", "stopping", "stopped", "finished", "failed", "interrupted")


def row(status: str, epochs_done: int = 1, epochs: int | None = 3, has_model: bool = True) -> dict:
    return {"status": status, "epochs_done": epochs_done, "epochs": epochs, "has_model": has_model}


def test_only_a_run_that_no_process_trains_can_be_deleted():
    assert [s for s in STATUSES if can_delete(s)] == ["stopped", "finished", "failed", "interrupted"]


def test_a_run_resumes_when_it_ended_early_with_a_checkpoint_and_epochs_to_go():
    assert [s for s in STATUSES if can_resume(row(s))] == ["stopped", "failed", "interrupted"]
    assert not can_resume(row("stopped", has_model=False))  # nothing saved to go on from
    assert not can_resume(row("stopped", epochs_done=3))  # all its epochs are done
    assert not can_resume(row("interrupted", epochs=None))  # no config: how far to go is unknown


def test_a_run_is_exported_with_its_model_once_nothing_trains_it():
    assert [s for s in STATUSES if can_export(row(s))] == ["stopped", "finished", "failed", "interrupted"]
    assert not can_export(row("finished", has_model=False))


@pytest.mark.parametrize(
    ("status", "resume", "delete"), [("stopped", True, True), ("finished", False, True), ("running", True, True)]
)
def test_the_rules_read_a_real_run_folder(status, resume, delete, tmp_path):
    """A "running" run whose process is gone is interrupted: it resumes and can be deleted."""
    checkpoint = tmp_path / "model.keras"
    checkpoint.write_bytes(b"a checkpoint")  # the rules look only at whether it is there
    fake_run("20260101-000000-aaaa", status=status, model=checkpoint, epochs=3)
    [run] = list_runs()
    assert (can_resume(run), can_delete(run["status"]), can_export(run)) == (resume, delete, True)
