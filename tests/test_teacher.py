"""Teacher controls: with a token set, students watch read-only and only the signed-in teacher
starts, stops (Train page), resumes or deletes runs and chooses the class's model (Runs page)."""

import ast
import json
import logging
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from cnn_lab import settings
from cnn_lab.classroom import class_model
from cnn_lab.classroom import teacher_token as token_module
from cnn_lab.classroom.teacher_token import fingerprint, signed_in, teacher_token, token_matches
from cnn_lab.classroom.class_model import DEFAULT, active_model_path, read_active_model, write_active_model
from cnn_lab.training import launcher
from cnn_lab.runs.folders import delete_run, list_runs, live_run, run_path, snapshot, stop_requested, write_status
from conftest import fake_run, wait_for

PAGE = "../dashboard/views/train.py"
RUNS = "../dashboard/views/runs.py"
TOKEN = "owl-lantern-42"


# --- the pure part ----------------------------------------------------------------------------
def test_the_token_comes_from_the_environment_first_then_the_secret(monkeypatch):
    monkeypatch.delenv(settings.TEACHER_TOKEN_VARIABLE, raising=False)
    assert teacher_token() is None and teacher_token("  ") is None and teacher_token(123) is None
    assert teacher_token("from-secrets") == "from-secrets"
    monkeypatch.setenv(settings.TEACHER_TOKEN_VARIABLE, " from-env ")
    assert teacher_token("from-secrets") == "from-env"


def test_the_token_is_compared_in_constant_time(monkeypatch):
    calls = []
    real = token_module.hmac.compare_digest
    monkeypatch.setattr(token_module.hmac, "compare_digest", lambda a, b: calls.append((a, b)) or real(a, b))
    assert token_matches(TOKEN, TOKEN) and token_matches(f" {TOKEN}\n", TOKEN)
    assert not token_matches("owl-lantern-43", TOKEN) and not token_matches(TOKEN[:-1], TOKEN)
    assert calls and all(isinstance(a, bytes) and isinstance(b, bytes) for a, b in calls)
    assert not token_matches("", TOKEN) and not token_matches(None, TOKEN) and not token_matches(TOKEN, None)


def test_a_session_keeps_a_fingerprint_that_a_new_token_invalidates():
    kept = fingerprint(TOKEN)
    assert TOKEN not in kept and signed_in(kept, TOKEN)
    assert not signed_in(kept, "another-token") and not signed_in(None, TOKEN) and not signed_in(kept, None)


def test_the_class_model_is_default_or_a_checked_run_id(tmp_path):
    assert read_active_model(tmp_path) == DEFAULT  # nothing chosen yet
    write_active_model("20260101-000000-abcd", tmp_path)
    assert read_active_model(tmp_path) == "20260101-000000-abcd"
    assert active_model_path(tmp_path / "shipped.keras", tmp_path) == tmp_path / "20260101-000000-abcd" / "model.keras"
    for bad in ("../../etc", "/tmp/x.keras", "", None):
        with pytest.raises(ValueError):
            write_active_model(bad, tmp_path)
    (tmp_path / class_model.ACTIVE_MODEL_FILE).write_text(json.dumps({"model": "../../secret"}))
    assert read_active_model(tmp_path) == DEFAULT  # a foreign value is never used as a path
    (tmp_path / class_model.ACTIVE_MODEL_FILE).write_text("{not json")
    assert active_model_path(tmp_path / "shipped.keras", tmp_path) == tmp_path / "shipped.keras"


def test_delete_run_removes_finished_runs_only(tmp_path):
    finished = fake_run("20260101-000000-aaaa")
    interrupted = fake_run("20260101-000000-bbbb", status="running")  # its process died
    fake_run("20260101-000000-cccc", status="stopped")
    write_status(fake_run("20260101-000000-eeee"), "running")  # this very process trains it
    with pytest.raises(ValueError, match="training now"):
        delete_run("20260101-000000-eeee")
    write_status(run_path("20260101-000000-eeee"), "stopped")
    delete_run("20260101-000000-eeee")
    for bad in ("../runs", "20260101-000000-dddd", str(finished)):  # not an id, no such run, a path
        with pytest.raises(ValueError):
            delete_run(bad)
    assert delete_run("20260101-000000-aaaa") == finished and not finished.exists()
    delete_run("20260101-000000-bbbb")
    assert not interrupted.exists()
    assert [r.run_id for r in list_runs()] == ["20260101-000000-cccc"]


