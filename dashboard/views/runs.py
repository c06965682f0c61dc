"""Runs: every run on this computer, and what is done with them: choose the model the Results pages
look at, resume a run that ended early, delete, name, export or import one.

The page reads the run folders (cnn_lab.runs.folders), whose rules say which run may resume, be deleted or be
exported. Every control acts in its on_click callback, which Streamlit runs before the script, so a
rerun never drops a click. With a teacher token set (cnn_lab.classroom.teacher_token), only the signed-in teacher
changes anything here (ui.locked, ui.teacher_only) and the model chosen is the whole class's.
"""

import datetime
from pathlib import Path

import streamlit as st

import ui
from cnn_lab.classroom.class_model import DEFAULT, write_active_model
from cnn_lab.runs.archive import export_run, import_run
from cnn_lab.runs.folders import changes, delete_run, list_runs, live_run, set_name
from cnn_lab.runs.records import RunRow


def runs_table(runs: list[RunRow]) -> None:
    if not runs:
        st.caption("No runs yet on this computer.")
        return
    st.dataframe(
        [
            {
                "Run": r.run_id,
                "Name": r.name,
                "Started": datetime.datetime.fromisoformat(r.started).strftime("%d %b %Y %H:%M") if r.started else "?",
                "Recipe": r.preset or "?",
                "Epochs": f"{r.epochs_done} of {r.epochs or '?'}",
                "Best test accuracy": f"{100 * r.best_test_accuracy:.2f} %"
                if r.best_test_accuracy is not None
                else "—",
                "Data": "sample" if "sample" in str(r.data) else "full CIFAR-10" if "CIFAR-10" in str(r.data) else "?",
                "Status": r.status.value,
            }
            for r in runs
        ],
        hide_index=True,
        width="stretch",
    )


@st.fragment(run_every=1.0)
def watch() -> None:
    """Reads the run folders once a second and reruns the page when they changed (a run in another tab,
    on another computer or in a terminal); it draws nothing itself."""
    if changes() != st.session_state.get("runs_seen"):
        st.rerun()


def run_in_words(run: RunRow) -> str:
    """A run as the resume, delete and export choosers list it."""
    name = f" “{run.name}”" if run.name else ""
    return f"{run.run_id}{name}: {run.epochs_done} of {run.epochs} epochs, {run.status}"


# --- what the controls do (on_click: Streamlit runs these before the script, so no rerun drops a click) ---
@ui.teacher_only
def choose_model(choices: dict) -> None:
    """The model chooser's callback: check the file opens, then make it this session's model (no
    token) or the whole class's (teacher token set)."""
    picked = st.session_state["runs_model_choice"]
    st.session_state.pop("runs_model_error", None)
    path = Path(picked)
    if path != ui.DEFAULT_MODEL and (problem := ui.model_problem(path)):
        st.session_state["runs_model_error"] = (
            f"Could not use {choices.get(picked, path.name)}: {problem}. The model in use stays as it was."
        )
        return
    if ui.teacher_token():
        write_active_model(DEFAULT if path == ui.DEFAULT_MODEL else path.parent.name)
    elif path == ui.DEFAULT_MODEL:
        st.session_state.pop("model_path", None)
    else:
        st.session_state["model_path"] = picked
    st.session_state.pop("model_broken", None)


@ui.teacher_only
def resume(folder: Path) -> None:
    ui.start_run(resume=folder)


@ui.teacher_only
def delete(run: RunRow) -> None:
    """Delete a run that does not train; the model in use falls back to the shipped one if it was this run's."""
    try:
        delete_run(run.run_id, run.path.parent)
    except (ValueError, OSError) as e:
        st.session_state["runs_delete"] = ("error", f"Could not delete run {run.run_id}: {e}")
        return
    gone = run.path / "model.keras"
    if ui.teacher_token() and ui.chosen_model_path() == gone:
        write_active_model(DEFAULT)
    if Path(st.session_state.get("model_path", "")) == gone:
        st.session_state.pop("model_path", None)
    st.session_state["runs_delete"] = ("success", f"Deleted run {run.run_id}.")
    st.session_state["runs_delete_sure"] = False


@ui.teacher_only
def rename(run: RunRow) -> None:
    set_name(run.path, st.session_state.get(f"runs_name_{run.run_id}", ""))


@ui.teacher_only
def take_in() -> None:
    """Import the uploaded zip as a new run; say what happened, in plain words."""
    upload = st.session_state.get("runs_import")
    if upload is None:
        return
    try:
        run_id = import_run(upload.getvalue())
    except (ValueError, OSError) as e:
        st.session_state["runs_imported"] = ("error", f"Could not import {upload.name}: {e}.")
    else:
        st.session_state["runs_imported"] = ("success", f"Imported {upload.name} as run {run_id}.")


