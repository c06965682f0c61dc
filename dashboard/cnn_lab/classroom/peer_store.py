"""Peer instruction's store: the teacher's concept questions and the class's two votes on each, safe under
many writers and a restart.

Peer instruction (Crouch & Mazur 2001) runs one question in four steps, and a question's `step` says which:

    vote 1    everyone votes alone; the projector shows only how many have voted
    shown     vote 1 is over and its distribution is on the projector
    vote 2    after discussing with a neighbour, everyone votes again
    revealed  vote 2 is over: both votes side by side, the right answer and why

The store lives in the class round's SQLite file (round_store.FILE_NAME, its own two tables):

    questions  id, source (a lesson's check question, e.g. "channels 2", or "typed"), text, options (JSON),
               correct (the right option's index), whys (JSON, one line per option), step, asked (time)
    votes      question, vote (1 or 2), participant, nickname, option, time;
               UNIQUE(question, vote, participant): one vote per student per vote

A vote is taken only for the newest question, only while its step is that vote; the check and the insert
are one transaction. Nothing about a student is kept but a random id of their tab (the page passes no nickname:
its votes are anonymous). Nothing here imports Streamlit.
"""

from __future__ import annotations

import json
import sqlite3
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from cnn_lab.classroom.round_store import Connection, forget, open_store, safe_nickname

VOTE_1, SHOWN, VOTE_2, REVEALED = "vote 1", "shown", "vote 2", "revealed"
STEPS = (VOTE_1, SHOWN, VOTE_2, REVEALED)
MIN_OPTIONS, MAX_OPTIONS = 2, 5
TYPED = "typed"  # the source of a question the teacher typed

# Outcomes of `vote`, each with the sentence a student reads.
TAKEN = "taken"
ALREADY = "already voted"
NOT_NOW = "not voting now"
NOT_CURRENT = "not the current question"
BAD_OPTION = "not an option"
OUTCOME_TEXT = {
    TAKEN: "Your vote is in.",
    ALREADY: "You already voted this time.",
    NOT_NOW: "Voting is closed for now: wait for the teacher.",
    NOT_CURRENT: "The teacher has moved on to another question.",
    BAD_OPTION: "That is not one of the answers.",
}

_SCHEMA = """
CREATE TABLE IF NOT EXISTS questions (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    source TEXT NOT NULL,
    text TEXT NOT NULL,
    options TEXT NOT NULL,
    correct INTEGER NOT NULL,
    whys TEXT NOT NULL,
    step TEXT NOT NULL DEFAULT 'vote 1' CHECK (step IN ('vote 1', 'shown', 'vote 2', 'revealed')),
    asked REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS votes (
    question INTEGER NOT NULL REFERENCES questions(id) ON DELETE CASCADE,
    vote INTEGER NOT NULL CHECK (vote IN (1, 2)),
    participant TEXT NOT NULL,
    nickname TEXT NOT NULL,
    option INTEGER NOT NULL,
    time REAL NOT NULL,
    UNIQUE (question, vote, participant)
);
"""


@dataclass(frozen=True)
class ClassQuestion:
    id: int
    source: str
    text: str
    options: tuple[str, ...]
    correct: int
    whys: tuple[str, ...]
    step: str
    asked: float

    @property
    def voting(self) -> int | None:
        """Which vote is open now (1 or 2), None between and after the votes."""
        return {VOTE_1: 1, VOTE_2: 2}.get(self.step)


_COLUMNS = "id, source, text, options, correct, whys, step, asked"
_NEWEST = f"SELECT {_COLUMNS} FROM questions ORDER BY id DESC LIMIT 1"


def _question(row) -> ClassQuestion:
    id_, source, text, options, correct, whys, step, asked = row
    return ClassQuestion(id_, source, text, tuple(json.loads(options)), correct, tuple(json.loads(whys)), step, asked)


