"""Lesson: how the network learns. The loss, its slope (the gradient) and steps downhill, on a network of one
weight; then why softmax goes with cross-entropy, and what Adam and AdamW add."""

import streamlit as st

import charts.gradient
import ui
from cnn_lab.lessons.gradient import BEST, RATES, curve, descend, jumps_past_the_bottom, loss
from cnn_lab.lessons.guesses import step_guess

ui.lesson("gradient")
a, b, c = st.columns(3)
start = a.slider("Start: the weight w", -5.0, 5.0, -3.0, 0.5, key="gradient_start")
rate = b.select_slider("Learning rate", RATES, value=2, key="gradient_rate")
steps = c.slider("Steps", 0, 20, 6, key="gradient_steps")
path = descend(start, rate, steps)
if ui.guess(step_guess(path[0]["weight"], path[0]["slope"], rate), f"guess_step_{start}"):
    weights, losses = curve(path)
    st.plotly_chart(charts.gradient.descent_figure(weights, losses, path, BEST), key="gradient_descent")
    last = path[-1]
    jumps = jumps_past_the_bottom(path)
    st.caption(
        f"After {last['step']} steps of rate {rate:g}: weight {last['weight']:.3f}, loss {last['loss']:.3f}; "
        f"{jumps} of the steps jumped past the bottom. The bottom is at w = {BEST:.3f} (ln 3), loss "
        f"{float(loss(BEST)):.3f}: there the network says “cat” with 3/4. Hover a point for its slope, "
        "and try a rate of 12 or 20."
    )

ui.lesson("gradient_more")
ui.check_questions("gradient")
