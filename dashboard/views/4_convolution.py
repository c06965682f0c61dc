"""Lesson 4: a filter sliding over a greyscale tile, and max-pooling step by step. (The trained model's
first layer, on all three colours, is on the next page: Channels, bias and ReLU.)"""

import pandas as pd
import streamlit as st

import charts.convolution
import charts.grids
from ui import lesson_picker
import ui
from cnn_lab.lessons.captions import colour_limit, value_range
from cnn_lab.lessons.guesses import pool_guess, sign_guess
from cnn_lab.network.images import outlined
from cnn_lab.lessons.maths import conv2d, conv_step, greyscale, max_pool, random_grid

lesson_picker.section("convolution")
data = ui.dataset()
picked = lesson_picker.pick_image(data)

# --- a filter sliding over a tile --------------------------------------------------------------
lesson_picker.section("convolution_kernel")
if picked is None:
    st.info("Pick an image (or upload a photo) at the top of the page to go on.", icon=":material/arrow_upward:")
    st.stop()
KERNELS = {
    "vertical edges": [[1, 0, -1], [2, 0, -2], [1, 0, -1]],
    "horizontal edges": [[1, 2, 1], [0, 0, 0], [-1, -2, -1]],
    "blur (average)": [[1 / 9] * 3] * 3,
    "sharpen": [[0, -1, 0], [-1, 5, -1], [0, -1, 0]],
}
grey = greyscale(picked.pixels).round()
TILE = 8
a, b, c, d = st.columns([1.2, 1, 1, 1.4])
name = a.selectbox("Filter", list(KERNELS), key="kernel_name")
tile_row = b.number_input("Tile: top row", 0, 32 - TILE, 12, key="tile_row")
tile_col = c.number_input("Tile: left column", 0, 32 - TILE, 12, key="tile_col")
positions = (TILE - 2) ** 2
position = d.slider(
    "Filter position",
    1,
    positions,
    1,
    key="kernel_position",
    help=f"The 3 × 3 filter fits in {TILE - 2} × {TILE - 2} = {positions} places on the {TILE} × {TILE} tile.",
)
kernel_col, image_col, _ = st.columns([1, 1, 1], vertical_alignment="center")
with kernel_col:
    names = ["left", "middle", "right"]  # the filter's columns
    kernel = st.data_editor(
        pd.DataFrame(KERNELS[name], columns=names).round(3),
        key=f"kernel_editor_{name}",
        hide_index=True,
        column_config={k: st.column_config.NumberColumn(k, width=60, required=True, format="%.3g") for k in names},
    ).to_numpy(dtype=float, na_value=0)
    st.caption("The filter's 9 weights: click one to change it.")
with image_col:
    lesson_picker.show(
        outlined(picked.pixels, tile_row, tile_col, TILE, 5),
        f"{picked.caption}: the tile in orange",
        1,
        alt=f"{picked.caption}, with the {TILE} × {TILE} tile from row {tile_row}, column {tile_col} "
        "outlined in orange",
    )

tile = grey[tile_row : tile_row + TILE, tile_col : tile_col + TILE]
feature = conv2d(tile, kernel)
r, q = divmod(position - 1, TILE - 2)
one = conv_step(tile, kernel, r, q)
sign_key = f"guess_sign_{tile_row}_{tile_col}_{position}_" + "_".join(f"{k:g}" for k in kernel.ravel())
sum_slot = st.empty()  # the figure, below the guess that hides its sum
shown = ui.guess(sign_guess(tile, kernel, r, q), sign_key)
sum_slot.plotly_chart(
    charts.convolution.convolution_figure(tile, kernel, one, feature, r, q, hidden=not shown), key="conv_figure"
)
if shown:
    terms = " + ".join(
        f"{t:g} × {k:.3g}" if k >= 0 else f"{t:g} × ({k:.3g})" for t, k in zip(one["tile"].ravel(), kernel.ravel())
    )
    st.markdown(f"**Position {position}** (row {r}, column {q}): {terms} = **{one['sum']:.1f}**")

