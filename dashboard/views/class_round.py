"""A class round: the teacher shows one test image at a time, every student answers, the projector compares the
class with the network. The round lives in cnn_lab.classroom.round_store's SQLite store; this page only draws it and
follows it once a second."""

import time

import streamlit as st

import charts.classroom
import ui
from cnn_lab.classroom import round_store, round_codes, round_scores
from cnn_lab.lessons.captions import counted_shares
from cnn_lab.classroom.round_store import OUTCOME_TEXT, safe_nickname
from cnn_lab.network.images import enlarge
from ui import reveal

FOLLOW_EVERY_S = 1.0
WATCH_EVERY_S, STALE_AFTER_S = 5.0, 12.0  # the watchdog: how often it looks, and when `follow` counts as stalled

presenter, teacher = ui.class_activity(
    "class_round",
    "**A class round needs a teacher token.** Start the lab with `CNN_LAB_TEACHER_TOKEN` set (README, "
    '"A class round"), sign in as the teacher in the sidebar and start a round: every student\'s page follows '
    "it. Without a token this lab is one laptop: play rounds of your own on **You vs the network**; nothing "
    "is shared.",
    icon=":material/groups:",
)
data, result = ui.evaluation()
people = ui.human_labels(data)
store = ui.class_rounds()
names = list(result.class_names)
network = result.predictions
participant = ui.seat()  # a random id, nothing else


# --- what the controls do (on_click: they run before the script, so no redraw drops a click) ---------------
def start() -> None:
    """A round from the code typed (or a new code of the kind chosen): the same images as on You vs the network."""
    typed = st.session_state.get("class_round_code", "").strip()
    try:
        code = typed or round_codes.make_code(st.session_state["class_round_kind"])
        kind, _number = round_codes.parse_code(code)
        store.start(code, kind, round_codes.pick_images(code, result, people))
    except round_codes.RoundError as e:
        st.session_state["class_round_error"] = str(e)


def join() -> None:
    st.session_state["class_round_nickname"] = safe_nickname(st.session_state.get("class_round_nickname_input"))


def answer(round_id: int, position: int, choice: int) -> None:
    outcome = store.answer(round_id, position, participant, st.session_state["class_round_nickname"], choice)
    if outcome != round_store.TAKEN:
        st.session_state["class_round_refused"] = OUTCOME_TEXT[outcome]


# --- the page ----------------------------------------------------------------------------------------------
if teacher:
    with st.expander("Start a class round (it ends the round now shown)", expanded=store.current() is None):
        left, middle, right = st.columns([2, 2, 1], vertical_alignment="bottom")
        reveal.kind_of_round(left, "class_round_kind")
        middle.text_input(
            "Round code (optional)",
            key="class_round_code",
            max_chars=40,
            placeholder="e.g. cat-dog-4821",
            help="A code gives everyone the same 10 images, here and on You vs the network. "
            "Empty: a new code of the kind chosen.",
        )
        right.button("Start", icon=":material/play_arrow:", on_click=start, type="primary")
        if problem := st.session_state.pop("class_round_error", None):
            st.error(problem, icon=":material/error:")


def teacher_controls(round_) -> None:
    columns = st.columns(4)
    controls = [  # label, icon, what it does, when it cannot, its key
        ("Reveal", ":material/visibility:", store.reveal, round_.revealed or not round_.is_open, "reveal"),
        ("Next image", ":material/skip_next:", store.next_image, round_.is_last or not round_.is_open, "next"),
        ("Close", ":material/flag:", store.close, not round_.is_open, "close"),
    ]
    for column, (label, icon, action, disabled, key) in zip(columns, controls):
        column.button(
            label,
            icon=icon,
            on_click=action,
            args=(round_.id,),
            disabled=disabled,
            type="primary" if key == "reveal" else "secondary",
            key=f"class_round_{key}",
            help="Close the round: no more answers, and the end of the round is shown." if key == "close" else None,
        )
    with columns[3].popover("Clear", icon=":material/delete:"):
        st.caption("Deletes this round and every answer to it.")
        st.button("Yes, clear it", on_click=store.clear, args=(round_.id,), key="class_round_clear")


def join_panel() -> bool:
    """The nickname, asked once (before or during a round); True once this student has one."""
    if "class_round_nickname" in st.session_state:
        st.text(f"You play as {st.session_state['class_round_nickname']}")  # as text: a nickname is never markup
        return True
    st.text_input(
        "Your nickname (anything you like): it is kept with your answers until the teacher clears the round, "
        "and the class may see it on the Most right list; nothing else about you is asked",
        key="class_round_nickname_input",
        max_chars=round_store.NICKNAME_MAX,
        on_change=join,
    )
    st.button("Join", on_click=join, key="class_round_join")
    return False


