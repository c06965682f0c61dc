"""Small widgets every page shares: the lesson text, a page picker, the link to the Train page, and the
"predict first" pair: a guess before a reveal, and the check questions at the end of a lesson."""

from __future__ import annotations

import streamlit as st

from cnn_lab.lessons.guesses import Guess
from cnn_lab.lessons.questions import QuestionsError, read_questions, source_of
from cnn_lab.lessons.texts import read_lesson

from .classroom import keep_check_answer

SHOW_ME = "Show me"
_ANSWERS = "lesson_answers"  # {widget key: the option picked}: kept while the student moves from page to page


def lesson(name: str) -> None:
    """Show lessons/<name>.md."""
    st.markdown(read_lesson(name))


def one_page(items, per_page: int, key: str):
    """The items on the page the student picks; the page picker appears only when there are several."""
    pages = -(-len(items) // per_page)
    page = 1
    if pages > 1:
        page = st.number_input(f"Page (of {pages}, {per_page} images each)", 1, pages, 1, key=key)
    return items[(page - 1) * per_page : page * per_page]


def link_to(page: str, label: str, icon: str, title: str, query_params: dict | None = None) -> None:
    """A link to another page of the lab (views/<page>), as the menu's are; `title` is its name in the menu."""
    try:
        st.page_link(f"views/{page}", label=label, icon=icon, query_params=query_params)
    except Exception:  # a page run on its own (tests) has no navigation to link into
        st.caption(f"Open **{title}** in the sidebar.")


def link_to_train(label: str = "Go to the Train page") -> None:
    link_to("train.py", label, ":material/model_training:", "Train")


def _keep_answer(key: str) -> None:
    st.session_state.setdefault(_ANSWERS, {})[key] = st.session_state[key]


def _one_click(label: str, options: list[str], key: str) -> str | None:
    """A row of radio buttons, none picked at first (arrow keys move, one click answers); what was
    picked survives reruns and a visit to another page."""
    kept = st.session_state.get(_ANSWERS, {}).get(key)
    return st.radio(
        label,
        options,
        index=options.index(kept) if kept in options else None,
        horizontal=True,
        key=key,
        on_change=_keep_answer,
        args=(key,),
    )


def answered(key: str) -> bool:
    """Has the student answered the guess `key` (or asked to be shown)?"""
    return st.session_state.get(key) is not None or key in st.session_state.get(_ANSWERS, {})


def guess(question: Guess, key: str) -> bool:
    """Ask for a one-click guess before a reveal; once it is made (or "Show me" picked), say whether it
    was right and why, and return True: the page then shows what it kept hidden."""
    with st.container(border=True):
        chosen = _one_click(f"**Your guess first.** {question.question}", [*question.options, SHOW_ME], key)
        if chosen is None:
            st.caption(f"The result appears once you answer (or pick *{SHOW_ME}*).")
            return False
        if chosen == SHOW_ME:
            st.info(f"**{question.answer}.** {question.why}", icon=":material/visibility:")
        elif chosen == question.answer:
            st.success(f"**Right: {question.answer}.** {question.why}", icon=":material/check_circle:")
        else:
            st.warning(f"**Not quite: it is {question.answer}, not {chosen}.** {question.why}", icon=":material/undo:")
    return True


def check_questions(lesson_name: str) -> None:
    """The check questions at the end of a lesson (lessons/<lesson_name>_questions.toml), each with its
    feedback once answered, and why each of its answers is right or wrong. While a teacher token is set, each
    first answer is kept for the teacher's table, with no name (ui.classroom.keep_check_answer)."""
    st.header("Check yourself")
    try:
        questions = read_questions(lesson_name)
    except QuestionsError as e:
        st.error(f"The check questions cannot be shown: {e}", icon=":material/error:")
        return
    for number, question in enumerate(questions, 1):
        key = f"check_{lesson_name}_{number}"
        chosen = _one_click(f"**{number}.** {question.text}", [option.answer for option in question.options], key)
        if chosen is None:
            continue
        option, right = question.option(chosen), question.right
        keep_check_answer(source_of(lesson_name, number), question.options.index(option))
        if option.correct:
            st.success(f"**Right.** {option.why}", icon=":material/check_circle:")
        else:
            st.warning(f"**Not quite.** {option.why} The answer: **{right.answer}**.", icon=":material/undo:")
        with st.expander("Why each answer is right or wrong"):
            st.markdown(
                "\n".join(f"- **{o.answer}** ({'right' if o.correct else 'wrong'}): {o.why}" for o in question.options)
            )
