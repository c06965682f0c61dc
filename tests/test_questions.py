"""The check questions: every lesson page's file loads, and a broken file gets a message that says where and why."""

import pytest

from cnn_lab.lessons.questions import QuestionsError, parse_questions, read_questions
from cnn_lab.settings import LESSON_TEXTS

PAGES_LESSONS = ["images_are_numbers", "dataset", "augmentation", "convolution", "network"]
GOOD = """
[[question]]
text = "What is 2 + 2?"
[[question.option]]
answer = "4"
correct = true
why = "Two and two make four."
[[question.option]]
answer = "5"
why = "One too many."
"""


@pytest.mark.parametrize("lesson", PAGES_LESSONS)
def test_each_lesson_page_has_2_or_3_questions_with_a_why_for_every_answer(lesson):
    questions = read_questions(lesson)
    assert 2 <= len(questions) <= 3
    for question in questions:
        assert question.text.endswith("?")
        assert sum(option.correct for option in question.options) == 1 and len(question.options) >= 3
        assert all(option.why and "\n" not in option.why for option in question.options)


def test_every_questions_file_belongs_to_a_lesson():
    for path in LESSON_TEXTS.glob("*_questions.toml"):
        assert (LESSON_TEXTS / (path.name.removesuffix("_questions.toml") + ".md")).is_file(), path.name


def test_a_good_file_is_read_with_its_answers_and_whys():
    (question,) = parse_questions(GOOD)
    assert question.text == "What is 2 + 2?"
    assert question.right.answer == "4" and question.option("5").why == "One too many."
    assert [o.correct for o in question.options] == [True, False]


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            lambda t: t.replace("correct = true\n", ""),
            "question 1: exactly one option must have correct = true (found 0)",
        ),
        (lambda t: t.replace('why = "One too many."', 'why = "One too many."\ncorrect = true'), "(found 2)"),
        (lambda t: t.replace('answer = "5"', 'answer = "4"'), "question 1: two options have the same answer"),
        (lambda t: t.replace("correct = true", "corect = true"), "question 1, option a: unknown key 'corect'"),
        (lambda t: t.replace("correct = true", 'correct = "yes"'), "option a: `correct` must be true or false"),
        (lambda t: t.replace('why = "One too many."', 'why = ""'), "question 1, option b: `why` must be some text"),
        (lambda t: t.replace('text = "What is 2 + 2?"', ""), "question 1: `text` must be some text"),
        (
            lambda t: t.split("[[question.option]]")[0] + "[[question.option]]" + t.split("[[question.option]]")[1],
            "question 1: needs 2 to 5 [[question.option]] tables",
        ),
        (lambda t: t.replace("[[question]]", "[[questions]]"), "unknown key 'questions'"),
        (lambda t: "", "no [[question]] in it"),
        (lambda t: t.replace('answer = "4"', "answer = 4 4"), "not valid TOML"),
    ],
)
def test_a_broken_file_gets_a_clear_message(change, message):
    with pytest.raises(QuestionsError, match="^network_questions.toml") as error:
        parse_questions(change(GOOD), "network_questions.toml")
    assert message in str(error.value)


def test_a_missing_file_gets_a_clear_message(tmp_path):
    with pytest.raises(QuestionsError, match="nowhere_questions.toml: cannot be read"):
        read_questions("nowhere", tmp_path)


def test_a_page_shows_a_broken_file_as_a_message_not_a_traceback(monkeypatch, tmp_path):
    from conftest import run

    (tmp_path / "dataset_questions.toml").write_text(GOOD.replace("correct = true\n", ""), encoding="utf-8")
    monkeypatch.setattr("cnn_lab.lessons.questions.LESSON_TEXTS", tmp_path)
    at = run("2_dataset.py")
    assert any("The check questions cannot be shown: dataset_questions.toml, question 1" in e.value for e in at.error)
