"""The class's shared stores, one object each per server (every call opens its own connection to
<runs folder>/class_rounds.sqlite): the class round's answers, peer instruction's questions and votes, and the
lesson pages' check answers, which `keep_check_answer` records anonymously while a teacher token is set."""

from __future__ import annotations

import logging
import secrets
import sqlite3

import streamlit as st

from cnn_lab.lessons.texts import read_lesson

from .teacher import is_teacher, teacher_sign_in, teacher_token

CHECK_PARTICIPANT = "check_participant"  # a random id of this tab: what the check answers are kept under
_KEPT = "check_answers_kept"  # the check questions this session has already recorded


def class_activity(lesson: str, needs_a_token: str, icon: str) -> tuple[bool, bool]:
    """How a page the whole class shares begins (Class round, Class question): its lesson (not in the presenter
    view: on the projector the activity comes first) and the teacher's sign-in; without a teacher token it says
    `needs_a_token` and stops the page, since a lab without one is one laptop. Returns (presenter, teacher)."""
    presenter = st.session_state.get("presenter_view", False)
    if not presenter:
        st.markdown(read_lesson(lesson))
    teacher = teacher_sign_in() and teacher_token() is not None
    if teacher_token() is None:
        st.info(needs_a_token, icon=icon)
        st.stop()
    return presenter, teacher


def _path() -> str:
    from cnn_lab.classroom.round_store import FILE_NAME
    from cnn_lab.runs.folders import runs_dir

    return str(runs_dir() / FILE_NAME)


@st.cache_resource
def _store(kind: str, path: str):
    from cnn_lab.classroom.check_answers import CheckAnswers
    from cnn_lab.classroom.peer_store import PeerQuestions
    from cnn_lab.classroom.round_store import ClassRounds

    return {"rounds": ClassRounds, "peer": PeerQuestions, "checks": CheckAnswers}[kind](path)


def class_rounds():
    """The class rounds' store."""
    return _store("rounds", _path())


def peer_questions():
    """Peer instruction's store: the teacher's questions and the class's two votes on each."""
    return _store("peer", _path())


def check_answers():
    """The class's first answers to the lesson pages' check questions."""
    return _store("checks", _path())


def seat(activity: str = "class_round", in_address: str = "seat") -> str:
    """This student's random id in one of the class's live activities (a class round; a class question, with
    activity="class_question", in_address="voter"): kept in the session (moving between pages) and in the page's
    address (?seat=... or ?voter=...), so that reloading the tab does not make a new student who could answer
    again. Each activity has its own id, so a class question's votes cannot be linked to a class round's nickname.
    Nothing else about a student is known."""
    from cnn_lab.classroom.round_store import is_seat

    key = f"{activity}_participant"
    kept = st.session_state.get(key) or st.query_params.get(in_address, "")
    participant = kept if is_seat(kept) else secrets.token_hex(8)
    st.session_state[key] = participant
    if st.query_params.get(in_address) != participant:
        st.query_params[in_address] = participant
    return participant


def keep_check_answer(source: str, option: int) -> None:
    """Record the first answer this tab gives to a check question, with no name, while a teacher token is set (a lab
    without one is one laptop: nothing is shared). Answers given where the teacher is signed in are not counted.
    A store that cannot be written to costs the class's table this answer, never the student's page."""
    if teacher_token() is None or is_teacher() or source in st.session_state.get(_KEPT, set()):
        return
    participant = st.session_state.setdefault(CHECK_PARTICIPANT, secrets.token_hex(8))
    try:
        check_answers().record(source, participant, option)
    except sqlite3.Error as e:
        logging.getLogger(__name__).warning("a check answer was not kept: %s", e)
        return
    st.session_state.setdefault(_KEPT, set()).add(source)
