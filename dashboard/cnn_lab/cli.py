"""The `cnn-lab` command (also `python -m cnn_lab`).

    cnn-lab train [--preset article|lesson|fast|best] [--data SRC] [--epochs N] [--batch-size 64]
                  [--limit N] [--validation N] [--seed N] [--run-dir DIR]
    cnn-lab train --resume [--run-dir DIR] [--epochs N] [--data SRC]
    cnn-lab runs [--json]
    cnn-lab compare RUN RUN... [--json]
    cnn-lab name RUN "no augmentation, 20 epochs"
    cnn-lab export RUN [--output FILE.zip]
    cnn-lab import FILE.zip
    cnn-lab evaluate --model FILE [--data SRC] [--json]
    cnn-lab download
    cnn-lab data [--data SRC] [--human-labels FILE]

Mistakes in what you type, or data that cannot be read, give one line on stderr and exit 2.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
import time

from .formatting import clock

# When Start was pressed: a run's clock counts from here, the import of Keras included. The Train page
# says when its button was pressed (CNN_LAB_STARTED); in a terminal, it is when the command started.
STARTED = float(os.environ.get("CNN_LAB_STARTED") or time.time())

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")  # keep TensorFlow's start-up chatter out of the way


class UsageError(Exception):
    pass


RESUME_KEEPS = (
    "preset",
    "batch_size",
    "learning_rate",
    "augment",
    "limit",
    "validation",
    "seed",
)  # a resumed run keeps its own


class _Parser(argparse.ArgumentParser):
    def error(self, message):  # one line, not argparse's usage block
        raise UsageError(
            f"{message} (see `cnn-lab {self.prog.split()[-1]} --help`)"
            if " " in self.prog
            else f"{message} (see `cnn-lab --help`)"
        )


def _positive(text):
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"{text} is not a positive number")
    return value


def _parser() -> argparse.ArgumentParser:
    from .recipes import AUGMENT_MODES, PRESETS  # cheap: only the lists of names are needed here

    p = _Parser(prog="cnn-lab", description="CNN Lab: train and evaluate the article's CIFAR-10 CNN.")
    sub = p.add_subparsers(dest="command", required=True, parser_class=_Parser)
    data_help = (
        "a cifar-10-python.tar.gz or an extracted cifar-10-batches-py folder (default: $CNN_LAB_DATA, "
        "then data/, the Keras cache, a download, the bundled sample)"
    )

    t = sub.add_parser("train", help="train a CNN, with a progress bar; Ctrl-C stops after the batch")
    t.add_argument(
        "--preset",
        choices=sorted(PRESETS),
        help="article (the default): the article's recipe; lesson: the Train page's default on a CPU, "
        "78.4 %% in minutes; fast: its default on a GPU; best: the shipped model",
    )
    t.add_argument("--data", help=data_help)
    t.add_argument("--epochs", type=_positive, help="with --resume: train the run on to N epochs in all")
    t.add_argument("--batch-size", type=_positive, help="default: the preset's (64 for article)")
    t.add_argument("--learning-rate", type=float)
    t.add_argument("--augment", choices=AUGMENT_MODES)
    t.add_argument("--limit", type=_positive, help="train on the first N training images only")
    t.add_argument(
        "--validation",
        type=_positive,
        help="hold out the last N training images (after --limit) as a validation set, tested every epoch",
    )
    t.add_argument(
        "--seed",
        type=int,
        help="the random start: first weights, batch order and augmentation (default 0); another seed, "
        "another run of the same recipe",
    )
    t.add_argument("--run-dir", help="the run folder (default: a new one under runs/)")
    t.add_argument("--name", help='what to call the run, e.g. "no augmentation, 20 epochs"')
    t.add_argument(
        "--resume",
        action="store_true",
        help="go on from the run folder's last checkpoint (the newest run's by default), with its own settings",
    )
    t.add_argument("--no-download", action="store_true", help="never try to download CIFAR-10")

    r = sub.add_parser("runs", help="list the runs in the runs folder, newest first")
    r.add_argument("--json", action="store_true", help="print one JSON list")
    c = sub.add_parser("compare", help="put two or more runs side by side: what changed, what each reached")
    c.add_argument("run", nargs="+", help="a run's id (as `cnn-lab runs` lists it) or its folder")
    c.add_argument("--json", action="store_true", help="print one JSON object")
    n = sub.add_parser("name", help="give a run a name (an empty one removes it)")
    n.add_argument("run", help="a run's id or its folder")
    n.add_argument("name")
    x = sub.add_parser("export", help="write a run's config, history and model as one zip file")
    x.add_argument("run", help="a run's id or its folder")
    x.add_argument("--output", "-o", help="the zip file to write (default: <run id>.zip here)")
    i = sub.add_parser("import", help="take in a run exported from CNN Lab, as a new run")
    i.add_argument("zip", help="a zip written by `cnn-lab export` or the Train page")

    e = sub.add_parser("evaluate", help="test a saved model on the CIFAR-10 test set")
    e.add_argument("--model", required=True, help="a .keras file saved by CNN Lab")
    e.add_argument("--data", help=data_help)
    e.add_argument("--json", action="store_true", help="print one JSON object")

    sub.add_parser(
        "download", help="download the official CIFAR-10 archive and CIFAR-10H's human labels into the Keras cache"
    )
    d = sub.add_parser("data", help="say which CIFAR-10 source and which CIFAR-10H file would be used")
    d.add_argument("--data", help=data_help)
    d.add_argument(
        "--human-labels",
        help="CIFAR-10H's cifar10h-counts.npy (default: $CNN_LAB_HUMAN_LABELS, then data/, the Keras cache)",
    )
    return p


def _bar(fraction, width=24):
    filled = int(round(fraction * width))
    return "#" * filled + "." * (width - filled)


def _settings_given(args) -> list[str]:
    """The flags given that set a run's settings, as typed: ["--epochs", "--seed"]."""
    return [f"--{name.replace('_', '-')}" for name in ("epochs", *RESUME_KEEPS) if getattr(args, name) is not None]


