"""What every session shares: the data, the models and their evaluation, loaded once per server
(st.cache_resource). The computation is in cnn_lab; this module adds Streamlit's caching and
the messages a page shows while it waits or when something is missing.
"""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from cnn_lab.network.data import HOW_TO_GET_IT, Cifar10, DataError, load_cifar10, read_sample

from cnn_lab.settings import file_version, shipped_or_chosen_model
from cnn_lab.classroom.human_labels import HumanLabels, find_counts, load_human_labels
from cnn_lab.runs.model_card import model_record

from .teacher import teacher_token
from .widgets import link_to, link_to_train

# The shipped model; CNN_LAB_MODEL points the lab at another file instead (the browser tests use a
# tiny one when the shipped model is absent).
DEFAULT_MODEL = shipped_or_chosen_model()
# Said wherever a page needs a model and the shipped one is absent. The time is BENCHMARKS.md's
# (benchmarks/time_to_target.py: the fast recipe passed the article's accuracy after 7.3 min on 2 CPU cores).
NO_MODEL_YET = (
    "**No trained model yet.** The shipped model (`assets/models/default.keras`) is not here. "
    "Train one on the Train page (the Lesson recipe passes the article's 78.4 % in about 3 minutes "
    "on 2 CPU cores) and choose it there."
)


@st.cache_resource(show_spinner="Loading CIFAR-10...")
def _dataset() -> tuple[Cifar10, str | None]:
    try:
        return load_cifar10(), None
    except DataError as e:
        return read_sample(), f"{e}. Using the bundled sample instead."


def dataset() -> Cifar10:
    """The active CIFAR-10 (full set if found, else the bundled sample), shared by all sessions."""
    data, problem = _dataset()
    if problem:
        st.warning(problem, icon=":material/warning:")
    return data


def data_badge(data: Cifar10) -> None:
    """Say plainly which data the page is showing."""
    if data.is_sample:
        st.info(
            f"Running on **the bundled sample** ({len(data.x_train) + len(data.x_test):,} genuine "
            f"CIFAR-10 test images), not the full set. {HOW_TO_GET_IT}",
            icon=":material/info:",
        )
    else:
        st.caption(f"Data: {data.description}")


@st.cache_resource(show_spinner=False, max_entries=4)
def _human_labels(version: tuple[str, int, int], data_source: str, _data: Cifar10):
    """(HumanLabels, None), or (None, why not); `_data` is not hashed: `data_source` names it."""
    try:
        return load_human_labels(_data, version[0]), None
    except DataError as e:
        return None, f"**CIFAR-10H could not be used**: {e}."


def human_labels(data: Cifar10) -> HumanLabels | None:
    """CIFAR-10H (how people labelled each test image) lined up with `data`'s test set, shared by all
    sessions; None when it is not on this computer, or with a warning when its file is broken."""
    path = find_counts()
    if path is None:
        return None
    try:
        version = file_version(path)
    except OSError:
        version = (str(path), 0, 0)
    people, problem = _human_labels(version, data.source, data)
    if problem:
        st.warning(problem, icon=":material/warning:")
    return people


@st.cache_resource(show_spinner="Loading the model...", max_entries=8)
def _model(version: tuple[str, int, int]):
    """The classifier in one version of a file (settings.file_version): a file written again is loaded again."""
    from cnn_lab.network.model import load_classifier

    return load_classifier(version[0])


def chosen_model_path() -> Path:
    """The model chosen on the Runs page: by the teacher for the whole class when a teacher token
    is set (<runs>/active_model.json), else by this session; the shipped one by default."""
    if teacher_token():
        from cnn_lab.classroom.class_model import active_model_path

        return active_model_path(DEFAULT_MODEL)
    return Path(st.session_state.get("model_path", DEFAULT_MODEL))


def model_path() -> Path:
    """The model this session looks at: the chosen one, or the shipped one if that failed to load."""
    path = chosen_model_path()
    if path != DEFAULT_MODEL and st.session_state.get("model_broken") == _version(path):
        return DEFAULT_MODEL
    return path


def _version(path: Path) -> tuple[str, int, int]:
    try:
        return file_version(path)
    except OSError:
        return (str(path), 0, 0)


