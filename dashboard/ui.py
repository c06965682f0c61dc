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