def _check_resume(args) -> None:
    """No flag is silently ignored: a resumed run keeps its own settings, so changing one is refused."""
    fixed = [flag for flag in _settings_given(args) if flag != "--epochs"]
    if args.resume and fixed:
        raise UsageError(
            f"--resume goes on with the run's own settings, so {', '.join(fixed)} cannot change them; "
            "start a new run for other settings (only --epochs, --data and --run-dir go with --resume)"
        )


def train_config(args):
    """The TrainConfig `cnn-lab train` trains: its preset (article by default) with what the arguments change."""
    from .recipes import preset

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


def _train(args) -> int:
    import signal
    from pathlib import Path

    from . import runs
    from .training.loop import extend, planned, train

    run_dir = args.run_dir
    if args.resume and not run_dir:
        finished = [r for r in runs.list_runs() if r["has_model"]]
        if not finished:
            raise UsageError(f"--resume: no run with a checkpoint in {runs.runs_dir()}")
        run_dir = finished[0]["path"]
    config = None
    if args.resume and args.epochs is not None:
        extend(Path(run_dir), args.epochs)  # refuses, in plain words, what cannot be extended
    if not args.resume:
        if run_dir and planned(Path(run_dir)):  # a run the Train page planned: its config.json says what
            if changed := _settings_given(args):
                raise UsageError(f"{run_dir} already plans its run: {', '.join(changed)} cannot change it")
        else:
            config = train_config(args)
            run_dir = run_dir or runs.run_path(runs.new_run_id())
    folder = Path(run_dir)
    print(f"run {folder.name} -> {folder}", flush=True)
    if args.name is not None:
        folder.mkdir(parents=True, exist_ok=True)
        runs.set_name(folder, args.name)

    def stop(signum, frame):  # Ctrl-C (or a kill): the same request as the Train page's Stop button
        runs.request_stop(folder)
        print("\nstopping after this batch...", flush=True)

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
    printer = _Printer(folder)
    status = train(
        config,
        args.data,
        folder,
        resume=args.resume,
        download=not args.no_download,
        report=lambda state: printer.show(runs.snapshot(folder)),
        started=STARTED,
    )
    printer.show(runs.snapshot(folder))
    print(f"\n{status}: {folder}", flush=True)
    return 0


