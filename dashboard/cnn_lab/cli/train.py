"""`cnn-lab train`: a new run, a planned one (the Train page's), or a resumed one, with its progress printed."""

import os
import signal
import sys
import time
from pathlib import Path

from cnn_lab import settings
from cnn_lab.runs import folders
from cnn_lab.runs.records import Snapshot
from cnn_lab.runs.eta import crossing_words
from cnn_lab.formatting import clock
from cnn_lab.cli.usage import UsageError

# When Start was pressed: a run's clock counts from here, the import of Keras included. The Train page
# says when its button was pressed (CNN_LAB_STARTED); in a terminal, it is when the command started.
STARTED = float(os.environ.get(settings.STARTED_VARIABLE) or time.time())

RESUME_KEEPS = (
    "preset",
    "batch_size",
    "learning_rate",
    "augment",
    "limit",
    "validation",
    "seed",
)  # a resumed run keeps its own


def settings_given(args) -> list[str]:
    """The flags given that set a run's settings, as typed: ["--epochs", "--seed"]."""
    return [f"--{name.replace('_', '-')}" for name in ("epochs", *RESUME_KEEPS) if getattr(args, name) is not None]


def check_resume(args) -> None:
    """No flag is silently ignored: a resumed run keeps its own settings, so changing one is refused."""
    fixed = [flag for flag in settings_given(args) if flag != "--epochs"]
    if args.resume and fixed:
        raise UsageError(
            f"--resume goes on with the run's own settings, so {', '.join(fixed)} cannot change them; "
            "start a new run for other settings (only --epochs, --data and --run-dir go with --resume)"
        )


def train_config(args):
    """The TrainConfig `cnn-lab train` trains: its preset (article by default) with what the arguments change."""
    from cnn_lab.recipes import preset

    return preset(
        args.preset or "article",
        epochs=args.epochs,
        batch_size=args.batch_size,
        learning_rate=args.learning_rate,
        augment=args.augment,
        limit=args.limit,
        validation=args.validation,
        seed=args.seed,
    )


def train_command(args) -> int:
    from cnn_lab.training.loop import extend, planned, train

    run_dir = args.run_dir
    if args.resume and not run_dir:
        finished = [r for r in folders.list_runs() if r.has_model]
        if not finished:
            raise UsageError(f"--resume: no run with a checkpoint in {folders.runs_dir()}")
        run_dir = finished[0].path
    config = None
    if args.resume and args.epochs is not None:
        extend(Path(run_dir), args.epochs)  # refuses, in plain words, what cannot be extended
    if not args.resume:
        if run_dir and planned(Path(run_dir)):  # a run the Train page planned: its config.json says what
            if changed := settings_given(args):
                raise UsageError(f"{run_dir} already plans its run: {', '.join(changed)} cannot change it")
        else:
            config = train_config(args)
            run_dir = run_dir or folders.run_path(folders.new_run_id())
    folder = Path(run_dir)
    print(f"run {folder.name} -> {folder}", flush=True)
    if args.name is not None:
        folder.mkdir(parents=True, exist_ok=True)
        folders.set_name(folder, args.name)

    def stop(signum, frame):  # Ctrl-C (or a kill): the same request as the Train page's Stop button
        folders.request_stop(folder)
        print("\nstopping after this batch...", flush=True)

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
    printer = Printer(folder)
    status = train(
        config,
        args.data,
        folder,
        resume=args.resume,
        download=not args.no_download,
        report=lambda state: printer.show(folders.snapshot(folder)),
        started=STARTED,
    )
    printer.show(folders.snapshot(folder))
    print(f"\n{status}: {folder}", flush=True)
    return 0


class Printer:
    """Each finished epoch on a line of its own; on a terminal, a progress bar that redraws itself.

    Not keras.utils.Progbar: that bar counts the steps of one epoch and its ETA is the epoch's, from its own
    clock. This one draws the run's snapshot (cnn_lab.runs.folders), the one the Train page draws: the whole run's
    progress and ETA, the tests within an epoch included, the line passed, and what the run is doing."""

    def __init__(self, folder):
        self.folder, self.epochs_shown, self.message, self.crossed = folder, None, None, None
        self.bar = sys.stdout.isatty()

    def show(self, s: Snapshot):
        if self.epochs_shown is None:  # a resumed run's earlier epochs are not printed again
            self.epochs_shown = len(s.history)
        if s.message != self.message and not s.message.startswith("epoch "):
            self.message = s.message
            print(("\r" if self.bar else "") + s.message + " " * 40, flush=True)
        for h in s.history[self.epochs_shown :]:
            test = f"{100 * h.test_accuracy:.2f}%" if h.tested else "-"
            print(
                f"\repoch {h.epoch:>3}: loss {h.loss:.4f}  train {100 * h.accuracy:.2f}%  "
                f"test {test}  ({h.seconds:.0f} s)" + " " * 20,
                flush=True,
            )
        self.epochs_shown = len(s.history)
        if s.crossed and s.crossed != self.crossed:
            self.crossed = s.crossed
            print(("\r" if self.bar else "") + crossing_words(s.crossed) + " " * 20, flush=True)
        if self.bar and s.status.training_now and s.batches_per_epoch:
            at = s.position()
            speed = f"{s.images_per_second:.0f} img/s" if s.images_per_second else ""
            loss = f"loss {s.loss:.3f}" if s.loss is not None else ""
            sys.stdout.write(
                f"\r[{_bar(at.fraction)}] epoch {at.epoch}/{at.epochs} "
                f"batch {at.batch}/{at.batches_per_epoch} {loss} {speed} "
                f"ETA {clock(s.eta_seconds)}   "
            )
            sys.stdout.flush()


def _bar(fraction, width=24):
    filled = int(round(fraction * width))
    return "#" * filled + "." * (width - filled)
