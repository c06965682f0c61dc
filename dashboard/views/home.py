"""Home: the journey of the article, and what this server is running on."""

import json

import streamlit as st

import ui
from cnn_lab.data import HOW_TO_GET_IT, find_source

ui.lesson("home")

st.subheader("What this lab is running on")
left, right = st.columns(2)
with left:
    source = find_source()
    if source is None:
        st.info(f"**Data: the bundled sample** — 1,000 genuine CIFAR-10 test images. The lab never downloads "
                f"anything itself, so it works offline. {HOW_TO_GET_IT}", icon=":material/info:")
    else:
        st.success(f"**Data: the full CIFAR-10** (50,000 training and 10,000 test images) from `{source}`.",
                   icon=":material/dataset:")
with right:
    path = ui.model_path()
    card = path.with_suffix(".json")
    if path.is_file():
        try:
            about = json.loads(card.read_text()) if card.is_file() else {}
        except (OSError, ValueError):
            about = {}
        result = about.get("test_result") if isinstance(about, dict) else None
        st.success(f"**Model: {ui.model_label(path)}**" + (f" — {result} on the CIFAR-10 test set." if result else "."),
                   icon=":material/neurology:")
    else:
        st.warning(ui.NO_MODEL_YET, icon=":material/warning:")
