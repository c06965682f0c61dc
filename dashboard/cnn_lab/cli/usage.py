"""What the command's parts share: its one-line usage errors, its argument parser and types, and a run
named on the command line."""

import argparse
from pathlib import Path

from cnn_lab.runs import folders


class UsageError(Exception):
    """A mistake in what was typed, or data that cannot be read: one line on stderr, exit status 2."""


class Parser(argparse.ArgumentParser):
    def error(self, message):  # one line, not argparse's usage block
        raise UsageError(
            f"{message} (see `cnn-lab {self.prog.split()[-1]} --help`)"
            if " " in self.prog
            else f"{message} (see `cnn-lab --help`)"
        )


def positive(text):
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"{text} is not a positive number")
    return value


def run_folder(given: str):
    """A run named on the command line by its id or its folder."""
    folder = folders.run_path(given) if folders.RUN_ID.match(given) else Path(given)
    if not (folder / "config.json").is_file():
        raise UsageError(f"{given}: no such run (see `cnn-lab runs`)")
    return folder
