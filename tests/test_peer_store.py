"""Peer instruction's store (cnn_lab.classroom.peer_store): a question's four steps, one vote per student per
vote under 30 writers at once and across a restart, and no vote into another question or a closed vote."""

import threading

import pytest

from cnn_lab.classroom import peer_store
from cnn_lab.classroom.peer_store import PeerQuestions
from cnn_lab.classroom.round_store import FILE_NAME, ClassRounds

STUDENTS = 30
OPTIONS = ["9", "27, and one bias", "64"]


@pytest.fixture
def store(tmp_path):
    return PeerQuestions(tmp_path / FILE_NAME)


def _vote_together(path, question_id, vote, participants, option_of):
    """One thread per vote, each with its own store object, released at the same instant by a barrier."""
    barrier = threading.Barrier(len(participants))
    outcomes = []

    def student(participant):
        own_store = PeerQuestions(path)
        barrier.wait()
        outcomes.append(own_store.vote(question_id, vote, participant, "nick", option_of(participant)))

    threads = [threading.Thread(target=student, args=(participant,)) for participant in participants]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return outcomes


def test_thirty_students_vote_twice_at_once_and_a_restart_loses_nothing(tmp_path):
    path = tmp_path / FILE_NAME
    question = PeerQuestions(path).ask("channels 1", "How many numbers in one filter?", OPTIONS, 1)
    students = [f"student-{n}" for n in range(STUDENTS)]
    first = _vote_together(path, question.id, 1, students, lambda p: int(p.split("-")[1]) % 3)
    assert first == [peer_store.TAKEN] * STUDENTS
    PeerQuestions(path).show_votes(question.id)
    PeerQuestions(path).discuss(question.id)  # a restart between the votes: new store objects only
    second = _vote_together(path, question.id, 2, students, lambda p: 1)
    assert second == [peer_store.TAKEN] * STUDENTS
    votes = PeerQuestions(path).votes(question.id)
    assert len(votes) == 2 * STUDENTS
    assert sorted(option for vote, _p, option in votes if vote == 1) == sorted(n % 3 for n in range(STUDENTS))
    assert [option for vote, _p, option in votes if vote == 2] == [1] * STUDENTS


def test_the_same_student_thirty_times_at_once_counts_once(store):
    question = store.ask(peer_store.TYPED, "Which?", ["a", "b"], 0)
    outcomes = _vote_together(store.path, question.id, 1, ["same"] * STUDENTS, lambda p: 0)
    assert sorted(outcomes) == sorted([peer_store.TAKEN] + [peer_store.ALREADY] * (STUDENTS - 1))
    assert store.votes(question.id) == [(1, "same", 0)]


def test_the_four_steps_and_which_vote_is_open(store):
    question = store.ask("channels 1", "How many numbers in one filter?", OPTIONS, 1, ["w1", "w2", "w3"])
    assert (question.step, question.voting) == (peer_store.VOTE_1, 1)
    assert store.vote(question.id, 2, "s", "", 1) == peer_store.NOT_NOW  # vote 2 is not open yet
    assert store.vote(question.id, 1, "s", "", 0) == peer_store.TAKEN
    shown = store.show_votes(question.id)
    assert (shown.step, shown.voting) == (peer_store.SHOWN, None)
    assert store.vote(question.id, 1, "late", "", 0) == peer_store.NOT_NOW  # vote 1 is over
    assert store.show_votes(question.id).step == peer_store.SHOWN  # a second click changes nothing
    assert store.discuss(question.id).voting == 2
    assert store.vote(question.id, 1, "late", "", 0) == peer_store.NOT_NOW  # a stale first vote is not a second
    assert store.vote(question.id, 2, "s", "", 1) == peer_store.TAKEN
    assert store.discuss(question.id).step == peer_store.VOTE_2
    revealed = store.reveal(question.id)
    assert (revealed.step, revealed.voting) == (peer_store.REVEALED, None)
    assert store.vote(question.id, 2, "after", "", 1) == peer_store.NOT_NOW  # no vote after the reveal
    assert store.discuss(question.id).step == peer_store.REVEALED  # and nothing reopens it
    assert (store.vote_of(question.id, 1, "s"), store.vote_of(question.id, 2, "s")) == (0, 1)
    assert store.vote_of(question.id, 2, "nobody") is None
    assert revealed.whys == ("w1", "w2", "w3") and revealed.options == tuple(OPTIONS)


