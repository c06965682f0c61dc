"""Lesson 5: the real model's layers (output shape, parameters) and one image flowing through
every one of them, ending in the 10 class probabilities."""

import pandas as pd
import streamlit as st

import charts.grids
import charts.network
import charts.probabilities
from ui import lesson_picker
import ui
from cnn_lab.lessons.captions import above_zero, map_average, nearly_equal, value_range
from cnn_lab.lessons.guesses import class_guess, shape_guess, shape_text
from cnn_lab.network.photo import ranking
from cnn_lab.lessons.texts import lesson_items

WHAT = lesson_items("network_layers")  # what each kind of layer does, in plain words


def what(step) -> str:
    text = WHAT.get(step["kind"], "")
    if step["activation"] in ("relu", "softmax"):
        text += ", " + WHAT[step["activation"]]
    return text


def shape(step) -> str:
    return shape_text(step["output"].shape)


def shape_key(name: str) -> str:
    return f"guess_shape_{ui.model_path().name}_{name}"


lesson_picker.section("network")
data = ui.dataset()
picked = lesson_picker.pick_image(data)
ui.require_model()  # this page shows a trained network: without one it says how to get one, and stops
if picked is None:
    st.stop()

from cnn_lab.lessons.maths import layer_activations, network_outline, strongest_maps  # noqa: E402  (Keras is loaded only from here on)
from cnn_lab.network.model import predict  # noqa: E402

model = ui.model()
steps = layer_activations(model, picked.pixels)
total, trained = sum(s["params"] for s in steps), sum(s["trained"] for s in steps)
st.header(f"The layers of `{ui.model_path().name}`")
guessed = {s["name"] for s in steps if ui.answered(shape_key(s["name"]))}
st.plotly_chart(charts.network.network_diagram(network_outline(steps, shown=guessed)), key="network_diagram")
st.caption(
    "The whole network, drawn from the model's own layers: the picture goes in on the left, 10 probabilities "
    "come out on the right. A box is as tall as its maps are wide; orange bars are rows of numbers. "
    "Each shape appears once you have guessed it below; hover a box for its parameters."
)
st.table(
    pd.DataFrame(
        {
            "layer": [s["name"] for s in steps],
            "kind": [s["kind"] for s in steps],
            "output shape": [shape(s) if ui.answered(shape_key(s["name"])) else "? (guess below)" for s in steps],
            "parameters": [f"{s['trained']:,}" for s in steps],  # set by training: they add up to the caption's
            "what it does": [what(s) for s in steps],
        }
    ).set_index("layer")
)
st.caption(
    f"{trained:,} parameters set by training"
    + (f", and {total - trained:,} averages that batch-norm keeps from it" if total > trained else "")
    + ". Shapes are rows × columns × maps; "
    "each one appears here once you have guessed it below."
)
if "flip_tta" in [layer.name for layer in model.layers]:
    st.caption(
        "This model also looks at the mirror image of the picture and averages the two answers; "
        "below is the path of the picture itself."
    )

lesson_picker.section("network_flow")
names = [s["name"] for s in steps]
name = st.select_slider("Layer", names, value="conv1" if "conv1" in names else names[0], key="network_layer")
index = names.index(name)
step = steps[index]
out = step["output"]
given = steps[index - 1]["output"].shape if index else picked.pixels.shape
shape_shown = ui.guess(shape_guess(name, given, out.shape, what(step)), shape_key(name))
if shape_shown:
    st.markdown(f"**{name}** ({step['kind']}): {what(step)}. Output: **{shape(step)}** = {out.size:,} numbers.")
if not shape_shown or name == "softmax":
    pass  # the output appears once the shape is guessed; softmax's is the bar chart below
elif out.ndim == 3 and name in ("scale", "center_crop"):
    lesson_picker.show(
        out,
        f"{picked.caption}, after {name}: {shape(step)}",
        8 if out.shape[0] == 24 else 6,
        alt=f"{picked.caption} as the layer {name} gives it on: {shape(step)}",
    )
elif out.ndim == 3:
    shown = strongest_maps(out, 16)
    st.plotly_chart(
        charts.grids.maps_figure(
            [out[..., c] for c in shown], [f"map {c + 1}" for c in shown], size=max(90, 110 - out.shape[0])
        ),
        key="network_maps",
    )
    st.caption(
        f"The 16 maps (of {out.shape[-1]}) with the strongest answers for this image; "
        "bright is large (Viridis scale, each map on its own scale). Hover for the numbers. Strongest: "
        f"map {shown[0] + 1} (average {map_average(out, shown[0]):.2f}); weakest shown: map {shown[-1] + 1} "
        f"(average {map_average(out, shown[-1]):.2f})."
    )
else:
    st.plotly_chart(charts.network.vector_figure(out), key="network_vector")
    smallest, largest = value_range(out)
    st.caption(
        f"The {out.size:,} numbers in one row, left to right; hover for each one. They go from "
        f"{smallest:.2f} to {largest:.2f}; {above_zero(out):,} of them are above 0."
    )

probabilities = steps[-1]["output"]
final = predict(model, picked.pixels[None])[0]  # the model's own answer (with its mirror, if any)
best, second = ranking(final)[:2]
st.header("The network's answer")
left, right = st.columns([1, 4], vertical_alignment="center")
lesson_picker.show(picked.pixels, picked.caption, 4, left, alt=picked.caption)
with right:
    class_key = f"guess_class_{ui.model_path().name}_{picked.caption}"
    if ui.guess(class_guess(final, data.class_names), class_key):
        st.markdown(f"It says **{data.class_names[best]}** ({final[best]:.1%}).")
        st.plotly_chart(
            charts.probabilities.probability_bars(
                final, data.class_names, title="The 10 class probabilities (softmax)"
            ),
            key="network_probabilities",
        )
        st.caption(
            f"The bars: {data.class_names[best]} {final[best]:.1%}, then {data.class_names[second]} "
            f"{final[second]:.1%}; the other 8 classes share {1 - final[best] - final[second]:.1%}."
        )
        if not nearly_equal(final, probabilities):
            alone = ranking(probabilities)[0]
            st.caption(
                f"The path above alone says {data.class_names[alone]} "
                f"({probabilities[alone]:.1%}); the bars are its answer averaged with that for the mirror image."
            )

ui.check_questions("network")
