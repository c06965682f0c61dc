"""Train: start, watch, stop, resume and delete runs, and choose the model the Results pages look at.

A run trains in a process of its own (`python -m cnn_lab train`, started by cnn_lab.training.launcher.start)
and reports through its run folder; this page only starts it, asks it to stop and reads its
folder (cnn_lab.runs), so every tab and every student sees the same run live, a page rerun never
trains anything, and a crashed run cannot take the page down. Every control acts in its on_click
callback, which Streamlit runs before the script: a rerun can never drop a click.

With a teacher token set (cnn_lab.access), only the signed-in teacher changes anything here and
the model chosen is the whole class's; students watch with every control disabled.
"""

import datetime
from pathlib import Path

import streamlit as st

import charts
import ui
from cnn_lab import experiments
from cnn_lab.training import launcher
from cnn_lab.training.devices import device_words
from cnn_lab.compare import choice_in_words, chosen_epochs, compare, gap_in_words
from cnn_lab.access import DEFAULT, write_active_model
from cnn_lab.data import HOW_TO_GET_IT, SAMPLE_PATH, TRAINING_IMAGES, find_source
from cnn_lab.formatting import clock, minutes_and_seconds
from cnn_lab.recipes import ARTICLE_ACCURACY, AUGMENT_MODES, PRESETS, held_out, preset, scaled
from cnn_lab.run_archive import export_run, import_run
from cnn_lab.target import LINE, crossing_words, reference_epoch, seconds_to_line
from cnn_lab.runs import (
    DELETABLE,
    RESUMABLE,
    STOP_GRACE_SECONDS,
    TRAINING_NOW,
    delete_run,
    list_runs,
    live_run,
    position,
    run_path,
    seconds_since_stop_request,
    set_name,
    snapshot,
)

RECIPES = {  # (its name in the list, what it is)
    "lesson": ("Lesson: 78.4 % within a lesson on a CPU", "Narrower and shorter, tested twice an epoch."),
    "fast": (
        "Fast: 78.4 % in epoch 7 of 8",
        "Batch-norm, crop and flip, a warm-up then a cosine schedule. The default on a GPU (not yet timed on one).",
    ),
    "article": (
        "The article's recipe, as it is",
        "The article's network, augmentation, Adam at 1e-3 and batches of 64; the 20 epochs are the lab's "
        "choice. Trained so here, it ended at 74.78 % (best 75.86 %), still learning, below the article's 78.44 %.",
    ),
}
AUGMENTATION = {
    "article": "The article's (crop, flip, hue, contrast, brightness, saturation)",
    "crop_flip": "Crop and flip only",
    "none": "None",
}
SIZES = {0: "All of them", 256: "256: a quick check (seconds)", 2000: "2,000", 10000: "10,000"}
GPU_HINTS = {  # by Keras backend: what to install for an NVIDIA GPU
    "tensorflow": "To train on an NVIDIA GPU on Linux, install TensorFlow with its CUDA libraries: "
    '`pip install "tensorflow[and-cuda]"`, then restart the lab.',
    "jax": 'To train on an NVIDIA GPU on Linux, install JAX with its CUDA libraries: `pip install "jax[cuda12]"`, '
    "then restart the lab.",
}
WORDS = {
    "starting": "Starting",
    "running": "Training",
    "stopping": "Stop requested: stopping after this batch",
    "stopped": "Stopped",
    "finished": "Finished",
    "failed": "Failed",
    "interrupted": "Interrupted",
}


@st.cache_resource(show_spinner="Looking for a GPU...")
def device() -> dict:
    from cnn_lab.training.devices import describe_device  # imports the backend (TensorFlow, JAX): once per server

    return describe_device()


def say_device(found: dict) -> None:
    """Which devices the run uses (all of them, data-parallel, where there are several), and on which backend."""
    if found["kind"] == "GPU":
        st.success(f"Training on **{device_words(found)}**.", icon=":material/memory:")
    else:
        st.info(
            f"Training on **{device_words(found)}**: no GPU found, so a full run takes a while. "
            + GPU_HINTS.get(found.get("backend"), ""),
            icon=":material/memory:",
        )


