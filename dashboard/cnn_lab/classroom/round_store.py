"""The class round's store: its rounds and every student's answer, safe under many writers and a restart.

In a class round the teacher shows one test image at a time and every student answers; what the projector
makes of the answers is round_scores' job. The answers live in one SQLite file,
`<runs folder>/class_rounds.sqlite` (Python's own `sqlite3`, WAL mode):

    rounds   id, code, kind, images (the test-set indices, JSON), position (the image shown now),
             revealed (whether the answer to it is shown), state ("open" or "closed"), started
    answers  round, position, participant (a random id of a student's tab), nickname, answer (a class
             index), time; UNIQUE(round, position, participant): nobody answers twice for one image

An answer is taken only for the round's current image while the round is open and that image is not yet
revealed; the check and the insert are one transaction, so a student can never write into another round,
another image or a revealed one. Every call opens its own connection and closes it, so any number of server
threads (and processes) can write at once, and a restart of the lab loses nothing that was answered.

Nothing about a student is kept but the nickname they type (made safe by `safe_nickname`) and a random id
of their tab (`is_seat`: the page keeps it in the tab's address, so a reload is the same student).
`clear` deletes a round and every answer to it. Nothing here imports Streamlit.
"""

from __future__ import annotations

import json
import sqlite3
import time
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from cnn_lab.settings import NUM_CLASSES, runs_dir

FILE_NAME = "class_rounds.sqlite"
BUSY_TIMEOUT_S = 30  # how long a write waits for another one to finish before it gives up
NICKNAME_MAX = 24  # characters: fits a bar label and a list on the projector

# Outcomes of `answer`, each with the sentence a student reads.
TAKEN = "taken"
ALREADY = "already answered"
NOT_NOW = "not the current image"
CLOSED = "round closed"
REVEALED = "already revealed"
NO_ROUND = "no such round"
BAD_ANSWER = "not a class"
OUTCOME_TEXT = {
    TAKEN: "Your answer is in.",
    ALREADY: "You already answered this image.",
    NOT_NOW: "The teacher has moved on to another image: answer the one shown now.",
    CLOSED: "This round is closed.",
    REVEALED: "The answer is already shown: too late for this image.",
    NO_ROUND: "That round no longer exists (the teacher cleared it).",
    BAD_ANSWER: "That is not one of the ten classes.",
}

_SCHEMA = """
CREATE TABLE IF NOT EXISTS rounds (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    code TEXT NOT NULL,
    kind TEXT NOT NULL,
    images TEXT NOT NULL,
    position INTEGER NOT NULL DEFAULT 0,
    revealed INTEGER NOT NULL DEFAULT 0,
    state TEXT NOT NULL DEFAULT 'open' CHECK (state IN ('open', 'closed')),
    started REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS answers (
    round INTEGER NOT NULL REFERENCES rounds(id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    participant TEXT NOT NULL,
    nickname TEXT NOT NULL,
    answer INTEGER NOT NULL CHECK (answer BETWEEN 0 AND 9),
    time REAL NOT NULL,
    UNIQUE (round, position, participant)
);
"""


# --- nicknames -------------------------------------------------------------------------------------
_KEEP_FORMAT = {"\u200d"}  # the zero-width joiner holds emoji sequences together; every other format char goes


def is_seat(text: object) -> bool:
    """Whether `text` is a student's id as the Class round page makes them: 16 hexadecimal digits."""
    return isinstance(text, str) and len(text) == 16 and all(c in "0123456789abcdef" for c in text)


def safe_nickname(typed, fallback: str = "Anonymous") -> str:
    """A nickname that is safe to store and to show: control characters, bidi overrides and other invisible
    format characters removed, white space collapsed, at most NICKNAME_MAX characters; `fallback` when
    nothing is left. Emoji and right-to-left letters stay. It is still text: pages show it as text, never as
    Markdown or HTML."""
    if not isinstance(typed, str):
        typed = ""
    text = unicodedata.normalize("NFC", typed[: NICKNAME_MAX * 8])  # a 10 kB paste is cut before any work
    kept = []
    for char in text:
        category = unicodedata.category(char)
        if category.startswith("Z") or char in "\t\n\r":
            kept.append(" ")
        elif category in ("Cc", "Cs", "Co", "Cn") or (category == "Cf" and char not in _KEEP_FORMAT):
            continue
        else:
            kept.append(char)
    name = " ".join("".join(kept).split())[:NICKNAME_MAX].strip()
    return name or fallback


