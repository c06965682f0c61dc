"""Confusion matrix: what the active model calls each class; a click on a cell opens its test images."""

import numpy as np
import plotly.graph_objects as go
import streamlit as st

import ui
from cnn_lab.images import enlarge

PER_PAGE = 48
HIGHLIGHT = "#D55E00"  # Okabe-Ito vermillion: stands out on the whole Cividis scale

ui.lesson("confusion")
data, result = ui.evaluation()
ui.data_badge(data)
names = list(result.class_names)
counts = result.confusion()

# The cell to open: the most confused pair at first; a click on the chart or the two selectboxes after.
off = counts.copy()
np.fill_diagonal(off, -1)
worst = np.unravel_index(off.argmax(), off.shape)
st.session_state.setdefault("cm_true", int(worst[0]))
st.session_state.setdefault("cm_pred", int(worst[1]))
points = (st.session_state.get("cm_chart") or {}).get("selection", {}).get("points", [])
if points and points[0].get("x") in names and points[0].get("y") in names:
    click = (names.index(points[0]["y"]), names.index(points[0]["x"]))
    if click != st.session_state.get("cm_click"):  # a new click: it moves the selectboxes
        st.session_state["cm_click"] = click
        st.session_state["cm_true"], st.session_state["cm_pred"] = click
true, pred = st.session_state["cm_true"], st.session_state["cm_pred"]

mistakes_only = st.toggle("Colour the mistakes only", value=True, key="cm_mistakes_only",
                          help="The right answers on the diagonal are so many that they would make every "
                               "mistake look equally dark. Switch off to colour all cells on one scale.")
diagonal = np.eye(10, dtype=bool)
coloured = np.where(diagonal & mistakes_only, np.nan, counts.astype(float))
fig = go.Figure()
fig.add_trace(go.Heatmap(
    z=coloured, x=names, y=names, colorscale="Cividis", hoverinfo="skip", xgap=1, ygap=1,
    colorbar=dict(title="mistakes" if mistakes_only else "images", thickness=14)))
if mistakes_only:  # the right answers: on a plain light background
    fig.add_trace(go.Heatmap(
        z=np.where(diagonal, 1.0, np.nan), x=names, y=names, colorscale=[[0, "#E8E8E8"], [1, "#E8E8E8"]],
        showscale=False, hoverinfo="skip", xgap=1, ygap=1))
# The counts, white on the dark end of the scale and black on the light end, so every one reads.
top = max(1.0, np.nanmax(coloured)) if np.isfinite(coloured).any() else 1.0
for (t, p), n in np.ndenumerate(counts):
    light = (mistakes_only and t == p) or counts[t, p] / top > 0.55
    fig.add_annotation(x=names[p], y=names[t], text=str(n), showarrow=False,
                       font=dict(size=16, color="black" if light else "white"))
# One invisible marker per cell: plotly heatmaps cannot be clicked, markers can.
t, p = np.indices((10, 10))
fig.add_trace(go.Scatter(
    x=[names[i] for i in p.ravel()], y=[names[i] for i in t.ravel()], mode="markers",
    marker=dict(symbol="square", size=50, color="rgba(0,0,0,0)"), customdata=counts.ravel(),
    hovertemplate="true class: <b>%{y}</b><br>the network said: <b>%{x}</b><br>%{customdata} images"
                  "<br>click to see them<extra></extra>", showlegend=False))
fig.add_shape(type="rect", x0=pred - 0.5, x1=pred + 0.5, y0=true - 0.5, y1=true + 0.5,
              line=dict(color=HIGHLIGHT, width=4))
fig.update_xaxes(title_text="what the network said (predicted class)", side="top", tickfont_size=15,
                 showgrid=False)
fig.update_yaxes(title_text="true class", autorange="reversed", tickfont_size=15, showgrid=False)
fig.update_layout(height=720, margin=dict(l=10, r=10, t=10, b=10), clickmode="event+select",
                  plot_bgcolor="white", dragmode=False)
st.caption(f"{ui.model_label(ui.model_path())}: {result.total:,} test images, {result.total - result.correct:,} "
           f"of them wrong. Click a cell to see its images.")
st.plotly_chart(fig, on_select="rerun", selection_mode="points", key="cm_chart",
                config={"displayModeBar": False})

# --- the images of one cell -------------------------------------------------------------------
left, right, _ = st.columns([1, 1, 2])
left.selectbox("True class", range(10), format_func=names.__getitem__, key="cm_true")
right.selectbox("Predicted class", range(10), format_func=names.__getitem__, key="cm_pred")
true, pred = st.session_state["cm_true"], st.session_state["cm_pred"]
cell = result.cell(true, pred)
what = "right answers" if true == pred else "mistakes"
st.subheader(f"{len(cell)} {names[true]} image{'s' * (len(cell) != 1)} the network called {names[pred]}")
if not len(cell):
    st.info(f"No {names[true]} image was called {names[pred]}.", icon=":material/check_circle:")
else:
    shown = ui.one_page(cell, PER_PAGE, key=f"cm_page_{true}_{pred}")
    st.caption(f"The {what} of this cell, the highest probability for {names[pred]} first: each caption "
               f"gives the probability the network gave {names[pred]}.")
    st.image([enlarge(data.x_test[i], 4) for i in shown],
             caption=[f"#{i}: {100 * result.probabilities[i, pred]:.0f} % {names[pred]}" for i in shown],
             width=128, output_format="PNG")