# --- the Train and Runs pages -------------------------------------------------------------------
def page(at: AppTest | None = None) -> AppTest:
    return (at or AppTest.from_file(PAGE, default_timeout=120)).run()


def runs_page() -> AppTest:
    return AppTest.from_file(RUNS, default_timeout=120).run()


def button(at: AppTest, label: str):
    return next(b for b in at.button if b.label == label)


def forged(widget):
    """The widget as a tampered browser would use it: enabled (AppTest refuses disabled ones)."""
    widget.proto.disabled = False
    return widget


def everything(at: AppTest) -> str:
    """Every text the page shows, in the main area and the sidebar (widgets' protos included)."""
    out = []

    def walk(node):
        if getattr(node, "proto", None) is not None:
            out.append(str(node.proto))
        for child in getattr(node, "children", {}).values():
            walk(child)

    walk(at._tree)
    return "\n".join(out)


def test_without_a_token_the_lab_is_open(monkeypatch):
    monkeypatch.delenv(settings.TEACHER_TOKEN_VARIABLE, raising=False)
    fake_run("20260101-000000-aaaa")
    at, runs = page(), runs_page()  # no secrets file either: reading st.secrets must not fail
    assert not at.exception and not runs.exception
    assert not button(at, "Start training").disabled and not at.sidebar.text_input
    assert not runs.selectbox(key="runs_model_choice").disabled and not runs.sidebar.text_input
    assert "Only the teacher" not in everything(at) and "Only the teacher" not in everything(runs)


def test_a_student_watches_read_only_and_cannot_start_stop_or_delete(monkeypatch):
    monkeypatch.setenv(settings.TEACHER_TOKEN_VARIABLE, TOKEN)
    old = fake_run("20260101-000000-aaaa")
    from cnn_lab.settings import SAMPLE_PATH
    from cnn_lab.recipes import preset

    run_id = launcher.start(preset("fast", epochs=50, limit=256), data=str(SAMPLE_PATH))  # the teacher's run, going
    student, runs = page(), runs_page()
    assert not student.exception and not runs.exception
    assert "Only the teacher can start or stop runs" in everything(student)
    assert button(student, "Start training").disabled and button(runs, "Delete it").disabled
    assert runs.selectbox(key="runs_model_choice").disabled and button(runs, "Save the name").disabled
    assert "Only the teacher can delete runs" in everything(runs) and "Teacher sign-in" in everything(runs)
    assert student.radio(key="train_source").disabled
    assert button(student, "Stop").disabled

    # forged clicks on the disabled controls change nothing (Streamlit discards them; the page checks again)
    forged(button(student, "Stop")).click().run()
    assert live_run().name == run_id and not stop_requested(run_path(run_id))
    forged(runs.checkbox(key="runs_delete_sure")).check().run()
    forged(button(runs, "Delete it")).click().run()
    assert old.is_dir()
    launcher.stop(run_id)
    wait_for(lambda: live_run() is None)
    student.run()
    forged(button(student, "Start training")).click().run()
    assert live_run() is None and not student.exception


