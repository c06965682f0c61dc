"""What the five lesson pages share on the Streamlit side: the image picker and `show` for small images.

The figures are in the charts package, the computation in cnn_lab.lessons.maths; no TensorFlow here:
pages 1 and 2 stay light.
"""

from __future__ import annotations

import numpy as np
import streamlit as st

from cnn_lab.network.images import enlarge
from cnn_lab.network.photo import PhotoError, open_photo, to_cifar

from .widgets import lesson

ANY = "any class"
# The picker's choices live under these keys; re-assigning them each run keeps them while the
# student moves from page to page (Streamlit forgets the state of widgets a page does not draw).
_KEYS = ("lesson_source", "lesson_class", "lesson_index")


def section(name: str) -> None:
    """Show lessons/<name>.md (one part of a page's lesson)."""
    lesson(name)


class Picked:
    """The image a lesson works on: uint8 (32, 32, 3), a caption, its label if known, and its number in the test
    set if it is a test image."""

    def __init__(self, pixels: np.ndarray, caption: str, label: int | None = None, index: int | None = None):
        self.pixels, self.caption, self.label, self.index = pixels, caption, label, index


def _class_indices(data, name: str) -> np.ndarray:
    if name == ANY:
        return np.arange(len(data.x_test))
    return np.flatnonzero(data.y_test == data.class_names.index(name))


def choose_test_image(index: int) -> None:
    """Make test image `index` the picked image (call it from a widget's callback, before the picker is drawn)."""
    st.session_state.update(lesson_source="a CIFAR-10 image", lesson_class=ANY, lesson_index=int(index))


def _random_index(data) -> None:
    indices = _class_indices(data, st.session_state.get("lesson_class", ANY))
    st.session_state["lesson_index"] = int(np.random.default_rng().integers(len(indices)))


def pick_image(data) -> Picked | None:
    """The picker at the top of each lesson page: a CIFAR-10 test image (class and number, or
    random) or the student's own photo. The choice follows the student from page to page."""
    crisp()
    for key in _KEYS:
        if key in st.session_state:
            st.session_state[key] = st.session_state[key]
    with st.container(border=True):
        source = st.radio("Work on", ["a CIFAR-10 image", "your own photo"], horizontal=True, key="lesson_source")
        if source == "your own photo":
            return _pick_photo()
        left, middle, right = st.columns([2, 2, 1], vertical_alignment="bottom")
        name = left.selectbox("Class", [ANY, *data.class_names], key="lesson_class")
        indices = _class_indices(data, name)
        if st.session_state.get("lesson_index", 0) >= len(indices):
            st.session_state["lesson_index"] = 0
        number = middle.number_input(f"Image (0 to {len(indices) - 1:,})", 0, len(indices) - 1, key="lesson_index")
        right.button(
            "Random",
            icon=":material/casino:",
            on_click=_random_index,
            args=(data,),
            key="lesson_random",
            width="stretch",
        )
        index = int(indices[int(number)])
        label = int(data.y_test[index])
        return Picked(data.x_test[index], f"test image #{index:,}: {data.class_names[label]}", label, index)


def _pick_photo() -> Picked | None:
    upload = st.file_uploader("Your photo (JPEG, PNG, WebP...)", type=None, key="lesson_upload")
    if upload is not None:
        st.session_state["lesson_photo"] = (upload.name, upload.getvalue())
    stored = st.session_state.get("lesson_photo")
    if stored is None:
        st.info(
            "Upload a photo: it is cut to its centre square and shrunk to 32×32 pixels, the size of a CIFAR-10 image.",
            icon=":material/photo_camera:",
        )
        return None
    name, data = stored
    try:
        pixels = to_cifar(open_photo(data))
    except PhotoError as e:
        st.error(f"{name}: {e}", icon=":material/error:")
        return None
    return Picked(pixels, f"your photo ({name}) at 32×32")


def crisp() -> None:
    """Pixels stay squares even where the browser resizes an image (a column narrower than it)."""
    st.html(
        "<style>[data-testid='stImage'] img, [data-testid='stFullScreenFrame'] img "
        "{image-rendering: pixelated;}</style>"
    )


def show(image, caption: str | None, scale: int = 8, where=st, *, alt: str) -> None:
    """A small image enlarged `scale` times with nearest neighbour (crisp squares), drawn at
    that size (never stretched to the column), with its caption. `alt`: what a student who cannot
    see it needs to know ("" for a decorative duplicate of a picture described beside it)."""
    big = enlarge(image, scale)
    where.image(big, caption=caption, width=big.width, output_format="PNG", alt=alt)
