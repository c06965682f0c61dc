"""The map: every test image where the network's last hidden layer puts it (t-SNE), beside the same map made from
the pixels; a click opens an image, and the student's own image lands among its nearest test images."""

import streamlit as st

import charts.image_map
import ui
from cnn_lab.lessons.guesses import neighbours_guess
from cnn_lab.network.images import grid
from cnn_lab.network.photo import top
from ui import lesson_picker

NETWORK, PIXELS = "the network's last hidden layer", "the pixels the network sees"

lesson_picker.section("network_map")
data, result = ui.evaluation()
path = ui.model_path()
network_map = ui.image_map(path, data, ui.model_label(path))
from cnn_lab.network.image_map import MAPS, mosaic  # noqa: E402  (Keras loads once the progress is drawn)

pixel_map = MAPS.find(None, data)
if pixel_map is None:
    MAPS.start(None, data)  # made in the background, after the network's, for the toggle below
names = list(data.class_names)

if not ui.guess(neighbours_guess(network_map.agreement, pixel_map and pixel_map.agreement), "guess_map_neighbours"):
    st.stop()

made_from = st.radio("Made from", [NETWORK, PIXELS], horizontal=True, key="map_made_from")
left, right = st.columns(2)
pictures = left.toggle(
    "Show the pictures",
    key="map_pictures",
    help="Each square of the map shows the test image whose dot is nearest its middle. Scroll to zoom in.",
)
mark = right.toggle("Ring the network's mistakes", value=True, key="map_mistakes", disabled=pictures)
mark = mark and not pictures
shown = network_map if made_from == NETWORK else ui.image_map(None, data, "the pixels")
chart_slot = st.container()
st.caption(
    f"Each dot is one of the {result.total:,} test images, in its true class's colour and shape. Hover for its "
    "picture, number and the network's answer; click it to open it below; click a class in the legend to hide it. "
    + (f"Rings mark the network's {result.total - result.correct:,} mistakes. " if mark else "")
    + f"On average, **{10 * shown.agreement:.1f}** of an image's 10 nearest dots are of its class on this map"
    + (
        f" (the other map: {10 * other.agreement:.1f})."
        if (other := pixel_map if made_from == NETWORK else network_map) is not None
        else "."
    )
)
lesson_picker.section("network_map_reading")


def open_clicked() -> None:
    points = st.session_state["map_chart"]["selection"]["points"]
    if points and "customdata" in points[0]:
        lesson_picker.choose_test_image(int(points[0]["customdata"][0]))


st.header("Put an image on the map")
picked = lesson_picker.pick_image(data)
star = near = None
if picked is not None:
    if picked.index is not None:  # a test image: it is on the map already
        near = shown.neighbours_of(picked.index)
        probabilities = result.probabilities[picked.index]
    else:  # a photo: placed among its nearest test images by the same numbers
        from cnn_lab.network.image_map import features_of
        from cnn_lab.network.model import predict

        model = ui.model()
        star, near = shown.place(features_of(model if shown is network_map else None, picked.pixels[None])[0])
        probabilities = predict(model, picked.pixels[None])[0]

with chart_slot:
    figure = charts.image_map.map_figure(
        shown.positions,
        shown.labels,
        result.predictions,
        names,
        mark_mistakes=mark,
        star=star,
        star_name="your photo",
        chosen=None if picked is None else picked.index,
        pictures=mosaic(shown.positions, data.x_test) if pictures else None,
    )
    st.plotly_chart(
        figure, key="map_chart", on_select=open_clicked, selection_mode="points", config={"scrollZoom": True}
    )
    ui.hover_pictures(data.x_test, data.description, chart="map_chart")

if picked is not None:
    image_col, about_col = st.columns([1, 3])
    lesson_picker.show(picked.pixels, picked.caption, 5, image_col, alt=picked.caption)
    with about_col:
        where = "ringed in black on the map" if picked.index is not None else "the star on the map"
        st.markdown(f"**{picked.caption}**, {where}. The network's top 3:")
        for c, p in top(probabilities):
            st.progress(p, text=f"{names[c]}: {100 * p:.1f} %")
    said = ", ".join(f"{n} {names[c]}" for c, n in shown.classes_among(near))
    lesson_picker.show(
        grid(data.x_test[near], columns=10, pad=2),
        f"Its 10 nearest test images by the numbers of {made_from}: {said}",
        2,
        alt=f"the 10 test images nearest to it by the numbers this map is made from: {said}",
    )

ui.check_questions("network_map")
