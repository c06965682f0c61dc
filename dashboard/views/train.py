"""Train: start, watch, stop, resume and delete runs, and choose the model the Results pages look at.

The run itself is `cnn_lab.training.JOB`, a background thread shared by the whole server: this
page only starts it, stops it and reads its snapshot, so every tab and every student sees the
same run live, and a page rerun never trains anything.

With a teacher token set (cnn_lab.access), only the signed-in teacher changes anything here and
the model chosen is the whole class's; students watch with every control disabled.
"""

import datetime
from pathlib import Path

import streamlit as st

import charts
import ui
from cnn_lab.data import HOW_TO_GET_IT, SAMPLE_PATH, find_source
from cnn_lab.formatting import clock
from cnn_lab.recipes import ARTICLE_ACCURACY, AUGMENT_MODES, PRESETS, preset
from cnn_lab.access import DEFAULT, write_active_model
from cnn_lab.training import DELETABLE, JOB, JobBusy, delete_run, list_runs

RECIPES = {"fast": "Fast: passes 78.4 % soonest (batch-norm, crop and flip, cosine schedule)",
           "article": "The article's recipe as it is (its augmentation, Adam, batches of 64)"}
AUGMENTATION = {"article": "The article's (crop, flip, hue, contrast, brightness, saturation)",
                "crop_flip": "Crop and flip only", "none": "None"}
SIZES = {0: "All of them", 256: "256: a quick check (seconds)", 2000: "2,000", 10000: "10,000"}
GPU_HINT = ('To train on an NVIDIA GPU on Linux, install TensorFlow with its CUDA libraries: '
            '`pip install "tensorflow[and-cuda]"`, then restart the lab.')


@st.cache_resource(show_spinner="Looking for a GPU...")
def device() -> dict:
    from cnn_lab.training import describe_device  # imports TensorFlow: once per server

    return describe_device()


def say_device(found: dict) -> None:
    if found["kind"] == "GPU":
        st.success(f"Training on the **GPU: {found['name']}**.", icon=":material/memory:")
    else:
        st.info(f"Training on the **CPU** ({found['name']}): no GPU found, so a full run takes a while. "
                + GPU_HINT, icon=":material/memory:")


def steps_done(snap: dict) -> int:
    """Batches trained so far in this run, earlier epochs of a resumed run included."""
    if snap["batches"]:
        return snap["batches"][-1]["step"]
    return len(snap["history"]) * (snap.get("batches_per_epoch") or 0)


