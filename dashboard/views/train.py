"""Train: start a run (or a one-click experiment), and watch the run training now, live, and stop it.

A run trains in a process of its own (`python -m cnn_lab train`, started by cnn_lab.training.launcher.start)
and reports through its run folder; this page only starts it, asks it to stop and reads its
folder (cnn_lab.runs.folders), so every tab and every student sees the same run live, a page rerun never
trains anything, and a crashed run cannot take the page down. Every control acts in its on_click
callback, which Streamlit runs before the script: a rerun can never drop a click.

With a teacher token set (cnn_lab.classroom.teacher_token), only the signed-in teacher starts or stops a run
(ui.locked, ui.teacher_only); students watch with every control disabled. Resuming, deleting, naming,
exporting and importing runs, and the model the class sees, are the Runs page's.
"""

import streamlit as st

import charts.compare
import charts.training
import ui
from cnn_lab.runs import experiments
from cnn_lab.training import launcher
from cnn_lab.runs.compare import compare, gap_in_words
from cnn_lab.network.data import HOW_TO_GET_IT, TRAINING_IMAGES, find_source
from cnn_lab.settings import SAMPLE_PATH
from cnn_lab.recipes import AUGMENT_MODES, PRESETS, held_out, preset, scaled
from cnn_lab.runs.records import Device, Snapshot, Status
from cnn_lab.runs.folders import (
    STOP_GRACE_SECONDS,
    latest_run,
    live_run,
    run_path,
    seconds_since_stop_request,
    set_name,
    snapshot,
)