def model_problem(path: Path) -> str | None:
    """None if the file loads as a CIFAR-10 classifier (loaded once per version, safe mode), else why
    not, in plain words."""
    import zipfile

    from cnn_lab.network.model import NotACifarClassifier  # Keras: only where a model is opened anyway

    try:
        _model(file_version(path))
        return None
    except FileNotFoundError:
        return "the file is not there"
    except NotACifarClassifier as e:
        return f"it is a Keras model for another task: expected 32x32x3 images in and 10 classes out, found {e.found}"
    except Exception as e:
        text = " ".join(str(e).split())
        if not zipfile.is_zipfile(path):
            return (
                "it is not a Keras model file (a .keras file is a zip archive; this one is damaged or something else)"
            )
        if "Lambda" in text or "arbitrary code" in text:
            return "it contains Python code, which the lab never runs (models are opened in safe mode)"
        return f"it could not be opened as a CIFAR-10 classifier ({type(e).__name__}: {text[:200]})"


def _fall_back(path: Path, problem: str) -> None:
    """Say why `path` cannot be used and show the shipped model in this session instead."""
    st.error(
        f"**Could not load {model_label(path)}**: {problem}. Showing the shipped model instead.",
        icon=":material/error:",
    )
    st.session_state["model_broken"] = _version(path)
    st.session_state.pop("model_path", None)


def model():
    """The active classifier, loaded once per file version; the shipped model if it fails."""
    path = model_path()
    try:
        return _model(file_version(path))
    except Exception:
        if path == DEFAULT_MODEL:
            raise
        _fall_back(path, model_problem(path) or "it could not be read")
        return _model(file_version(DEFAULT_MODEL))


def model_label(path: Path) -> str:
    """A model as people call it: the shipped one, or the run it came from."""
    path = Path(path)
    if path == DEFAULT_MODEL:
        return f"the lab's model ({path.name})"
    return f"run {path.parent.name}" if path.name == "model.keras" else f"`{path.name}`"


def require_model() -> Path:
    """The active model's file; if it is missing, say so, point to the Train or Runs page and stop the page."""
    path = model_path()
    if not path.is_file():
        if path == DEFAULT_MODEL:
            st.warning(NO_MODEL_YET, icon=":material/warning:")
        else:
            st.warning(
                f"**The model file `{path}` is gone.** Choose another one on the Runs page.", icon=":material/warning:"
            )
            link_to("runs.py", "Go to the Runs page", ":material/folder_open:", "Runs")
            st.stop()
        link_to_train()
        st.stop()
    if path != DEFAULT_MODEL and (problem := model_problem(path)):
        _fall_back(path, problem)
        return require_model()
    return path


@st.fragment(run_every=0.5)
def job_progress(jobs, key: tuple, describe, stop_label: str) -> None:
    """A background job's progress bar (`describe(state)` -> (fraction, text)) and a button that stops it;
    the whole page reruns when the job ends (done, stopped or failed) and shows the outcome."""
    state = jobs.status(key)
    if state["status"] not in ("queued", "running"):
        st.rerun()
    if state["status"] == "queued":
        st.progress(0.0, text="Waiting for another long job (an evaluation, a map or a search) to finish...")
    else:
        st.progress(*describe(state))
    if st.button(stop_label, icon=":material/stop:"):
        jobs.stop(key)


def _evaluation_progress(key: tuple, label: str) -> None:
    from cnn_lab.network.evaluation import EVALUATIONS

    def describe(state: dict) -> tuple[float, str]:
        done, total = state["done"], max(1, state["total"])
        return done / total, f"Testing {label} on {total:,} test images: {done:,} done"

    job_progress(EVALUATIONS, key, describe, "Stop the evaluation")


def evaluation():
    """(data, Evaluation) of the active model on the test set, shared by every page and session.

    Computed once per model file version and data set, in the background (cnn_lab.network.evaluation);
    while it runs the page shows its progress and stops here.
    """
    from cnn_lab.network.evaluation import EVALUATIONS

    path = require_model()
    data = dataset()
    label = model_label(path)
    key = EVALUATIONS.key(path, data)
    found = EVALUATIONS.find(path, data)  # done before, by this server or kept on disk
    if found is not None:
        if model_record(path).is_sample and not data.is_sample:
            st.warning(
                f"**{label} was trained on the bundled sample**, whose training images are CIFAR-10 *test* "
                "images: some of the test images below are photos it learned from, so its results here are "
                "too good and cannot be compared with any other model's.",
                icon=":material/warning:",
            )
        return data, found
    state = EVALUATIONS.status(key)
    if state["status"] in ("stopped", "failed"):
        if state["status"] == "failed":
            st.error(f"Could not evaluate {label}: {state.get('error')}", icon=":material/error:")
        else:
            st.info(f"The evaluation of {label} was stopped.", icon=":material/stop_circle:")
        if st.button("Evaluate it", icon=":material/play_arrow:"):
            EVALUATIONS.start(path, data)
            st.rerun()
        st.stop()
    EVALUATIONS.start(path, data)
    data_badge(data)
    _evaluation_progress(key, label)
    st.stop()


