"""A round's code and the test images it holds: rounds of 10, the same for everyone who types the same code.

A round code is a round kind and a number, like `people-4821`: everyone who types the same code (on the
same test set, with the same model) gets the same 10 images in the same order, on You vs the network and
in a class round alike. The kinds:

- `random`: any test images;
- `people`: hard for people: fewer than 4 in 5 of CIFAR-10H's people gave the true class;
- `network`: hard for the network: the ones it gets wrong;
- `people-easy`: easy for people (9 in 10 or more gave the true class) but the network gets them wrong;
- `network-easy`: the network gets them right but they are hard for people;
- `cat-dog`, `car-truck`: only cats and dogs, or only automobiles and trucks.

Who got a round's images right is round_scores' job.
"""

from __future__ import annotations

import dataclasses
import re
import secrets
import zlib

import numpy as np

from cnn_lab.network.evaluation import Evaluation
from cnn_lab.classroom.human_labels import HumanLabels

ROUND_LENGTH = 10
HARD_FOR_PEOPLE = 0.8  # below this share of people giving the true class, an image is hard for people
EASY_FOR_PEOPLE = 0.9  # at or above it, easy
LARGEST_NUMBER = 999_999


@dataclasses.dataclass(frozen=True)
class RoundKind:
    name: str  # as it is written in a round code
    title: str  # as a chooser shows it
    needs_people: bool  # chosen with CIFAR-10H's counts


KINDS = {
    kind.name: kind
    for kind in (
        RoundKind("random", "Random images", False),
        RoundKind("people", "Hard for people", True),
        RoundKind("network", "Hard for the network", False),
        RoundKind("people-easy", "Easy for people, the network fails", True),
        RoundKind("network-easy", "Easy for the network, hard for people", True),
        RoundKind("cat-dog", "Cat or dog", False),
        RoundKind("car-truck", "Automobile or truck", False),
    )
}
PAIRS = {"cat-dog": (3, 5), "car-truck": (1, 9)}  # class numbers, as in data.CLASS_NAMES
_CODE = re.compile(r"^\s*([a-z-]+?)-?(\d{1,6})\s*$")


class RoundError(ValueError):
    """A round code that cannot be read, or a round that cannot be made here. The message says why."""


class NeedsHumanLabels(RoundError):
    """A round of a kind that needs CIFAR-10H (how people labelled the images), where it is missing."""


def make_code(kind: str, number: int | None = None) -> str:
    """`kind-number`; a new random number when none is given."""
    if kind not in KINDS:
        raise RoundError(f"{kind!r} is not a round kind ({', '.join(KINDS)})")
    number = secrets.randbelow(9_000) + 1_000 if number is None else number
    return f"{kind}-{number}"


def parse_code(code: str) -> tuple[str, int]:
    """'Cat-Dog-42' -> ('cat-dog', 42). RoundError, in plain words, for anything else."""
    found = _CODE.match(str(code).lower())
    if not found or found.group(1).rstrip("-") not in KINDS:
        shown = str(code).strip()[:40] or "an empty code"
        raise RoundError(
            f"{shown!r} is not a round code. A code is a round kind and a number up to {LARGEST_NUMBER:,}, "
            f"like random-4821; the kinds are {', '.join(KINDS)}."
        )
    return found.group(1).rstrip("-"), int(found.group(2))


def candidates(kind: str, evaluation: Evaluation, people: HumanLabels | None) -> np.ndarray:
    """Every test image a round of this kind can hold, in test-set order."""
    labels, network_right = evaluation.labels, evaluation.predictions == evaluation.labels
    if KINDS[kind].needs_people:
        if people is None:
            raise NeedsHumanLabels(f"A round '{KINDS[kind].title}' needs CIFAR-10H, how people labelled the images.")
        if len(people.counts) != len(labels):
            raise RoundError("CIFAR-10H and the network's results are for different test sets.")
        agreement = people.agreement(labels)
    if kind == "random":
        chosen = np.ones(len(labels), bool)
    elif kind == "people":
        chosen = agreement < HARD_FOR_PEOPLE
    elif kind == "network":
        chosen = ~network_right
    elif kind == "people-easy":
        chosen = (agreement >= EASY_FOR_PEOPLE) & ~network_right
    elif kind == "network-easy":
        chosen = (agreement < HARD_FOR_PEOPLE) & network_right
    else:
        chosen = np.isin(labels, PAIRS[kind])
    return np.flatnonzero(chosen)


def pick_images(code: str, evaluation: Evaluation, people: HumanLabels | None) -> np.ndarray:
    """The round's images (indices into the test set), the same for everyone with the same code: up to
    ROUND_LENGTH drawn from `candidates` by a generator seeded with the kind and the number."""
    kind, number = parse_code(code)
    pool = candidates(kind, evaluation, people)
    if not len(pool):
        raise RoundError(f"No test image here is '{KINDS[kind].title.lower()}': choose another kind of round.")
    generator = np.random.default_rng([zlib.crc32(kind.encode()), number])
    return generator.choice(pool, size=min(ROUND_LENGTH, len(pool)), replace=False)
