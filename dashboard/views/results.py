"""Accuracy: the active model on the test set, written as the article does, and per class."""

import streamlit as st

import charts.results
import ui
from cnn_lab.runs.model_card import model_record
from cnn_lab.recipes import PRESETS, differences
from cnn_lab.settings import ARTICLE_ACCURACY
from cnn_lab.runs.reference import article_run

ui.lesson("results")
data, result = ui.evaluation()
ui.data_badge(data)

where = (
    f"the {result.total:,} test images of the bundled sample"
    if data.is_sample
    else f"the {result.total:,} CIFAR-10 test images"
)
path = ui.model_path()
record = model_record(path)
st.markdown(f"**{ui.model_label(path)}** on {where}:")
st.markdown(
    f"<div style='font-size:2.6rem;font-weight:700;line-height:1.2'>{result.correct} / {result.total} "
    f"({100 * result.accuracy:.2f} %)</div>",
    unsafe_allow_html=True,
)
st.caption("right answers / test images (accuracy)")
if record.is_sample and data.is_sample:  # (on the full test set, ui.evaluation has said it already)
    st.info(
        f"**This model was trained on the bundled sample**: {len(data.x_train):,} images, which are CIFAR-10 test "
        "images themselves. Its accuracy cannot be compared with the article's or the shipped model's, "
        "which learned from 50,000 images and were tested on 10,000.",
        icon=":material/info:",
    )
elif data.is_sample:
    st.caption(
        f"With only {result.total:,} test images, one image more or less right moves the accuracy by "
        f"{100 / max(1, result.total):.2g} points: compare with the article's figure only on the full test set."
    )

article = f"{round(ARTICLE_ACCURACY * 10000)} / 10000 ({100 * ARTICLE_ACCURACY:.2f} %)"
changes = differences(record.config) if record.config else None
stopped = record.config is not None and record.epochs_done is not None and record.epochs_done < record.config.epochs
if stopped:
    st.warning(
        f"This model stopped after {record.epochs_done} of its {record.config.epochs} epochs: its recipe's "
        "figures are for the whole run.",
        icon=":material/pause_circle:",
    )
if changes == []:
    st.markdown(
        f"This model was trained with the article's recipe{', but not to its end' if stopped else ''}. "
        f"The article: **{article}**."
    )
else:
    # the heading says whether the network itself differs, or only how it was trained (none when not known)
    if changes is not None and record.config.model == PRESETS["article"].model:
        ui.lesson("results_recipe")
    elif changes is not None:
        ui.lesson("results_model")
    reference = article_run()
    mine, theirs, paper = st.columns(3)
    mine.metric(ui.model_label(path), f"{100 * result.accuracy:.2f} %")
    if reference is not None:
        theirs.metric(
            "The article's recipe, trained in this lab",
            f"{100 * reference.test_accuracy:.2f} %",
            help=f"`cnn-lab train --preset article` on {reference.data}: {reference.summary()}.",
        )
        theirs.caption(
            reference.summary() + ("" if reference.finished else ": the run had not finished when this record was made")
        )
    paper.metric("The article", f"{100 * ARTICLE_ACCURACY:.2f} %", help=article)
    if changes is None:
        st.caption("How this model was trained is not known (it has no model card or run folder).")
    else:
        st.markdown(
            "**How this model's recipe differs from the article's:**\n" + "\n".join(f"- {change}" for change in changes)
        )

st.header("Per class")
per_class = result.per_class()
right, seen = result.per_class_counts()
st.plotly_chart(
    charts.results.per_class_figure(per_class, per_class.values(), right, seen), config={"displayModeBar": False}
)
easiest, hardest = result.easiest_and_hardest()
st.markdown(
    f"Blue bars beat the article's overall {100 * ARTICLE_ACCURACY:.2f} %, orange ones fall short. "
    f"The easiest class for this model is **{easiest}** ({100 * per_class[easiest]:.1f} %), the hardest "
    f"**{hardest}** ({100 * per_class[hardest]:.1f} %): see what it takes them for on the Confusion "
    "matrix page."
)
