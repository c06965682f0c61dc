"""What the pages share: cached data and models, the lesson text, image pickers.

The computation is in `cnn_lab`; this module only adds Streamlit's caching and widgets.
Data and models are loaded once per server and shared by every session (st.cache_resource).
"""

from __future__ import annotations

import os
from pathlib import Path

import streamlit as st

from cnn_lab.data import HOW_TO_GET_IT, PROJECT_ROOT, Cifar10, DataError, load_cifar10, read_sample
from cnn_lab.texts import read_lesson

# The shipped model; CNN_LAB_MODEL points the lab at another file instead (the browser tests use a
# tiny one when the shipped model is absent).
DEFAULT_MODEL = Path(os.environ.get("CNN_LAB_MODEL") or PROJECT_ROOT / "assets" / "models" / "default.keras")


def keep_keras_between_runs() -> None:
    """Stop Streamlit from resetting Keras after every script run.

    After each run (and a page's live part reruns every second for every student watching it)
    Streamlit calls keras.backend.clear_session(): it empties TensorFlow's kernel cache and runs a
    full garbage collection, ~0.3 s holding the GIL. Measured here (benchmarks/watched_training.py),
    one student watching the Train page cut the run from ~1,000 to ~260 images/s, five to 15.
    The lab builds no model inside a page run (models live in st.cache_resource), so it has
    nothing to clear.
    """
    from streamlit.runtime.scriptrunner import script_runner

    if hasattr(script_runner, "_clean_problem_modules"):  # the hook Streamlit 1.x calls after each run
        script_runner._clean_problem_modules = _nothing_to_clean


def _nothing_to_clean() -> None:
    pass


def lesson(name: str) -> None:
    """Show lessons/<name>.md."""
    st.markdown(read_lesson(name))


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


def chosen_model_path() -> Path:
    """The model chosen on the Train page: by the teacher for the whole class when a teacher token
    is set (<runs>/active_model.json), else by this session; the shipped one by default."""
    if teacher_token():
        from cnn_lab.access import active_model_path

        return active_model_path(DEFAULT_MODEL)
    return Path(st.session_state.get("model_path", DEFAULT_MODEL))


def model_path() -> Path:
    """The model this session looks at: the chosen one, or the shipped one if that failed to load."""
    path = chosen_model_path()
    if path != DEFAULT_MODEL and st.session_state.get("model_broken") == _version(path):
        return DEFAULT_MODEL
    return path


def _version(path: Path) -> str:
    try:
        return f"{path}@{path.stat().st_mtime_ns}"
    except OSError:
        return f"{path}@gone"


def model_problem(path: Path) -> str | None:
    """None if the file loads as a CIFAR-10 classifier (loaded once per version, safe mode), else why
    not, in plain words."""
    import zipfile

    try:
        _model(str(path), path.stat().st_mtime)
        return None
    except FileNotFoundError:
        return "the file is not there"
    except Exception as e:
        text = " ".join(str(e).split())
        if not zipfile.is_zipfile(path):
            return "it is not a Keras model file (a .keras file is a zip archive; this one is damaged or something else)"
        if "Lambda" in text or "arbitrary code" in text:
            return "it contains Python code, which the lab never runs (models are opened in safe mode)"
        if "expected a model from 32x32x3" in text:
            return "it is a Keras model for another task: " + text.split(": ", 1)[-1]
        return f"it could not be opened as a CIFAR-10 classifier ({type(e).__name__}: {text[:200]})"


def _fall_back(path: Path, problem: str) -> None:
    """Say why `path` cannot be used and show the shipped model in this session instead."""
    st.error(f"**Could not load {model_label(path)}**: {problem}. Showing the shipped model instead.",
             icon=":material/error:")
    st.session_state["model_broken"] = _version(path)
    st.session_state.pop("model_path", None)


def model():
    """The active classifier, loaded once per file version; the shipped model if it fails."""
    path = model_path()
    try:
        return _model(str(path), path.stat().st_mtime)
    except Exception:
        if path == DEFAULT_MODEL:
            raise
        _fall_back(path, model_problem(path) or "it could not be read")
        return _model(str(DEFAULT_MODEL), DEFAULT_MODEL.stat().st_mtime)


def model_label(path: Path) -> str:
    """A model as people call it: the shipped one, or the run it came from."""
    path = Path(path)
    if path == DEFAULT_MODEL:
        return "the shipped model (default.keras)"
    return f"run {path.parent.name}" if path.name == "model.keras" else f"`{path.name}`"


