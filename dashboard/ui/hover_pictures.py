"""Hover a dot on a chart of images (the map) and see that image beside the pointer, 4 times its size.

Plotly's hover label holds text only, and `st.plotly_chart` tells Python nothing of a hover: so a small
script (hover_pictures.js) listens to the chart in the browser. The images travel once, as one JPEG (a
sprite, 3.9 MB for the 10,000 test images) that `st.image` serves at a fixed address the browser keeps;
it is hidden, and the script cuts the hovered image from it. Nothing is fetched from outside the lab.
"""

import json
from pathlib import Path

import streamlit as st

from cnn_lab.network.images import SPRITE_COLUMNS, sprite

SCRIPT = (Path(__file__).parent / "hover_pictures.js").read_text()
SCALE = 4  # a 32 x 32 image shown 128 pixels wide


@st.cache_resource(show_spinner=False, max_entries=2)
def _sprite(description: str, _images) -> bytes:
    """The sprite of one set of images, made once per server; `description` names the set (not hashed)."""
    return sprite(_images)


def hover_pictures(images, description: str, chart: str) -> None:
    """Under the Plotly chart whose key is `chart` (each dot's customdata[0] is its index in `images`, an
    (N, H, W, 3) uint8 array named by `description`), show the image under the pointer."""
    pictures = f"{chart}_pictures"
    st.html(f"<style>.st-key-{pictures} {{ display: none; }}</style>")  # the sprite is not for reading
    settings = {"chart": chart, "pictures": pictures, "columns": SPRITE_COLUMNS, "size": images.shape[2]}
    with st.container(key=pictures):
        data = _sprite(description, images)
        width = min(len(images), SPRITE_COLUMNS) * images.shape[2]
        st.image(data, width=width, output_format="JPEG", alt="")  # at its own width: never resized
        st.html(
            "<script>" + SCRIPT.replace("__SETTINGS__", json.dumps(settings | {"scale": SCALE})) + "</script>",
            unsafe_allow_javascript=True,
        )
