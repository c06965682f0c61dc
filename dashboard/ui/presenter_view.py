"""The presenter view for a projector (large type, full width, its CSS) and a sidebar that can be hidden."""

from __future__ import annotations

import streamlit as st


def presenter_css(large: bool, hide_sidebar: bool) -> str:
    """The CSS of the presenter view (large type, full width) and of a hidden sidebar."""
    rules = []
    if large:
        rules += [
            "html { font-size: 22px; }",
            "[data-testid='stMainBlockContainer'] { max-width: 100%; padding-left: 2rem; padding-right: 2rem; }",
            "[data-testid='stMarkdownContainer'] p, [data-testid='stMarkdownContainer'] li "
            "{ font-size: 1.15rem; line-height: 1.5; }",
            "h1 { font-size: 2.6rem !important; } h2 { font-size: 2.0rem !important; } "
            "h3 { font-size: 1.6rem !important; }",
            "[data-testid='stCaptionContainer'] { font-size: 1rem; }",
            "[data-testid='stMetricValue'] { font-size: 2.6rem; }",
            # a formula wider than its column would scroll, and a scrolling region must be focusable
            "[data-testid='stMarkdownContainer'] .katex-display > .katex { font-size: 1em; }",
            "[data-testid='stSidebarContent'] { zoom: 0.8; }",  # the menu keeps its width: no cut-off names
            # Streamlit's own focus ring is a faint shadow; from the back row a thick outline in the
            # text colour shows which control has the keyboard
            f"*:focus-visible {{ outline: 3px solid {st.get_option('theme.textColor') or 'black'} !important; "
            "outline-offset: 2px !important; }",
        ]
    if hide_sidebar:
        rules += [
            "[data-testid='stSidebar'], [data-testid='stSidebarCollapsedControl'], "
            "[data-testid='stExpandSidebarButton'] { display: none !important; }"
        ]
    return "<style>\n" + "\n".join(rules) + "\n</style>" if rules else ""


_QUERY = {"presenter_view": ("present", "1"), "hide_sidebar": ("sidebar", "off")}


def _remember(key: str) -> None:
    st.session_state[f"_{key}"] = st.session_state[key]


def _show_sidebar() -> None:
    st.session_state["_hide_sidebar"] = st.session_state["hide_sidebar"] = False


def presenter_view_controls() -> None:
    """The sidebar's "Presenter view" and "Hide the sidebar" toggles (or ?present=1, ?sidebar=off),
    their CSS, and a button that brings a hidden sidebar back. app.py calls it before every page.

    The choice is kept under a key of its own ("_presenter_view"), not only the widget's, so it
    survives moving from page to page."""
    with st.sidebar:
        for key, label, note in (
            ("presenter_view", "Presenter view", "Large type for a projector (or add ?present=1 to the address)."),
            (
                "hide_sidebar",
                "Hide the sidebar",
                "More room for the page; a button at the top brings it back (or remove ?sidebar=off from the address).",
            ),
        ):
            name, value = _QUERY[key]
            if f"_{key}" not in st.session_state:  # a new session starts as its address says
                st.session_state[f"_{key}"] = st.query_params.get(name) == value
            st.session_state[key] = st.session_state[f"_{key}"]
            st.toggle(label, key=key, help=note, on_change=_remember, args=(key,))
    for key, (name, value) in _QUERY.items():  # the address follows, so a bookmark opens the same view
        if st.session_state[key] and st.query_params.get(name) != value:
            st.query_params[name] = value
        elif not st.session_state[key] and name in st.query_params:
            del st.query_params[name]
    if css := presenter_css(st.session_state["presenter_view"], st.session_state["hide_sidebar"]):
        st.html(css)
    if st.session_state["hide_sidebar"]:
        st.button(
            "Show the sidebar",
            icon=":material/left_panel_open:",
            on_click=_show_sidebar,
            help="The sidebar is hidden (Hide the sidebar, or ?sidebar=off in the address).",
        )
