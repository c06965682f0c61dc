"""Small widgets every page shares: the lesson text, a page picker, the link to the Train page."""

from __future__ import annotations

import streamlit as st

from cnn_lab.texts import read_lesson


def lesson(name: str) -> None:
    """Show lessons/<name>.md."""
    st.markdown(read_lesson(name))


def one_page(items, per_page: int, key: str):
    """The items on the page the student picks; the page picker appears only when there are several."""
    pages = -(-len(items) // per_page)
    page = 1
    if pages > 1:
        page = st.number_input(f"Page (of {pages}, {per_page} images each)", 1, pages, 1, key=key)
    return items[(page - 1) * per_page : page * per_page]


def link_to_train(label: str = "Go to the Train page") -> None:
    try:
        st.page_link("views/train.py", label=label, icon=":material/model_training:")
    except Exception:  # a page run on its own (tests) has no navigation to link into
        st.caption("Open **Train** in the sidebar.")