# --- what a round looks like from the outside ------------------------------------------------------
@dataclass(frozen=True)
class Round:
    id: int
    code: str
    kind: str
    images: tuple[int, ...]
    position: int
    revealed: bool
    state: str
    started: float

    @property
    def image(self) -> int:
        """The test-set index of the image shown now."""
        return self.images[self.position]

    @property
    def is_open(self) -> bool:
        return self.state == "open"

    @property
    def is_last(self) -> bool:
        return self.position == len(self.images) - 1

    @property
    def shown(self) -> int:
        """How many images have their answer shown: those before the current one, and it once revealed."""
        return self.position + 1 if self.revealed else self.position


def _round(row) -> Round:
    return Round(
        id=row[0],
        code=row[1],
        kind=row[2],
        images=tuple(json.loads(row[3])),
        position=row[4],
        revealed=bool(row[5]),
        state=row[6],
        started=row[7],
    )


_ROUND_COLUMNS = "id, code, kind, images, position, revealed, state, started"


class ClassRounds:
    """The store. Cheap to make: it keeps a path, not a connection."""

    def __init__(self, path: Path | str | None = None):
        self.path = open_store(path, _SCHEMA)

    def _connect(self) -> Connection:
        return Connection(self.path)

    # --- the teacher ---------------------------------------------------------------------------------
    def start(self, code: str, kind: str, images: Sequence[int]) -> Round:
        """A new open round on these test images; any round still open is closed (one class round at a time)."""
        images = [int(index) for index in images]
        if not images:
            raise ValueError("a round needs at least one image")
        with self._connect() as connection:
            connection.execute("BEGIN IMMEDIATE")
            connection.execute("UPDATE rounds SET state = 'closed' WHERE state = 'open'")
            cursor = connection.execute(
                "INSERT INTO rounds (code, kind, images, started) VALUES (?, ?, ?, ?)",
                (str(code), str(kind), json.dumps(images), time.time()),
            )
            round_id = cursor.lastrowid
        return self.get(round_id)

    def next_image(self, round_id: int) -> Round | None:
        """Show the next image (hidden again); at the last image nothing changes."""
        round_ = self.get(round_id)
        if round_ is not None and not round_.is_last:
            self._update(
                round_id,
                "UPDATE rounds SET position = position + 1, revealed = 0 WHERE id = ? AND state = 'open' "
                "AND position = ?",
                round_.position,  # two clicks on Next at once move on once
            )
        return self.get(round_id)

    def reveal(self, round_id: int) -> Round | None:
        """Show the answer to the current image; no answers to it are taken after this."""
        return self._update(round_id, "UPDATE rounds SET revealed = 1 WHERE id = ? AND state = 'open'")

    def close(self, round_id: int) -> Round | None:
        """End the round: its current image is revealed and no more answers are taken."""
        return self._update(round_id, "UPDATE rounds SET state = 'closed', revealed = 1 WHERE id = ?")

    def clear(self, round_id: int) -> None:
        """Delete the round and every answer to it."""
        with self._connect() as connection:
            connection.execute("BEGIN IMMEDIATE")
            connection.execute("DELETE FROM answers WHERE round = ?", (round_id,))
            connection.execute("DELETE FROM rounds WHERE id = ?", (round_id,))
        forget(self.path)

    def clear_all(self) -> None:
        """Delete every round and every answer (README, "Privacy")."""
        with self._connect() as connection:
            connection.execute("BEGIN IMMEDIATE")
            connection.execute("DELETE FROM answers")
            connection.execute("DELETE FROM rounds")
        forget(self.path)

    def _update(self, round_id: int, statement: str, *parameters) -> Round | None:
        with self._connect() as connection:
            connection.execute("BEGIN IMMEDIATE")
            connection.execute(statement, (round_id, *parameters))
        return self.get(round_id)

    # --- reading -------------------------------------------------------------------------------------
    def get(self, round_id: int) -> Round | None:
        with self._connect() as connection:
            row = connection.execute(f"SELECT {_ROUND_COLUMNS} FROM rounds WHERE id = ?", (round_id,)).fetchone()
        return _round(row) if row else None

    def current(self) -> Round | None:
        """The round the class follows: the newest one, open or closed, until the teacher clears it."""
        with self._connect() as connection:
            row = connection.execute(f"SELECT {_ROUND_COLUMNS} FROM rounds ORDER BY id DESC LIMIT 1").fetchone()
        return _round(row) if row else None

    def answers(self, round_id: int) -> list[tuple[int, str, str, int]]:
        """Every answer to a round as (position, participant, nickname, answer), in the order they came."""
        with self._connect() as connection:
            return connection.execute(
                "SELECT position, participant, nickname, answer FROM answers WHERE round = ? ORDER BY rowid",
                (round_id,),
            ).fetchall()

    def answer_of(self, round_id: int, position: int, participant: str) -> int | None:
        """What this participant answered for this image (None: not yet)."""
        with self._connect() as connection:
            row = connection.execute(
                "SELECT answer FROM answers WHERE round = ? AND position = ? AND participant = ?",
                (round_id, position, participant),
            ).fetchone()
        return row[0] if row else None

    # --- a student -----------------------------------------------------------------------------------
    def answer(self, round_id: int, position: int, participant: str, nickname: str, answer: int) -> str:
        """Take one answer; returns TAKEN or why not (a key of OUTCOME_TEXT). `position` is the image the
        student saw: an answer to an image the teacher has moved past is refused, never moved to the next."""
        if not isinstance(answer, (int, np.integer)) or isinstance(answer, bool) or not 0 <= answer < NUM_CLASSES:
            return BAD_ANSWER
        with self._connect() as connection:
            connection.execute("BEGIN IMMEDIATE")  # the check and the insert see the same round
            row = connection.execute(
                "SELECT position, revealed, state FROM rounds WHERE id = ?", (round_id,)
            ).fetchone()
            if row is None:
                return NO_ROUND
            current_position, revealed, state = row
            if state != "open":
                return CLOSED
            if position != current_position:
                return NOT_NOW
            if revealed:
                return REVEALED
            try:
                connection.execute(
                    "INSERT INTO answers (round, position, participant, nickname, answer, time) "
                    "VALUES (?, ?, ?, ?, ?, ?)",
                    (round_id, position, str(participant), safe_nickname(nickname), int(answer), time.time()),
                )
            except sqlite3.IntegrityError:
                return ALREADY
        return TAKEN


