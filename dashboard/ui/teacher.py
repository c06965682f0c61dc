"""The teacher: the token, the sidebar's sign-in, and the one lock on a teacher's controls.

A teacher's control is drawn `disabled=ui.locked()`, its callback is decorated `@ui.teacher_only`, and
`ui.only_the_teacher(what)` says beside it why a student cannot use it. The token itself is checked in
cnn_lab.classroom.teacher_token; this module only keeps the sign-in in the session.
"""

from __future__ import annotations

import functools
import logging
import os

import streamlit as st

log = logging.getLogger(__name__)


def secrets_problem() -> str | None:
    """Why the secrets file (.streamlit/secrets.toml, or another of Streamlit's `secrets.files`) exists but
    cannot be read; logged once per problem. None when there is no such file or it reads."""
    from streamlit import config

    from cnn_lab.classroom.teacher_token import secrets_problem as why

    problem = why(config.get_option("secrets.files") or [])
    if problem and problem not in _LOGGED:
        _LOGGED.add(problem)
        log.error("the teacher lock is closed: a secrets file could not be read (%s)", problem)
    return problem


_LOGGED: set[str] = set()


def _lock() -> tuple[str | None, str | None]:
    """(the teacher token, why the secrets file could not be read): see teacher_token."""
    from cnn_lab.settings import TEACHER_TOKEN_VARIABLE as TOKEN_VARIABLE
    from cnn_lab.classroom.teacher_token import teacher_token as configured

    if os.environ.get(TOKEN_VARIABLE, "").strip():
        return configured(), None  # the environment's token comes first: the secrets file is not needed
    secret, problem = None, secrets_problem()
    if not problem:
        try:
            if st.secrets.load_if_toml_exists():  # False, not an error, when there is no secrets file
                secret = st.secrets.get("teacher_token")
        except Exception as e:  # whatever else goes wrong reading it: closed, never open
            problem = f"the secrets could not be read: {type(e).__name__}"
            log.error("the teacher lock is closed: %s", problem)
    return configured(secret, problem), problem


def teacher_token() -> str | None:
    """The teacher token (CNN_LAB_TEACHER_TOKEN, else `teacher_token` in .streamlit/secrets.toml);
    None when neither is set. A secrets file that cannot be read gives a token nobody knows: every
    control stays locked until it is fixed. Never shown, never logged."""
    return _lock()[0]


def is_teacher() -> bool:
    """True when this session may change the lab: no token is set, or it signed in with it."""
    from cnn_lab.classroom.teacher_token import signed_in

    token = teacher_token()
    return token is None or signed_in(st.session_state.get("teacher_signed_in"), token)


def _check_teacher_token() -> None:
    from cnn_lab.classroom.teacher_token import fingerprint, token_matches

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
    token, problem = _lock()
    if token is None:
        return True
    with st.sidebar:
        st.markdown("**Teacher sign-in**")
        if problem:
            st.error(
                f"**Every control is locked**: the secrets file could not be read ({problem}). Correct it and "
                "reload the page, or start the lab with CNN_LAB_TEACHER_TOKEN set.",
                icon=":material/lock:",
            )
            return False
        if is_teacher():
            st.success("Signed in as the teacher.", icon=":material/verified_user:")
            st.button("Sign out", on_click=_sign_out, key="teacher_sign_out")
            return True
        st.text_input(
            "Teacher token",
            type="password",
            key="teacher_token_input",
            on_change=_check_teacher_token,
            help="Only the teacher can start, stop, resume, delete, name, export or import runs, choose the class's "
            "model and run class rounds and class questions.",
        )
        if st.session_state.pop("teacher_refused", False):
            st.error("That is not the teacher token.", icon=":material/block:")
            st.toast("That is not the teacher token.", icon=":material/block:")  # seen even below the fold
    return False


def locked() -> bool:
    """Whether this session's teacher controls are disabled: a student's session when a token is set, and
    every session while the lock is closed (teacher_token). Draw such a control `disabled=ui.locked()`."""
    return not is_teacher()


def teacher_only(callback):
    """Decorate a teacher's control's on_click or on_change callback: it runs only in the teacher's session.

    A disabled widget is no lock (a tampered browser can still send its click), so the callback checks
    again when it runs; in any other session it changes nothing, says why in a toast, and logs it."""

    @functools.wraps(callback)
    def guarded(*args, **kwargs):
        if is_teacher():
            return callback(*args, **kwargs)
        log.warning("refused %s: this session is not the teacher's", callback.__name__)
        st.toast("Only the teacher can do that; the teacher signs in in the sidebar.", icon=":material/lock:")
        return None

    return guarded


def only_the_teacher(what: str) -> None:
    """The note beside a control a student cannot use; nothing in the teacher's session."""
    if locked():
        st.caption(
            f":material/lock: Only the teacher can {what}. You see everything live; the teacher signs in in the "
            "sidebar."
        )