def one_page(items, per_page: int, key: str):
    """The items on the page the student picks; the page picker appears only when there are several."""
    pages = -(-len(items) // per_page)
    page = 1
    if pages > 1:
        page = st.number_input(f"Page (of {pages}, {per_page} images each)", 1, pages, 1, key=key)
    return items[(page - 1) * per_page:page * per_page]


def link_to_train(label: str = "Go to the Train page") -> None:
    try:
        st.page_link("views/train.py", label=label, icon=":material/model_training:")
    except Exception:  # a page run on its own (tests) has no navigation to link into
        st.caption("Open **Train** in the sidebar.")


def require_model() -> Path:
    """The active model's file; if it is missing, say so, point to the Train page and stop the page."""
    path = model_path()
    if not path.is_file():
        if path == DEFAULT_MODEL:
            st.warning("**No trained model yet.** The shipped model (`assets/models/default.keras`) is not "
                       "here yet. Train one on the Train page (the fast preset passed the article's 78.4 % after "
                       "7 minutes on 2 CPU cores) and "
                       "choose it there.", icon=":material/warning:")
        else:
            st.warning(f"**The model file `{path}` is gone.** Choose another one on the Train page.",
                       icon=":material/warning:")
        link_to_train()
        st.stop()
    if path != DEFAULT_MODEL and (problem := model_problem(path)):
        _fall_back(path, problem)
        return require_model()
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


# --- the teacher ------------------------------------------------------------------------------
def teacher_token() -> str | None:
    """The teacher token (CNN_LAB_TEACHER_TOKEN, else `teacher_token` in .streamlit/secrets.toml);
    None when neither is set. Never shown, never logged."""
    from cnn_lab.access import teacher_token as configured

    secret = None
    try:
        if st.secrets.load_if_toml_exists():  # False, not an error, when there is no secrets file
            secret = st.secrets.get("teacher_token")
    except Exception:
        secret = None
    return configured(secret)


def is_teacher() -> bool:
    """True when this session may change the lab: no token is set, or it signed in with it."""
    from cnn_lab.access import signed_in

    token = teacher_token()
    return token is None or signed_in(st.session_state.get("teacher_signed_in"), token)


def _check_teacher_token() -> None:
    from cnn_lab.access import fingerprint, token_matches

    typed = st.session_state.get("teacher_token_input", "")
    st.session_state["teacher_token_input"] = ""  # the token is never kept, nor shown again
    token = teacher_token()
    if token_matches(typed, token):
        st.session_state["teacher_signed_in"] = fingerprint(token)
        st.session_state.pop("teacher_refused", None)
    elif typed:
        st.session_state["teacher_refused"] = True


def _sign_out() -> None:
    st.session_state.pop("teacher_signed_in", None)


def teacher_sign_in() -> bool:
    """The sidebar's "Teacher sign-in" when a token is set; returns whether this session may change
    the lab (always True without a token)."""
    if teacher_token() is None:
        return True
    with st.sidebar:
        st.markdown("**Teacher sign-in**")
        if is_teacher():
            st.success("Signed in as the teacher.", icon=":material/verified_user:")
            st.button("Sign out", on_click=_sign_out, key="teacher_sign_out")
            return True
        st.text_input("Teacher token", type="password", key="teacher_token_input", on_change=_check_teacher_token,
                      help="Only the teacher can start, stop, resume or delete runs and choose the class's model.")
        if st.session_state.pop("teacher_refused", False):
            st.error("That is not the teacher token.", icon=":material/block:")
            st.toast("That is not the teacher token.", icon=":material/block:")  # seen even below the fold
    return False


def only_the_teacher(what: str) -> None:
    """The note beside a control a student cannot use."""
    st.caption(f":material/lock: Only the teacher can {what}. You see everything live; "
               "the teacher signs in in the sidebar.")


# --- the projector ----------------------------------------------------------------------------
def presenter_css(large: bool, hide_sidebar: bool) -> str:
    """The CSS of the presenter view (large type, full width) and of a hidden sidebar."""
    rules = []
    if large:
        rules += ["html { font-size: 22px; }",
                  "[data-testid='stMainBlockContainer'] { max-width: 100%; padding-left: 2rem; padding-right: 2rem; }",
                  "[data-testid='stMarkdownContainer'] p, [data-testid='stMarkdownContainer'] li "
                  "{ font-size: 1.15rem; line-height: 1.5; }",
                  "h1 { font-size: 2.6rem !important; } h2 { font-size: 2.0rem !important; } "
                  "h3 { font-size: 1.6rem !important; }",
                  "[data-testid='stCaptionContainer'] { font-size: 1rem; }",
                  "[data-testid='stMetricValue'] { font-size: 2.6rem; }",
                  "[data-testid='stSidebarContent'] { zoom: 0.8; }"]  # the menu keeps its width: no cut-off names
    if hide_sidebar:
        rules += ["[data-testid='stSidebar'], [data-testid='stSidebarCollapsedControl'], "
                  "[data-testid='stExpandSidebarButton'] { display: none !important; }"]
    return "<style>\n" + "\n".join(rules) + "\n</style>" if rules else ""


_QUERY = {"presenter_view": ("present", "1"), "hide_sidebar": ("sidebar", "off")}


def _remember(key: str) -> None:
    st.session_state[f"_{key}"] = st.session_state[key]


def _show_sidebar() -> None:
    st.session_state["_hide_sidebar"] = st.session_state["hide_sidebar"] = False


def projector() -> None:
    """The sidebar's "Presenter view" and "Hide the sidebar" toggles (or ?present=1, ?sidebar=off),
    their CSS, and a button that brings a hidden sidebar back. app.py calls it before every page.

    The choice is kept under a key of its own ("_presenter_view"), not only the widget's, so it
    survives moving from page to page."""
    with st.sidebar:
        for key, label, note in (
                ("presenter_view", "Presenter view", "Large type for a projector (or add ?present=1 to the address)."),
                ("hide_sidebar", "Hide the sidebar", "More room for the page; a button at the top brings it back "
                                                     "(or remove ?sidebar=off from the address).")):
            name, value = _QUERY[key]
            if f"_{key}" not in st.session_state:  # a new session starts as its address says
                st.session_state[f"_{key}"] = st.query_params.get(name) == value
            st.session_state[key] = st.session_state[f"_{key}"]
            st.toggle(label, key=key, help=note, on_change=_remember, args=(key,))
    for key, (name, value) in _QUERY.items():  # the address follows, so a bookmark opens the same view
        if st.session_state[key] and st.query_params.get(name) != value:
            st.query_params[name] = value
        elif not st.session_state[key] and name in st.query_params:
            del st.query_params[name]
    if css := presenter_css(st.session_state["presenter_view"], st.session_state["hide_sidebar"]):
        st.html(css)
    if st.session_state["hide_sidebar"]:
        st.button("Show the sidebar", icon=":material/left_panel_open:", on_click=_show_sidebar,
                  help="The sidebar is hidden (Hide the sidebar, or ?sidebar=off in the address).")