def student_panel(round_) -> None:
    if not join_panel():
        return
    if refused := st.session_state.pop("class_round_refused", None):
        st.warning(refused, icon=":material/block:")
    mine = store.answer_of(round_.id, round_.position, participant)
    if round_.revealed:
        if mine is None:
            st.info("You did not answer this one.", icon=":material/schedule:")
        else:
            reveal.verdict(names, int(result.labels[round_.image]), mine)
    elif mine is not None:
        st.success(f"You said {names[mine]}. Wait for the teacher's reveal.", icon=":material/check:")
    elif round_.is_open:
        reveal.answer_buttons(names, lambda c: answer(round_.id, round_.position, c), key="class_round_answer")


def class_panel(round_, answers) -> None:
    """The class's answers to the image shown: alone while the class answers, beside the network and people
    once revealed."""
    answered, shares = counted_shares(round_scores.class_counts(answers, round_.position))
    the_class = (f"the class's answers ({answered} answered)", shares)
    if round_.revealed:
        mine = None if teacher or presenter else store.answer_of(round_.id, round_.position, participant)
        reveal.show_reveal(round_.image, result, people, answer=mine, more=[the_class])
    else:
        figure = charts.classroom.answers_figure(
            names, [the_class], true=None, colours=(charts.classroom.CLASS_COLOUR,)
        )
        st.plotly_chart(figure, key="class_round_answers_chart")


def round_so_far(round_, answers) -> None:
    results = round_scores.class_outcomes(round_, answers, result.labels, network)
    if not results:
        return
    class_curve, network_curve = round_scores.running_accuracy(results)
    st.markdown(
        f"**After {len(results)} image{'s' * (len(results) != 1)}:** the class "
        + ("has not answered yet" if class_curve[-1] is None else f"{class_curve[-1]:.0%} right")
        + ", "
        f"the network {network_curve[-1]:.0%}."
    )
    st.plotly_chart(
        charts.classroom.class_vs_network_figure(class_curve, network_curve),
        width="stretch",
        key="class_round_curve",
    )
    if round_.is_open:
        return
    class_only, network_only = round_scores.who_beat_whom(results)
    for title, shown in (
        ("The class got these right, the network did not", class_only),
        ("The network got these right, the class did not", network_only),
    ):
        st.subheader(title)
        if not shown:
            st.caption("None.")
        for column, image in zip(st.columns(5), shown[:5]):
            said = "no clear answer" if image.answer is None else names[image.answer]
            column.image(
                enlarge(data.x_test[image.index], 4),
                caption=f"{round_scores.a(names[image.true])}: the class said {said}, "
                f"the network {names[image.network]}",
                output_format="PNG",
            )
    scores = round_scores.student_scores(round_, answers, result.labels)
    if scores:
        st.subheader("Most right")
        st.dataframe(
            [{"nickname": nickname, "right": right, "answered": count} for _, nickname, right, count in scores[:5]],
            hide_index=True,
        )


@st.fragment(run_every=FOLLOW_EVERY_S)
def follow() -> None:
    """Reads the round once a second: the only part of the page that redraws while the class plays."""
    st.session_state["class_round_followed_at"] = time.monotonic()
    round_ = store.current()
    if round_ is None:
        if not teacher and not presenter:
            join_panel()
        st.info(
            "No class round yet. When the teacher starts one, it appears here by itself.",
            icon=":material/hourglass_empty:",
        )
        return
    answers = store.answers(round_.id)
    answered, _ = counted_shares(round_scores.class_counts(answers, round_.position))
    state = "closed" if not round_.is_open else "answer revealed" if round_.revealed else "answering"
    st.header(f"Round {round_.code}: image {round_.position + 1} of {len(round_.images)}")
    kind = round_codes.KINDS[round_.kind].title if round_.kind in round_codes.KINDS else round_.kind
    st.caption(f"{kind} · {answered} answered · {state}")
    if teacher:
        teacher_controls(round_)
    if not round_.is_open:  # the end of the round first, then its last image
        round_so_far(round_, answers)
    left, right = st.columns(2)  # the image (and its true size) on the left, the answers on the right
    with left:
        reveal.show_test_image(data, round_.image, f"image {round_.position + 1}, every pixel a square", scale=7)
    with right:
        if not teacher and not presenter:
            student_panel(round_)
        if teacher or presenter or round_.revealed:
            class_panel(round_, answers)
    if round_.is_open:
        round_so_far(round_, answers)


@st.fragment(run_every=WATCH_EVERY_S)
def watchdog() -> None:
    """Redraws the whole page when `follow` has not run for a while. Under load (30 browsers and a training
    run on 2 cores, benchmarks/class_round_load.py) one page's browser stopped asking for `follow`'s rerun
    while it stayed connected; a full rerun starts every timer of the page again. Draws nothing."""
    if time.monotonic() - st.session_state.get("class_round_followed_at", time.monotonic()) > STALE_AFTER_S:
        st.rerun()


follow()
watchdog()
