"""The `cnn-lab` command's arguments and its way in: the arguments are checked before Keras loads, and
mistakes in what was typed, or data that cannot be read, give one line on stderr and exit 2."""

import argparse
import logging
import os
import sys

from cnn_lab.cli.data import data_command, download_command, evaluate_command
from cnn_lab.cli.runs import compare_command, export_command, import_command, list_command, name_command
from cnn_lab.cli.train import check_resume, train_command
from cnn_lab.cli.usage import Parser, UsageError, positive

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")  # keep TensorFlow's start-up chatter out of the way


def parser() -> argparse.ArgumentParser:
    from cnn_lab.recipes import AUGMENT_MODES, PRESETS  # cheap: only the lists of names are needed here

    p = Parser(prog="cnn-lab", description="CNN Lab: train and evaluate the article's CIFAR-10 CNN.")
    sub = p.add_subparsers(dest="command", required=True, parser_class=Parser)
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
    t.add_argument("--epochs", type=positive, help="with --resume: train the run on to N epochs in all")
    t.add_argument("--batch-size", type=positive, help="default: the preset's (64 for article)")
    t.add_argument("--learning-rate", type=float)
    t.add_argument("--augment", choices=AUGMENT_MODES)
    t.add_argument("--limit", type=positive, help="train on the first N training images only")
    t.add_argument(
        "--validation",
        type=positive,
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
    i.add_argument("zip", help="a zip written by `cnn-lab export` or the Runs page")

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
    from cnn_lab.network.data import DataError

    logging.basicConfig(format="%(levelname)s %(name)s: %(message)s")  # a failed run's traceback, on stderr
    try:
        args = parser().parse_args(argv)
        if args.command == "train":
            check_resume(args)  # before Keras loads: a mistake is said at once
        if args.command in ("train", "evaluate", "import"):
            _import_keras_quietly()
        commands = {
            "train": train_command,
            "runs": list_command,
            "compare": compare_command,
            "name": name_command,
            "export": export_command,
            "import": import_command,
            "evaluate": evaluate_command,
            "download": download_command,
            "data": data_command,
        }
        return commands[args.command](args)
    except (UsageError, DataError, ValueError, OSError, RuntimeError) as e:
        print(f"cnn-lab: error: {e}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
