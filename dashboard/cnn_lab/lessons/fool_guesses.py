"""The guess the "Fool the network" page asks for before it shows the changed picture: how far did the
numbers have to move? Computed from the search's own result (cnn_lab.network.fool.Attempt). No Streamlit here."""

from __future__ import annotations

from cnn_lab.lessons.guesses import Guess
from cnn_lab.network.fool import Attempt

# The answers a student picks from: the largest change, in levels of 255, as ranges.
LEVEL_RANGES = ((1, 2), (3, 5), (6, 16))


def range_text(low: int, high: int) -> str:
    """(1, 2) -> "1 or 2"; (3, 5) -> "3 to 5"; (1, 1) -> "1"."""
    if high == low:
        return f"{low}"
    return f"{low} or {high}" if high == low + 1 else f"{low} to {high}"


def levels_options(max_levels: int) -> tuple[str, ...]:
    """The ranges up to the search's largest budget, then "more than that: it cannot be done"."""
    ranges = [(low, min(high, max_levels)) for low, high in LEVEL_RANGES if low <= max_levels]
    return (*(range_text(low, high) for low, high in ranges), f"more than {max_levels}: the search gives up")


def levels_answer(attempt: Attempt) -> str:
    options = levels_options(attempt.max_levels)
    if not attempt.fooled:
        return options[-1]
    for option, (_, high) in zip(options, LEVEL_RANGES):
        if attempt.largest_change <= high:
            return option
    return options[-1]


def levels_guess(attempt: Attempt, class_names) -> Guess:
    """To make the network answer the target, by how many of its 255 levels did the most changed number move?"""
    before, target = class_names[attempt.answer_before], class_names[attempt.target]
    options = levels_options(attempt.max_levels)
    if attempt.fooled:
        why = (
            f"The most any number moved was {attempt.largest_change} of 255 levels; "
            f"{attempt.values_changed:,} of the picture's {attempt.difference.size:,} numbers moved at all, "
            f"and the network now says {target}."
        )
    else:
        why = (
            f"Even with every number the network sees allowed to move {attempt.max_levels} levels, "
            f"{attempt.steps} steps did not make it say {target}: it still says {class_names[attempt.answer_after]}."
        )
    return Guess(
        question=f"Each number of a picture is one of 256 levels (0 to 255). To turn the network's “{before}” "
        f"into “{target}”, by how many levels did the search have to move the most changed number?",
        options=options,
        answer=levels_answer(attempt),
        why=why,
    )
