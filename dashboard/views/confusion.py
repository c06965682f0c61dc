"""Confusion matrix: what the active model calls each class; a click on a cell opens its test images."""

import streamlit as st

import charts.results
import ui
from cnn_lab.network.images import enlarge

PER_PAGE = 48

ui.lesson("confusion")
data, result = ui.evaluation()
ui.data_badge(data)
names = list(result.class_names)
counts = result.confusion()

# The cell to open: the most confused pair at first; a click on the chart or the two selectboxes after.
worst = result.most_confused()
st.session_state.setdefault("cm_true", worst[0])
st.session_state.setdefault("cm_pred", worst[1])
points = (st.session_state.get("cm_chart") or {}).get("selection", {}).get("points", [])
if points and points[0].get("x") in names and points[0].get("y") in names:
    click = (names.index(points[0]["y"]), names.index(points[0]["x"]))
    if click != st.session_state.get("cm_click"):  # a new click: it moves the selectboxes
        st.session_state["cm_click"] = click
        st.session_state["cm_true"], st.session_state["cm_pred"] = click
true, pred = st.session_state["cm_true"], st.session_state["cm_pred"]

mistakes_only = st.toggle(
    "Colour the mistakes only",
    value=True,
    key="cm_mistakes_only",
    help="The right answers on the diagonal are so many that they would make every "
    "mistake look equally dark. Switch off to colour all cells on one scale.",
)
fig = charts.results.confusion_figure(counts, names, mistakes_only, (true, pred))
st.caption(
    f"{ui.model_label(ui.model_path())}: {result.total:,} test images, {result.total - result.correct:,} "
    f"of them wrong. Click a cell to see its images."
)
st.plotly_chart(fig, on_select="rerun", selection_mode="points", key="cm_chart", config={"displayModeBar": False})
per_class = result.per_class()
easiest, hardest = result.easiest_and_hardest()
st.caption(
    f"The matrix: the most frequent mistake is {names[worst[0]]} called {names[worst[1]]} "
    f"({counts[worst[0], worst[1]]:,} times). Right answers per class go from {100 * per_class[hardest]:.0f} % "
    f"({hardest}) to {100 * per_class[easiest]:.0f} % ({easiest})."
)

# --- the images of one cell -------------------------------------------------------------------
left, right, _ = st.columns([1, 1, 2])
left.selectbox("True class", range(10), format_func=names.__getitem__, key="cm_true")
right.selectbox("Predicted class", range(10), format_func=names.__getitem__, key="cm_pred")
true, pred = st.session_state["cm_true"], st.session_state["cm_pred"]
cell = result.cell(true, pred)
what = "right answers" if true == pred else "mistakes"
st.header(f"{len(cell)} {names[true]} image{'s' * (len(cell) != 1)} the network called {names[pred]}")
if not len(cell):
    st.info(f"No {names[true]} image was called {names[pred]}.", icon=":material/check_circle:")
else:
    shown = ui.one_page(cell, PER_PAGE, key=f"cm_page_{true}_{pred}")
    st.caption(
        f"The {what} of this cell, the highest probability for {names[pred]} first: each caption "
        f"gives the probability the network gave {names[pred]}."
    )
    st.image(
        [enlarge(data.x_test[i], 4) for i in shown],
        caption=[f"#{i}: {100 * result.probabilities[i, pred]:.0f} % {names[pred]}" for i in shown],
        width=128,
        output_format="PNG",
        alt=[
            f"a {names[true]} the network called {names[pred]} ({100 * result.probabilities[i, pred]:.0f} %)"
            for i in shown
        ],
    )
