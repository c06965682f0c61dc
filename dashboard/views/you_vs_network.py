"""You vs the network: name 10 test images, then see what the network and people said. Per session."""

import streamlit as st

import ui
from cnn_lab.classroom import round_codes, round_scores
from cnn_lab.classroom.human_labels import HOW_TO_GET_IT
from ui import reveal

# The round lives under these keys; re-assigning the widgets' ones each run keeps them while the
# student visits other pages (Streamlit forgets the state of widgets a page does not draw).
_WIDGET_KEYS = ("vs_kind", "vs_code")

ui.lesson("you_vs_network")
data, result = ui.evaluation()
people = ui.human_labels(data)
names = result.class_names
state = st.session_state

if "vs_code" not in state:
    state["vs_kind"] = "random"
    state["vs_code"] = round_codes.make_code("random")
for key in _WIDGET_KEYS:
    state[key] = state[key]


def new_round() -> None:
    state["vs_code"] = round_codes.make_code(state["vs_kind"])


def code_typed() -> None:
    try:
        state["vs_kind"] = round_codes.parse_code(state["vs_code"])[0]
    except round_codes.RoundError:
        pass  # the page says what is wrong with it


def answer(c: int) -> None:
    if len(state["vs_answers"]) == state["vs_at"]:  # one answer per image, however fast the clicks
        state["vs_answers"].append(c)


def next_image() -> None:
    state["vs_at"] += 1


def play_again() -> None:
    state["vs_answers"], state["vs_at"] = [], 0


with st.container(border=True):
    kind, code, button = st.columns([3, 2, 1], vertical_alignment="bottom")
    reveal.kind_of_round(kind, "vs_kind", on_change=new_round)
    code.text_input(
        "Round code",
        key="vs_code",
        on_change=code_typed,
        help="Everyone who types the same code gets the same 10 images (on the same data, with the same model).",
    )
    button.button("New round", icon=":material/casino:", on_click=new_round, width="stretch")

try:
    images = round_codes.pick_images(state["vs_code"], result, people)
except round_codes.RoundError as e:
    st.error(str(e), icon=":material/error:")
    if isinstance(e, round_codes.NeedsHumanLabels):
        st.info(HOW_TO_GET_IT, icon=":material/group:")
    st.stop()

round_code = round_codes.make_code(*round_codes.parse_code(state["vs_code"]))
if state.get("vs_round") != round_code:
    state["vs_round"] = round_code
    play_again()
st.caption(
    f"Round **{round_code}**: give this code to a friend and you both get the same {len(images)} images "
    "(with the same model). "
    + ("" if len(images) == round_codes.ROUND_LENGTH else f"Only {len(images)} test images here are of this kind. ")
    + (
        ""
        if people
        else "How people labelled the images (CIFAR-10H) is not on this computer, so there is no "
        "average person's score; each reveal says where to get it."
    )
)

at, answers = state["vs_at"], state["vs_answers"]
played = round_scores.outcomes(images, answers, result, people)
score = round_scores.score(played)


def show_score() -> None:
    you, network, person = st.columns(3)
    you.metric("You", f"{score.you} / {score.played}")
    network.metric("The network", f"{score.network} / {score.played}")
    person.metric(
        "The average person",
        "-" if people is None else f"{score.people:.1f} / {score.played}",
        help="On each image, the share of CIFAR-10H's people who gave the true class (38 of 51: 0.75): "
        "how often one of them, picked at random, would be right.",
    )


if at < len(images):
    index = int(images[at])
    number = index if data.test_numbers is None else int(data.test_numbers[index])
    picture, side = st.columns([2, 3])
    with picture:
        reveal.show_test_image(data, index, f"Image {at + 1} of {len(images)}: CIFAR-10 test image #{number}", scale=7)
    with side:
        show_score()
        if len(answers) <= at:
            reveal.answer_buttons(names, answer, key="vs_answer")
        else:
            reveal.verdict(names, int(result.labels[index]), answers[at])
            last = at + 1 == len(images)
            st.button(
                "See how the round went" if last else "Next image",
                key="vs_next",
                icon=":material/flag:" if last else ":material/arrow_forward:",
                shortcut="N",
                on_click=next_image,
                type="primary",
            )
    if len(answers) > at:
        reveal.show_reveal(index, result, people, answers[at])
else:
    st.subheader("How the round went")
    show_score()
    st.markdown("\n".join(f"- {line}" for line in round_scores.summary(played, names)))
    reveal.round_strip(data, played, names)
    again, other = st.columns(2)
    again.button("Play this round again", icon=":material/replay:", on_click=play_again, width="stretch")
    other.button("A new round of this kind", icon=":material/casino:", on_click=new_round, width="stretch")
    ui.lesson("you_vs_network_after")
with st.expander("How a round works, and the kinds of round"):
    ui.lesson("you_vs_network_rules")
