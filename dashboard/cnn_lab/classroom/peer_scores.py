"""What the class's two votes on a question say: each vote's distribution, the share right before and after the
discussion, who moved from wrong to right, the most chosen wrong answer, and the lesson's table as CSV.

`votes` are the store's rows, (vote, participant, option), as peer_store.PeerQuestions.votes returns them.
Nothing here imports Streamlit.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass

from cnn_lab.classroom.peer_store import ClassQuestion


def counts(question: ClassQuestion, votes, vote: int) -> list[int]:
    """How many chose each option in vote 1 or 2."""
    tally = [0] * len(question.options)
    for at, _participant, option in votes:
        if at == vote:
            tally[option] += 1
    return tally


def share_right(question: ClassQuestion, votes, vote: int) -> float | None:
    """The share of vote 1's (or 2's) voters who chose the right answer; None when nobody voted."""
    tally = counts(question, votes, vote)
    return tally[question.correct] / sum(tally) if sum(tally) else None


@dataclass(frozen=True)
class Moves:
    """The students who voted both times, by where they went."""

    both: int  # voted in vote 1 and vote 2
    wrong_to_right: int
    right_to_wrong: int
    stayed_right: int
    stayed_wrong: int

    @property
    def share_wrong_to_right(self) -> float | None:
        """Of those who were wrong in vote 1 and voted again, the share that was right in vote 2."""
        wrong_first = self.wrong_to_right + self.stayed_wrong
        return self.wrong_to_right / wrong_first if wrong_first else None


def moves(question: ClassQuestion, votes) -> Moves:
    first = {participant: option for at, participant, option in votes if at == 1}
    second = {participant: option for at, participant, option in votes if at == 2}
    pairs = [(first[p] == question.correct, second[p] == question.correct) for p in first if p in second]
    return Moves(
        both=len(pairs),
        wrong_to_right=pairs.count((False, True)),
        right_to_wrong=pairs.count((True, False)),
        stayed_right=pairs.count((True, True)),
        stayed_wrong=pairs.count((False, False)),
    )


def most_chosen_wrong(question: ClassQuestion, votes) -> str | None:
    """The wrong answer chosen most in vote 1, before the discussion: the class's own misconception (the first such
    on a tie); None when no one chose one."""
    chosen = most_chosen_wrong_option(counts(question, votes, 1), question.correct)
    return None if chosen is None else question.options[chosen]


def most_chosen_wrong_option(tally: list[int], right: int) -> int | None:
    """The wrong option (an index into `tally`, the count of each option) chosen most, the first on a tie; None when
    no one chose a wrong one. A class question's vote 1 and the lesson pages' check answers both ask it."""
    wrong = [i for i, n in enumerate(tally) if i != right and n]
    return max(wrong, key=lambda i: (tally[i], -i)) if wrong else None


UNDERSTANDING_COLUMNS = (
    "question",
    "source",
    "right answer",
    "voters (vote 1)",
    "right (vote 1)",
    "voters (vote 2)",
    "right (vote 2)",
    "wrong to right",
    "most chosen wrong answer",
)


def understanding_rows(asked: list[tuple[ClassQuestion, list]]) -> list[dict]:
    """One row per question asked, as the teacher's table and the CSV show it: shares as numbers 0-1 (None when
    nobody voted; "wrong to right" also when nobody who voted twice was wrong in vote 1)."""
    rows = []
    for question, votes in asked:
        first, second = counts(question, votes, 1), counts(question, votes, 2)
        rows.append(
            dict(
                zip(
                    UNDERSTANDING_COLUMNS,
                    (
                        question.text,
                        question.source,
                        question.options[question.correct],
                        sum(first),
                        share_right(question, votes, 1),
                        sum(second),
                        share_right(question, votes, 2),
                        moves(question, votes).share_wrong_to_right,
                        most_chosen_wrong(question, votes),
                    ),
                )
            )
        )
    return rows


def understanding_csv(rows: list[dict]) -> str:
    """The teacher's table as CSV text (shares with 3 decimals, empty where nobody voted)."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=UNDERSTANDING_COLUMNS, lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({k: "" if v is None else f"{v:.3f}" if isinstance(v, float) else v for k, v in row.items()})
    return out.getvalue()
