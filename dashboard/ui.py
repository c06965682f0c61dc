"""What the pages share: cached data and models, the lesson text, image pickers.

The computation is in `cnn_lab`; this module only adds Streamlit's caching and widgets.
Data and models are loaded once per server and shared by every session (st.cache_resource).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import streamlit as st

from cnn_lab.data import HOW_TO_GET_IT, PROJECT_ROOT, Cifar10, DataError, load_cifar10, read_sample

DEFAULT_MODEL = PROJECT_ROOT / "assets" / "models" / "default.keras"
LESSONS = PROJECT_ROOT / "lessons"


def lesson(name: str) -> None:
    """Show lessons/<name>.md."""
    st.markdown((LESSONS / f"{name}.md").read_text(encoding="utf-8"))


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
        st.info(f"Running on **the bundled sample** ({len(data.x_train) + len(data.x_test):,} genuine "
                f"CIFAR-10 test images), not the full set. {HOW_TO_GET_IT}", icon=":material/info:")
    else:
        st.caption(f"Data: {data.description}")


@st.cache_resource(show_spinner="Loading the model...", max_entries=8)
def _model(path: str, modified: float):
    from cnn_lab.model import load_classifier

    return load_classifier(path)


def model_path() -> Path:
    """The model this session looks at: the one picked on the Train page, else the shipped one."""
    return Path(st.session_state.get("model_path", DEFAULT_MODEL))


def model():
    """The active classifier, loaded once per file version; the shipped model if it fails."""
    path = model_path()
    try:
        return _model(str(path), path.stat().st_mtime)
    except Exception as e:
        if path == DEFAULT_MODEL:
            raise
        st.error(f"Could not load {path.name}: {str(e).splitlines()[0][:200]}. Showing the shipped model.")
        st.session_state.pop("model_path", None)
        return _model(str(DEFAULT_MODEL), DEFAULT_MODEL.stat().st_mtime)


def model_label(path: Path) -> str:
    """A model as people call it: the shipped one, or the run it came from."""
    path = Path(path)
    if path == DEFAULT_MODEL:
        return "the shipped model (default.keras)"
    return f"run {path.parent.name}" if path.name == "model.keras" else f"`{path.name}`"


def link_to_train(label: str = "Go to the Train page") -> None:
    try:
        st.page_link("pages/train.py", label=label, icon=":material/model_training:")
    except Exception:  # a page run on its own (tests) has no navigation to link into
        st.caption("Open **Train** in the sidebar.")


def require_model() -> Path:
    """The active model's file; if it is missing, say so, point to the Train page and stop the page."""
    path = model_path()
    if not path.is_file():
        if path == DEFAULT_MODEL:
            st.warning("**No trained model yet.** The shipped model (`assets/models/default.keras`) is not "
                       "here yet. Train one on the Train page (a few minutes with the fast preset) and "
                       "choose it there.", icon=":material/warning:")
        else:
            st.warning(f"**The model file `{path}` is gone.** Choose another one on the Train page.",
                       icon=":material/warning:")
        link_to_train()
        st.stop()
    return path


@st.fragment(run_every=0.5)
def _evaluation_progress(key: tuple, label: str) -> None:
    from cnn_lab.evaluation import EVALUATIONS

    state = EVALUATIONS.status(key)
    if state["status"] not in ("queued", "running"):
        st.rerun()  # done, stopped or failed: the whole page shows the outcome
    if state["status"] == "queued":
        st.progress(0.0, text="Waiting for another evaluation to finish...")
    else:
        done, total = state["done"], max(1, state["total"])
        st.progress(done / total, text=f"Testing {label} on {total:,} test images: {done:,} done")
    if st.button("Stop the evaluation", icon=":material/stop:"):
        EVALUATIONS.stop(key)


def evaluation():
    """(data, Evaluation) of the active model on the test set, shared by every page and session.

    Computed once per model file version and data set, in the background (cnn_lab.evaluation);
    while it runs the page shows its progress and stops here.
    """
    from cnn_lab.evaluation import EVALUATIONS

    path = require_model()
    data = dataset()
    label = model_label(path)
    key = EVALUATIONS.key(path, data)
    found = EVALUATIONS.result(key)
    if found is not None:
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