RECIPES = {  # (its name in the list, what it is)
    "lesson": ("Lesson: 78.4 % within a lesson on a CPU", "Narrower and shorter than Fast, tested twice an epoch."),
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


@st.cache_resource(show_spinner="Looking for a GPU...")
def device() -> Device:
    from cnn_lab.training.devices import describe_device  # imports the backend (TensorFlow, JAX): once per server

    return describe_device()


def shown_run() -> Snapshot | None:
    """What "Now" shows: the run training on this computer, else the latest one."""
    folder = live_run() or latest_run()
    return snapshot(folder) if folder else None


def seen(snap: Snapshot | None) -> tuple | None:
    """What the rest of the page depends on: a change reruns it (a new run, a new status, a new
    finished epoch), so that a refused start's warning goes once the run it names has ended."""
    return (snap.run_id, snap.status, len(snap.history)) if snap else None


def offer_to_end(run_id: str, waited: float | None, locked: bool) -> None:
    """A run that has not stopped long after it was asked is stuck inside a step: offer to end its process."""
    if waited is None or waited <= STOP_GRACE_SECONDS:
        return
    st.warning(
        f"**The run was asked to stop {waited:.0f} s ago and has not stopped.** Its process may be stuck inside "
        "a step. Ending its process stops it now; its last finished epoch (if one finished) stays saved and it can "
        "resume from there.",
        icon=":material/warning:",
    )
    st.button("End its process now", key="train_force_stop", on_click=force_stop, args=(run_id,), disabled=locked)


def beside_its_reference(snap: Snapshot) -> None:
    """A one-click experiment's run, drawn with the quick reference it differs from in one setting."""
    experiment, reference = experiments.which(snap.config), experiments.reference()
    if experiment is None or reference is None:
        return
    st.subheader("The experiment beside its reference")
    st.markdown(f"**{experiment.question}** Look for {experiment.look_for}")
    compared = compare([reference, snap.run_dir])["runs"]
    figure = charts.compare.compare_accuracy_figure(compared)
    st.plotly_chart(figure, key="train_experiment_curves", config={"displayModeBar": False})
    for run in compared:
        st.markdown(f"- {gap_in_words(run)}")
    # a link, as the menu's are (not st.switch_page from this fragment): the Compare page opens on these two
    runs = {"runs": [reference.name, snap.run_id]}
    ui.link_to("compare.py", "Open both on Compare runs", ":material/compare_arrows:", "Compare runs", runs)


@st.fragment(run_every=1.0)
def watch() -> None:
    """Reads the run folders once a second: the only part of the page that redraws while a run trains."""
    snap = shown_run()
    if seen(snap) != st.session_state.get("train_seen"):
        st.rerun()  # a run started, stopped, ended or saved an epoch: the whole page changes with it
    if snap is None or not snap.status.training_now:
        st.info(
            "Nothing is training right now. "
            + ("Start a run above; everyone" if not ui.locked() else "When the teacher starts a run, everyone")
            + " who opens this page will watch it live.",
            icon=":material/hourglass_empty:",
        )
        if snap is None:
            ui.say_device(device())
        else:
            st.caption("The latest run:")
    if snap is not None:
        ui.show_run(snap)
        if snap.batches:
            st.plotly_chart(charts.training.training_curves(snap), key="curves", config={"displayModeBar": False})
            st.caption(charts.training.training_curves_in_words(snap))
        elif snap.status.live:
            st.caption("The curves appear after the first batch.")
        if snap.status.training_now:
            locked = ui.locked()
            st.button(
                "Stop",
                icon=":material/stop:",
                key="train_stop",
                on_click=stop,
                args=(snap.run_id,),
                disabled=snap.status is Status.STOPPING or locked,
                help="Stops after the batch in progress; the last finished epoch (if one finished) stays saved and "
                "can resume.",
            )
            if snap.status is Status.STOPPING:
                offer_to_end(snap.run_id, seconds_since_stop_request(snap.run_dir), locked)
            ui.only_the_teacher("stop the run")
        beside_its_reference(snap)


# --- what the controls do (on_click: Streamlit runs these before the script, so no rerun drops a click) ---
@ui.teacher_only
def start_experiment(key: str) -> None:
    """A one-click experiment: its quick run on the full CIFAR-10, named by the question it asks."""
    full = find_source()
    if not full:
        ui.refuse_start(f"The experiments need the full CIFAR-10. {HOW_TO_GET_IT}")
        return
    experiment = experiments.EXPERIMENTS[key]
    if run_id := ui.start_run(config=experiment.config, data=str(full)):
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


@ui.teacher_only
def start_new() -> None:
    config, data, problem = chosen()
    if problem:
        ui.refuse_start(problem)
    else:
        ui.start_run(config=config, data=data)


@ui.teacher_only
def stop(run_id: str) -> None:
    launcher.stop(run_id)


@ui.teacher_only
def force_stop(run_id: str) -> None:
    launcher.force_stop(run_id)


# --- the page ---------------------------------------------------------------------------------
ui.lesson("train")
ui.teacher_sign_in()
locked = ui.locked()  # a student's session, or every session while the teacher lock is closed

st.header("Start a run")
ui.only_the_teacher("start or stop runs")
left, right = st.columns(2)
with left:
    recipe = st.selectbox(
        "Recipe",
        list(RECIPES),
        index=list(RECIPES).index("fast" if device().kind == "GPU" else "lesson"),  # a CPU: a run fits a lesson
        format_func=lambda r: RECIPES[r][0],
        key="train_recipe",
        disabled=locked,
    )
    st.caption(RECIPES[recipe][1])
    base = PRESETS[recipe]
    epochs = st.number_input(
        "Epochs (passes over the training images)",
        1,
        200,
        base.epochs,
        key=f"train_epochs_{recipe}",
        disabled=locked,
    )
    rate = st.select_slider(
        "Learning rate (how big each step is; the peak for Lesson and Fast)",
        options=[1e-4, 3e-4, 1e-3, 2e-3, 3e-3, 1e-2],
        value=base.learning_rate,
        format_func=lambda r: f"{r:g}",
        key=f"train_rate_{recipe}",
        disabled=locked,
    )
    batch = st.select_slider(
        "Batch size (images per step)",
        options=[32, 64, 128, 256] + ([512, 1024, 2048] if device().kind == "GPU" else []),
        value=base.batch_size,
        key=f"train_batch_{recipe}",
        disabled=locked,
    )
    st.checkbox(
        "Scale the learning rate with the batch size",
        value=device().kind == "GPU",
        help="Larger batches, bigger steps: the rate grows in proportion to the batch, from the recipe's own "
        "batch size. For the large batches of a GPU; the rate used is shown above Start training.",
        key=f"train_scale_{recipe}",
        disabled=locked,
    )
with right:
    augment = st.radio(
        "Augmentation (adding variance)",
        AUGMENT_MODES,
        index=AUGMENT_MODES.index(base.augment),
        format_func=AUGMENTATION.get,
        key=f"train_augment_{recipe}",
        disabled=locked,
    )
    full = find_source()
    sources = {
        "full": f"The full CIFAR-10 ({full})" if full else "The full CIFAR-10 (not found on this computer)",
        "sample": "The bundled sample (800 training, 200 test images)",
    }
    source = st.radio(
        "Data", list(sources), format_func=sources.get, index=0 if full else 1, key="train_source", disabled=locked
    )
    limit = st.selectbox(
        "Training images to use", list(SIZES), format_func=SIZES.get, key="train_limit", disabled=locked
    )
    st.checkbox(
        "Hold out the last 1 in 10 training images for validation",
        key="train_validation",
        disabled=locked,
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
        disabled=locked,
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
    disabled=bool(config_error) or locked,
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
            disabled=locked or not full or reference is None,
        )
if not full:  # an info box, not a caption: a caption's code is too pale to read (axe: color-contrast)
    st.info(f"They need the full CIFAR-10, which is not on this computer. {HOW_TO_GET_IT}", icon=":material/dataset:")
elif reference is None:
    st.info(
        f"Their reference run is missing: `{experiments.REFERENCE_RUNS / experiments.REFERENCE}`.",
        icon=":material/dataset:",
    )

ui.refused_start()

st.header("Now")
st.session_state["train_seen"] = seen(shown_run())
watch()
ui.link_to(
    "runs.py",
    "Every run: resume, delete, name, export or import one, and the model the class sees",
    ":material/folder_open:",
    "Runs",
)