def open_store(path: Path | str | None, schema: str) -> Path:
    """The store's file (None: <runs folder>/class_rounds.sqlite), made ready: its folder made, WAL mode on
    (readers never wait for a writer; kept in the file), and `schema`'s tables created if missing. Both the
    class round and peer instruction keep their tables in this one file."""
    path = Path(path) if path is not None else runs_dir() / FILE_NAME
    path.parent.mkdir(parents=True, exist_ok=True)
    with Connection(path) as connection:
        connection.execute("PRAGMA journal_mode=WAL")
        connection.executescript(schema)
    return path


def forget(path: Path) -> None:
    """After a Clear: empty the write-ahead log (the -wal file), so that the deleted rows' old pages are gone from
    it too, not only from the database file (secure_delete overwrites them there)."""
    with Connection(path) as connection:
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")


class Connection:
    """One connection for one `with` block: committed at the end (rolled back on an error), always closed.
    Autocommit mode (isolation_level=None), so a writer says BEGIN IMMEDIATE itself and takes the write lock
    before it reads what it checks."""

    def __init__(self, path: Path):
        self.connection = sqlite3.connect(path, timeout=BUSY_TIMEOUT_S, isolation_level=None)
        self.connection.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_S * 1000}")
        self.connection.execute("PRAGMA foreign_keys = ON")
        self.connection.execute("PRAGMA secure_delete = ON")  # what is deleted is overwritten, not left in the file

    def __enter__(self) -> sqlite3.Connection:
        return self.connection

    def __exit__(self, error_type, error, traceback) -> None:
        try:
            if self.connection.in_transaction:
                self.connection.execute("ROLLBACK" if error_type else "COMMIT")
        finally:
            self.connection.close()
