"""Who got a round's images right: one student or a whole class, against the network and people.

An `Outcome` is one image of a round once its answer is shown: its true class, the player's answer and the
network's. The player is one student (You vs the network) or a class (a class round: the class's answer is
the class most of its students chose, and the outcome keeps how many answered and how many were right).

Scores: the player and the network score 1 for each image given its true class. The average person scores,
on each image, the fraction of CIFAR-10H's people who gave it its true class (38 of 51 people: 0.75):
how often a person picked at random from them would be right. The network's answers come from an
`Evaluation` (the model's probabilities for the whole test set, computed once), never predicted again.

You vs the network: `outcomes`, `score`, `summary`. A class round's projector: `class_counts`,
`class_outcomes`, `running_accuracy`, `student_scores`. Both: `who_beat_whom`.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence

import numpy as np

from cnn_lab.classroom.round_store import Round

from cnn_lab.settings import NUM_CLASSES
from cnn_lab.network.evaluation import Evaluation
from cnn_lab.classroom.human_labels import HumanLabels


@dataclasses.dataclass(frozen=True)
class Outcome:
    """One image of a round, once its answer is shown."""

    position: int  # in the round: 0 is its first image
    index: int  # in the test set
    true: int
    answer: int | None  # the player's class; a class's is the one most chose (None: nobody answered, or a tie)
    answered: int  # how many answers it stands for: 1 for one student, everyone who answered for a class
    right: int  # how many of those answers were the true class
    network: int  # the class the network gave the highest probability
    people: float | None = None  # the share of people who gave the true class; None without CIFAR-10H

    @property
    def answer_right(self) -> bool:
        return self.answer == self.true

    @property
    def network_right(self) -> bool:
        return self.network == self.true


@dataclasses.dataclass(frozen=True)
class Score:
    played: int
    you: int
    network: int
    people: float | None  # the average person's score; None without CIFAR-10H


# --- one student: You vs the network ---------------------------------------------------------------
def outcomes(images, answers, evaluation: Evaluation, people: HumanLabels | None) -> list[Outcome]:
    """The answered images of a round: `answers[k]` is the student's class for `images[k]`."""
    agreement = None if people is None else people.agreement(evaluation.labels)
    return [
        Outcome(
            position=position,
            index=int(index),
            true=int(evaluation.labels[index]),
            answer=int(answer),
            answered=1,
            right=int(answer == evaluation.labels[index]),
            network=int(evaluation.predictions[index]),
            people=None if agreement is None else float(agreement[index]),
        )
        for position, (index, answer) in enumerate(zip(images, answers))
    ]


def score(played: Sequence[Outcome]) -> Score:
    return Score(
        len(played),
        sum(o.answer_right for o in played),
        sum(o.network_right for o in played),
        None if any(o.people is None for o in played) else float(sum(o.people for o in played)),
    )


def who_beat_whom(played: Sequence[Outcome]) -> tuple[list[Outcome], list[Outcome]]:
    """(the images the player got right and the network wrong, the images the network got right and the
    player wrong)."""
    player_only = [o for o in played if o.answer_right and not o.network_right]
    network_only = [o for o in played if o.network_right and not o.answer_right]
    return player_only, network_only


def a(name: str) -> str:
    """'a cat', 'an airplane'."""
    return f"{'an' if name[0] in 'aeiou' else 'a'} {name}"


def _beat(who: str, won: list[Outcome], words) -> str:
    """'You beat the network on 2 images: image 3 (...), image 7 (...).', or on no image."""
    if not won:
        return f"{who} on no image."
    images = ", ".join(f"image {o.position + 1} ({words(o)})" for o in won)
    return f"{who} on {len(won)} image{'s' * (len(won) > 1)}: {images}."


def summary(played: Sequence[Outcome], class_names) -> list[str]:
    """The end of a round in plain words: where you beat the network, where it beat you, and people."""
    if not played:
        return []
    you_only, network_only = who_beat_whom(played)
    both = sum(o.answer_right and o.network_right for o in played)
    neither = sum(not o.answer_right and not o.network_right for o in played)
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
            lambda o: f"{a(class_names[o.true])} you called {a(class_names[o.answer])}",
        ),
    ]
    lines.append(f"You were both right on {both} and both wrong on {neither}.")
    if total.people is not None:
        hardest = min(played, key=lambda o: o.people)
        lines.append(
            f"The average person would have scored {total.people:.1f} of {total.played}. The hardest image for "
            f"people was image {hardest.position + 1}: {100 * hardest.people:.0f} % of them called it "
            f"{a(class_names[hardest.true])}."
        )
    return lines


# --- a whole class: what a class round's projector shows ---------------------------------------------
def class_counts(answers: Sequence[tuple], position: int) -> np.ndarray:
    """How many students chose each class for the image at `position` (10 ints); `answers` as the store's
    `answers` gives them: (position, participant, nickname, answer)."""
    counts = np.zeros(NUM_CLASSES, dtype=int)
    for answer_position, _participant, _nickname, answer in answers:
        if answer_position == position:
            counts[answer] += 1
    return counts


def class_choice(counts: np.ndarray) -> int | None:
    """The class's answer: the class most students chose; None when nobody answered or two classes tie."""
    counts = np.asarray(counts)
    if counts.sum() == 0 or (counts == counts.max()).sum() > 1:
        return None
    return int(counts.argmax())


def class_outcomes(round_: Round, answers: Sequence[tuple], labels: np.ndarray, network: np.ndarray) -> list[Outcome]:
    """One Outcome per image of the round whose answer is shown, the class as the player. `labels` and
    `network` are the true and the network's classes of the whole test set (or any array indexed by the
    round's test-set indices)."""
    played = []
    for position in range(round_.shown):
        index = round_.images[position]
        counts = class_counts(answers, position)
        true = int(labels[index])
        played.append(
            Outcome(
                position=position,
                index=index,
                true=true,
                answer=class_choice(counts),
                answered=int(counts.sum()),
                right=int(counts[true]),
                network=int(network[index]),
            )
        )
    return played


def running_accuracy(played: Sequence[Outcome]) -> tuple[list[float | None], list[float]]:
    """The player's and the network's accuracy after each image (the player's: the share of all its answers
    so far that were right, None while nobody has answered; the network's: the share of images so far it
    got right)."""
    player_curve, network_curve = [], []
    answered = right = network_right = 0
    for number, outcome in enumerate(played, start=1):
        answered += outcome.answered
        right += outcome.right
        network_right += outcome.network_right
        player_curve.append(right / answered if answered else None)
        network_curve.append(network_right / number)
    return player_curve, network_curve


def student_scores(round_: Round, answers: Sequence[tuple], labels: np.ndarray) -> list[tuple[str, str, int, int]]:
    """(participant, nickname, right, answered) for everyone who answered a shown image of the round, the most
    right first (then the fewest answered, then the first to answer)."""
    scores: dict[str, list] = {}
    for position, participant, nickname, answer in answers:
        if position < round_.shown:
            student = scores.setdefault(participant, [participant, nickname, 0, 0])
            student[2] += int(answer == labels[round_.images[position]])
            student[3] += 1
    return sorted((tuple(student) for student in scores.values()), key=lambda student: (-student[2], student[3]))
