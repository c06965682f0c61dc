"""The class round's store (cnn_lab.classroom.round_store): every answer kept exactly once, under 30 writers at once and
across a restart; no second answer for one image; no answer into another round, a closed one or a revealed
image; odd nicknames made safe."""

import os
import sqlite3
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from cnn_lab.classroom import round_store
from cnn_lab.classroom.round_store import ClassRounds, safe_nickname

DASHBOARD = Path(__file__).resolve().parents[1] / "dashboard"
STUDENTS = 30
IMAGES = [7, 3, 11, 42]


@pytest.fixture
def store(tmp_path):
    return ClassRounds(tmp_path / round_store.FILE_NAME)


def _answer_together(store_path, round_id, position, students, answer_of):
    """`students` threads, each with its own store object, released at the same instant by a barrier."""
    barrier = threading.Barrier(len(students))
    outcomes = {}

    def student(participant):
        own_store = ClassRounds(store_path)  # as a server thread would: its own connection per call
        barrier.wait()
        outcomes[participant] = own_store.answer(
            round_id, position, participant, f"nick {participant}", answer_of(participant)
        )

    threads = [threading.Thread(target=student, args=(participant,)) for participant in students]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return outcomes


# One student in a process of its own: waits for the start file, answers, prints the outcome.
PROCESS_STUDENT = """
import sys, time
from pathlib import Path
from cnn_lab.classroom.round_store import ClassRounds
path, round_id, participant, start = sys.argv[1], int(sys.argv[2]), sys.argv[3], Path(sys.argv[4])
store = ClassRounds(path)
print("ready", flush=True)
while not start.exists():
    time.sleep(0.001)
print(store.answer(round_id, 1, participant, "from a process", 3), flush=True)
"""


