"""Inside the network: what one filter of conv1, conv2 or conv3 wants. The picture that excites it most
(gradient ascent from grey, kept per model version, layer, filter and place) and the 9 test images whose
patches excite it most (cnn_lab.network.filter_wants and filter_search compute them; this page reads widgets
and draws)."""

import streamlit as st

import ui
from ui import lesson_picker

lesson_picker.section("filter_wants")
path = ui.require_model()  # without a model it says how to get one, and stops
data = ui.dataset()
lesson_picker.crisp()

from cnn_lab.lessons.filter_guesses import patch_guess  # noqa: E402  (Keras is loaded only from here on)
from cnn_lab.network import filter_search  # noqa: E402
from cnn_lab.network import filter_wants as fw  # noqa: E402
from cnn_lab.network.gradients import NoGradients  # noqa: E402
from cnn_lab.network.model import cnn_of  # noqa: E402
from cnn_lab.settings import file_version  # noqa: E402

PLACES = {"at one place: the middle of its grid": "centre", "everywhere: its mean over the grid": "everywhere"}

model = ui.model()
version = file_version(path)
try:
    cnn = cnn_of(model)
except ValueError:
    st.error("This model has no inner network named 'cnn': it was not built by CNN Lab.", icon=":material/error:")
    st.stop()
blocks = fw.blocks(cnn)
if not blocks:
    st.error("This model has no convolution layers, so it has no filters to show.", icon=":material/error:")
    st.stop()

a, b, c = st.columns([1, 1, 2])
layer = a.selectbox("Layer", list(blocks), key="filter_layer")
count = blocks[layer].filters
number = b.number_input(f"Filter (1 to {count})", 1, count, 1, key=f"filter_number_{layer}")
place = c.radio("Make the filter answer strongly", list(PLACES), key="filter_place")
filter_index, where = int(number) - 1, PLACES[place]
side = cnn.input_shape[1]
fields = {name: fw.receptive_field(cnn, name) for name in blocks}
field = fields[layer]

if not ui.guess(patch_guess(layer, fields, side), f"guess_filter_patch_{layer}"):
    st.stop()


@st.cache_data(max_entries=64, show_spinner=False)
def favourite(_cnn, model_version: tuple, layer: str, filter_index: int, where: str):
    """The gradient ascent's picture, once per model file version, layer, filter and place."""
    return fw.favourite_input(_cnn, layer, filter_index, where)


made, found = st.columns(2, gap="large")
with made:
    lesson_picker.section("filter_wants_picture")
    try:
        with st.spinner(f"Climbing from grey: {fw.STEPS} steps..."):
            best = favourite(cnn, version, layer, filter_index, where)
    except (NoGradients, fw.FilterError) as e:
        st.error(str(e), icon=":material/error:")
        st.stop()
    pixels, second = fw.favourite_views(cnn, best)
    name = f"{layer}, filter {number}"
    if where == "everywhere":
        lesson_picker.show(
            pixels,
            f"What {name} wants everywhere (24 × 24)",
            8,
            alt=f"the 24 × 24 picture made to raise the mean answer of {name} over its whole grid",
        )
        lesson_picker.show(
            second,
            "The same picture repeated 3 × 3",
            4,
            alt="the same picture tiled three times across and three times down, to show its repeated pattern",
        )
    else:
        lesson_picker.show(
            second,
            f"What {name} wants at the middle of its grid: the orange square is the {field.size} × {field.size} "
            "patch that place sees",
            1,
            alt=f"the 24 × 24 picture made to raise the answer of {name} at the middle of its grid, "
            f"grey outside the {field.size} × {field.size} patch outlined in orange",
        )
    rows, cols = fw.inside_places(cnn, layer)
    over = f"its mean over the {len(rows)} × {len(cols)} places whose patch lies inside the picture"
    st.caption(
        f"The filter's answer before ReLU ({over if where == 'everywhere' else 'at the middle'})"
        f": {best.at_grey:.2f} for the grey picture, {best.reached:.2f} after {fw.STEPS} steps."
    )

with found:
    lesson_picker.section("filter_wants_patches")
    answers = ui.layer_search(path, data, layer)  # in the background: None, and its progress, until found
    if answers is not None:
        patches = filter_search.strongest_patches(answers, filter_index, side)
        framed, cut = filter_search.patch_pictures(data.x_test, patches, side)
        names = data.class_names
        listed = "; ".join(f"#{p.image:,} {names[int(data.y_test[p.image])]} ({p.answer:.2f})" for p in patches)
        lesson_picker.show(
            framed,
            f"The {len(patches)} test images (of {len(data.x_test):,}) where {name} answers most strongly, "
            f"its patch in orange",
            1,
            alt=f"{len(patches)} test images, each with a square of up to {field.size} × {field.size} pixels outlined "
            f"in orange: {listed}",
        )
        alt = f"the {len(patches)} outlined patches, cut out"
        lesson_picker.show(cut, "The patches themselves, enlarged", 1, alt=alt)
        st.caption(f"Strongest first, image number, class and answer before ReLU: {listed}.")

ui.check_questions("filter_wants")
