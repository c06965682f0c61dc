"""One image's 10 class probabilities: all of them as bars (Lesson 5), the 5 most likely (Your photo)."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from cnn_lab.network.images import BLUE, GREY


def probability_bars(probabilities, class_names, title: str = "") -> go.Figure:
    """The 10 class probabilities as a bar chart, the most likely class highlighted."""
    probabilities = np.asarray(probabilities, np.float64)
    best = int(probabilities.argmax())
    colours = [BLUE if i == best else GREY for i in range(len(probabilities))]
    figure = go.Figure(
        go.Bar(
            x=list(class_names),
            y=probabilities * 100,
            marker_color=colours,
            text=[f"{p:.1%}" for p in probabilities],
            textposition="outside",
            hovertemplate="%{x}: %{y:.2f} %<extra></extra>",
        )
    )
    figure.update_yaxes(title="probability (%)", range=[0, 110])
    figure.update_layout(title=title, height=340, margin={"l": 10, "r": 10, "t": 40 if title else 10, "b": 10})
    return figure


def top5_figure(probabilities, class_names) -> go.Figure:
    """The 5 most likely classes, most likely on top, the answer in blue."""
    p = np.asarray(probabilities, np.float64)
    order = np.argsort(-p, kind="stable")
    best, top5 = int(order[0]), order[:5][::-1]
    figure = go.Figure(
        go.Bar(
            x=p[top5] * 100,
            y=[class_names[c] for c in top5],
            orientation="h",
            marker_color=[BLUE if c == best else GREY for c in top5],
            text=[f"{100 * p[c]:.1f} %" for c in top5],
            textposition="outside",
            hovertemplate="%{y}: %{x:.2f} %<extra></extra>",
        )
    )
    figure.update_xaxes(title="probability (%)", range=[0, 115])
    figure.update_layout(
        title=f"Top 5: {class_names[best]} ({p[best]:.0%})", height=300, margin={"l": 10, "r": 10, "t": 40, "b": 10}
    )
    return figure