def show(snap: dict) -> None:
    """One run, read from its folder: what it does, how far it is, its numbers and its curves."""
    status, history = snap["status"], snap["history"]
    best = max((h["test_accuracy"] for h in history if h.get("test_accuracy") is not None), default=None)
    recipe = f" ({snap['config']['preset']} recipe)" if snap["config"].get("preset") else ""
    st.markdown(f"**{WORDS.get(status, status)}: run `{snap['run_id']}`**{recipe} — {snap['message']}")
    if snap.get("data"):
        st.caption(f"Data: {snap['data']}")
    if snap["epochs"]:
        at = position(snap)
        if status in TRAINING_NOW:
            where = f"Epoch {at['epoch']} of {at['epochs']}, batch {at['batch']} of {at['batches_per_epoch'] or '?'}"
        else:
            where = f"{len(history)} of {at['epochs']} epochs finished and saved"
        st.progress(at["fraction"] if status in TRAINING_NOW else len(history) / at["epochs"], text=where)
    a, b, c, d = st.columns(4)
    a.metric("Images per second", f"{snap['images_per_second']:,.0f}" if snap.get("images_per_second") else "—")
    b.metric("Time left (estimate)", clock(snap.get("eta_seconds")) if status in TRAINING_NOW else "—")
    c.metric(
        "Test accuracy, last epoch",
        f"{100 * history[-1]['test_accuracy']:.2f} %"
        if history and history[-1].get("test_accuracy") is not None
        else "—",
    )
    if chosen := chosen_epochs(history):  # held-out images to choose by: the test is not looked at
        d.metric(
            "Best so far on validation",
            f"{100 * chosen['by_validation']['validation_accuracy']:.2f} %",
            help="On the training images held out for validation: the fair way to choose the best epoch.",
        )
    else:
        d.metric(
            "Best so far",
            f"{100 * best:.2f} %" if best is not None else "—",
            delta=f"{100 * (best - ARTICLE_ACCURACY):+.1f} vs the article" if best is not None else None,
        )
    if chosen:
        st.info(choice_in_words(history), icon=":material/rule:")
    if snap.get("crossed"):
        st.success(f"**{crossing_words(snap['crossed'])}.**", icon=":material/flag:")
    elif (expected := reference_epoch(snap["config"])) and (left := seconds_to_line(snap, expected)) is not None:
        st.info(
            f"**{LINE} expected in about {minutes_and_seconds(left)}**: the reference run of this recipe passed "
            f"it in epoch {expected}.",
            icon=":material/flag:",
        )
    if snap.get("device"):
        say_device(snap["device"])
    if status == "failed":
        st.error(f"Training failed: {snap.get('error')}", icon=":material/error:")
        if snap.get("traceback"):
            with st.expander("Where it failed (the end of the traceback; the server's log has all of it)"):
                st.code("\n".join(snap["traceback"].strip().splitlines()[-8:]), language=None)
    elif status == "interrupted":
        st.warning(
            "Its training process ended before the run did (the computer or the process was stopped). "
            "It can resume from its last finished epoch, below.",
            icon=":material/warning:",
        )
    if snap["batches"]:
        st.plotly_chart(charts.training_curves(snap), key="curves", config={"displayModeBar": False})
        st.caption(charts.training_curves_in_words(snap))
    elif status in ("starting", "running"):
        st.caption("The curves appear after the first batch.")


def runs_table(runs: list[dict]) -> None:
    if not runs:
        st.caption("No runs yet on this computer.")
        return
    st.dataframe(
        [
            {
                "Run": r["run_id"],
                "Name": r.get("name") or "",
                "Started": (
                    datetime.datetime.fromisoformat(r["started"]).strftime("%d %b %Y %H:%M")
                    if r.get("started")
                    else "?"
                ),
                "Recipe": r.get("preset") or "?",
                "Epochs": f"{r['epochs_done']} of {r['epochs'] or '?'}",
                "Best test accuracy": (
                    f"{100 * r['best_test_accuracy']:.2f} %" if r["best_test_accuracy"] is not None else "—"
                ),
                "Data": "sample" if "sample" in str(r["data"]) else "full CIFAR-10",
                "Status": r["status"],
            }
            for r in runs
        ],
        hide_index=True,
        width="stretch",
    )


def shown_run(runs: list[dict]) -> dict | None:
    """What "Now" shows: the run training on this computer, else the latest one."""
    folder = live_run()
    if folder is None and not runs:
        return None
    return snapshot(folder or runs[0]["path"])


def seen(snap: dict | None) -> tuple | None:
    """What the rest of the page depends on: a change reruns it (a new run, a new status, a new
    finished epoch, whose checkpoint the model chooser then offers)."""
    return (snap["run_id"], snap["status"], len(snap["history"])) if snap else None