# --- the page ---------------------------------------------------------------------------------
ui.lesson("runs")
ui.teacher_sign_in()
locked = ui.locked()  # a student's session, or every session while the teacher lock is closed

runs = list_runs()
training_now = live_run()
st.session_state["runs_seen"] = changes()
watch()
if training_now is not None:
    st.info(
        f"**Run `{training_now.name}` is training now**: watch it live, or stop it, on the Train page.",
        icon=":material/model_training:",
    )
    ui.link_to_train()
runs_table(runs)

st.header(
    "The model the class sees"
    if ui.teacher_token()
    else "The model the Results, photo and You vs the network pages use"
)
choices = {
    str(ui.DEFAULT_MODEL): f"The lab's model ({ui.DEFAULT_MODEL.name})"
    + ("" if ui.DEFAULT_MODEL.is_file() else ": not here yet")
}
for r in runs:
    if r.has_model:
        best = (  # the model file is the last finished epoch's, not the best one's
            f"{100 * r.last_test_accuracy:.1f} % after its last epoch"
            if r.last_test_accuracy is not None
            else "untested"
        )
        choices[str(r.path / "model.keras")] = (
            f"Run {r.run_id} ({r.preset}, {r.epochs_done} epochs, {best}, {r.status})"
        )
current = str(ui.model_path())
if current not in choices:
    choices[current] = f"{current} (not found)"
st.session_state["runs_model_choice"] = current  # always what is in use (the teacher may change it)
st.selectbox(
    "Model",
    list(choices),
    format_func=choices.get,
    key="runs_model_choice",
    disabled=locked,
    on_change=choose_model,
    args=(choices,),
)
if problem := st.session_state.pop("runs_model_error", None):
    st.error(problem, icon=":material/error:")
whose = "everyone's sessions" if ui.teacher_token() else "this session"
st.caption(
    f"The Accuracy, Confusion matrix, Mistakes, photo and lesson pages now use {ui.model_label(ui.model_path())} "
    f"in {whose}."
)
ui.only_the_teacher("choose the model the class sees")

if resumable := [r for r in runs if r.can_resume]:
    st.header("Resume a run")
    again = st.selectbox("Run", resumable, key="runs_resume_choice", disabled=locked, format_func=run_in_words)
    st.button(
        "Resume it",
        icon=":material/resume:",
        key="runs_resume",
        disabled=training_now is not None or locked,
        on_click=resume,
        args=(again.path,),
        help="Goes on from its last finished epoch, with the same settings and data. A run imported from a zip "
        "restarts its optimizer and its learning-rate schedule, warm-up included (the zip holds no optimizer state), "
        "and needs its data on this computer.",
    )
    ui.refused_start()
    ui.only_the_teacher("resume runs")

deletable = [r for r in runs if r.can_delete]
outcome = st.session_state.pop("runs_delete", None)
if deletable or outcome:
    st.header("Delete a run")
    if outcome:
        getattr(st, outcome[0])(outcome[1], icon=":material/delete:")
if deletable:
    gone = st.selectbox("Run", deletable, key="runs_delete_choice", disabled=locked, format_func=run_in_words)
    sure = st.checkbox(
        "Yes, delete this run, its checkpoints and its model for good", key="runs_delete_sure", disabled=locked
    )
    st.button(
        "Delete it",
        icon=":material/delete:",
        key="runs_delete_run",
        disabled=locked or not sure,
        on_click=delete,
        args=(gone,),
        help="A run that trains cannot be deleted: stop it first.",
    )
    ui.only_the_teacher("delete runs")

st.header("Name, export or import a run")
if runs:
    chosen_run = st.selectbox("Run", runs, key="runs_manage_choice", format_func=run_in_words, disabled=locked)
    left, right = st.columns([3, 1], vertical_alignment="bottom")
    left.text_input(
        "Its name",
        value=chosen_run.name,
        key=f"runs_name_{chosen_run.run_id}",
        max_chars=80,
        placeholder="for example: no augmentation, 20 epochs",
        disabled=locked,
    )
    right.button("Save the name", key="runs_name_save", on_click=rename, args=(chosen_run,), disabled=locked)
    if chosen_run.can_export:
        st.download_button(
            "Export it as a zip (settings, history, model)",
            data=lambda: export_run(chosen_run.path),
            file_name=f"cnn-lab-run-{chosen_run.run_id}.zip",
            mime="application/zip",
            icon=":material/download:",
            key="runs_export",
            on_click="ignore",
            disabled=locked,
        )
st.file_uploader(
    "Import a run exported from CNN Lab (a .zip)",
    type=["zip"],
    key="runs_import",
    on_change=take_in,
    disabled=locked,
    help="It becomes a new run here. The model is opened in safe mode; anything else is refused.",
)
if imported := st.session_state.pop("runs_imported", None):
    getattr(st, imported[0])(imported[1], icon=":material/upload:")
ui.only_the_teacher("name, export or import runs")
