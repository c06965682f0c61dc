"""Lesson 5: one filter spans all three colours and adds a bias, then ReLU; then the trained model's first
convolution layer on the student's image (its filters, their feature maps after ReLU, the pooled maps)."""

import pandas as pd
import streamlit as st

import charts.convolution
import charts.grids
from ui import lesson_picker
import ui
from cnn_lab.lessons.guesses import relu_guess
from cnn_lab.network.images import grid, outlined
from cnn_lab.lessons.maths import CHANNEL_FILTERS, COLOURS, channel_maps, channel_step, filter_pictures, strongest_maps

lesson_picker.section("channels")
data = ui.dataset()
picked = lesson_picker.pick_image(data)
if picked is None:
    st.info("Pick an image (or upload a photo) at the top of the page to go on.", icon=":material/arrow_upward:")
    st.stop()

# --- one filter, three colours, a bias, then ReLU ----------------------------------------------
a, b, c, d = st.columns([1.6, 1, 1, 1])
name = a.selectbox("Filter", list(CHANNEL_FILTERS), key="channel_filter")
kernel, default_bias = CHANNEL_FILTERS[name]
bias = b.number_input(
    "Bias", -600, 600, default_bias, step=10, key=f"channel_bias_{name}", help="Added to the 27 products' sum."
)
row = c.number_input("Tile: top row", 0, 29, 14, key="channel_row")
col = d.number_input("Tile: left column", 0, 29, 14, key="channel_col")
step = channel_step(picked.pixels, kernel, bias, row, col)

image_col, *colour_cols = st.columns([1.2, 1, 1, 1])
lesson_picker.show(
    outlined(picked.pixels, row, col, 3, 5),
    f"{picked.caption}: the 3 × 3 tile in orange",
    1,
    image_col,
    alt=f"{picked.caption}, with the 3 × 3 tile from row {row}, column {col} outlined in orange",
)
for k, (colour, column) in enumerate(zip(COLOURS, colour_cols)):
    with column:
        st.markdown(f"**{colour.capitalize()}**: the tile, then the weights")
        st.dataframe(pd.DataFrame(step["tiles"][..., k]).astype(int), hide_index=True, key=f"channel_tile_{k}")
        st.dataframe(pd.DataFrame(kernel[..., k]).round(3), hide_index=True, key=f"channel_weights_{k}")
        st.markdown(f"Sum of the 9 products: **{step['sums'][k]:.1f}**")

guess_key = f"guess_relu_{name}_{bias}_{row}_{col}_{picked.caption}"
if ui.guess(relu_guess(step), guess_key):
    red, green, blue = step["sums"]
    st.markdown(
        f"red {red:.1f} + green {green:.1f} + blue {blue:.1f} + bias {bias:g} = **{step['total']:.1f}**; "
        f"after ReLU: **{step['relu']:.1f}**, one number of this filter's feature map."
    )
    maps = channel_maps(picked.pixels, kernel, bias)
    limit = maps["largest"] or 1.0
    left, right = st.columns(2)
    for column, values, title in (
        (left, maps["before"], "Before ReLU: sums and bias"),
        (right, maps["after"], "After ReLU"),
    ):
        column.plotly_chart(
            charts.grids.signed_heatmap(values, limit, title, "value", mark=(row + 1, col + 1)),
            key=f"channel_map_{title}",
        )
    st.caption(
        f"The “{name}” filter over the whole picture, with padding: one number per pixel. Purple is positive, "
        "orange negative, white 0; the outlined square is the tile's centre. "
        f"ReLU turned {maps['zeroed']:,} of the map's {maps['before'].size:,} numbers into 0."
    )

# --- the model's first layer -------------------------------------------------------------------
lesson_picker.section("convolution_real")
path = ui.require_model()  # the network's own filters: without a model it says how to get one, and stops

from cnn_lab.lessons.maths import layer_activations  # noqa: E402  (Keras is loaded only from here on)
from cnn_lab.network.model import cnn_of  # noqa: E402

model = ui.model()
steps = layer_activations(model, picked.pixels)
by_name = {s["name"]: i for i, s in enumerate(steps)}
if "conv1" not in by_name or "pool1" not in by_name:
    st.error("This model has no layers named conv1 and pool1: it was not built by CNN Lab.")
    st.stop()
crop = steps[by_name["center_crop"]]["output"]
maps = steps[by_name["pool1"] - 1]["output"]  # what the pooling gets: conv1 (then batch-norm and) ReLU
pooled_maps = steps[by_name["pool1"]]["output"]
kernel1, *_ = cnn_of(model).get_layer("conv1").get_weights()
count = kernel1.shape[-1]

crop_col, order_col, show_col = st.columns([1, 2, 1], vertical_alignment="center")
lesson_picker.show(crop, "What the network sees", 6, crop_col, alt=f"the centre 24 × 24 of {picked.caption}")
order = order_col.radio("Which filters", ["the 8 that react most to this image", "in order"], key="filters_order")
if order == "in order":
    start = show_col.number_input(f"From filter (1 to {count - 7})", 1, max(1, count - 7), 1, key="filters_start") - 1
    chosen = list(range(start, min(start + 8, count)))
else:
    chosen = strongest_maps(maps, 8)
st.plotly_chart(charts.convolution.filters_figure(kernel1, maps, pooled_maps, chosen), key="first_layer")
st.caption(
    f"Top: filter (its {kernel1.shape[0]} × {kernel1.shape[1]} × 3 weights as colours). Middle: its "
    f"{maps.shape[0]} × {maps.shape[1]} feature map after ReLU (yellow = strong answer, dark purple = 0). Bottom: "
    f"after 2 × 2 max-pooling, {pooled_maps.shape[0]} × {pooled_maps.shape[1]}. Hover for the numbers. Shown: "
    f"filters {', '.join(str(f + 1) for f in chosen)}."
)

lesson_picker.section("convolution_filters")
pictures = filter_pictures(kernel1)[:count]
scale = max(2, 800 // (16 * (kernel1.shape[0] + 1) + 1))
lesson_picker.show(
    grid(pictures, columns=16, pad=1),
    f"The {count} filters of the first layer ({ui.model_path().name})",
    scale=scale,
    alt=f"all {count} filters of the first layer as small coloured squares, "
    f"{kernel1.shape[0]} × {kernel1.shape[1]} pixels each, 16 to a row",
)

ui.check_questions("channels")
