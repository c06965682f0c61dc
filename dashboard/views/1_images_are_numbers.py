"""Lesson 1: a picture is a grid of numbers (greyscale), or three grids (red, green, blue)."""

import streamlit as st

import charts.grids
from ui import lesson_picker
import ui
from cnn_lab.lessons.captions import scaled, value_range
from cnn_lab.lessons.maths import GREY_WEIGHTS, greyscale, greyscale_uint8

lesson_picker.section("images_are_numbers")
data = ui.dataset()
ui.data_badge(data)
picked = lesson_picker.pick_image(data)
if picked is None:
    st.stop()
pixels = picked.pixels

small, large = st.columns([1, 3], vertical_alignment="bottom")
with small:
    st.image(pixels, width=32, caption="True size: 32 × 32 pixels", output_format="PNG", alt="")  # the same picture
with large:
    lesson_picker.show(
        pixels,
        f"{picked.caption}, enlarged 8 times",
        scale=8,
        alt=f"{picked.caption}, 32 × 32 pixels shown 8 times enlarged",
    )

# --- greyscale ---------------------------------------------------------------------------------
lesson_picker.section("images_are_numbers_grey")
r, g, b = GREY_WEIGHTS
grey = greyscale_uint8(pixels)
darkest, lightest = value_range(grey)
left, right = st.columns([1, 2], vertical_alignment="center")
with left:
    lesson_picker.show(
        grey,
        "The same picture in greyscale",
        scale=6,
        alt=f"{picked.caption} in greyscale: grey values from {darkest} to {lightest}",
    )
with right:
    st.latex(rf"\text{{grey}} = {r}\,R + {g}\,G + {b}\,B")
    st.markdown("**Try one pixel** (it is outlined in orange in the grids below):")
    c1, c2 = st.columns(2)
    row = c1.number_input("Row", 0, 31, 16, key="grey_row")
    col = c2.number_input("Column", 0, 31, 16, key="grey_col")
    R, G, B = (int(v) for v in pixels[row, col])
    exact = float(greyscale(pixels[row, col]))
    st.latex(rf"{r} \times {R} + {g} \times {G} + {b} \times {B} = {exact:.2f} \approx {grey[row, col]}")

numbers = st.toggle("Write the numbers in the squares", value=True, key="grey_numbers")
st.caption("Hover over a square for its row, column and value. Drag a box to zoom in, double-click to zoom out.")
st.plotly_chart(
    charts.grids.pixel_heatmap(
        grey,
        numbers=numbers,
        height=700,
        value_name="grey",
        mark=(row, col),
        title="The greyscale picture as the computer stores it: 0 = black, 255 = white",
    ),
    key="grey_heatmap",
)
st.caption(
    f"The grid above: 32 rows × 32 columns of grey values, from {darkest} (darkest) to {lightest} "
    f"(lightest); row {row}, column {col} holds {grey[row, col]}."
)

# --- colour ------------------------------------------------------------------------------------
lesson_picker.section("images_are_numbers_colour")
channel_numbers = st.toggle(
    "Write the numbers in the squares",
    value=False,
    key="rgb_numbers",
    help="The numbers are small at this size: drag a box over a few squares to read them.",
)
for column, (index, name) in zip(st.columns(3), enumerate(("red", "green", "blue"))):
    with column:
        st.plotly_chart(
            charts.grids.pixel_heatmap(
                pixels[..., index],
                colorscale=charts.grids.CHANNEL_SCALES[name],
                numbers=channel_numbers,
                title=f"{name.capitalize()} (0 to 255)",
                height=300,
                value_name=name,
                colorbar=False,
                font_size=6,
                mark=(row, col),
            ),
            key=f"channel_{name}",
        )
st.caption(
    f"Pixel (row {row}, column {col}) is red {R}, green {G}, blue {B}: each of the three grids holds one number for it."
)

# --- shape -------------------------------------------------------------------------------------
lesson_picker.section("images_are_numbers_shape")
stored, divided = value_range(pixels), value_range(scaled(pixels))
a, b_ = st.columns(2)
a.metric("Shape of the array", " × ".join(map(str, pixels.shape)), help="rows × columns × colours")
b_.metric("How many numbers", f"{pixels.size:,}")
st.table(
    {
        "form": ["as stored (uint8)", "÷ 255 (the whole picture, before the crop)"],
        "smallest value": [str(stored[0]), f"{divided[0]:.3f}"],
        "largest value": [str(stored[1]), f"{divided[1]:.3f}"],
        "possible range": ["0 to 255", "0 to 1"],
    }
)

ui.check_questions("images_are_numbers")
