"""Class question (peer instruction): the teacher asks one concept question, the class votes alone, sees how it
voted, discusses and votes again; the reveal shows both votes, the right answer and who moved to it. The question
lives in cnn_lab.classroom.peer_store's SQLite store; this page only draws it and follows it once a second. Below,
the teacher's table of what the class understood, from these votes and the lesson pages' check questions."""

import time

import streamlit as st

import charts.classroom
import ui
from cnn_lab.classroom import check_answers, peer_scores, peer_store
from cnn_lab.classroom.peer_store import OUTCOME_TEXT, REVEALED, SHOWN, VOTE_1, VOTE_2
from cnn_lab.lessons.questions import every_check_question

FOLLOW_EVERY_S = 1.0
WATCH_EVERY_S, STALE_AFTER_S = 5.0, 12.0  # the watchdog, as on the Class round page
STEP_WORDS = {
    VOTE_1: "vote 1: everyone votes alone",
    SHOWN: "vote 1 is over: discuss it with a neighbour who chose differently",
    VOTE_2: "vote 2: vote again (you may keep your answer)",
    REVEALED: "the answer is revealed",
}

presenter, teacher = ui.class_activity(
    "class_question",
    "**A class question needs a teacher token.** Start the lab with `CNN_LAB_TEACHER_TOKEN` set (README, "
    '"Peer instruction in 10 minutes"), sign in as the teacher in the sidebar and ask a question: every '
    "student's page shows it within a few seconds. Without a token this lab is one laptop: nothing is shared.",
    icon=":material/how_to_vote:",
)
store = ui.peer_questions()
lesson_questions = every_check_question()
participant = ui.seat("class_question", "voter")  # a random id, nothing else


# --- what the controls do (on_click: they run before the script, so no redraw drops a click) ---------------
@ui.teacher_only
def ask() -> None:
    """Vote 1 on the question chosen: a lesson's check question, or one the teacher typed."""
    try:
        if st.session_state["class_question_from"] == FROM_LESSON:
            source = st.session_state["class_question_source"]
            question = lesson_questions[source]
            options = [option.answer for option in question.options]
            whys = [option.why for option in question.options]
            store.ask(source, question.text, options, options.index(question.right.answer), whys)
        else:
            typed = [
                st.session_state.get(f"class_question_option_{k}", "").strip()
                for k in range(1, peer_store.MAX_OPTIONS + 1)
            ]
            right = st.session_state["class_question_right"] - 1
            if not typed[right]:
                raise ValueError(f"answer {right + 1}, marked right, is empty")
            options = [option for option in typed if option]
            why = " ".join(st.session_state.get("class_question_why", "").split())
            store.ask(
                peer_store.TYPED,
                st.session_state.get("class_question_text", ""),
                options,
                options.index(typed[right]),
                [why if option == typed[right] else "" for option in options],
            )
    except ValueError as e:
        st.session_state["class_question_error"] = f"The question was not asked: {e}."


@ui.teacher_only
def step(action, question_id: int) -> None:
    action(question_id)


@ui.teacher_only
def clear_everything() -> None:
    store.clear_all()
    ui.check_answers().clear_all()


def vote(question_id: int, number: int, option: int) -> None:
    outcome = store.vote(question_id, number, participant, "", option)  # no nickname: votes are anonymous
    if outcome != peer_store.TAKEN:
        st.session_state["class_question_refused"] = OUTCOME_TEXT[outcome]


# --- the page ----------------------------------------------------------------------------------------------
FROM_LESSON, TYPED = "A lesson's check question", "A question of my own"


def ask_panel() -> None:
    # folded on the projector: what the teacher types there (the right answer too) would be shown to the class
    with st.expander(
        "Ask a question (it ends the question now shown)", expanded=store.current() is None and not presenter
    ):
        chosen = st.radio("Ask", [FROM_LESSON, TYPED], horizontal=True, key="class_question_from")
        if chosen == FROM_LESSON:
            st.selectbox(
                "Question",
                list(lesson_questions),
                format_func=lambda source: f"{source.replace('_', ' ').capitalize()}: {lesson_questions[source].text}",
                key="class_question_source",
            )
        else:
            st.text_area("Question", max_chars=300, key="class_question_text", height=80)
            columns = st.columns(peer_store.MAX_OPTIONS)
            for k, column in enumerate(columns, 1):
                column.text_input(f"Answer {k}", max_chars=120, key=f"class_question_option_{k}")
            left, right = st.columns([1, 3])
            left.selectbox("The right answer", range(1, peer_store.MAX_OPTIONS + 1), key="class_question_right")
            right.text_input("Why it is right (shown at the reveal; optional)", max_chars=300, key="class_question_why")
            st.caption(f"{peer_store.MIN_OPTIONS} to {peer_store.MAX_OPTIONS} answers; empty ones are left out.")
        st.button("Start vote 1", icon=":material/how_to_vote:", on_click=ask, type="primary", key="class_question_ask")
        if problem := st.session_state.pop("class_question_error", None):
            st.error(problem, icon=":material/error:")