def offer_to_end(run_id: str, waited: float | None, teacher: bool) -> None:
    """A run that has not stopped long after it was asked is stuck inside a step: offer to end its process."""
    if waited is None or waited <= STOP_GRACE_SECONDS:
        return
    st.warning(
        f"**The run was asked to stop {waited:.0f} s ago and has not stopped.** Its process may be stuck inside "
        "a step. Ending its process stops it now; its last finished epoch stays saved and it can resume from there.",
        icon=":material/warning:",
    )
    st.button("End its process now", key="train_force_stop", on_click=force_stop, args=(run_id,), disabled=not teacher)


def beside_its_reference(snap: dict) -> None:
    """A one-click experiment's run, drawn with the quick reference it differs from in one setting."""
    experiment, reference = experiments.which(snap["config"]), experiments.reference()
    if experiment is None or reference is None:
        return
    st.subheader("The experiment beside its reference")
    st.markdown(f"**{experiment.question}** Look for {experiment.look_for}")
    compared = compare([reference, Path(snap["run_dir"])])["runs"]
    figure = charts.compare_accuracy_figure(compared)
    st.plotly_chart(figure, key="train_experiment_curves", config={"displayModeBar": False})
    for run in compared:
        st.markdown(f"- {gap_in_words(run)}")
    # a link, as the menu's are (not st.switch_page from this fragment): the Compare page opens on these two
    runs = {"runs": [reference.name, snap["run_id"]]}
    ui.link_to("compare.py", "Open both on Compare runs", ":material/compare_arrows:", "Compare runs", runs)


@st.fragment(run_every=1.0)
def watch() -> None:
    """Reads the run folders once a second: the only part of the page that redraws while a run trains."""
    runs = list_runs()
    snap = shown_run(runs)
    if seen(snap) != st.session_state.get("train_seen"):
        st.rerun()  # a run started, stopped, ended or saved an epoch: Resume, Delete and the models change with it
    if snap is None or snap["status"] not in TRAINING_NOW:
        st.info(
            "Nothing is training right now. Start a run above; everyone who opens this page will watch it live.",
            icon=":material/hourglass_empty:",
        )
        if snap is None:
            say_device(device())
        else:
            st.caption("The latest run:")
    if snap is not None:
        show(snap)
        if snap["status"] in TRAINING_NOW:
            teacher = ui.is_teacher()
            st.button(
                "Stop",
                icon=":material/stop:",
                key="train_stop",
                on_click=stop,
                args=(snap["run_id"],),
                disabled=snap["status"] == "stopping" or not teacher,
                help="Stops after the batch in progress; the last finished epoch stays saved and can resume.",
            )
            if snap["status"] == "stopping":
                offer_to_end(snap["run_id"], seconds_since_stop_request(Path(snap["run_dir"])), teacher)
            if not teacher:
                ui.only_the_teacher("stop the run")
        beside_its_reference(snap)
    st.header("Runs")
    runs_table(runs)


# --- what the controls do (on_click: Streamlit runs these before the script, so no rerun drops a click) ---
def run_in_words(run: dict) -> str:
    """A run as the resume, delete and export choosers list it."""
    name = f" “{run['name']}”" if run.get("name") else ""
    return f"{run['run_id']}{name}: {run['epochs_done']} of {run['epochs']} epochs, {run['status']}"


def start(**how) -> str | None:
    """Start a run (config, data) or resume one (resume=folder) in its own process; its id, or None."""
    st.session_state.pop("train_error", None)
    if not ui.is_teacher():  # a disabled button is not a lock: check again
        return None
    try:
        return launcher.start(**how)
    except launcher.RunBusy:
        busy = live_run()
        st.session_state["train_error"] = ("busy", busy.name if busy else None)
    except (ValueError, OSError) as e:
        st.session_state["train_error"] = ("error", str(e))
    return None


def start_experiment(key: str) -> None:
    """A one-click experiment: its quick run on the full CIFAR-10, named by the question it asks."""
    full = find_source()
    if not full:
        st.session_state["train_error"] = ("error", f"The experiments need the full CIFAR-10. {HOW_TO_GET_IT}")
        return
    experiment = experiments.EXPERIMENTS[key]
    if run_id := start(config=experiment.config, data=str(full)):
        set_name(run_path(run_id), experiment.title)


