"""Starting a run from a page (the Train page's Start and experiments, the Runs page's Resume): the one
call to cnn_lab.training.launcher.start, and what the page says when a start was refused.

A start happens in a teacher-only on_click callback (ui.teacher_only), which runs before the script:
what went wrong is kept in the session for the script to show.
"""

from __future__ import annotations

import streamlit as st

from cnn_lab.runs.folders import live_run
from cnn_lab.training import launcher

_REFUSED = "start_refused"  # ("busy", the run training now) or ("error", why), until the next start


def start_run(**how) -> str | None:
    """Start a run (config=, data=) or resume one (resume=folder) in its own process; its id, or None
    when it could not start (refused_start() then says why)."""
    st.session_state.pop(_REFUSED, None)
    try:
        return launcher.start(**how)
    except launcher.RunBusy:
        busy = live_run()
        st.session_state[_REFUSED] = ("busy", busy.name if busy else None)
    except (ValueError, OSError) as e:
        st.session_state[_REFUSED] = ("error", str(e))
    return None


def refuse_start(why: str) -> None:
    """A start refused before it was tried (its settings are wrong, or its data is missing): say why."""
    st.session_state[_REFUSED] = ("error", why)


def refused_start() -> None:
    """Why the last start was refused: another run trains (while it still does), or what went wrong."""
    refused, training_now = st.session_state.get(_REFUSED), live_run()
    if refused and refused[0] == "busy" and training_now is not None and training_now.name == refused[1]:
        st.warning(
            f"**A run is already training** (run `{refused[1]}`), perhaps started from another tab, computer "
            "or terminal. One run trains at a time: watch it below, or stop it first.",
            icon=":material/block:",
        )
    elif refused and refused[0] == "error":
        st.error(refused[1], icon=":material/error:")