def teacher_controls(question) -> None:
    columns = st.columns(3)
    controls = [  # label, icon, what it does, the steps it moves on from, its key
        ("Show votes", ":material/bar_chart:", store.show_votes, (VOTE_1,), "show"),
        ("Open vote 2", ":material/forum:", store.discuss, (VOTE_1, SHOWN), "discuss"),
        ("Reveal the answer", ":material/visibility:", store.reveal, (VOTE_1, SHOWN, VOTE_2), "reveal"),
    ]
    for column, (label, icon, action, moves_from, key) in zip(columns, controls):
        column.button(
            label,
            icon=icon,
            on_click=step,
            args=(action, question.id),
            disabled=question.step not in moves_from,
            type="primary" if question.step == moves_from[-1] else "secondary",
            key=f"class_question_{key}",
        )


def student_panel(question) -> None:
    if refused := st.session_state.pop("class_question_refused", None):
        st.warning(refused, icon=":material/block:")
    first, second = (store.vote_of(question.id, n, participant) for n in (1, 2))
    if question.step == REVEALED:
        last = second if second is not None else first
        if last is None:
            st.info("You did not vote on this one.", icon=":material/schedule:")
        elif last == question.correct:
            st.success(f"**Right**: {question.options[last]}.", icon=":material/check_circle:")
        else:
            st.error(f"**Not quite**: you said {question.options[last]}.", icon=":material/cancel:")
        return
    if first is not None and question.step != VOTE_2:
        st.success(f"You voted {first + 1}. {question.options[first]}.", icon=":material/check:")
    if second is not None:
        st.success(f"Your second vote: {second + 1}. {question.options[second]}.", icon=":material/check:")
    number = question.voting
    if number is None or (first, second)[number - 1] is not None:
        st.caption("Wait for the teacher." if number is None else "Wait for the others and the teacher.")
        return
    if number == 2 and first is not None:
        st.caption(f"In vote 1 you said {first + 1}. {question.options[first]}. You may keep it or change it.")
    st.markdown(f"**Vote {number}:** click an answer, or press its number key.")
    with st.container(horizontal=True, gap="small"):
        for k, option in enumerate(question.options):
            st.button(
                f"{k + 1}: {option}",
                key=f"class_question_q{question.id}_vote{number}_answer{k}",
                shortcut=str(k + 1),
                on_click=vote,
                args=(question.id, number, k),
            )


def class_panel(question, votes) -> None:
    """How the class voted: only how many while a vote is open (so that each vote is a student's own), vote 1's bars
    once the teacher shows them, and both votes' at the reveal."""
    first, second = (peer_scores.counts(question, votes, n) for n in (1, 2))
    if question.step == VOTE_1:
        st.metric("Voted so far", sum(first))
        return
    if question.step == VOTE_2:
        st.metric("Voted again so far", sum(second), help=f"{sum(first)} voted in vote 1")
        return
    series = [(f"vote 1 ({sum(first)} voted)", [n / max(1, sum(first)) for n in first])]
    if question.step == REVEALED and sum(second):
        series.append((f"vote 2 ({sum(second)} voted)", [n / sum(second) for n in second]))
    correct = question.correct if question.step == REVEALED else None
    mine = None  # this student's latest vote, marked on the bars
    if not teacher:
        mine = next((v for v in (store.vote_of(question.id, n, participant) for n in (2, 1)) if v is not None), None)
    if teacher or presenter:  # the projector: both votes in one chart
        figure = charts.classroom.votes_figure(question.options, series, correct, mine)
        st.plotly_chart(figure, key="class_question_chart")
        st.caption(votes_in_words(question, votes))
        return
    for name, shares in series:  # a student's screen, often a phone: bars that need no chart to load
        st.markdown(f"**{name.capitalize()}**")
        for k, share in enumerate(shares):
            marks = [word for word, chosen in (("right", k == correct), ("your answer", k == mine)) if chosen]
            st.progress(share, text=f"{k + 1}: {share:.0%}" + (f" ({', '.join(marks)})" if marks else ""))


def votes_in_words(question, votes) -> str:
    """The chart's text alternative, and the reveal's summary."""
    words = []
    for n in (1, 2):
        tally = peer_scores.counts(question, votes, n)
        if sum(tally) and (n == 1 or question.step == REVEALED):
            shares = ", ".join(f"{k + 1}: {count} ({count / sum(tally):.0%})" for k, count in enumerate(tally))
            words.append(f"Vote {n}, {sum(tally)} voted: {shares}.")
    return " ".join(words) or "Nobody has voted yet."