def chosen() -> tuple:
    """(config, data, problem) as the widgets above say now. Read from session state, so that the
    Start button's callback, which runs before the script, sees the values the teacher just set."""
    state = st.session_state
    recipe, full = state["train_recipe"], find_source()
    available = TRAINING_IMAGES[state["train_source"]]  # a limit above it trains on all of them
    if state["train_source"] == "full" and not full:
        return None, None, f"The full CIFAR-10 is not on this computer. {HOW_TO_GET_IT}"
    try:
        config = preset(
            recipe,
            epochs=int(state[f"train_epochs_{recipe}"]),
            augment=state[f"train_augment_{recipe}"],
            learning_rate=float(state[f"train_rate_{recipe}"]),
            batch_size=int(state[f"train_batch_{recipe}"]),
            limit=state["train_limit"] or None,
            seed=int(state.get("train_seed", 0)),
            validation=held_out(min(state["train_limit"] or available, available))
            if state.get("train_validation")
            else 0,
        )
        if state.get(f"train_scale_{recipe}"):
            config = scaled(config, config.batch_size)
    except ValueError as e:
        return None, None, str(e)
    return config, str(full if state["train_source"] == "full" else SAMPLE_PATH), None


def start_new() -> None:
    config, data, problem = chosen()
    st.session_state.pop("train_error", None)
    if problem:
        st.session_state["train_error"] = ("error", problem)
    else:
        start(config=config, data=data)


def stop(run_id: str) -> None:
    if ui.is_teacher():
        launcher.stop(run_id)


def force_stop(run_id: str) -> None:
    if ui.is_teacher():
        launcher.force_stop(run_id)