def live(snap: dict) -> None:
    """Everything about the run in this server's job (running, or the last one)."""
    status, run_id = snap["status"], snap.get("run_id")
    if status == "idle":
        st.info("Nothing is training right now. Start a run above; everyone who opens this page "
                "will watch it live.", icon=":material/hourglass_empty:")
        say_device(device())
        return
    history = snap["history"]
    best = max((h["test_accuracy"] for h in history if h.get("test_accuracy") is not None), default=None)
    words = {"starting": "Starting", "running": "Training", "stopping": "Stopping after this batch",
             "stopped": "Stopped", "finished": "Finished", "failed": "Failed"}
    st.markdown(f"**{words.get(status, status)}: run `{run_id}`** ({snap['config']['preset']} recipe) — "
                f"{snap.get('message', '')}")
    if snap.get("data"):
        st.caption(f"Data: {snap['data']}")
    steps, epochs = snap.get("batches_per_epoch") or 0, snap["epochs"]
    done = steps_done(snap)
    epoch_now = min(epochs, -(-done // steps) if steps and done else len(history) + 1)
    st.progress(min(1.0, done / (steps * epochs)) if steps else 0.0,
                text=f"Epoch {epoch_now} of {epochs}, batch {done - (epoch_now - 1) * steps if steps else 0} "
                     f"of {steps or '?'}")
    a, b, c, d = st.columns(4)
    a.metric("Images per second", f"{snap['images_per_second']:,.0f}" if snap.get("images_per_second") else "—")
    b.metric("Time left (estimate)", clock(snap.get("eta_seconds")) if status in ("running", "stopping")
             else "—")
    c.metric("Test accuracy, last epoch", f"{100 * history[-1]['test_accuracy']:.2f} %"
             if history and history[-1].get("test_accuracy") is not None else "—")
    d.metric("Best so far", f"{100 * best:.2f} %" if best is not None else "—",
             delta=f"{100 * (best - ARTICLE_ACCURACY):+.1f} vs the article" if best is not None else None)
    if snap.get("device"):
        say_device(snap["device"])
    if status == "failed":
        st.error(f"Training failed: {snap.get('error')}", icon=":material/error:")
    if snap["batches"]:
        st.plotly_chart(charts.training_curves(snap), key="curves", config={"displayModeBar": False})
        st.caption(charts.training_curves_in_words(snap))
    elif status in ("starting", "running"):
        st.caption("The curves appear after the first batch.")


@st.fragment(run_every=1.0)
def watch() -> None:
    """Polls the shared job once a second: the only part of the page that redraws while it trains."""
    snap = JOB.snapshot()
    seen = st.session_state.get("train_seen")
    now = (snap.get("run_id"), snap["status"], len(snap["history"]))
    st.session_state["train_seen"] = now
    if seen is not None and seen != now and (seen[1] != now[1] or seen[2] != now[2]):
        st.rerun()  # a run started, stopped, finished or finished an epoch: refresh the whole page
    live(snap)
    if JOB.running:
        teacher = ui.is_teacher()
        if st.button("Stop", icon=":material/stop:", disabled=snap["status"] == "stopping" or not teacher,
                     help="Stops after the batch in progress; the last finished epoch stays saved and can resume.") \
                and ui.is_teacher():
            JOB.stop()
            st.rerun()
        if not teacher:
            ui.only_the_teacher("stop the run")


def start(**kwargs) -> None:
    st.session_state.pop("train_error", None)
    st.session_state.pop("train_busy", None)
    if not ui.is_teacher():  # a disabled button is not a lock: check again
        return
    try:
        JOB.start(**kwargs)
    except JobBusy as e:  # kept until that run ends (or the next start): the page reruns as runs go on
        st.session_state["train_busy"] = (JOB.snapshot().get("run_id") if JOB.running else None, str(e))
    except (ValueError, OSError) as e:
        st.session_state["train_error"] = str(e)


def choose_model(choices: dict) -> None:
    """The model chooser's callback: check the file opens, then make it this session's model (no
    token) or the whole class's (teacher token set)."""
    picked = st.session_state["train_model_choice"]
    st.session_state.pop("train_model_error", None)
    if not ui.is_teacher():
        return
    path = Path(picked)
    if path != ui.DEFAULT_MODEL and (problem := ui.model_problem(path)):
        st.session_state["train_model_error"] = (f"Could not use {choices.get(picked, path.name)}: {problem}. "
                                                 "The model in use stays as it was.")
        return
    if ui.teacher_token():
        write_active_model(DEFAULT if path == ui.DEFAULT_MODEL else path.parent.name)
    elif path == ui.DEFAULT_MODEL:
        st.session_state.pop("model_path", None)
    else:
        st.session_state["model_path"] = picked
    st.session_state.pop("model_broken", None)


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
running = JOB.running

st.header("Start a run")
if not teacher:
    ui.only_the_teacher("start, stop, resume or delete runs, or choose the model the class sees")
left, right = st.columns(2)
with left:
    recipe = st.selectbox("Recipe", list(RECIPES), format_func=RECIPES.get, key="train_recipe", disabled=not teacher)
    base = PRESETS[recipe]
    epochs = st.number_input("Epochs (passes over the training images)", 1, 200, base.epochs,
                             key=f"train_epochs_{recipe}", disabled=not teacher)
    rate = st.select_slider("Learning rate (how big each step is)",
                            options=[1e-4, 3e-4, 1e-3, 2e-3, 3e-3, 1e-2], value=base.learning_rate,
                            format_func=lambda r: f"{r:g}", key=f"train_rate_{recipe}", disabled=not teacher)
    batch = st.select_slider("Batch size (images per step)", options=[32, 64, 128, 256],
                             value=base.batch_size, key=f"train_batch_{recipe}", disabled=not teacher)
with right:
    augment = st.radio("Augmentation (adding variance)", AUGMENT_MODES, index=AUGMENT_MODES.index(base.augment),
                       format_func=AUGMENTATION.get, key=f"train_augment_{recipe}", disabled=not teacher)
    full = find_source()
    sources = {"full": f"The full CIFAR-10 ({full})" if full else "The full CIFAR-10 (not found on this computer)",
               "sample": "The bundled sample (800 training, 200 test images)"}
    source = st.radio("Data", list(sources), format_func=sources.get, index=0 if full else 1, key="train_source", disabled=not teacher)
    limit = st.selectbox("Training images to use", list(SIZES), format_func=SIZES.get, key="train_limit", disabled=not teacher)
    if source == "sample":
        st.caption("The sample's images are all CIFAR-10 *test* images, so what a model learns from them cannot be "
                   "compared with test-set figures: the article's, or the shipped model's.")

config_error = None
try:
    config = preset(recipe, epochs=int(epochs), learning_rate=float(rate), batch_size=int(batch),
                    augment=augment, limit=limit or None)
except ValueError as e:
    config, config_error = None, str(e)
if source == "full" and not full:
    config_error = f"The full CIFAR-10 is not on this computer. {HOW_TO_GET_IT}"

if config_error:
    st.error(config_error, icon=":material/error:")
if st.button("Start training", type="primary", icon=":material/play_arrow:",
             disabled=bool(config_error) or not teacher):
    start(config=config, data=str(full if source == "full" else SAMPLE_PATH))
    st.rerun()

busy = st.session_state.get("train_busy")
if busy and JOB.running and JOB.snapshot().get("run_id") == busy[0]:
    st.warning(f"**A run is already training** (run `{busy[0]}`), perhaps started from another tab or "
               "computer. One run trains at a time: watch it below, or stop it first.", icon=":material/block:")
elif busy and not busy[0]:  # refused by a run in another process
    st.warning(f"**Not started:** {busy[1]}.", icon=":material/block:")
if problem := st.session_state.get("train_error"):
    st.error(problem, icon=":material/error:")

st.header("Now")
watch()

# --- past runs --------------------------------------------------------------------------------
st.header("Runs")
live_id = JOB.snapshot().get("run_id") if JOB.running else None
runs = list_runs(live_run_id=live_id)
if not runs:
    st.caption("No runs yet on this computer.")
else:
    st.dataframe([{
        "Run": r["run_id"],
        "Started": (datetime.datetime.fromisoformat(r["started"]).strftime("%d %b %Y %H:%M")
                    if r.get("started") else "?"),
        "Recipe": r.get("preset") or "?",
        "Epochs": f"{r['epochs_done']} of {r['epochs']}",
        "Best test accuracy": (f"{100 * r['best_test_accuracy']:.2f} %"
                               if r["best_test_accuracy"] is not None else "—"),
        "Data": "sample" if "sample" in str(r["data"]) else "full CIFAR-10",
        "Status": r["status"],
    } for r in runs], hide_index=True, width="stretch")

st.header("The model the class sees" if ui.teacher_token() else "The model the Results and photo pages use")
choices = {str(ui.DEFAULT_MODEL): "The shipped model (default.keras)"
           + ("" if ui.DEFAULT_MODEL.is_file() else ": not here yet")}
for r in runs:
    if r["has_model"]:
        best = f"{100 * r['best_test_accuracy']:.1f} %" if r["best_test_accuracy"] is not None else "untested"
        choices[str(r["path"] / "model.keras")] = (f"Run {r['run_id']} ({r['preset']}, {r['epochs_done']} "
                                                   f"epochs, {best}, {r['status']})")
current = str(ui.model_path())
if current not in choices:
    choices[current] = f"{current} (not found)"
st.session_state["train_model_choice"] = current  # always what is in use (the teacher may change it)
st.selectbox("Model", list(choices), format_func=choices.get, key="train_model_choice", disabled=not teacher,
             on_change=choose_model, args=(choices,))
if problem := st.session_state.pop("train_model_error", None):
    st.error(problem, icon=":material/error:")
whose = "everyone's sessions" if ui.teacher_token() else "this session"
st.caption(f"The Accuracy, Confusion matrix, Mistakes, photo and lesson pages now use {ui.model_label(ui.model_path())} "
           f"in {whose}.")
if not teacher:
    ui.only_the_teacher("choose the model the class sees")

resumable = [r for r in runs if r["status"] in ("stopped", "interrupted", "failed")
             and r["has_model"] and r["epochs"] and r["epochs_done"] < r["epochs"]]
if resumable:
    st.header("Resume a run")
    again = st.selectbox("Run", resumable, key="train_resume_choice", disabled=not teacher,
                         format_func=lambda r: f"{r['run_id']}: {r['epochs_done']} of {r['epochs']} epochs, {r['status']}")
    if st.button("Resume it", icon=":material/resume:", disabled=running or not teacher,
                 help="Goes on from its last finished epoch, with the same settings and data."):
        start(resume=True, run_dir=again["path"])
        st.rerun()

deletable = [r for r in runs if r["status"] in DELETABLE]
outcome = st.session_state.pop("train_delete", None)
if deletable or outcome:
    st.header("Delete a run")
    if outcome:
        getattr(st, outcome[0])(outcome[1], icon=":material/delete:")
if deletable:
    gone = st.selectbox("Run", deletable, key="train_delete_choice", disabled=not teacher,
                        format_func=lambda r: f"{r['run_id']}: {r['epochs_done']} of {r['epochs']} epochs, {r['status']}")
    sure = st.checkbox("Yes, delete this run, its checkpoints and its model for good", key="train_delete_sure",
                       disabled=not teacher)
    st.button("Delete it", icon=":material/delete:", disabled=not (teacher and sure), on_click=delete, args=(gone,),
              help="A run that trains cannot be deleted: stop it first.")
    if not teacher:
        ui.only_the_teacher("delete runs")
