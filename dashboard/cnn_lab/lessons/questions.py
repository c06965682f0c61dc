"""The check questions at the end of each lesson page: `lessons/<lesson>_questions.toml`, read and validated.

A file holds 2-3 questions, each with its answer options; every option says whether it is right and
why, in one line:

    [[question]]
    text = "How many numbers does a CIFAR-10 colour picture hold?"

    [[question.option]]
    answer = "32 × 32 × 3 = 3,072"
    correct = true
    why = "32 rows, 32 columns and 3 colours for each pixel."

    [[question.option]]
    answer = "32 × 32 = 1,024"
    why = "That is one number per pixel: a greyscale picture."

Exactly one option of a question is right. A file that breaks these rules gets a `QuestionsError`
that names the file, the question and what is wrong. No Streamlit here.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path

from cnn_lab.settings import LESSON_TEXTS

QUESTION_KEYS = {"text", "option"}
OPTION_KEYS = {"answer", "correct", "why"}


class QuestionsError(ValueError):
    """A questions file that cannot be used, with where and why."""


@dataclass(frozen=True)
class Option:
    answer: str
    correct: bool
    why: str


@dataclass(frozen=True)
class Question:
    text: str
    options: tuple[Option, ...]

    @property
    def right(self) -> Option:
        return next(option for option in self.options if option.correct)

    def option(self, answer: str) -> Option:
        return next(option for option in self.options if option.answer == answer)


def questions_path(lesson: str, folder: Path | None = None) -> Path:
    return Path(folder or LESSON_TEXTS) / f"{lesson}_questions.toml"


def read_questions(lesson: str, folder: Path | None = None) -> list[Question]:
    """The check questions of a lesson (lessons/<lesson>_questions.toml), validated."""
    path = questions_path(lesson, folder)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as e:
        raise QuestionsError(f"{path.name}: cannot be read ({e.strerror or e})") from None
    return parse_questions(text, path.name)


def _text(table: dict, key: str, where: str) -> str:
    value = table.get(key)
    if not isinstance(value, str) or not value.strip():
        raise QuestionsError(f"{where}: `{key}` must be some text")
    return " ".join(value.split())


def _unknown(table: dict, allowed: set, where: str) -> None:
    extra = sorted(set(table) - allowed)
    if extra:
        raise QuestionsError(
            f"{where}: unknown key {', '.join(map(repr, extra))} (allowed: {', '.join(sorted(allowed))})"
        )


def parse_questions(text: str, source: str = "questions") -> list[Question]:
    """The questions in TOML `text` (from `source`, named in error messages)."""
    try:
        document = tomllib.loads(text)
    except tomllib.TOMLDecodeError as e:
        raise QuestionsError(f"{source}: not valid TOML ({e})") from None
    _unknown(document, {"question"}, source)
    tables = document.get("question")
    if not isinstance(tables, list) or not tables:
        raise QuestionsError(f"{source}: no [[question]] in it")
    questions = []
    for number, table in enumerate(tables, 1):
        where = f"{source}, question {number}"
        _unknown(table, QUESTION_KEYS, where)
        question = _text(table, "text", where)
        rows = table.get("option")
        if not isinstance(rows, list) or not 2 <= len(rows) <= 5:
            raise QuestionsError(f"{where}: needs 2 to 5 [[question.option]] tables")
        options = []
        for letter, row in zip("abcde", rows):
            at = f"{where}, option {letter}"
            _unknown(row, OPTION_KEYS, at)
            correct = row.get("correct", False)
            if not isinstance(correct, bool):
                raise QuestionsError(f"{at}: `correct` must be true or false")
            options.append(Option(_text(row, "answer", at), correct, _text(row, "why", at)))
        right = sum(option.correct for option in options)
        if right != 1:
            raise QuestionsError(f"{where}: exactly one option must have correct = true (found {right})")
        answers = [option.answer for option in options]
        if len(set(answers)) != len(answers):
            raise QuestionsError(f"{where}: two options have the same answer")
        questions.append(Question(question, tuple(options)))
    return questions


# The lesson pages that end with check questions, in the menu's order.
LESSONS_WITH_QUESTIONS = (
    "images_are_numbers",
    "dataset",
    "augmentation",
    "convolution",
    "channels",
    "network",
    "gradient",
    "network_map",
    "filter_wants",
    "fool",
)


def source_of(lesson: str, number: int) -> str:
    """How a check question is named wherever the class's answers are kept: its lesson and number, "channels 2"."""
    return f"{lesson} {number}"


def every_check_question(folder: Path | None = None) -> dict[str, Question]:
    """{source: question} for every lesson's check questions, in the menu's order; a lesson whose file cannot be
    read is left out (its page says why)."""
    found = {}
    for lesson in LESSONS_WITH_QUESTIONS:
        try:
            questions = read_questions(lesson, folder)
        except QuestionsError:
            continue
        found.update({source_of(lesson, n): question for n, question in enumerate(questions, 1)})
    return found