def choose_model(choices: dict) -> None:
    """The model chooser's callback: check the file opens, then make it this session's model (no
    token) or the whole class's (teacher token set)."""
    picked = st.session_state["train_model_choice"]
    st.session_state.pop("train_model_error", None)
    if not ui.is_teacher():
        return
    path = Path(picked)
    if path != ui.DEFAULT_MODEL and (problem := ui.model_problem(path)):
        st.session_state["train_model_error"] = (
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


def rename(run: dict) -> None:
    if ui.is_teacher():
        set_name(run["path"], st.session_state.get(f"train_name_{run['run_id']}", ""))


def take_in() -> None:
    """Import the uploaded zip as a new run; say what happened, in plain words."""
    upload = st.session_state.get("train_import")
    if not ui.is_teacher() or upload is None:
        return
    try:
        run_id = import_run(upload.getvalue())
    except (ValueError, OSError) as e:
        st.session_state["train_imported"] = ("error", f"Could not import {upload.name}: {e}.")
    else:
        st.session_state["train_imported"] = ("success", f"Imported {upload.name} as run {run_id}.")


def delete(run: dict) -> None:
    """Delete a run that does not train; the model in use falls back to the shipped one if it was this run's."""
    if not ui.is_teacher():
        return
    try:
        delete_run(run["run_id"], run["path"].parent)
    except (ValueError, OSError) as e:
        st.session_state["train_delete"] = ("error", f"Could not delete run {run['run_id']}: {e}")
        return
    gone = run["path"] / "model.keras"
    if ui.teacher_token() and ui.chosen_model_path() == gone:
        write_active_model(DEFAULT)
    if Path(st.session_state.get("model_path", "")) == gone:
        st.session_state.pop("model_path", None)
    st.session_state["train_delete"] = ("success", f"Deleted run {run['run_id']}.")
    st.session_state["train_delete_sure"] = False


# --- the page ---------------------------------------------------------------------------------
ui.lesson("train")
teacher = ui.teacher_sign_in()

st.header("Start a run")
if not teacher:
    ui.only_the_teacher("start, stop, resume or delete runs, or choose the model the class sees")
left, right = st.columns(2)
with left:
    recipe = st.selectbox(
        "Recipe",
        list(RECIPES),
        index=list(RECIPES).index("fast" if device()["kind"] == "GPU" else "lesson"),  # a CPU: a run fits a lesson
        format_func=lambda r: RECIPES[r][0],
        key="train_recipe",
        disabled=not teacher,
    )
    st.caption(RECIPES[recipe][1])
    base = PRESETS[recipe]
    epochs = st.number_input(
        "Epochs (passes over the training images)",
        1,
        200,
        base.epochs,
        key=f"train_epochs_{recipe}",
        disabled=not teacher,
    )
    rate = st.select_slider(
        "Learning rate (how big each step is; the peak for Lesson and Fast)",
        options=[1e-4, 3e-4, 1e-3, 2e-3, 3e-3, 1e-2],
        value=base.learning_rate,
        format_func=lambda r: f"{r:g}",
        key=f"train_rate_{recipe}",
        disabled=not teacher,
    )
    batch = st.select_slider(
        "Batch size (images per step)",
        options=[32, 64, 128, 256] + ([512, 1024, 2048] if device()["kind"] == "GPU" else []),
        value=base.batch_size,
        key=f"train_batch_{recipe}",
        disabled=not teacher,
    )
    st.checkbox(
        "Scale the learning rate with the batch size",
        value=device()["kind"] == "GPU",
        help="Larger batches, bigger steps: the rate grows in proportion to the batch, from the recipe's own "
        "batch size. For the large batches of a GPU; the rate used is shown above Start training.",
        key=f"train_scale_{recipe}",
        disabled=not teacher,
    )
with right:
    augment = st.radio(
        "Augmentation (adding variance)",
        AUGMENT_MODES,
        index=AUGMENT_MODES.index(base.augment),
        format_func=AUGMENTATION.get,
        key=f"train_augment_{recipe}",
        disabled=not teacher,
    )
    full = find_source()
    sources = {
        "full": f"The full CIFAR-10 ({full})" if full else "The full CIFAR-10 (not found on this computer)",
        "sample": "The bundled sample (800 training, 200 test images)",
    }
    source = st.radio(
        "Data", list(sources), format_func=sources.get, index=0 if full else 1, key="train_source", disabled=not teacher
    )
    limit = st.selectbox(
        "Training images to use", list(SIZES), format_func=SIZES.get, key="train_limit", disabled=not teacher
    )
    st.checkbox(
        "Hold out the last 1 in 10 training images for validation",
        key="train_validation",
        disabled=not teacher,
        help="They are never trained on and are tested after every epoch, so the best epoch can be chosen "
        "without looking at the test set (5,000 of the full CIFAR-10's 50,000). The run learns from fewer "
        "images: the Lesson recipe so ended at 78.05 %, below the article's line.",
    )
    st.number_input(
        "Seed: the random start",
        0,
        9999,
        0,
        key="train_seed",
        disabled=not teacher,
        help="The first weights, the order of the batches and the augmentation's draws all follow from it. "
        "Same recipe, another seed: another run, which ends a little apart by chance alone.",
    )
    if source == "sample":
        st.caption(
            "The sample's images are all CIFAR-10 *test* images, so what a model learns from them cannot be "
            "compared with test-set figures: the article's, or the shipped model's."
        )

config, _, config_error = chosen()
if config_error:
    st.error(config_error, icon=":material/error:")
elif config.learning_rate != rate:
    st.caption(f"Learning rate used: {config.learning_rate:g} ({rate:g} × {batch} / {base.batch_size}).")
st.button(
    "Start training",
    key="train_start",
    type="primary",
    icon=":material/play_arrow:",
    disabled=bool(config_error) or not teacher,
    on_click=start_new,
)

st.subheader("Or ask the class: what if ...?")
reference = experiments.reference()
st.caption(
    f"Each one-click experiment trains the article's recipe on {experiments.QUICK.limit:,} images of the full "
    f"CIFAR-10 for {experiments.QUICK.epochs} epochs (about 2 minutes on a 2-core CPU) with one setting "
    "changed, and draws it beside a reference run with nothing changed."
)
with st.container(horizontal=True, gap="small"):
    for key, experiment in experiments.EXPERIMENTS.items():
        st.button(
            experiment.question,
            key=f"train_experiment_{key}",
            on_click=start_experiment,
            args=(key,),
            disabled=not teacher or not full or reference is None,
        )
if not full:  # an info box, not a caption: a caption's code is too pale to read (axe: color-contrast)
    st.info(f"They need the full CIFAR-10, which is not on this computer. {HOW_TO_GET_IT}", icon=":material/dataset:")
elif reference is None:
    st.info(
        f"Their reference run is missing: `{experiments.REFERENCE_RUNS / experiments.REFERENCE}`.",
        icon=":material/dataset:",
    )

runs = list_runs()
training_now = live_run()
refused = st.session_state.get("train_error")
if refused and refused[0] == "busy" and training_now is not None and training_now.name == refused[1]:
    st.warning(
        f"**A run is already training** (run `{refused[1]}`), perhaps started from another tab, computer "
        "or terminal. One run trains at a time: watch it below, or stop it first.",
        icon=":material/block:",
    )
elif refused and refused[0] == "error":
    st.error(refused[1], icon=":material/error:")

st.header("Now")
st.session_state["train_seen"] = seen(shown_run(runs))
watch()

st.header("The model the class sees" if ui.teacher_token() else "The model the Results and photo pages use")
choices = {
    str(ui.DEFAULT_MODEL): "The shipped model (default.keras)"
    + ("" if ui.DEFAULT_MODEL.is_file() else ": not here yet")
}
for r in runs:
    if r["has_model"]:
        best = (  # the model file is the last finished epoch's, not the best one's
            f"{100 * r['last_test_accuracy']:.1f} % after its last epoch"
            if r["last_test_accuracy"] is not None
            else "untested"
        )
        choices[str(r["path"] / "model.keras")] = (
            f"Run {r['run_id']} ({r['preset']}, {r['epochs_done']} epochs, {best}, {r['status']})"
        )
current = str(ui.model_path())
if current not in choices:
    choices[current] = f"{current} (not found)"
st.session_state["train_model_choice"] = current  # always what is in use (the teacher may change it)
st.selectbox(
    "Model",
    list(choices),
    format_func=choices.get,
    key="train_model_choice",
    disabled=not teacher,
    on_change=choose_model,
    args=(choices,),
)
if problem := st.session_state.pop("train_model_error", None):
    st.error(problem, icon=":material/error:")
whose = "everyone's sessions" if ui.teacher_token() else "this session"
st.caption(
    f"The Accuracy, Confusion matrix, Mistakes, photo and lesson pages now use {ui.model_label(ui.model_path())} "
    f"in {whose}."
)
if not teacher:
    ui.only_the_teacher("choose the model the class sees")

resumable = [
    r for r in runs if r["status"] in RESUMABLE and r["has_model"] and r["epochs"] and r["epochs_done"] < r["epochs"]
]
if resumable:
    st.header("Resume a run")
    again = st.selectbox(
        "Run",
        resumable,
        key="train_resume_choice",
        disabled=not teacher,
        format_func=run_in_words,
    )
    st.button(
        "Resume it",
        icon=":material/resume:",
        key="train_resume",
        disabled=training_now is not None or not teacher,
        on_click=start,
        kwargs={"resume": again["path"]},
        help="Goes on from its last finished epoch, with the same settings and data.",
    )

deletable = [r for r in runs if r["status"] in DELETABLE]
outcome = st.session_state.pop("train_delete", None)
if deletable or outcome:
    st.header("Delete a run")
    if outcome:
        getattr(st, outcome[0])(outcome[1], icon=":material/delete:")
if deletable:
    gone = st.selectbox(
        "Run",
        deletable,
        key="train_delete_choice",
        disabled=not teacher,
        format_func=run_in_words,
    )
    sure = st.checkbox(
        "Yes, delete this run, its checkpoints and its model for good", key="train_delete_sure", disabled=not teacher
    )
    st.button(
        "Delete it",
        icon=":material/delete:",
        key="train_delete_run",
        disabled=not (teacher and sure),
        on_click=delete,
        args=(gone,),
        help="A run that trains cannot be deleted: stop it first.",
    )
    if not teacher:
        ui.only_the_teacher("delete runs")

st.header("Name, export or import a run")
if runs:
    chosen_run = st.selectbox("Run", runs, key="train_manage_choice", format_func=run_in_words, disabled=not teacher)
    left, right = st.columns([3, 1], vertical_alignment="bottom")
    left.text_input(
        "Its name",
        value=chosen_run["name"],
        key=f"train_name_{chosen_run['run_id']}",
        max_chars=80,
        placeholder="for example: no augmentation, 20 epochs",
        disabled=not teacher,
    )
    right.button("Save the name", key="train_name_save", on_click=rename, args=(chosen_run,), disabled=not teacher)
    if chosen_run["has_model"] and chosen_run["status"] not in TRAINING_NOW:
        st.download_button(
            "Export it as a zip (settings, history, model)",
            data=lambda: export_run(chosen_run["path"]),
            file_name=f"cnn-lab-run-{chosen_run['run_id']}.zip",
            mime="application/zip",
            icon=":material/download:",
            key="train_export",
            on_click="ignore",
            disabled=not teacher,
        )
st.file_uploader(
    "Import a run exported from CNN Lab (a .zip)",
    type=["zip"],
    key="train_import",
    on_change=take_in,
    disabled=not teacher,
    help="It becomes a new run here. The model is opened in safe mode; anything else is refused.",
)
if imported := st.session_state.pop("train_imported", None):
    getattr(st, imported[0])(imported[1], icon=":material/upload:")
if not teacher:
    ui.only_the_teacher("name, export or import runs")