def test_a_wrong_token_is_refused_without_echo_and_the_right_one_unlocks(monkeypatch):
    monkeypatch.setenv(settings.TEACHER_TOKEN_VARIABLE, TOKEN)
    old = fake_run("20260101-000000-aaaa")
    at = page()
    sign_in = at.sidebar.text_input(key="teacher_token_input")
    assert sign_in.label == "Teacher token" and "Teacher sign-in" in everything(at)
    sign_in.input("owl-lantern-41").run()
    assert "That is not the teacher token." in [e.value for e in at.sidebar.error]
    assert "owl-lantern-41" not in everything(at) and at.text_input(key="teacher_token_input").value == ""
    assert button(at, "Start training").disabled

    at.sidebar.text_input(key="teacher_token_input").input(TOKEN).run()
    assert not at.exception and TOKEN not in everything(at)
    assert at.session_state["teacher_signed_in"] != TOKEN  # a fingerprint, not the token
    assert "Signed in as the teacher" in everything(at) and "Only the teacher" not in everything(at)
    assert not button(at, "Start training").disabled

    runs = runs_page()  # the Runs page has the sign-in too: the teacher finds Delete there
    assert button(runs, "Delete it").disabled
    runs.sidebar.text_input(key="teacher_token_input").input(TOKEN).run()
    runs.checkbox(key="runs_delete_sure").check().run()
    button(runs, "Delete it").click().run()
    assert not old.exists() and any("Deleted run 20260101-000000-aaaa" in s.value for s in runs.success)

    at.radio(key="train_source").set_value("sample")
    at.selectbox(key="train_limit").set_value(256)
    at.number_input(key=f"train_epochs_{at.selectbox(key='train_recipe').value}").set_value(50)
    button(at, "Start training").click().run()
    run_id = live_run().name
    button(at, "Stop").click().run()
    wait_for(lambda: snapshot(run_path(run_id)).status == "stopped")

    monkeypatch.setenv(settings.TEACHER_TOKEN_VARIABLE, "a-new-token")  # the teacher changes the token
    at.run()
    assert button(at, "Start training").disabled  # signed out


def test_the_token_can_live_in_secrets(monkeypatch):
    monkeypatch.delenv(settings.TEACHER_TOKEN_VARIABLE, raising=False)
    at = AppTest.from_file(PAGE, default_timeout=120)
    at.secrets["teacher_token"] = TOKEN
    at.run()
    assert button(at, "Start training").disabled
    at.sidebar.text_input(key="teacher_token_input").input(TOKEN).run()
    assert not button(at, "Start training").disabled


def test_a_secrets_file_that_cannot_be_read_locks_every_control(monkeypatch, tmp_path):
    """A teacher who mistypes one quote in secrets.toml must not hand every student the Stop, Delete and
    Import buttons: Streamlit reads such a file as no file at all, so the lab checks it itself (fails closed)."""
    monkeypatch.delenv(settings.TEACHER_TOKEN_VARIABLE, raising=False)
    secrets = tmp_path / "secrets.toml"
    secrets.write_text('teacher_token = "owl-lantern-42\n')  # the closing quote forgotten
    problem = token_module.secrets_problem([tmp_path / "absent.toml", secrets])
    assert problem and problem.startswith(str(secrets)) and TOKEN not in problem
    assert teacher_token(None, problem) == token_module.LOCKED and teacher_token("x", problem) == "x"
    assert token_module.secrets_problem([tmp_path / "absent.toml"]) is None

    from streamlit import config

    monkeypatch.setattr(
        config,
        "get_option",
        lambda name, real=config.get_option: [str(secrets)] if name == "secrets.files" else real(name),
    )
    old = fake_run("20260101-000000-aaaa")
    at, runs = page(), runs_page()
    assert not at.exception and not runs.exception
    assert button(at, "Start training").disabled and button(runs, "Delete it").disabled
    assert runs.selectbox(key="runs_model_choice").disabled
    assert not at.sidebar.text_input and not runs.sidebar.text_input  # nobody can sign in: no token is known
    for shown in (at, runs):
        [locked] = [e.value for e in shown.sidebar.error]
        assert "Every control is locked" in locked and str(secrets) in locked and "CNN_LAB_TEACHER_TOKEN" in locked
    forged(runs.checkbox(key="runs_delete_sure")).check().run()
    forged(button(runs, "Delete it")).click().run()
    assert old.is_dir()
    class_round = AppTest.from_file("../dashboard/views/class_round.py", default_timeout=120).run()
    assert not any("needs a teacher token" in i.value for i in class_round.info)  # locked too, not "one laptop"
    assert not [b for b in class_round.button if b.label == "Start"]  # a student's view: no round can start

    secrets.write_text(f'teacher_token = "{TOKEN}"\n')  # fixed: the token works, and only the token
    at = page()
    assert button(at, "Start training").disabled and not at.sidebar.error
    at.sidebar.text_input(key="teacher_token_input").input(TOKEN).run()
    assert not button(at, "Start training").disabled

    monkeypatch.setenv(settings.TEACHER_TOKEN_VARIABLE, TOKEN)  # the environment's token needs no secrets file at all
    secrets.write_text("[broken")
    at = page()
    assert not at.sidebar.error and at.sidebar.text_input(key="teacher_token_input")


