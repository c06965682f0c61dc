"""What a run folder says, as typed records: a run's Status, the Device that trains it, its RunRow in
the runs table, the Snapshot a page or the command line draws while it trains, and inside it each
finished Epoch (history.json), each CurvePoint and each AccuracyCheck (progress.json).

cnn_lab.runs.folders reads the files and builds these; everything else reads their attributes.
A Status is a str (Status.RUNNING == "running"), so status.json and `cnn-lab runs --json` keep
their plain words.
"""

from __future__ import annotations

import dataclasses
import enum
import functools
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


def record(cls, saved: object):
    """A record of `cls` from the dict a file holds: keys it does not know are left out; None if it is not a
    dict or lacks a field that has no default (a file from elsewhere, or half-written by hand)."""
    if not isinstance(saved, dict):
        return None
    known = {f.name for f in dataclasses.fields(cls)}
    try:
        return cls(**{k: v for k, v in saved.items() if k in known})
    except TypeError:
        return None


def records(cls, saved: object) -> list:
    """The records of `cls` in the list a file holds, anything unreadable left out."""
    return [r for r in map(functools.partial(record, cls), saved if isinstance(saved, list) else []) if r is not None]


@dataclasses.dataclass(frozen=True)
class Epoch:
    """One finished epoch, as history.json holds it."""

    epoch: int  # 1-based
    loss: float | None = None  # mean training loss over the epoch (augmented batches)
    accuracy: float | None = None  # mean training accuracy over the epoch (augmented batches)
    test_accuracy: float | None = None  # None: the run was stopped while testing
    test_correct: int | None = None
    test_images: int | None = None
    seconds: float = 0.0  # the epoch's wall time, its test pass included
    images_per_second: float | None = None  # training images per second (test passes left out)
    elapsed: float = 0.0  # the run's clock at its end: seconds since Start
    validation_accuracy: float | None = None  # only with a validation split
    validation_correct: int | None = None
    validation_images: int | None = None

    @property
    def tested(self) -> bool:
        return self.test_accuracy is not None

    @property
    def validated(self) -> bool:
        return self.validation_accuracy is not None

    def to_dict(self) -> dict:
        """As history.json holds it: the validation keys only for an epoch that was validated."""
        saved = dataclasses.asdict(self)
        return saved if self.validated else {k: v for k, v in saved.items() if not k.startswith("validation_")}


@dataclasses.dataclass(frozen=True)
class CurvePoint:
    """A point of the training curves: the smoothed loss and accuracy after a batch."""

    step: int  # batches trained so far
    epoch: float  # the same, in epochs
    loss: float
    accuracy: float


@dataclasses.dataclass(frozen=True)
class AccuracyCheck:
    """A test pass: within an epoch on the first test images, or the moment the article's line was passed
    (then on every test image, with the count right)."""

    epoch: float  # when, in epochs (3.5: half-way through the fourth)
    test_accuracy: float
    test_images: int
    seconds: float  # the run's clock then
    test_correct: int | None = None


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
    history: list[Epoch]  # one per finished epoch
    data: str | None
    device: Device | None
    epoch: int = 0  # the epoch in progress, as the live progress says (0-based count of finished ones)
    batch: int = 0
    batches_per_epoch: int | None = None
    batches: list[CurvePoint] = dataclasses.field(default_factory=list)
    checks: list[AccuracyCheck] = dataclasses.field(default_factory=list)  # within epochs, on the first test images
    crossed: AccuracyCheck | None = None  # when the article's line was passed, on every test image
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

    @property
    def tested(self) -> list[Epoch]:
        """The finished epochs with a test accuracy (a run stopped while testing has none for that epoch)."""
        return [h for h in self.history if h.tested]

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
