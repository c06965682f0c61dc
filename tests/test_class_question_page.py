"""The Class question page (AppTest), peer instruction step by step: without a token nothing is shared; the
signed-in teacher asks a lesson's check question or one of their own; students vote once per vote with one click;
the projector shows how many voted, then the distribution, then both votes and who moved to the right answer; the
teacher's table and its CSV; the lesson pages' check answers kept with no name; Clear empties it all."""

import re
import sqlite3

import pytest

from streamlit.testing.v1 import AppTest

from cnn_lab import settings
from cnn_lab.classroom.check_answers import CheckAnswers
from cnn_lab.classroom.peer_store import REVEALED, SHOWN, VOTE_1, VOTE_2, PeerQuestions
from cnn_lab.classroom.round_store import FILE_NAME
from cnn_lab.lessons.questions import read_questions
from cnn_lab.runs.folders import runs_dir
from conftest import PAGES, figures, page_text, texts

TOKEN = "owl-lantern-42"


def session(page: str = "class_question.py", **query) -> AppTest:
    at = AppTest.from_file(str(PAGES / page), default_timeout=60)
    for key, value in query.items():
        at.query_params[key] = value
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def signed_in_teacher() -> AppTest:
    teacher = session()
    teacher.sidebar.text_input(key="teacher_token_input").input(TOKEN).run()
    assert not teacher.exception, [e.value for e in teacher.exception]
    return teacher


def store() -> PeerQuestions:
    return PeerQuestions(runs_dir() / FILE_NAME)


def button(at, label):
    return next(b for b in at.button if b.label == label)


def vote_buttons(at) -> list:
    return [b for b in at.button if re.fullmatch(r"class_question_q\d+_vote\d_answer\d", b.key or "")]


def vote(student, option: int) -> None:
    vote_buttons(student)[option].click().run()
    assert not student.exception, [e.value for e in student.exception]


def test_without_a_token_nothing_is_shared():
    at = session()
    assert "A class question needs a teacher token" in page_text(at)
    assert not vote_buttons(at) and not [b for b in at.button if b.label == "Start vote 1"]


def test_a_lesson_question_through_both_votes_and_the_reveal(monkeypatch):
    monkeypatch.setenv(settings.TEACHER_TOKEN_VARIABLE, TOKEN)
    teacher = signed_in_teacher()
    assert "No question yet" in page_text(teacher)
    students = [session() for _ in range(3)]
    assert all("No question yet" in page_text(s) for s in students)
    assert not [b for b in students[0].button if b.label == "Start vote 1"]  # a student cannot ask

    [first, *_] = read_questions("channels")
    teacher.selectbox(key="class_question_source").set_value("channels 1").run()
    button(teacher, "Start vote 1").click().run()
    asked = store().current()
    assert (asked.source, asked.text, asked.step) == ("channels 1", first.text, VOTE_1)
    right, wrong = asked.correct, (asked.correct + 1) % len(asked.options)

    for student in students:
        student.run()
        assert first.text in [h.value for h in student.header]
        assert len(vote_buttons(student)) == len(asked.options)
    assert [b.label for b in vote_buttons(students[0])][0] == f"1: {asked.options[0]}"
    for student, option in zip(students, (right, wrong, wrong)):  # one right, two wrong
        vote(student, option)
    assert not vote_buttons(students[0])  # one vote per student per vote
    assert f"You voted {right + 1}. {asked.options[right]}." in texts(students[0].success)

    teacher.run()
    assert teacher.metric[0].value == "3" and not figures(teacher)  # vote 1: only how many
    assert "No question revealed yet" in texts(teacher.caption)  # its answer is in no table yet
    button(teacher, "Show votes").click().run()
    assert store().current().step == SHOWN
    [chart] = figures(teacher)
    assert [bar["name"] for bar in chart["data"]] == ["vote 1 (3 voted)"]
    shares = list(chart["data"][0]["x"])
    assert shares[right] == pytest.approx(100 / 3) and shares[wrong] == pytest.approx(200 / 3)
    assert not any("(right" in row for row in chart["data"][0]["y"])  # the answer stays hidden
    students[1].run()
    assert not vote_buttons(students[1])  # between the votes: nothing to vote on
    bars = [bar.proto.text for bar in students[1].get("progress")]  # a student's screen: plain bars, no chart
    assert bars[wrong] == f"{wrong + 1}: 67% (your answer)" and bars[right] == f"{right + 1}: 33%"
    assert not figures(students[1])

    button(teacher, "Open vote 2").click().run()
    assert store().current().step == VOTE_2
    for student, option in zip(students, (right, right, wrong)):  # one of the two wrong moves to the right answer
        student.run()
        assert len(vote_buttons(student)) == len(asked.options)
        vote(student, option)
    teacher.run()
    assert teacher.metric[0].value == "3" and not figures(teacher)  # vote 2: only how many again

    button(teacher, "Reveal the answer").click().run()
    assert store().current().step == REVEALED
    [chart] = figures(teacher)
    assert [bar["name"] for bar in chart["data"]] == ["vote 1 (3 voted)", "vote 2 (3 voted)"]
    assert chart["data"][0]["y"][right].endswith("(right)</b>")
    said = page_text(teacher)
    assert f"The answer: {right + 1}. {asked.options[right]}." in texts(teacher.success)
    assert "vote 1: 33% right; vote 2: 67% right" in said
    assert "of the 2 who were wrong in vote 1 and voted again, 1 (50%) were right in vote 2" in said
    students[2].run()
    assert "**Not quite**" in texts(students[2].error)
    students[1].run()
    assert "**Right**" in texts(students[1].success)

    table = teacher.dataframe[0].value
    assert table["right (vote 1)"].tolist() == [1 / 3] and table["right (vote 2)"].tolist() == [2 / 3]
    [download] = [d for d in teacher.get("download_button")]
    assert download.proto.label == "Download the table (CSV)"
    with sqlite3.connect(runs_dir() / FILE_NAME) as kept:  # nothing but a random id per tab: no nickname
        assert kept.execute("SELECT DISTINCT nickname FROM votes").fetchall() == [("Anonymous",)]
    assert len({s.session_state["class_question_participant"] for s in students}) == 3
    assert students[0].query_params["voter"] == students[0].session_state["class_question_participant"]