def test_the_teacher_chooses_the_model_the_whole_class_sees(monkeypatch, tiny_model_path):
    import ui

    monkeypatch.setenv(settings.TEACHER_TOKEN_VARIABLE, TOKEN)
    good = fake_run("20260101-000000-aaaa", model=tiny_model_path)
    broken = fake_run("20260101-000000-bbbb")
    (broken / "model.keras").write_bytes(b"PK\x03\x04 not really a zip")
    teacher, student = runs_page(), runs_page()
    teacher.sidebar.text_input(key="teacher_token_input").input(TOKEN).run()

    teacher.selectbox(key="runs_model_choice").set_value(str(broken / "model.keras")).run()
    assert any(
        "Could not use Run 20260101-000000-bbbb" in e.value and "not a Keras model file" in e.value
        for e in teacher.error
    )
    assert read_active_model() == DEFAULT

    teacher.selectbox(key="runs_model_choice").set_value(str(good / "model.keras")).run()
    assert not teacher.error and read_active_model() == "20260101-000000-aaaa"
    student.session_state["model_path"] = str(ui.DEFAULT_MODEL)  # a session's own pick no longer counts
    student.run()
    assert student.selectbox(key="runs_model_choice").value == str(good / "model.keras")
    assert "in everyone" in everything(student) and "in this session" not in everything(student)

    ids = [r.run_id for r in list_runs()]
    teacher.selectbox(key="runs_delete_choice").select_index(ids.index("20260101-000000-aaaa")).run()
    teacher.checkbox(key="runs_delete_sure").check().run()
    button(teacher, "Delete it").click().run()
    assert not good.exists() and read_active_model() == DEFAULT  # the class goes back to the shipped model


# --- the one guard --------------------------------------------------------------------------------
def callbacks_of(page: Path) -> dict[str, list[str]]:
    """{each function a page hands a widget as on_click or on_change: its decorators}."""
    tree = ast.parse(page.read_text(encoding="utf-8"))
    handed = {
        k.value.id
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
        for k in node.keywords
        if k.arg in ("on_click", "on_change") and isinstance(k.value, ast.Name)
    }
    defined = {f.name: [ast.unparse(d) for d in f.decorator_list] for f in tree.body if isinstance(f, ast.FunctionDef)}
    return {name: defined[name] for name in handed}


@pytest.mark.parametrize("name", ["train.py", "runs.py"])
def test_every_control_that_changes_the_lab_is_guarded_by_the_one_teacher_lock(name):
    """A disabled widget is no lock: each callback of the Train and Runs pages is `@ui.teacher_only`."""
    callbacks = callbacks_of(Path(__file__).parents[1] / "dashboard" / "views" / name)
    assert len(callbacks) >= 4, callbacks
    assert {name: decorators for name, decorators in callbacks.items() if decorators != ["ui.teacher_only"]} == {}


def test_the_guard_runs_the_teachers_callback_and_refuses_anyone_elses(monkeypatch, caplog):
    from ui import teacher

    done = []
    guarded = teacher.teacher_only(lambda what: done.append(what) or what)
    monkeypatch.setattr(teacher, "is_teacher", lambda: True)
    assert guarded("start") == "start" and done == ["start"]
    monkeypatch.setattr(teacher, "is_teacher", lambda: False)
    monkeypatch.setattr(teacher.st, "toast", lambda text, icon: done.append(text))
    with caplog.at_level(logging.WARNING):
        assert guarded("delete") is None
    assert done == ["start", "Only the teacher can do that; the teacher signs in in the sidebar."]
    assert "this session is not the teacher's" in caplog.text
