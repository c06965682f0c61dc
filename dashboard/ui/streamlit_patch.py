"""The one place the lab changes Streamlit itself: it stops Streamlit resetting Keras after every script run."""

from __future__ import annotations

import logging

log = logging.getLogger(__name__)


def keep_keras_between_runs() -> None:
    """Stop Streamlit from resetting Keras after every script run.

    After each run (and a page's live part reruns every second for every student watching it)
    Streamlit calls keras.backend.clear_session(): it empties TensorFlow's kernel cache and runs a
    full garbage collection, 0.4-1.6 s of CPU. When runs trained in a thread of the server, one student
    watching the Train page cut the run from ~1,000 to ~260 images/s, five to 15; with the run in a
    process of its own it still takes the run's cores (five watchers: ~1,000 -> ~610 images/s,
    benchmarks/watched_training.py).
    The lab builds no model inside a page run (models live in st.cache_resource), so it has
    nothing to clear.
    """
    from streamlit.runtime.scriptrunner import script_runner

    if not hasattr(script_runner, "_clean_problem_modules"):  # the hook Streamlit 1.x calls after each run
        log.warning(
            "Streamlit has no script_runner._clean_problem_modules any more (a new version?): the lab "
            "cannot stop it resetting Keras after every run, so watching a run may slow it down. "
            "Install the Streamlit version pyproject.toml asks for."
        )
        return
    script_runner._clean_problem_modules = _nothing_to_clean


def _nothing_to_clean() -> None:
    pass