def _runs(args) -> int:
    from . import runs

    found = runs.list_runs()
    if args.json:
        keep = ("run_id", "name", "status", "epochs_done", "epochs", "preset", "best_test_accuracy", "data", "started")
        print(json.dumps([{**{k: r[k] for k in keep}, "path": str(r["path"])} for r in found]))
        return 0
    if not found:
        print(f"no runs yet in {runs.runs_dir()}")
        return 0
    print(f"{len(found)} run{'s' * (len(found) != 1)} in {runs.runs_dir()}, newest first:")
    for r in found:
        best = f"{100 * r['best_test_accuracy']:.2f} %" if r["best_test_accuracy"] is not None else "untested"
        data = "sample" if "sample" in str(r["data"]) else "full CIFAR-10"
        print(
            f"  {r['run_id']}  {r['status']:<11} {r['preset'] or '?':<8} {r['epochs_done']:>3} of "
            f"{r['epochs'] or '?':<3} epochs  best {best:<9} {data}" + (f"  {r['name']!r}" if r["name"] else "")
        )
    return 0


def _run_folder(given: str):
    """A run named on the command line by its id or its folder."""
    from pathlib import Path

    from . import runs

    folder = runs.run_path(given) if runs.RUN_ID.match(given) else Path(given)
    if not (folder / "config.json").is_file():
        raise UsageError(f"{given}: no such run (see `cnn-lab runs`)")
    return folder


def _name(args) -> int:
    from . import runs

    folder = _run_folder(args.run)
    name = runs.set_name(folder, args.name)
    print(f"run {folder.name} is called {name!r}" if name else f"run {folder.name} has no name now")
    return 0


def _export(args) -> int:
    from pathlib import Path

    from .run_archive import export_run

    folder = _run_folder(args.run)
    out = Path(args.output or f"{folder.name}.zip")
    out.write_bytes(export_run(folder))
    print(f"saved {out} ({out.stat().st_size / 1e6:.1f} MB)")
    return 0


def _import(args) -> int:
    from pathlib import Path

    from . import runs
    from .run_archive import import_run

    given = Path(args.zip)
    if not given.is_file():
        raise UsageError(f"{given}: no such file")
    run_id = import_run(given.read_bytes())
    print(f"imported as run {run_id} in {runs.runs_dir()}")
    return 0


def _compare(args) -> int:

    from .compare import compare, table

    folders = [_run_folder(given) for given in args.run]
    if len(folders) < 2:
        raise UsageError("compare needs two runs or more")
    comparison = compare(folders)
    print(json.dumps(comparison) if args.json else table(comparison))
    return 0


