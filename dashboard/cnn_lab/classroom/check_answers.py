"""The class's answers to the lesson pages' check questions: while a teacher token is set, the first answer given in
each browser tab to each check question is kept, anonymously, so that the teacher sees which ideas the class gets
wrong most. (A reloaded tab is a new tab here: its id lives in the session only, so it counts again.)

Kept in the class round's SQLite file (round_store.FILE_NAME), a table of its own:

    check_answers  source (the question: its lesson and number, "channels 2"), participant (a random id of the
                   student's browser tab, no name), option (the index of the answer chosen), time;
                   UNIQUE(source, participant): a tab's first answer only, what it said before the feedback

`wrong_most` turns the counts into the teacher's table, the least understood first. Nothing here imports Streamlit.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

from cnn_lab.classroom.peer_scores import most_chosen_wrong_option
from cnn_lab.classroom.round_store import Connection, forget, open_store
from cnn_lab.lessons.questions import Question

_SCHEMA = """
CREATE TABLE IF NOT EXISTS check_answers (
    source TEXT NOT NULL,
    participant TEXT NOT NULL,
    option INTEGER NOT NULL,
    time REAL NOT NULL,
    UNIQUE (source, participant)
);
"""


class CheckAnswers:
    """The store. Cheap to make: it keeps a path, not a connection."""

    def __init__(self, path: Path | str | None = None):
        self.path = open_store(path, _SCHEMA)

    def record(self, source: str, participant: str, option: int) -> bool:
        """Keep a student's answer to a check question; False if they had answered it already (the first stays)."""
        with Connection(self.path) as connection:
            cursor = connection.execute(
                "INSERT OR IGNORE INTO check_answers (source, participant, option, time) VALUES (?, ?, ?, ?)",
                (str(source), str(participant), int(option), time.time()),
            )
            return cursor.rowcount == 1

    def counts(self) -> dict[str, dict[int, int]]:
        """{source: {option: how many chose it first}} for every question answered."""
        found: dict[str, dict[int, int]] = {}
        with Connection(self.path) as connection:
            rows = connection.execute("SELECT source, option, COUNT(*) FROM check_answers GROUP BY source, option")
            for source, option, count in rows:
                found.setdefault(source, {})[option] = count
        return found

    def clear_all(self) -> None:
        """Delete every answer kept (README, "Privacy")."""
        with Connection(self.path) as connection:
            connection.execute("DELETE FROM check_answers")
        forget(self.path)


@dataclass(frozen=True)
class Understood:
    """How the class answered one check question."""

    source: str
    question: str
    answered: int
    right: float  # the share of first answers that were right
    most_chosen_wrong: str | None  # the wrong answer chosen most (None: nobody was wrong)


def wrong_most(counts: dict[str, dict[int, int]], questions: dict[str, Question]) -> list[Understood]:
    """Every answered check question, the least understood first (on a tie, the one more students answered).
    `questions` maps each source to its question; an answer to a question no longer there is left out."""
    rows = []
    for source, chosen in counts.items():
        question = questions.get(source)
        if question is None:
            continue
        tally = [chosen.get(i, 0) for i in range(len(question.options))]
        right = next(i for i, option in enumerate(question.options) if option.correct)
        wrong = most_chosen_wrong_option(tally, right)
        rows.append(
            Understood(
                source=source,
                question=question.text,
                answered=sum(tally),
                right=tally[right] / sum(tally) if sum(tally) else 0.0,
                most_chosen_wrong=None if wrong is None else question.options[wrong].answer,
            )
        )
    return sorted((r for r in rows if r.answered), key=lambda r: (r.right, -r.answered))
