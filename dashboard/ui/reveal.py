"""One test image to guess, and its reveal: what "You vs the network" and the class round both draw.

- `show_test_image`: the image enlarged with crisp pixels, and at its true size beside it;
- `answer_buttons`: the 10 classes as buttons, each also pressed by its number key (0 airplane ... 9 truck);
- `show_reveal`: the true class, the network's top 3, how people labelled it (CIFAR-10H, credited), and
  one figure with the network's probabilities beside people's answers, each labelled as what it is
  (charts.classroom.answers_figure), the network's one answer marked; `more` adds bars, e.g. a class's answers;
- `round_strip`: a finished round's images, small, each with who got it right.
"""

from __future__ import annotations

import streamlit as st

import charts.classroom
from cnn_lab.network.evaluation import Evaluation
from cnn_lab.classroom.human_labels import CREDIT, HOW_TO_GET_IT, HumanLabels
from cnn_lab.classroom.round_codes import KINDS
from cnn_lab.classroom.round_scores import Outcome, a
from .lesson_picker import crisp, show

NETWORK = "the network's probabilities"  # how sure it is of each class: it answers the largest
PEOPLE = "people's answers (CIFAR-10H)"  # how many of them gave each answer


def kind_of_round(column, key: str, on_change=None) -> None:
    """The "Kind of round" list of a round of test images (You vs the network, a class round)."""
    column.selectbox("Kind of round", list(KINDS), format_func=lambda k: KINDS[k].title, key=key, on_change=on_change)


def show_test_image(data, index: int, caption: str, scale: int = 8) -> None:
    """Test image `index` of `data`, `scale` times bigger (every pixel a square), and at its true size."""
    crisp()
    # the true size has no caption of its own: one as narrow as 32 pixels broke letter by letter on a projector
    with st.container(horizontal=True, vertical_alignment="top", gap="medium"):
        show(data.x_test[index], f"{caption} (beside it: its true size)", scale, alt="the test image to name, enlarged")
        show(data.x_test[index], None, 1, alt="")


def answer_buttons(class_names, on_answer, key: str = "answer", disabled: bool = False) -> None:
    """One button per class, side by side (flowing onto a second line where the page is narrow); pressing a
    class's number key (shown on its button) is the same as a click. `on_answer(c)` is called (as a
    callback, before the page reruns) with the class number."""
    st.markdown("**What is it?** Click a class, or press its number key.")
    with st.container(horizontal=True, gap="small"):
        for c, name in enumerate(class_names):
            st.button(name, key=f"{key}_{c}", shortcut=str(c), on_click=on_answer, args=(c,), disabled=disabled)


def verdict(class_names, true: int, answer: int) -> None:
    if answer == true:
        st.success(f"**Right**: it is {a(class_names[true])}.", icon=":material/check_circle:")
    else:
        st.error(
            f"**Not quite**: it is {a(class_names[true])}; you said {a(class_names[answer])}.",
            icon=":material/cancel:",
        )


def show_reveal(
    index: int, evaluation: Evaluation, people: HumanLabels | None, answer: int | None = None, more=()
) -> None:
    """What the network and people said about test image `index`, beside the truth (and `answer`).
    `more`: further (name, shares over the 10 classes) to draw beside them, e.g. ("the class", shares)."""
    names = evaluation.class_names
    true = int(evaluation.labels[index])
    probabilities = evaluation.probabilities[index]
    network, humans = st.columns(2)
    with network:
        st.markdown(f"**The network's top 3** (true class: **{names[true]}**)")
        for c in evaluation.top_classes(index, 3):
            mark = " (true)" if c == true else ""
            st.progress(float(probabilities[c]), text=f"{names[c]}{mark}: {100 * probabilities[c]:.1f} %")
    with humans:
        st.markdown("**How people labelled it**")
        if people is None:
            st.info(HOW_TO_GET_IT, icon=":material/group:")
        else:
            st.markdown(people.in_words(index, names))
    series = [(NETWORK, probabilities)]
    if people is not None:
        series.append((PEOPLE, people.shares()[index]))
    figure = charts.classroom.answers_figure(
        names, [*series, *more], true, answer, network_answer=int(probabilities.argmax())
    )
    st.plotly_chart(figure, key=f"reveal_{index}")
    if people is not None:
        st.caption(CREDIT)


def round_strip(data, played: list[Outcome], class_names, per_row: int = 5) -> None:
    """The images of a finished round in order, each captioned with its class and who named it."""
    crisp()
    for first in range(0, len(played), per_row):
        for column, (n, o) in zip(st.columns(per_row), enumerate(played[first : first + per_row], first + 1)):
            you = "right" if o.answer_right else class_names[o.answer]
            network = "right" if o.network_right else class_names[o.network]
            people = "" if o.people is None else f"; people {100 * o.people:.0f} % right"
            caption = f"{n}. {class_names[o.true]}: you {you}, the network {network}{people}"
            show(data.x_test[o.index], caption, 4, column, alt=f"image {n} of the round, {a(class_names[o.true])}")