whole = conv2d(grey, kernel, padding="same")
left, right = st.columns(2)
with left:
    st.plotly_chart(
        charts.grids.pixel_heatmap(
            grey, numbers=False, height=360, colorbar=False, title="The whole image in greyscale"
        ),
        key="conv_input",
    )
with right:
    limit = colour_limit(whole)
    st.plotly_chart(
        charts.grids.signed_heatmap(whole, limit, f"Every tile through the “{name}” filter", "sum"),
        key="conv_output",
    )
smallest, largest = value_range(whole)
st.caption(
    "Right: the feature map of the whole picture. At the borders the filter would stick out, so the "
    "picture first gets a frame of zeros (*padding*) and the map stays 32 × 32. "
    "Purple is a large positive sum, orange a large negative one, white about 0. "
    f"Its sums go from {smallest:.0f} to {largest:.0f}."
)

# --- max-pooling, step by step -----------------------------------------------------------------
lesson_picker.section("convolution_pool")
ARTICLE_GRID = [[1, 1, 2, 4], [5, 6, 7, 8], [3, 2, 1, 0], [1, 2, 3, 4]]
if "pool_grid" not in st.session_state:
    st.session_state["pool_grid"] = ARTICLE_GRID
    st.session_state["pool_version"] = 0


def new_grid(size):
    st.session_state["pool_grid"] = random_grid(size)
    st.session_state["pool_version"] += 1  # a fresh editor, showing the new numbers


a, b, c, d = st.columns([1, 1.2, 1.2, 2], vertical_alignment="bottom")
size = a.radio("Grid", [4, 6], format_func=lambda n: f"{n} × {n}", horizontal=True, key="pool_size")
b.button(
    "Random numbers", icon=":material/casino:", on_click=new_grid, args=(size,), width="stretch", key="pool_random"
)
c.button(
    "The article's grid",
    on_click=lambda: st.session_state.update(
        pool_grid=ARTICLE_GRID, pool_version=st.session_state["pool_version"] + 1, pool_size=4
    ),
    width="stretch",
)
if len(st.session_state["pool_grid"]) != size:
    new_grid(size)
step_slot = d.empty()
editor_col, figure_col = st.columns([1, 2.2], vertical_alignment="center")
with editor_col:
    columns = [f"c{k}" for k in range(size)]
    edited = st.data_editor(
        pd.DataFrame(st.session_state["pool_grid"], columns=columns),
        key=f"pool_editor_{st.session_state['pool_version']}",
        hide_index=True,
        column_config={k: st.column_config.NumberColumn(k, width=44, required=True) for k in columns},
    )
    st.caption("Click a number to change it.")
values = edited.to_numpy(dtype=float, na_value=0)
pooled, rows, cols = max_pool(values)
windows = pooled.size
with step_slot:
    step = st.slider(
        "Step",
        1,
        windows,
        1,
        key=f"pool_step_{size}",
        help="Which 2 × 2 window is being pooled; the output fills in as you go.",
    )
i, j = divmod(step - 1, pooled.shape[1])
window = values[2 * i : 2 * i + 2, 2 * j : 2 * j + 2]
pool_key = f"guess_pool_{step}_" + "_".join(f"{v:g}" for v in window.ravel())
pool_shown = ui.guess(pool_guess(values, step), pool_key)  # below the grid; the figure above waits for it
with figure_col:
    st.plotly_chart(
        charts.convolution.pooling_figure(values, pooled, rows, cols, step, hidden=not pool_shown), key="pool_figure"
    )
if pool_shown:
    st.markdown(
        f"**Step {step} of {windows}:** the window at rows {2 * i}–{2 * i + 1}, columns {2 * j}–{2 * j + 1} "
        f"holds {', '.join(f'{v:g}' for v in window.ravel())}; the largest is **{pooled[i, j]:g}** "
        f"(row {rows[i, j]}, column {cols[i, j]}), which becomes output cell ({i}, {j})."
        + (
            f" The whole output, row by row: {'; '.join(', '.join(f'{v:g}' for v in row) for row in pooled)}."
            if step == windows
            else " Move the step slider on for the next window."
        )
    )

ui.check_questions("convolution")
