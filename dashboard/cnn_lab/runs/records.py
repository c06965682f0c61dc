"""What a run folder says, as typed records: a run's Status, the Device that trains it, its RunRow in
the runs table, and the Snapshot a page or the command line draws while it trains.

cnn_lab.runs.folders reads the files and builds these; everything else reads their attributes.
A Status is a str (Status.RUNNING == "running"), so status.json and `cnn-lab runs --json` keep
their plain words.
"""

from __future__ import annotations

import dataclasses
import enum
from pathlib import Path


class Status(enum.StrEnum):
    STARTING = "starting"  # the process is starting: Keras and the data are loading
    RUNNING = "running"
    STOPPING = "stopping"  # a stop was requested; the run sees it at its next batch
    STOPPED = "stopped"  # stopped on request, after its last finished epoch
    FINISHED = "finished"
    FAILED = "failed"
    INTERRUPTED = "interrupted"  # its process died mid-run: resumable from its last finished epoch
    UNKNOWN = "unknown"  # no readable status.json

    @classmethod
    def read(cls, value: object) -> Status:
        """The status a file holds; UNKNOWN for anything that is not one."""
        try:
            return cls(value)
        except ValueError:
            return cls.UNKNOWN

    @property
    def live(self) -> bool:
        """Written by a process that should be alive (status.json says starting or running)."""
        return self in (Status.STARTING, Status.RUNNING)

    @property
    def training_now(self) -> bool:
        """A process trains the run now (it may be stopping)."""
        return self in (Status.STARTING, Status.RUNNING, Status.STOPPING)

    @property
    def ended_early(self) -> bool:
        """Stopped, interrupted or failed: it can resume from its last finished epoch."""
        return self in (Status.STOPPED, Status.INTERRUPTED, Status.FAILED)

    @property
    def deletable(self) -> bool:
        """No process trains it, and it is a run (not an unreadable folder)."""
        return self.ended_early or self is Status.FINISHED


@dataclasses.dataclass(frozen=True)
class Device:
    """What trains a run: "GPU" or "CPU", its name said plainly, Keras's backend, and the devices used."""

    kind: str
    name: str
    backend: str = ""
    devices: tuple[str, ...] = ()

    @classmethod
    def from_dict(cls, saved: object) -> Device | None:
        """The device a run folder recorded; None if it recorded none (or something else)."""
        if not isinstance(saved, dict) or not isinstance(saved.get("name"), str):
            return None
        devices = saved.get("devices")
        return cls(
            kind=str(saved.get("kind") or "CPU"),
            name=saved["name"],
            backend=str(saved.get("backend") or ""),
            devices=tuple(map(str, devices)) if isinstance(devices, list | tuple) else (),
        )

    def to_dict(self) -> dict:
        return {**dataclasses.asdict(self), "devices": list(self.devices)}


@dataclasses.dataclass(frozen=True)
class RunRow:
    """One run as the runs table, the model chooser and `cnn-lab runs` show it."""

    run_id: str
    name: str
    path: Path
    status: Status
    epochs_done: int
    epochs: int | None
    preset: str | None
    best_test_accuracy: float | None
    last_test_accuracy: float | None  # that of model.keras: the last finished epoch's
    data: str
    has_model: bool
    started: str | None  # ISO time

    @property
    def can_resume(self) -> bool:
        """It ended early (stopped, interrupted or failed) with a checkpoint saved and epochs still to train."""
        return self.status.ended_early and self.has_model and bool(self.epochs) and self.epochs_done < self.epochs

    @property
    def can_delete(self) -> bool:
        """No process trains it: finished, stopped, interrupted or failed."""
        return self.status.deletable

    @property
    def can_export(self) -> bool:
        """It has a model and no process trains it."""
        return self.has_model and not self.status.training_now

    def to_json(self) -> dict:
        """What `cnn-lab runs --json` prints for it."""
        keep = ("run_id", "name", "status", "epochs_done", "epochs", "preset", "best_test_accuracy", "data", "started")
        return {**{k: getattr(self, k) for k in keep}, "path": str(self.path)}


@dataclasses.dataclass(frozen=True)
class Position:
    """Where a run is: the epoch in progress (1-based), the batch within it, the share of the run done."""

    epoch: int
    epochs: int
    batch: int
    batches_per_epoch: int
    fraction: float


@dataclasses.dataclass(frozen=True)
class Snapshot:
    """Everything a page or the command line shows about one run, read from its folder once."""

    run_id: str
    name: str
    run_dir: Path
    status: Status
    config: dict  # the recipe as saved (TrainConfig.to_dict()); {} before the process wrote it
    history: list[dict]  # one record per finished epoch, as history.json holds them
    data: str | None
    device: Device | None
    epoch: int = 0  # the epoch in progress, as the live progress says (0-based count of finished ones)
    batch: int = 0
    batches_per_epoch: int | None = None
    batches: list = dataclasses.field(default_factory=list)  # curve points: [step, loss, accuracy]
    checks: list = dataclasses.field(default_factory=list)  # test accuracy within epochs, on a subset
    crossed: dict | None = None  # when the article's line was passed, on every test image
    loss: float | None = None
    images_per_second: float | None = None
    eta_seconds: float | None = None
    message: str = ""
    error: str | None = None
    traceback: str | None = None

    @property
    def epochs(self) -> int | None:
        return self.config.get("epochs")

    @property
    def preset(self) -> str | None:
        return self.config.get("preset")

    @property
    def batch_size(self) -> int | None:
        return self.config.get("batch_size")

    def position(self) -> Position:
        """Where the run is; for a run that no longer trains, its last finished epoch. One arithmetic for
        the Train page's bar and the command line's."""
        steps, epochs, finished = self.batches_per_epoch or 0, self.epochs or 1, len(self.history)
        done = max(self.epoch * steps + self.batch, finished * steps)
        if not self.status.training_now:
            done = finished * steps  # an ended run keeps its finished epochs only: the one in progress is gone
        epoch = min(epochs, -(-done // steps)) if steps and done else min(epochs, finished + 1)
        return Position(
            epoch=epoch,
            epochs=epochs,
            batch=done - (epoch - 1) * steps if steps else 0,
            batches_per_epoch=steps,
            fraction=min(1.0, done / (steps * epochs)) if steps else 0.0,
        )
