"""What the two votes on a peer-instruction question say (cnn_lab.classroom.peer_scores), against counts made
by hand."""

import csv
import io

from cnn_lab.classroom import peer_scores
from cnn_lab.classroom.peer_store import REVEALED, ClassQuestion

QUESTION = ClassQuestion(1, "channels 1", "How many numbers?", ("9", "27", "64"), 1, ("", "", ""), REVEALED, 0.0)
# vote 1: a=9 b=9 c=64 d=27 e=9        vote 2: a=27 b=9 c=27 d=27 f=64 (f did not vote first)
VOTES = [
    (1, "a", 0), (1, "b", 0), (1, "c", 2), (1, "d", 1), (1, "e", 0),
    (2, "a", 1), (2, "b", 0), (2, "c", 1), (2, "d", 1), (2, "f", 2),
]  # fmt: skip


def test_counts_and_shares_right():
    assert peer_scores.counts(QUESTION, VOTES, 1) == [3, 1, 1]
    assert peer_scores.counts(QUESTION, VOTES, 2) == [1, 3, 1]
    assert peer_scores.share_right(QUESTION, VOTES, 1) == 1 / 5
    assert peer_scores.share_right(QUESTION, VOTES, 2) == 3 / 5
    assert peer_scores.share_right(QUESTION, [], 2) is None


def test_who_moved_where():
    moves = peer_scores.moves(QUESTION, VOTES)
    # a: wrong->right, b: wrong->wrong, c: wrong->right, d: right->right; e voted once, f only second
    assert moves == peer_scores.Moves(both=4, wrong_to_right=2, right_to_wrong=0, stayed_right=1, stayed_wrong=1)
    assert moves.share_wrong_to_right == 2 / 3
    assert peer_scores.moves(QUESTION, []).share_wrong_to_right is None


def test_the_most_chosen_wrong_answer():
    assert peer_scores.most_chosen_wrong(QUESTION, VOTES) == "9"  # in vote 1: 3 votes for 9, 1 for 64
    assert peer_scores.most_chosen_wrong(QUESTION, [(1, "a", 0), (2, "b", 2), (2, "c", 2)]) == "9"  # vote 1 only
    tie = [(1, "a", 0), (1, "b", 2)]
    assert peer_scores.most_chosen_wrong(QUESTION, tie) == "9"  # a tie: the first wrong answer
    assert peer_scores.most_chosen_wrong(QUESTION, [(1, "a", 1)]) is None


def test_the_teachers_table_and_its_csv():
    unvoted = ClassQuestion(2, "typed", 'A "quoted", question', ("yes", "no"), 0, ("", ""), REVEALED, 0.0)
    rows = peer_scores.understanding_rows([(QUESTION, VOTES), (unvoted, [])])
    assert rows[0]["voters (vote 1)"] == 5 and rows[0]["right (vote 2)"] == 3 / 5
    assert rows[0]["wrong to right"] == 2 / 3 and rows[0]["most chosen wrong answer"] == "9"
    assert rows[1]["right (vote 1)"] is None and rows[1]["voters (vote 2)"] == 0
    read = list(csv.DictReader(io.StringIO(peer_scores.understanding_csv(rows))))
    assert tuple(read[0]) == peer_scores.UNDERSTANDING_COLUMNS
    assert read[0]["right (vote 1)"] == "0.200" and read[0]["right answer"] == "27"
    assert read[1]["question"] == 'A "quoted", question' and read[1]["right (vote 1)"] == ""