def test_thirty_students_at_once_and_a_restart_lose_nothing(tmp_path):
    path = tmp_path / round_store.FILE_NAME
    round_id = ClassRounds(path).start("ABC123", "random", IMAGES).id
    students = [f"student-{number}" for number in range(STUDENTS)]

    # image 0: 30 threads in one server
    outcomes = _answer_together(path, round_id, 0, students, lambda participant: int(participant.split("-")[1]) % 10)
    assert set(outcomes.values()) == {round_store.TAKEN}
    ClassRounds(path).next_image(round_id)

    # the server restarts: new processes with new stores answer image 1, 30 at once
    start = tmp_path / "start"
    environment = dict(os.environ, PYTHONPATH=str(DASHBOARD))
    processes = [
        subprocess.Popen(
            [sys.executable, "-c", PROCESS_STUDENT, str(path), str(round_id), participant, str(start)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=environment,
        )
        for participant in students
    ]
    for process in processes:
        assert process.stdout.readline().strip() == "ready", process.stderr.read()
    start.touch()
    outcomes = [process.communicate(timeout=120) for process in processes]
    assert [out.strip() for out, _err in outcomes] == [round_store.TAKEN] * STUDENTS, outcomes

    # and again in this process, with a new store object
    fresh = ClassRounds(path)
    answers = fresh.answers(round_id)
    assert len(answers) == 2 * STUDENTS
    keys = [(position, participant) for position, participant, _nickname, _answer in answers]
    assert len(set(keys)) == len(keys)  # exactly once each
    assert set(keys) == {(position, participant) for position in (0, 1) for participant in students}
    chosen = {
        position: sorted(answer for at, _participant, _nickname, answer in answers if at == position)
        for position in (0, 1)
    }
    assert chosen[0] == sorted(number % 10 for number in range(STUDENTS))
    assert chosen[1] == [3] * STUDENTS
    assert sqlite3.connect(path).execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_the_same_student_thirty_times_at_once_is_kept_once(store):
    round_id = store.start("X", "random", IMAGES).id
    barrier = threading.Barrier(STUDENTS)
    outcomes = []

    def again(answer):
        barrier.wait()
        outcomes.append(store.answer(round_id, 0, "the-same-one", "me", answer))

    threads = [threading.Thread(target=again, args=(number % 10,)) for number in range(STUDENTS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == sorted([round_store.TAKEN] + [round_store.ALREADY] * (STUDENTS - 1))
    assert len(store.answers(round_id)) == 1


def test_a_second_answer_for_one_image_is_refused(store):
    round_id = store.start("X", "random", IMAGES).id
    assert store.answer(round_id, 0, "p1", "Ada", 3) == round_store.TAKEN
    assert store.answer(round_id, 0, "p1", "Ada", 5) == round_store.ALREADY
    assert store.answer_of(round_id, 0, "p1") == 3  # the first answer stands
    store.next_image(round_id)
    assert store.answer(round_id, 1, "p1", "Ada", 5) == round_store.TAKEN  # the next image is a new question


def test_answers_only_go_into_the_current_open_unrevealed_image(store):
    old = store.start("OLD", "random", IMAGES)
    new = store.start("NEW", "random", IMAGES)
    assert store.get(old.id).state == "closed"  # one class round at a time
    assert store.current().id == new.id
    assert store.answer(old.id, 0, "p1", "Ada", 1) == round_store.CLOSED
    assert store.answer(new.id + 1, 0, "p1", "Ada", 1) == round_store.NO_ROUND
    assert store.answer(new.id, 1, "p1", "Ada", 1) == round_store.NOT_NOW  # an image not shown yet
    store.next_image(new.id)
    assert store.answer(new.id, 0, "p1", "Ada", 1) == round_store.NOT_NOW  # an image moved past
    store.reveal(new.id)
    assert store.answer(new.id, 1, "p1", "Ada", 1) == round_store.REVEALED
    store.next_image(new.id)
    assert store.answer(new.id, 2, "p1", "Ada", 1) == round_store.TAKEN
    for bad in (10, -1, True, "3", 2.0):
        assert store.answer(new.id, 2, "p2", "Bo", bad) == round_store.BAD_ANSWER
    store.close(new.id)
    assert store.answer(new.id, 2, "p3", "Cy", 1) == round_store.CLOSED
    assert [row[0] for row in store.answers(old.id)] == []
    assert store.answers(new.id) == [(2, "p1", "Ada", 1)]


def test_teacher_controls(store):
    round_ = store.start("CODE", "hard for people", IMAGES)
    assert (round_.position, round_.revealed, round_.state, round_.image) == (0, False, "open", IMAGES[0])
    assert round_.shown == 0  # no answer shown yet
    round_ = store.reveal(round_.id)
    assert round_.revealed and round_.shown == 1
    round_ = store.next_image(round_.id)
    assert (round_.position, round_.revealed, round_.shown) == (1, False, 1)
    for _ in range(10):
        round_ = store.next_image(round_.id)
    assert round_.position == len(IMAGES) - 1 and round_.is_last  # stops at the last image
    round_ = store.close(round_.id)
    assert (round_.state, round_.revealed, round_.shown) == ("closed", True, len(IMAGES))
    assert store.next_image(round_.id).position == len(IMAGES) - 1  # a closed round stays where it ended
    store.answer(store.start("B", "random", IMAGES).id, 0, "p", "n", 1)
    store.clear(round_.id)
    assert store.get(round_.id) is None
    assert store.current().code == "B"
    store.clear_all()
    assert store.current() is None
    assert sqlite3.connect(store.path).execute("SELECT COUNT(*) FROM answers").fetchone()[0] == 0


def test_a_round_needs_images(store):
    with pytest.raises(ValueError):
        store.start("X", "random", [])


@pytest.mark.parametrize(
    "typed, shown",
    [
        ("", "Anonymous"),
        ("   \n\t ", "Anonymous"),
        (None, "Anonymous"),
        ("x" * 10_000, "x" * round_store.NICKNAME_MAX),
        ("<b>bold</b><script>alert(1)</script>", "<b>bold</b><script>alert"),  # kept as text, cut to length
        ("Zoë 🦊🐱", "Zoë 🦊🐱"),
        ("👩\u200d🚀 astro", "👩\u200d🚀 astro"),  # an emoji sequence stays whole
        ("\u05e9\u05dc\u05d5\u05dd", "\u05e9\u05dc\u05d5\u05dd"),  # Hebrew stays
        ("abc\u202edcba", "abcdcba"),  # a right-to-left override is dropped
        ("\u2066a\u2069\u200bb\x00c\x1b[31m", "abc[31m"),  # isolates, zero-width space, NUL, escape
        ("  many    spaces\u00a0here ", "many spaces here"),
        ("**bold** _it_ [link](http://x)", "**bold** _it_ [link](htt"),
    ],
)
def test_nicknames_are_made_safe(typed, shown):
    assert safe_nickname(typed) == shown


def test_an_odd_nickname_is_stored_safe(store):
    round_id = store.start("X", "random", IMAGES).id
    store.answer(round_id, 0, "p1", "\u202e" + "y" * 10_000, 2)
    assert store.answers(round_id)[0][2] == "y" * round_store.NICKNAME_MAX
