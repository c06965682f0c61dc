"""The run folders: where every training run keeps its checkpoints and its progress.

    <runs>/<run-id>/model.keras      the classifier (uint8 32x32x3 in, 10 probabilities out)
                    optimizer.npz    the optimizer's state, so a resumed run goes on exactly
                    history.json     one record per finished epoch
                    config.json      the TrainConfig and the data source
                    status.json      starting / running / stopped / finished / failed, and the
                                     id of the process that trains it
                    progress.json    the live part: curve points, images/s, ETA, what it does now
                    stop             present while a stop is requested
                    train.log        what the training process printed (runs started by the lab)
                    name.json        the name the teacher gave it, if any

The training process (`cnn-lab train`, whether a teacher typed it or the Train page started it)
writes these files; the pages, any number of them, only read them. Every write goes through a
temporary file and a rename, so a reader never sees half a file and a killed run keeps its last
finished epoch. What is read comes back as the typed records of cnn_lab.runs.records, each file
read once per record. Nothing here imports Keras or Streamlit.
"""

from __future__ import annotations

import datetime
import os
import re
import secrets
import shutil
import socket
import time
from pathlib import Path

from cnn_lab.runs.records import CurvePoint, Device, Epoch, RunRow, Snapshot, Status, AccuracyCheck, record, records
from cnn_lab.files import read_json, write_atomic, write_json  # noqa: F401  (folders.read_json: what pages use)
from cnn_lab.settings import runs_dir

RUN_ID = re.compile(r"^[0-9]{8}-[0-9]{6}-[0-9a-f]{4}$")
# A run sees a stop request at its next batch; the test pass at the end of an epoch (about 10 s on
# 2 cores, 30 s under load) is the longest it can go without looking. Past this, it is stuck.
STOP_GRACE_SECONDS = 60


def new_run_id() -> str:
    return datetime.datetime.now().strftime("%Y%m%d-%H%M%S-") + secrets.token_hex(2)


def run_path(run_id: str, root: Path | None = None) -> Path:
    """The folder of a run, after checking that the id is one of ours (never a path of a user's)."""
    if not isinstance(run_id, str) or not RUN_ID.match(run_id):
        raise ValueError(f"not a run id: {run_id!r}")
    return (root or runs_dir()) / run_id


# --- who trains a run, and asking it to stop ---------------------------------------------------
def write_status(folder: Path, status: Status, pid: int | None = None, **details) -> None:
    """Record a run's status; a live status names the process that trains it (this one by default)."""
    status = Status(status)
    record = {"status": status.value, "time": time.time(), **details}
    if status.live:
        record.update(pid=pid or os.getpid(), host=socket.gethostname())
    write_json(Path(folder) / "status.json", record)


def _alive(pid: int) -> bool:
    """Whether a process with this id runs on this computer (a zombie, dead but not yet reaped, does not)."""
    try:
        os.kill(pid, 0)  # signal 0 sends nothing: it only asks whether the process exists
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # it exists, under another user
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except (OSError, IndexError):
        return True  # no /proc (not Linux): trust kill(0)


def read_history(folder: Path) -> list[Epoch]:
    """A run's finished epochs, from its history.json ([] before the first)."""
    return records(Epoch, read_json(Path(folder) / "history.json", []))


def write_history(folder: Path, history: list[Epoch]) -> None:
    write_json(Path(folder) / "history.json", [h.to_dict() for h in history])


def read_status(folder: Path) -> dict:
    """status.json as written: {"status", "time", and "pid" and "host" while live, or "error"...}; {} if unreadable."""
    saved = read_json(Path(folder) / "status.json", {})
    return saved if isinstance(saved, dict) else {}


def training_pid(folder: Path, saved: dict | None = None) -> int | None:
    """The id of the live process on this computer that trains this run, else None. `saved`: its
    status.json, when the caller has read it already."""
    saved = read_status(folder) if saved is None else saved
    pid = saved.get("pid")
    if (
        not Status.read(saved.get("status")).live
        or not isinstance(pid, int)
        or saved.get("host") != socket.gethostname()
    ):
        return None
    return pid if _alive(pid) else None


def running_elsewhere(folder: Path) -> int | None:
    """The id of ANOTHER live process training this run (not this one), else None."""
    pid = training_pid(folder)
    return pid if pid != os.getpid() else None


def request_stop(folder: Path) -> None:
    """Ask the run's process to stop: it sees the request at its next batch, keeps its last finished
    epoch and exits. Every page shows "Stop requested" from now on, whichever tab asked."""
    write_json(Path(folder) / "stop", {"requested": time.time()})


def stop_requested(folder: Path) -> bool:
    return (Path(folder) / "stop").exists()


def seconds_since_stop_request(folder: Path) -> float | None:
    """How long ago a stop was requested (None if none is). A run that has not stopped long after
    STOP_GRACE_SECONDS is stuck inside a step, and the Train page offers to end its process."""
    asked = read_json(Path(folder) / "stop", None)
    if not isinstance(asked, dict) or not isinstance(asked.get("requested"), (int, float)):
        return None if not stop_requested(folder) else 0.0
    return max(0.0, time.time() - asked["requested"])


def clear_stop(folder: Path) -> None:
    (Path(folder) / "stop").unlink(missing_ok=True)