def test_a_typed_question_and_what_a_teacher_types_wrong(monkeypatch):
    monkeypatch.setenv(settings.TEACHER_TOKEN_VARIABLE, TOKEN)
    teacher = signed_in_teacher()
    teacher.radio(key="class_question_from").set_value("A question of my own").run()
    teacher.text_area(key="class_question_text").input("Does a bigger batch mean fewer steps per epoch?")
    teacher.text_input(key="class_question_option_1").input("Yes")
    teacher.selectbox(key="class_question_right").set_value(1)
    button(teacher, "Start vote 1").click().run()
    assert "needs 2 to 5 answers" in texts(teacher.error) and store().current() is None  # one answer only

    teacher.text_input(key="class_question_option_3").input("No")
    teacher.selectbox(key="class_question_right").set_value(2).run()
    button(teacher, "Start vote 1").click().run()
    assert "answer 2, marked right, is empty" in texts(teacher.error)

    teacher.text_input(key="class_question_why").input("50,000 images in batches of 64 is 782 steps; of 128, 391.")
    teacher.selectbox(key="class_question_right").set_value(1).run()
    button(teacher, "Start vote 1").click().run()
    asked = store().current()
    assert (asked.source, asked.options, asked.correct) == ("typed", ("Yes", "No"), 0)
    button(teacher, "Reveal the answer").click().run()  # straight after vote 1: allowed, nobody voted
    assert "**The answer: 1. Yes.** 50,000 images in batches of 64 is 782 steps; of 128, 391." in texts(teacher.success)


def test_a_stale_click_and_a_forged_one_change_nothing(monkeypatch):
    monkeypatch.setenv(settings.TEACHER_TOKEN_VARIABLE, TOKEN)
    teacher = signed_in_teacher()
    button(teacher, "Start vote 1").click().run()
    student = session()
    button(teacher, "Reveal the answer").click().run()
    vote(student, 0)  # the page still showed vote 1's buttons
    assert "Voting is closed for now: wait for the teacher." in texts(student.warning)
    assert store().votes(store().current().id) == []


def test_check_answers_are_kept_with_no_name_only_under_a_token(monkeypatch):
    lesson = session("1_images_are_numbers.py")
    lesson.radio(key="check_images_are_numbers_1").set_value(lesson.radio(key="check_images_are_numbers_1").options[0])
    lesson.run()
    assert CheckAnswers(runs_dir() / FILE_NAME).counts() == {}  # no token: one laptop, nothing shared

    monkeypatch.setenv(settings.TEACHER_TOKEN_VARIABLE, TOKEN)
    questions = read_questions("images_are_numbers")
    wrong = next(o.answer for o in questions[0].options if not o.correct)
    for answer in (questions[0].right.answer, wrong, wrong):
        student = session("1_images_are_numbers.py")
        student.radio(key="check_images_are_numbers_1").set_value(answer).run()
        student.radio(key="check_images_are_numbers_1").set_value(questions[0].right.answer).run()  # only the first
    kept = CheckAnswers(runs_dir() / FILE_NAME).counts()["images_are_numbers 1"]
    options = [o.answer for o in questions[0].options]
    assert kept == {options.index(questions[0].right.answer): 1, options.index(wrong): 2}

    teacher = signed_in_teacher()
    [table] = [d.value for d in teacher.dataframe]
    assert table["answered"].tolist() == [3] and table["most chosen wrong answer"].tolist() == [wrong]
    assert table["question"].tolist()[0].startswith("images_are_numbers 1: ")
    button(teacher, "Yes, clear them").click().run()
    assert CheckAnswers(runs_dir() / FILE_NAME).counts() == {} and store().asked() == []
    assert "No check question answered yet." in texts(teacher.caption)
