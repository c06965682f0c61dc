"""You vs the network: rounds of 10 test images, chosen from a round code, and their scores.

A round code is a round kind and a number, like `people-4821`: everyone who types the same code (on the
same test set, with the same model) gets the same 10 images in the same order. The kinds:

- `random`: any test images;
- `people`: hard for people: fewer than 4 in 5 of CIFAR-10H's people gave the true class;
- `network`: hard for the network: the ones it gets wrong;
- `people-easy`: easy for people (9 in 10 or more gave the true class) but the network gets them wrong;
- `network-easy`: the network gets them right but they are hard for people;
- `cat-dog`, `car-truck`: only cats and dogs, or only automobiles and trucks.

Scores: you and the network score 1 for each image given its true class. The average person scores,
on each image, the fraction of CIFAR-10H's people who gave it its true class (38 of 51 people: 0.75):
how often a person picked at random from them would be right. The network's answers come from an
`Evaluation` (the model's probabilities for the whole test set, computed once), never predicted again.
"""

from __future__ import annotations

import dataclasses
import re
import secrets
import zlib

import numpy as np

from .evaluation import Evaluation
from .human_labels import HumanLabels

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


@dataclasses.dataclass(frozen=True)
class Outcome:
    """One image of a round, once answered."""

    index: int  # in the loaded test set
    true: int
    you: int  # the class the student chose
    network: int  # the class the network gave the highest probability
    people: float | None  # the share of people who gave the true class; None without CIFAR-10H

    @property
    def you_right(self) -> bool:
        return self.you == self.true

    @property
    def network_right(self) -> bool:
        return self.network == self.true


@dataclasses.dataclass(frozen=True)
class Score:
    played: int
    you: int
    network: int
    people: float | None  # the average person's score; None without CIFAR-10H


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
            raise RoundError(f"A round '{KINDS[kind].title}' needs CIFAR-10H, how people labelled the images.")
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


def outcomes(images, answers, evaluation: Evaluation, people: HumanLabels | None) -> list[Outcome]:
    """The answered images of a round: `answers[k]` is the student's class for `images[k]`."""
    agreement = None if people is None else people.agreement(evaluation.labels)
    return [
        Outcome(
            int(i),
            int(evaluation.labels[i]),
            int(answer),
            int(evaluation.predictions[i]),
            None if agreement is None else float(agreement[i]),
        )
        for i, answer in zip(images, answers)
    ]


def score(played: list[Outcome]) -> Score:
    return Score(
        len(played),
        sum(o.you_right for o in played),
        sum(o.network_right for o in played),
        None if any(o.people is None for o in played) else float(sum(o.people for o in played)),
    )


def a(name: str) -> str:
    """'a cat', 'an airplane'."""
    return f"{'an' if name[0] in 'aeiou' else 'a'} {name}"


def _images(played: list[Outcome], words) -> str:
    """'image 3 (a cat it called a dog), image 7 (...)'."""
    return ", ".join(f"image {n} ({words(o)})" for n, o in played)


def _beat(who: str, won: list, words) -> str:
    """'You beat the network on 2 images: image 3 (...), image 7 (...).', or on no image."""
    if not won:
        return f"{who} on no image."
    return f"{who} on {len(won)} image{'s' * (len(won) > 1)}: {_images(won, words)}."


def summary(played: list[Outcome], class_names) -> list[str]:
    """The end of a round in plain words: where you beat the network, where it beat you, and people."""
    if not played:
        return []
    numbered = list(enumerate(played, start=1))
    you_only = [(n, o) for n, o in numbered if o.you_right and not o.network_right]
    network_only = [(n, o) for n, o in numbered if o.network_right and not o.you_right]
    both = sum(o.you_right and o.network_right for o in played)
    neither = sum(not o.you_right and not o.network_right for o in played)
    total = score(played)
    lines = [
        f"You got {total.you} of {total.played} right, the network {total.network}.",
        _beat(
            "You beat the network",
            you_only,
            lambda o: f"{a(class_names[o.true])} it called {a(class_names[o.network])}",
        ),
        _beat(
            "The network beat you",
            network_only,
            lambda o: f"{a(class_names[o.true])} you called {a(class_names[o.you])}",
        ),
    ]
    lines.append(f"You were both right on {both} and both wrong on {neither}.")
    if total.people is not None:
        hardest_number, hardest = min(numbered, key=lambda item: item[1].people)
        lines.append(
            f"The average person would have scored {total.people:.1f} of {total.played}. The hardest image for "
            f"people was image {hardest_number}: {100 * hardest.people:.0f} % of them called it "
            f"{a(class_names[hardest.true])}."
        )
    return lines