def status_of(folder: Path, saved: dict | None = None) -> Status:
    """What a run is now (records.Status): a live status.json whose process is gone is INTERRUPTED,
    and one with a stop requested is STOPPING. `saved`: its status.json, when already read."""
    saved = read_status(folder) if saved is None else saved
    status = Status.read(saved.get("status"))
    if status.live:
        if training_pid(folder, saved) is None:
            return Status.INTERRUPTED
        if stop_requested(folder):
            return Status.STOPPING
    return status


# --- a run's name: what the teacher calls it ("no augmentation, 20 epochs") ---------------------
NAME_LENGTH = 80


def clean_name(text: object) -> str:
    """A name as the lab keeps it: one line of printable text, at most NAME_LENGTH characters."""
    words = "".join(c if c.isprintable() else " " for c in str(text or "")).split()
    return " ".join(words)[:NAME_LENGTH].strip()


def set_name(folder: Path, name: object) -> str:
    """Name a run (an empty name removes it); returns the name kept. name.json is the run's own
    file, apart from the ones its training process writes."""
    name, path = clean_name(name), Path(folder) / "name.json"
    if name:
        write_json(path, {"name": name})
    else:
        path.unlink(missing_ok=True)
    return name


def run_name(folder: Path) -> str:
    saved = read_json(Path(folder) / "name.json", {})
    return clean_name(saved.get("name")) if isinstance(saved, dict) else ""


# --- the runs, as pages show them --------------------------------------------------------------
def _folders(root: Path | None) -> list[Path]:
    root = root or runs_dir()
    return (
        [
            f
            for f in sorted(root.glob("*"), reverse=True)
            if RUN_ID.match(f.name) and ((f / "config.json").is_file() or (f / "status.json").is_file())
        ]
        if root.is_dir()
        else []
    )


def list_runs(root: Path | None = None) -> list[RunRow]:
    """Every run folder, newest first, with what a page needs to show and choose it."""
    return [_row(folder) for folder in _folders(root)]


def _row(folder: Path) -> RunRow:
    config = read_json(folder / "config.json", {})
    config = config if isinstance(config, dict) else {}
    train = config.get("train", {})
    history = read_history(folder)
    scores = [h.test_accuracy for h in history if h.tested]
    return RunRow(
        run_id=folder.name,
        name=run_name(folder),
        path=folder,
        status=status_of(folder),
        epochs_done=len(history),
        epochs=train.get("epochs"),
        preset=train.get("preset"),
        best_test_accuracy=max(scores) if scores else None,
        last_test_accuracy=history[-1].test_accuracy if history else None,
        data=config.get("data", "?"),
        has_model=(folder / "model.keras").is_file(),
        started=config.get("started"),
    )


def latest_run(root: Path | None = None) -> Path | None:
    """The folder of the newest run, else None (nothing read but the folder names)."""
    return next(iter(_folders(root)), None)


def changes(root: Path | None = None) -> tuple:
    """What the runs table shows, cheaply: each run's id and status, and when its name and history were
    last written (and their sizes: two writes within the file system's clock tick still differ). Any change to the
    table changes this; it reads one small file per run (status.json), so that a page can look once a second for
    every student who has it open."""
    return tuple(
        (f.name, status_of(f), _written(f / "name.json"), _written(f / "history.json")) for f in _folders(root)
    )


def _written(path: Path) -> tuple[int, int]:
    try:
        stat = path.stat()
    except OSError:
        return (0, 0)
    return stat.st_mtime_ns, stat.st_size


def live_run(root: Path | None = None) -> Path | None:
    """The folder of the run being trained now on this computer (one at a time), else None."""
    return next((f for f in _folders(root) if training_pid(f) is not None), None)


def snapshot(folder: Path) -> Snapshot:
    """Everything a page shows about one run, read from its folder (each file once): safe while it trains."""
    folder = Path(folder)
    config = read_json(folder / "config.json", {})
    progress = read_json(folder / "progress.json", {})
    saved = read_status(folder)
    return Snapshot(
        run_id=folder.name,
        name=run_name(folder),
        run_dir=folder,
        status=status_of(folder, saved),
        config=config.get("train", {}),
        history=read_history(folder),
        data=config.get("data"),
        device=Device.from_dict(progress.get("device") or config.get("device")),
        epoch=progress.get("epoch", 0),
        batch=progress.get("batch", 0),
        batches_per_epoch=progress.get("batches_per_epoch"),
        batches=records(CurvePoint, progress.get("batches")),
        checks=records(AccuracyCheck, progress.get("checks")),
        crossed=record(AccuracyCheck, progress.get("crossed")),
        loss=progress.get("loss"),
        images_per_second=progress.get("images_per_second"),
        eta_seconds=progress.get("eta_seconds"),
        message=progress.get("message")
        or ("starting the training process" if Status.read(saved.get("status")) is Status.STARTING else ""),
        error=saved.get("error"),
        traceback=saved.get("traceback"),
    )


def delete_run(run_id: str, root: Path | None = None) -> Path:
    """Delete a finished, stopped, interrupted or failed run's folder; returns the folder.

    Refuses (ValueError) anything that is not a run id, a folder that is not a run, and a run
    that a live process trains.
    """
    folder = run_path(run_id, root)
    if not (folder / "config.json").is_file() and not (folder / "status.json").is_file():
        raise ValueError(f"no run {run_id} here")
    status = status_of(folder)
    if not status.deletable:
        what = "training now: stop it first" if training_pid(folder) else status
        raise ValueError(f"run {run_id} is {what}: only a finished, stopped, interrupted or failed run can be deleted")
    shutil.rmtree(folder)
    return folder
