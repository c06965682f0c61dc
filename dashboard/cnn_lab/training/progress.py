"""A run's live progress: kept in the training process, written to its folder's progress.json about twice a
second for every page that watches, and handed to the command line's progress report."""

import time
from pathlib import Path

from cnn_lab.runs import folders

PUBLISH_EVERY = 0.5  # seconds between two writes of progress.json
MAX_POINTS = 800  # curve points kept in progress.json: every batch at first, then every 2nd, 4th, ...


class Progress:
    """The live state of a run: kept here, written to progress.json at most every PUBLISH_EVERY s,
    and handed to `report` (the command line's progress bar)."""

    def __init__(self, folder: Path, report=None, started: float | None = None):
        self.folder, self.report = folder, report
        saved = folders.read_json(folder / "progress.json", {})
        history = folders.read_history(folder)
        finished = len(history)
        # The run's clock: seconds since Start was pressed (the page's click, or the command's start), data
        # loading and tracing included; a resumed run goes on from the clock of its last finished epoch.
        self.started = (started or time.time()) - (history[-1].elapsed if history else 0.0)
        crossed = saved.get("crossed")
        # a resumed run keeps its curves up to its last finished epoch
        self.state = {
            "checks": [c for c in saved.get("checks", []) if c["epoch"] <= finished],
            "crossed": crossed if crossed and crossed["epoch"] <= finished else None,
            "epoch": finished,
            "batch": 0,
            "batches_per_epoch": None,
            "loss": None,
            "images_per_second": None,
            "eta_seconds": None,
            "device": None,
            "message": "",
            "batches": [b for b in saved.get("batches", []) if b["epoch"] <= finished],
        }
        self.published = 0.0

    def update(self, publish: bool = True, **changes) -> None:
        self.state.update(changes)
        if publish:
            self.publish()

    def point(self, point: dict) -> None:
        points = self.state["batches"]
        points.append(point)
        if len(points) > MAX_POINTS:  # thin out: the curve keeps its shape, the file stays small
            kept = points[::2]
            self.state["batches"] = kept if kept[-1] is point else kept + [point]

    def publish(self, now: float | None = None) -> None:
        now = now or time.time()
        folders.write_json(self.folder / "progress.json", self.state, indent=None)
        self.published = now
        if self.report:
            self.report(self.state)

    def maybe_publish(self) -> None:
        now = time.time()
        if now - self.published >= PUBLISH_EVERY:
            self.publish(now)

    def elapsed(self) -> float:
        """Seconds on the run's clock now."""
        return round(time.time() - self.started, 1)
