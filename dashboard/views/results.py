"""Accuracy: the active model on the test set, written as the article does, and per class."""

import streamlit as st

import charts
import ui
from cnn_lab.recipes import ARTICLE_ACCURACY

ui.lesson("results")
data, result = ui.evaluation()
ui.data_badge(data)

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
per_class = result.per_class()
right, seen = result.per_class_counts()
st.plotly_chart(charts.per_class_figure(per_class, per_class.values(), right, seen), config={"displayModeBar": False})
easiest, hardest = max(per_class, key=per_class.get), min(per_class, key=per_class.get)
st.markdown(f"Blue bars beat the article's overall {100 * ARTICLE_ACCURACY:.2f} %, orange ones fall short. "
            "The easiest class for "
            f"this model is **{easiest}**, the hardest **{hardest}**: see what it takes them for on the "
            "Confusion matrix page.")
