"""The figures of the lessons on the data: images per class and per batch (Lesson 2), and an augmented
picture's values before the clip to [0, 1] (Lesson 3)."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from cnn_lab.network.images import BLUE, GREEN, GREY, ORANGE, VERMILLION


def class_counts_figure(class_names, train_counts, test_counts) -> go.Figure:
    """Training and test images per class, side by side."""
    figure = go.Figure(
        [
            go.Bar(name=name, x=list(class_names), y=counts, marker_color=colour, text=[f"{n:,}" for n in counts])
            for name, counts, colour in (("training", train_counts, BLUE), ("test", test_counts, ORANGE))
        ]
    )
    figure.update_traces(textposition="outside")
    figure.update_layout(
        barmode="group",
        height=320,
        margin={"l": 10, "r": 10, "t": 30, "b": 10},
        yaxis_title="images",
        legend={"orientation": "h", "y": 1.12},
        yaxis_range=[0, max(max(train_counts), 1) * 1.18],
    )
    return figure


def batch_counts_figure(class_names, counts) -> go.Figure:
    """How many images of each class one batch holds."""
    figure = go.Figure(go.Bar(x=list(class_names), y=counts, marker_color=GREEN, text=counts, textposition="outside"))
    figure.update_layout(
        title="Classes in this batch",
        height=280,
        yaxis_title="images",
        yaxis_range=[0, max(max(counts), 1) * 1.25],
        margin={"l": 10, "r": 10, "t": 40, "b": 10},
    )
    return figure


def clip_histogram(before_clip) -> go.Figure:
    """The values of an augmented picture before the clip to [0, 1], with 0 and 1 marked."""
    values = np.asarray(before_clip).ravel()
    low, high = float(values.min()), float(values.max())
    figure = go.Figure(
        go.Histogram(x=values, nbinsx=60, marker_color=GREY, hovertemplate="values %{x}: %{y}<extra></extra>")
    )
    for edge in (0, 1):
        figure.add_vline(x=edge, line_color=VERMILLION, line_dash="dash")
    figure.update_xaxes(range=[min(-0.1, low - 0.05), max(1.1, high + 0.05)])
    figure.update_layout(
        title=f"Before the clip: {low:.2f} to {high:.2f}",
        height=300,
        xaxis_title="value (the dashed lines are 0 and 1)",
        yaxis_title="how many",
        margin={"l": 10, "r": 10, "t": 40, "b": 10},
    )
    return figure