def evaluations_of(paths: list[Path], data: Cifar10, labels: list[str]) -> list | None:
    """The Evaluations of several models on the test set if all are done (by this server, or kept
    on disk); otherwise start the missing ones and show the progress of the first, and return None."""
    from cnn_lab.network.evaluation import EVALUATIONS

    found = [EVALUATIONS.find(path, data) for path in paths]
    if all(e is not None for e in found):
        return found
    for path, evaluation, label in zip(paths, found, labels):
        if evaluation is None:
            key = EVALUATIONS.start(path, data)
            if EVALUATIONS.status(key)["status"] == "failed":
                st.error(f"Could not evaluate {label}: {EVALUATIONS.status(key).get('error')}", icon=":material/error:")
                return None
    waiting = next(i for i, e in enumerate(found) if e is None)
    _evaluation_progress(EVALUATIONS.key(paths[waiting], data), labels[waiting])
    return None


def layer_search(path: Path, data: Cifar10, layer: str):
    """The strongest answers of `layer`'s filters on every test image (cnn_lab.network.filter_search), found once
    per model file, test set and layer in the background; None while they are searched, with the progress
    shown here (the page goes on below and reruns when the search ends)."""
    from cnn_lab.network.filter_search import SEARCHES

    key = SEARCHES.key(path, data, layer)
    found = SEARCHES.result(key)
    if found is not None:
        return found
    state = SEARCHES.status(key)
    if state["status"] in ("stopped", "failed"):
        if state["status"] == "failed":
            st.error(f"Could not search the test images: {state.get('error')}", icon=":material/error:")
        else:
            st.info("The search of the test images was stopped.", icon=":material/stop_circle:")
        if st.button("Search the test images", icon=":material/play_arrow:", key=f"search_{layer}"):
            SEARCHES.start(path, data, layer)
            st.rerun()
        return None
    SEARCHES.start(path, data, layer)

    def describe(state: dict) -> tuple[float, str]:
        done, total = state["done"], max(1, state["total"])
        return done / total, f"Running the {total:,} test images through {layer}: {done:,} done"

    job_progress(SEARCHES, key, describe, "Stop the search")
    return None


def image_map(path: Path | None, data: Cifar10, label: str):
    """The map of the test set made from `path`'s last hidden layer (None: from the pixels), shared by every
    session (cnn_lab.network.image_map). Made once per model file and test set, in the background; while it
    is made the page shows its progress and stops here."""
    import time

    from cnn_lab.network.image_map import MAPS

    found = MAPS.find(path, data)  # made before, by this server, kept on disk, or shipped
    if found is not None:
        return found
    key = MAPS.key(path, data)
    state = MAPS.status(key)
    if state["status"] in ("stopped", "failed"):
        if state["status"] == "failed":
            st.error(f"Could not make the map of {label}: {state.get('error')}", icon=":material/error:")
        else:
            st.info(f"Making the map of {label} was stopped.", icon=":material/stop_circle:")
        if st.button("Make the map", icon=":material/play_arrow:"):
            MAPS.start(path, data)
            st.rerun()
        st.stop()
    MAPS.start(path, data)

    def describe(state: dict) -> tuple[float, str]:
        done, total = state["done"], max(1, state["total"])
        if state.get("phase") == "t-SNE":
            return 1.0, f"t-SNE is placing the {total:,} images on the map: {time.time() - state['since']:.0f} s so far"
        if path is None:  # the pixels' map reads no layer
            return done / total, f"Cropping the pixels of {total:,} test images: {done:,} done"
        return done / total, f"Reading the last hidden layer of {label} for {total:,} test images: {done:,} done"

    job_progress(MAPS, key, describe, "Stop making the map")
    st.stop()