def reveal_panel(question, votes) -> None:
    right = question.options[question.correct]
    why = question.whys[question.correct]
    st.success(f"**The answer: {question.correct + 1}. {right}.** {why}", icon=":material/check_circle:")
    shares = [peer_scores.share_right(question, votes, n) for n in (1, 2)]
    said = [f"vote {n}: {share:.0%} right" for n, share in zip((1, 2), shares) if share is not None]
    moved = peer_scores.moves(question, votes)
    if moved.share_wrong_to_right is not None:
        wrong_first = moved.wrong_to_right + moved.stayed_wrong
        said.append(
            f"of the {wrong_first} who were wrong in vote 1 and voted again, {moved.wrong_to_right} "
            f"({moved.share_wrong_to_right:.0%}) were right in vote 2"
        )
    if said:
        st.markdown("**The class:** " + "; ".join(said) + ".")
    others = [(o, w) for k, (o, w) in enumerate(zip(question.options, question.whys)) if k != question.correct and w]
    if others:
        with st.expander("Why the other answers are wrong"):
            st.markdown("\n".join(f"- **{option}**: {why}" for option, why in others))


@st.fragment(run_every=FOLLOW_EVERY_S)
def follow() -> None:
    """Reads the question once a second: the only part of the page that redraws while the class votes."""
    st.session_state["class_question_followed_at"] = time.monotonic()
    question = store.current()
    if question is None:
        st.info(
            "No question yet. When the teacher asks one, it appears here by itself.", icon=":material/hourglass_empty:"
        )
        return
    votes = store.votes(question.id)
    st.header(question.text)
    st.caption(f"Question {store.number(question.id)} · {STEP_WORDS[question.step]}")
    if teacher:
        teacher_controls(question)
    if question.step == REVEALED:
        reveal_panel(question, votes)
    left, right = st.columns(2)
    with left:
        st.markdown("\n".join(f"{k}. {option}" for k, option in enumerate(question.options, 1)))
        if not teacher:  # a student who switched on the presenter view still votes
            student_panel(question)
    with right:
        class_panel(question, votes)


@st.fragment(run_every=WATCH_EVERY_S)
def watchdog() -> None:
    """Redraws the whole page when `follow` has not run for a while (see the Class round page's watchdog)."""
    if time.monotonic() - st.session_state.get("class_question_followed_at", time.monotonic()) > STALE_AFTER_S:
        st.rerun()


@st.fragment(run_every=WATCH_EVERY_S)
def understanding() -> None:
    """The teacher's table: every question revealed this lesson, and the check questions the class gets wrong most.
    A question still being voted on is left out: its right answer must not reach a screen the class may see."""
    st.header("What the class understood")
    revealed = [q for q in store.asked() if q.step == REVEALED]
    rows = peer_scores.understanding_rows([(q, store.votes(q.id)) for q in revealed])
    if rows:
        st.dataframe(
            rows,
            hide_index=True,
            column_config={
                column: st.column_config.NumberColumn(format="percent")
                for column in ("right (vote 1)", "right (vote 2)", "wrong to right")
            },
        )
        st.download_button(
            "Download the table (CSV)",
            peer_scores.understanding_csv(rows),
            file_name="class_questions.csv",
            mime="text/csv",
            icon=":material/download:",
            key="class_question_csv",
        )
    else:
        st.caption("No question revealed yet (or they were cleared). A question appears here once it is revealed.")
    st.subheader("The lesson pages' check questions, least understood first")
    st.caption(
        "The first answer given in each browser tab (a reloaded tab counts again), kept with no name while the "
        "teacher token is set."
    )
    understood = check_answers.wrong_most(ui.check_answers().counts(), lesson_questions)
    if understood:
        st.dataframe(
            [
                {
                    "question": f"{u.source}: {u.question}",
                    "answered": u.answered,
                    "right": u.right,
                    "most chosen wrong answer": u.most_chosen_wrong or "",
                }
                for u in understood
            ],
            hide_index=True,
            column_config={"right": st.column_config.NumberColumn(format="percent")},
        )
    else:
        st.caption("No check question answered yet.")
    with st.popover("Clear", icon=":material/delete:"):
        st.caption("Deletes every question asked, every vote, and the check answers the lesson pages kept.")
        st.button("Yes, clear them", on_click=clear_everything, key="class_question_clear")


if teacher:
    ask_panel()
follow()
watchdog()
if teacher and not presenter:
    understanding()