class PeerQuestions:
    """The store. Cheap to make: it keeps a path, not a connection."""

    def __init__(self, path: Path | str | None = None):
        self.path = open_store(path, _SCHEMA)

    # --- the teacher ---------------------------------------------------------------------------------
    def ask(
        self, source: str, text: str, options: Sequence[str], correct: int, whys: Sequence[str] = ()
    ) -> ClassQuestion:
        """A new question, open for vote 1; the question before it ends wherever it stood."""
        options = [" ".join(str(option).split()) for option in options]
        text = " ".join(str(text).split())
        if not text:
            raise ValueError("a question needs some text")
        if not MIN_OPTIONS <= len(options) <= MAX_OPTIONS or not all(options):
            raise ValueError(f"a question needs {MIN_OPTIONS} to {MAX_OPTIONS} answers, none of them empty")
        if len(set(options)) != len(options):
            raise ValueError("two answers are the same")
        if not 0 <= int(correct) < len(options):
            raise ValueError("the right answer must be one of the answers")
        whys = [" ".join(str(why).split()) for why in whys] or [""] * len(options)
        if len(whys) != len(options):
            raise ValueError("one explanation per answer")
        with Connection(self.path) as connection:
            connection.execute("BEGIN IMMEDIATE")
            cursor = connection.execute(
                "INSERT INTO questions (source, text, options, correct, whys, asked) VALUES (?, ?, ?, ?, ?, ?)",
                (str(source), text, json.dumps(options), int(correct), json.dumps(whys), time.time()),
            )
            question_id = cursor.lastrowid
        return self.get(question_id)

    def show_votes(self, question_id: int) -> ClassQuestion | None:
        """End vote 1 and show its distribution."""
        return self._step(question_id, (VOTE_1,), SHOWN)

    def discuss(self, question_id: int) -> ClassQuestion | None:
        """After discussion, open vote 2 (from vote 1 too: a teacher may choose not to show the first votes)."""
        return self._step(question_id, (VOTE_1, SHOWN), VOTE_2)

    def reveal(self, question_id: int) -> ClassQuestion | None:
        """End the voting and show the answer (from any step: a teacher may stop after one vote)."""
        return self._step(question_id, (VOTE_1, SHOWN, VOTE_2), REVEALED)

    def _step(self, question_id: int, was: tuple[str, ...], becomes: str) -> ClassQuestion | None:
        """Move on only from a step in `was`: two clicks at once, or a click on a stale page, move once or not at
        all."""
        with Connection(self.path) as connection:
            connection.execute("BEGIN IMMEDIATE")
            connection.execute(
                f"UPDATE questions SET step = ? WHERE id = ? AND step IN ({', '.join('?' * len(was))})",
                (becomes, question_id, *was),
            )
        return self.get(question_id)

    def clear_all(self) -> None:
        """Delete every question and every vote (README, "Privacy")."""
        with Connection(self.path) as connection:
            connection.execute("BEGIN IMMEDIATE")
            connection.execute("DELETE FROM votes")
            connection.execute("DELETE FROM questions")
        forget(self.path)

    # --- reading -------------------------------------------------------------------------------------
    def get(self, question_id: int) -> ClassQuestion | None:
        with Connection(self.path) as connection:
            row = connection.execute(f"SELECT {_COLUMNS} FROM questions WHERE id = ?", (question_id,)).fetchone()
        return _question(row) if row else None

    def current(self) -> ClassQuestion | None:
        """The question the class follows: the newest one."""
        with Connection(self.path) as connection:
            row = connection.execute(_NEWEST).fetchone()
        return _question(row) if row else None

    def asked(self) -> list[ClassQuestion]:
        """Every question asked since the teacher last cleared them, oldest first."""
        with Connection(self.path) as connection:
            rows = connection.execute(f"SELECT {_COLUMNS} FROM questions ORDER BY id").fetchall()
        return [_question(row) for row in rows]

    def number(self, question_id: int) -> int:
        """Which question this is since the teacher last cleared them: 1 for the first (a count, not the rows)."""
        with Connection(self.path) as connection:
            return connection.execute("SELECT COUNT(*) FROM questions WHERE id <= ?", (question_id,)).fetchone()[0]

    def votes(self, question_id: int) -> list[tuple[int, str, int]]:
        """Every vote on a question as (vote, participant, option), in the order they came."""
        with Connection(self.path) as connection:
            return connection.execute(
                "SELECT vote, participant, option FROM votes WHERE question = ? ORDER BY rowid", (question_id,)
            ).fetchall()

    def vote_of(self, question_id: int, vote: int, participant: str) -> int | None:
        """The option this participant chose in this vote (None: not yet)."""
        with Connection(self.path) as connection:
            row = connection.execute(
                "SELECT option FROM votes WHERE question = ? AND vote = ? AND participant = ?",
                (question_id, vote, participant),
            ).fetchone()
        return row[0] if row else None

    # --- a student -----------------------------------------------------------------------------------
    def vote(self, question_id: int, vote: int, participant: str, nickname: str, option: int) -> str:
        """Take one vote; returns TAKEN or why not (a key of OUTCOME_TEXT). `vote` is the vote the student's
        page showed: a first vote that arrives after vote 2 opened is refused, never counted as the second."""
        if not isinstance(option, int) or isinstance(option, bool):
            return BAD_OPTION
        with Connection(self.path) as connection:
            connection.execute("BEGIN IMMEDIATE")  # the check and the insert see the same question
            newest = connection.execute(_NEWEST).fetchone()
            if newest is None or newest[0] != question_id:
                return NOT_CURRENT
            question = _question(newest)
            if not 0 <= option < len(question.options):
                return BAD_OPTION
            if question.voting is None or question.voting != vote:
                return NOT_NOW
            try:
                connection.execute(
                    "INSERT INTO votes (question, vote, participant, nickname, option, time) VALUES (?, ?, ?, ?, ?, ?)",
                    (question_id, vote, str(participant), safe_nickname(nickname), option, time.time()),
                )
            except sqlite3.IntegrityError:
                return ALREADY
        return TAKEN
