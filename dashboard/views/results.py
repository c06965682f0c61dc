"""Accuracy: the active model on the test set, written as the article does, and per class."""

import plotly.graph_objects as go
import streamlit as st

import ui
from cnn_lab.recipes import ARTICLE_ACCURACY

BLUE, VERMILLION, GREEN = "#0072B2", "#D55E00", "#009E73"  # Okabe-Ito

ui.lesson("results")
data, result = ui.evaluation()
ui.data_badge(data)

counts = result.confusion()
right, seen = counts.diagonal(), counts.sum(1)
where = f"the {result.total:,} test images of the bundled sample" if data.is_sample else \
    f"the {result.total:,} CIFAR-10 test images"
st.markdown(f"**{ui.model_label(ui.model_path())}** on {where}:")
difference = 100 * (result.accuracy - ARTICLE_ACCURACY)
st.markdown(f"<div style='font-size:2.6rem;font-weight:700;line-height:1.2'>{result.correct} / {result.total} "
            f"({100 * result.accuracy:.2f} %)</div>", unsafe_allow_html=True)
st.caption("right answers / test images (accuracy)")
st.markdown(f"The article: **7844 / 10000 (78.44 %)** — this model is "
            f"**{abs(difference):.2f} points {'above' if difference >= 0 else 'below'}** it.")
if data.is_sample:
    st.caption(f"With only {result.total:,} test images, one image more or less right moves the accuracy by "
               f"{100 / max(1, result.total):.2g} points: compare with the article's figure only on the full test set.")

st.subheader("Per class")
names = list(result.class_names)
accuracy = [100 * r / max(1, n) for r, n in zip(right, seen)]
fig = go.Figure(go.Bar(
    y=names, x=accuracy, orientation="h",
    marker_color=[BLUE if a >= 100 * ARTICLE_ACCURACY else VERMILLION for a in accuracy],
    text=[f"{a:.1f} %  ({r} / {n})" for a, r, n in zip(accuracy, right, seen)],
    textposition=["inside" if a > 50 else "outside" for a in accuracy], cliponaxis=False,
    hovertemplate="%{y}: %{x:.1f} %<extra></extra>"))
fig.add_vline(x=100 * ARTICLE_ACCURACY, line=dict(color=GREEN, dash="dash", width=2),
              annotation_text="the article overall: 78.4 %", annotation_position="top",
              annotation_font_color=GREEN)
fig.update_xaxes(range=[0, 100], title_text="test images of the class classified right (%)")
fig.update_yaxes(autorange="reversed", tickfont_size=15)
fig.update_layout(height=440, margin=dict(l=10, r=10, t=40, b=10), font_size=15, showlegend=False)
st.plotly_chart(fig, config={"displayModeBar": False})
easiest, hardest = names[max(range(10), key=accuracy.__getitem__)], names[min(range(10), key=accuracy.__getitem__)]
st.markdown(f"Blue bars beat the article's overall 78.4 %, orange ones fall short. The easiest class for "
            f"this model is **{easiest}**, the hardest **{hardest}**: see what it takes them for on the "
            "Confusion matrix page.")
