"""The lesson pages' check answers as the class gave them (cnn_lab.classroom.check_answers): a student's first
answer only, 30 at once and across a restart, and the teacher's table with the least understood question first."""

import threading

from cnn_lab.classroom.check_answers import CheckAnswers, Understood, wrong_most
from cnn_lab.classroom.round_store import FILE_NAME, ClassRounds
from cnn_lab.lessons.questions import LESSONS_WITH_QUESTIONS, every_check_question, parse_questions
from cnn_lab.settings import LESSON_TEXTS

QUESTIONS = parse_questions(
    """
[[question]]
text = "One?"
[[question.option]]
answer = "a"
why = "no"
[[question.option]]
answer = "b"
correct = true
why = "yes"
[[question.option]]
answer = "c"
why = "no"

[[question]]
text = "Two?"
[[question.option]]
answer = "x"
correct = true
why = "yes"
[[question.option]]
answer = "y"
why = "no"
"""
)


def test_thirty_students_at_once_each_counted_once_their_first_answer_kept(tmp_path):
    path = tmp_path / FILE_NAME
    barrier = threading.Barrier(30)
    kept = []

    def student(k):
        store = CheckAnswers(path)
        barrier.wait()
        kept.append(store.record("lesson 1", f"p{k}", k % 3))
        kept.append(store.record("lesson 1", f"p{k}", 1))  # a changed mind: the first answer stays

    threads = [threading.Thread(target=student, args=(k,)) for k in range(30)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert kept.count(True) == 30 and kept.count(False) == 30
    restarted = CheckAnswers(path)  # a new object on the same file: a restarted lab
    assert restarted.counts() == {"lesson 1": {0: 10, 1: 10, 2: 10}}


def test_the_least_understood_question_comes_first(tmp_path):
    questions = {"lesson 1": QUESTIONS[0], "lesson 2": QUESTIONS[1]}
    counts = {"lesson 1": {1: 3, 0: 1, 2: 2}, "lesson 2": {0: 1, 1: 1}, "gone 1": {0: 5}}
    assert wrong_most(counts, questions) == [  # a tie at 50 % right: the one more students answered first
        Understood("lesson 1", "One?", answered=6, right=0.5, most_chosen_wrong="c"),
        Understood("lesson 2", "Two?", answered=2, right=0.5, most_chosen_wrong="y"),
    ]  # "gone 1", a question no longer in the lessons, is left out
    rows = wrong_most({"lesson 1": {1: 4}, "lesson 2": {1: 3, 0: 1}}, questions)
    expected = [("lesson 2", 0.25, "y"), ("lesson 1", 1.0, None)]
    assert [(r.source, r.right, r.most_chosen_wrong) for r in rows] == expected


def test_clearing_the_check_answers_leaves_the_class_round(tmp_path):
    path = tmp_path / FILE_NAME
    rounds = ClassRounds(path)
    rounds.start("random-1", "random", [1, 2, 3])
    store = CheckAnswers(path)
    store.record("lesson 1", "p1", 0)
    store.clear_all()
    assert store.counts() == {} and rounds.current().code == "random-1"


def test_every_lesson_with_check_questions_is_listed_in_the_menu_s_order():
    files = {path.name.removesuffix("_questions.toml") for path in LESSON_TEXTS.glob("*_questions.toml")}
    assert set(LESSONS_WITH_QUESTIONS) == files
    found = every_check_question()
    assert list(found)[0] == "images_are_numbers 1" and "gradient 1" in found
    assert all(source.rsplit(" ", 1)[0] in LESSONS_WITH_QUESTIONS for source in found)