def test_the_teacher_may_skip_steps(store):
    question = store.ask(peer_store.TYPED, "Which?", ["a", "b"], 0)
    assert store.discuss(question.id).step == peer_store.VOTE_2  # straight from vote 1 to vote 2
    other = store.ask(peer_store.TYPED, "And?", ["a", "b"], 1)
    assert store.reveal(other.id).step == peer_store.REVEALED  # one vote only, then the answer


def test_only_the_newest_question_takes_votes(store):
    old = store.ask(peer_store.TYPED, "First?", ["a", "b"], 0)
    new = store.ask(peer_store.TYPED, "Second?", ["a", "b", "c"], 2)
    assert store.current() == new
    assert store.vote(old.id, 1, "s", "", 0) == peer_store.NOT_CURRENT
    assert store.vote(new.id, 1, "s", "", 3) == peer_store.BAD_OPTION
    assert store.vote(new.id, 1, "s", "", True) == peer_store.BAD_OPTION
    assert store.vote(new.id, 1, "s", "", "0") == peer_store.BAD_OPTION
    assert store.vote(new.id, 1, "s", "", 2) == peer_store.TAKEN
    assert [q.text for q in store.asked()] == ["First?", "Second?"]


@pytest.mark.parametrize(
    "text, options, correct, whys",
    [
        ("", ["a", "b"], 0, ()),
        ("Q?", ["a"], 0, ()),
        ("Q?", ["a", "b", "c", "d", "e", "f"], 0, ()),
        ("Q?", ["a", " "], 0, ()),
        ("Q?", ["a", "a "], 0, ()),
        ("Q?", ["a", "b"], 2, ()),
        ("Q?", ["a", "b"], 0, ["only one"]),
    ],
)
def test_a_question_that_cannot_be_voted_on_is_refused(store, text, options, correct, whys):
    with pytest.raises(ValueError):
        store.ask(peer_store.TYPED, text, options, correct, whys)
    assert store.current() is None


def test_it_shares_the_class_round_file_and_clears_on_its_own(tmp_path):
    path = tmp_path / FILE_NAME
    rounds, questions = ClassRounds(path), PeerQuestions(path)
    round_id = rounds.start("X", "random", [1, 2]).id
    question = questions.ask(peer_store.TYPED, "Q?", ["a", "b"], 0)
    questions.vote(question.id, 1, "s", "", 0)
    questions.clear_all()
    assert questions.asked() == [] and questions.votes(question.id) == []
    assert rounds.get(round_id) is not None  # the class round is another store's to clear


def test_clear_leaves_nothing_readable_in_the_files(tmp_path):
    """README, "Privacy": Clear overwrites what it deletes (secure_delete) and empties the write-ahead log, so
    neither the database file nor its -wal file holds the deleted question or votes."""
    from cnn_lab.classroom.check_answers import CheckAnswers

    path = tmp_path / FILE_NAME
    store, checks = PeerQuestions(path), CheckAnswers(path)
    marker = "a-question-the-class-asked-zqxj"
    question = store.ask("typed", marker, ["first-answer-zqxj", "second"], 0)
    store.vote(question.id, 1, "participant-zqxj", "", 0)
    checks.record("source-zqxj", "participant-zqxj", 1)
    held = b"".join(p.read_bytes() for p in tmp_path.glob(FILE_NAME + "*"))
    assert marker.encode() in held and b"participant-zqxj" in held  # it was written down
    store.clear_all()
    checks.clear_all()
    held = b"".join(p.read_bytes() for p in tmp_path.glob(FILE_NAME + "*"))
    assert b"zqxj" not in held


def test_a_question_is_numbered_by_a_count_of_those_asked_before_it(store):
    first = store.ask(peer_store.TYPED, "A?", ["a", "b"], 0)
    second = store.ask(peer_store.TYPED, "B?", ["a", "b"], 1)
    assert (store.number(first.id), store.number(second.id)) == (1, 2) == (len(store.asked()) - 1, len(store.asked()))
