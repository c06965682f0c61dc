"""The Class round page (AppTest): without a token nothing is shared; the signed-in teacher starts a round and
moves it on; students join with a nickname, answer with one click, and the class's answers reach the teacher's
chart; an odd nickname is shown as text."""

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from cnn_lab import settings
from cnn_lab.classroom import class_model, round_store
from cnn_lab.network.data import load_cifar10
from cnn_lab.network.evaluation import EVALUATIONS, Evaluation
from conftest import PAGES, fake_run, figures, page_text, texts

TOKEN = "owl-lantern-42"


@pytest.fixture
def evaluated(tiny_model_path):
    """A hand-made evaluation (the network says class 0 for every image) of the tiny model, both as this
    session's model and as the class's (a run the teacher chose), as the background job would have stored it."""
    data = load_cifar10()
    probabilities = np.full((len(data.y_test), 10), 0.02, dtype="float32")
    probabilities[:, 0] = 0.82
    made = Evaluation(probabilities, data.y_test)
    run = fake_run("20260101-000000-aaaa", model=tiny_model_path)
    class_model.write_active_model("20260101-000000-aaaa")
    for path in (tiny_model_path, run / "model.keras"):
        EVALUATIONS.store(EVALUATIONS.key(path, data), made)
    return made


def session(tiny_model_path, **state) -> AppTest:
    at = AppTest.from_file(str(PAGES / "class_round.py"), default_timeout=120)
    at.session_state["model_path"] = str(tiny_model_path)
    for key, value in state.items():
        at.session_state[key] = value
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def answer_buttons(at) -> list:
    return [b for b in at.button if (b.key or "").startswith("class_round_answer_")]


def button(at, label):
    return next(b for b in at.button if b.label == label)


def test_without_a_token_nothing_is_shared(evaluated, tiny_model_path):
    at = session(tiny_model_path)
    assert "A class round needs a teacher token" in page_text(at)
    assert not [b for b in at.button if b.label in ("Start", "Join")]


def test_a_round_played_by_a_teacher_and_two_students(monkeypatch, evaluated, tiny_model_path):
    monkeypatch.setenv(settings.TEACHER_TOKEN_VARIABLE, TOKEN)
    teacher = session(tiny_model_path)
    assert not [b for b in teacher.button if b.label == "Start"]  # not signed in yet
    teacher.sidebar.text_input(key="teacher_token_input").input(TOKEN).run()
    assert "No class round yet" in page_text(teacher)
    early = session(tiny_model_path)  # a student who joins before the round starts
    early.text_input(key="class_round_nickname_input").input("Early")
    button(early, "Join").click().run()
    assert "No class round yet" in page_text(early) and early.text[0].value == "You play as Early"
    teacher.text_input(key="class_round_code").input("random-42")
    button(teacher, "Start").click().run()
    round_ = round_store.ClassRounds(round_store.runs_dir() / round_store.FILE_NAME).current()
    assert (round_.code, round_.position, len(round_.images)) == ("random-42", 0, 10)
    assert "Round random-42: image 1 of 10" in [h.value for h in teacher.header]
    early.run()
    assert len(answer_buttons(early)) == 10  # straight to the answers

    odd = "\u202e<b>Zoë</b>\x00 🦊"  # a 10 kB one: tests/test_class_round_store.py (the field takes 24 characters)
    students = [session(tiny_model_path) for _ in range(2)]
    for student, nickname in zip(students, (odd, "")):
        student.text_input(key="class_round_nickname_input").input(nickname)
        button(student, "Join").click().run()
    assert students[0].text[0].value == "You play as <b>Zoë</b> 🦊"  # st.text: shown as text
    assert students[1].text[0].value == "You play as Anonymous"
    label = int(evaluated.labels[round_.image])
    names = list(evaluated.class_names)
    button(students[0], names[label]).click().run()
    other = (label + 1) % 10
    button(students[1], names[other]).click().run()
    assert f"You said {names[label]}" in texts(students[0].success)
    assert not answer_buttons(students[0])  # one answer per image

    seat = students[0].session_state["class_round_participant"]
    assert students[0].query_params["seat"] == seat  # in the page's address, so it outlives the tab's session
    reloaded = AppTest.from_file(str(PAGES / "class_round.py"), default_timeout=120)  # the same tab, reloaded
    reloaded.session_state["model_path"] = str(tiny_model_path)
    reloaded.query_params["seat"] = seat
    reloaded.run()
    reloaded.text_input(key="class_round_nickname_input").input("Zoë again")
    button(reloaded, "Join").click().run()
    assert f"You said {names[label]}" in texts(reloaded.success) and not answer_buttons(reloaded)  # not twice
    forged = AppTest.from_file(str(PAGES / "class_round.py"), default_timeout=120)
    forged.session_state["model_path"] = str(tiny_model_path)
    forged.query_params["seat"] = "../../not-an-id"
    forged.run()
    assert forged.session_state["class_round_participant"] != "../../not-an-id"  # a new student instead

    teacher.run()
    bars = figures(teacher)[0]["data"]
    assert len(bars) == 1 and list(bars[0]["x"]).count(50.0) == 2  # the class only, half and half
    button(teacher, "Reveal").click().run()
    bars = figures(teacher)[0]["data"]
    assert [bar["name"] for bar in bars] == ["the network's probabilities", "the class's answers (2 answered)"]
    assert "CIFAR-10H" in texts(teacher.info)  # where to get how people labelled it
    assert "the class 50% right" in page_text(teacher)
    students[0].run()
    assert "**Right**" in texts(students[0].success)
    assert [bar["name"] for bar in figures(students[0])[0]["data"]] == [
        "the network's probabilities",
        "the class's answers (2 answered)",
    ]
    button(teacher, "Next image").click().run()
    assert "Round random-42: image 2 of 10" in [h.value for h in teacher.header]
    button(teacher, "Close").click().run()
    assert "Most right" in [s.value for s in teacher.subheader]
    table = teacher.dataframe[0].value
    assert table["nickname"].tolist()[0] == "<b>Zoë</b> 🦊"
    students[1].run()
    assert "You did not answer this one." in texts(students[1].info)  # image 2, closed: its answer shown
    assert not answer_buttons(students[1])


def test_people_beside_the_class_and_a_bad_code(monkeypatch, evaluated, tiny_model_path, human_counts):
    monkeypatch.setenv(settings.TEACHER_TOKEN_VARIABLE, TOKEN)
    monkeypatch.setenv("CNN_LAB_HUMAN_LABELS", str(human_counts))
    teacher = session(tiny_model_path)
    teacher.sidebar.text_input(key="teacher_token_input").input(TOKEN).run()
    teacher.text_input(key="class_round_code").input("not a code")
    button(teacher, "Start").click().run()
    assert "'not a code' is not a round code" in texts(teacher.error)
    teacher.text_input(key="class_round_code").input("")
    teacher.selectbox(key="class_round_kind").set_value("cat-dog")
    button(teacher, "Start").click().run()
    round_ = round_store.ClassRounds(round_store.runs_dir() / round_store.FILE_NAME).current()
    assert round_.kind == "cat-dog" and set(evaluated.labels[list(round_.images)]) <= {3, 5}
    button(teacher, "Reveal").click().run()
    bars = figures(teacher)[0]["data"]
    people = bars[1]
    assert people["name"].endswith("people's answers (CIFAR-10H)")
    from cnn_lab.classroom.human_labels import load_human_labels

    counts = load_human_labels(load_cifar10(), human_counts).counts[round_.image]
    assert np.allclose(people["x"], 100 * counts / counts.sum())
    assert "Peterson" in texts(teacher.caption)
