"""Home: the journey of the article, and what this server is running on."""

import streamlit as st

import ui
from cnn_lab.network.data import HOW_TO_GET_IT, find_source
from cnn_lab.runs.model_card import reported_result

ui.lesson("home")

st.header("What this lab is running on")
left, right = st.columns(2)
with left:
    source = find_source()
    if source is None:
        st.info(
            f"**Data: the bundled sample** — 1,000 genuine CIFAR-10 test images. The lab never downloads "
            f"anything itself, so it works offline. {HOW_TO_GET_IT}",
            icon=":material/info:",
        )
    else:
        st.success(
            f"**Data: the full CIFAR-10** (50,000 training and 10,000 test images) from `{source}`.",
            icon=":material/dataset:",
        )
with right:
    path = ui.model_path()
    if path.is_file():
        result = reported_result(path)
        st.success(
            f"**Model: {ui.model_label(path)}**" + (f" — {result} on the CIFAR-10 test set." if result else "."),
            icon=":material/neurology:",
        )
    else:
        st.warning(ui.NO_MODEL_YET, icon=":material/warning:")