class _Printer:
    """Each finished epoch on a line of its own; on a terminal, a progress bar that redraws itself."""

    def __init__(self, folder):
        self.folder, self.epochs_shown, self.message, self.crossed = folder, None, None, None
        self.bar = sys.stdout.isatty()

    def show(self, s):
        from .runs import TRAINING_NOW, position
        from .target import crossing_words

        if self.epochs_shown is None:  # a resumed run's earlier epochs are not printed again
            self.epochs_shown = len(s["history"])
        if s["message"] != self.message and not s["message"].startswith("epoch "):
            self.message = s["message"]
            print(("\r" if self.bar else "") + s["message"] + " " * 40, flush=True)
        for h in s["history"][self.epochs_shown :]:
            test = f"{100 * h['test_accuracy']:.2f}%" if h.get("test_accuracy") is not None else "-"
            print(
                f"\repoch {h['epoch']:>3}: loss {h['loss']:.4f}  train {100 * h['accuracy']:.2f}%  "
                f"test {test}  ({h['seconds']:.0f} s)" + " " * 20,
                flush=True,
            )
        self.epochs_shown = len(s["history"])
        if s.get("crossed") and s["crossed"] != self.crossed:
            self.crossed = s["crossed"]
            print(("\r" if self.bar else "") + crossing_words(s["crossed"]) + " " * 20, flush=True)
        if self.bar and s["status"] in TRAINING_NOW and s.get("batches_per_epoch"):
            at = position(s)
            speed = f"{s['images_per_second']:.0f} img/s" if s.get("images_per_second") else ""
            loss = f"loss {s['loss']:.3f}" if s.get("loss") is not None else ""
            sys.stdout.write(
                f"\r[{_bar(at['fraction'])}] epoch {at['epoch']}/{at['epochs']} "
                f"batch {at['batch']}/{at['batches_per_epoch']} {loss} {speed} "
                f"ETA {clock(s.get('eta_seconds'))}   "
            )
            sys.stdout.flush()


def _evaluate(args) -> int:
    from .data import load_cifar10
    from .evaluation import evaluate
    from .model import load_classifier

    if not os.path.isfile(args.model):
        raise UsageError(f"--model {args.model}: no such file")
    data = load_cifar10(args.data)
    try:
        model = load_classifier(args.model)
    except Exception as e:
        raise UsageError(
            f"--model {args.model}: not a model CNN Lab can use ({str(e).splitlines()[0][:200]})"
        ) from None
    result = evaluate(model, data.x_test, data.y_test, data.class_names)
    if args.json:
        print(json.dumps({**result.to_dict(), "data": data.description, "is_sample": data.is_sample}))
        return 0
    print(f"data: {data.description}")
    print(f"accuracy: {result.summary()}")
    for name, accuracy in result.per_class().items():
        print(f"  {name:<11} {100 * accuracy:6.2f}%")
    return 0


def _download(args) -> int:
    from . import human_labels
    from .data import download, online

    if not online():
        raise UsageError(
            f"no internet connection: copy cifar-10-python.tar.gz and {human_labels.COUNTS_NAME} into data/ instead"
        )
    print(f"saved {download()}")
    if not online("github.com"):
        raise UsageError(f"github.com does not answer: copy {human_labels.COUNTS_NAME} into data/ instead")
    print(f"saved {human_labels.download()} ({human_labels.CREDIT})")
    return 0


def _data(args) -> int:
    from .data import load_cifar10
    from .human_labels import HOW_TO_GET_IT, load_human_labels

    data = load_cifar10(args.data)
    print(data.description)
    people = load_human_labels(data, args.human_labels)
    print(f"human labels: CIFAR-10H, {people.source}" if people else f"human labels: none. {HOW_TO_GET_IT}")
    return 0


def _import_keras_quietly():
    """TensorFlow prints start-up lines from C++ before any setting can stop it; hide just those."""
    if "keras" in sys.modules:
        return
    saved, devnull = os.dup(2), os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 2)
    try:
        import keras  # noqa: F401
    finally:
        os.dup2(saved, 2)
        os.close(saved)
        os.close(devnull)


def main(argv=None) -> int:
    from .data import DataError

    logging.basicConfig(format="%(levelname)s %(name)s: %(message)s")  # a failed run's traceback, on stderr
    try:
        args = _parser().parse_args(argv)
        if args.command == "train":
            _check_resume(args)  # before Keras loads: a mistake is said at once
        if args.command in ("train", "evaluate", "import"):
            _import_keras_quietly()
        commands = {"train": _train, "runs": _runs, "compare": _compare, "evaluate": _evaluate, "name": _name}
        commands.update(export=_export, download=_download, data=_data)
        commands["import"] = _import
        return commands[args.command](args)
    except (UsageError, DataError, ValueError, OSError, RuntimeError) as e:
        print(f"cnn-lab: error: {e}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
