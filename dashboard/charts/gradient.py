"""The Gradient page's figure: the loss along one weight, and gradient descent walking down it."""

from __future__ import annotations

import plotly.graph_objects as go

from cnn_lab.network.images import BLUE, GREY, VERMILLION


def descent_figure(weights, losses, path, best: float) -> go.Figure:
    """The loss along one weight (a line), and gradient descent on it: each step a numbered point, joined
    in order; the bottom of the curve marked."""
    figure = go.Figure(
        go.Scatter(
            x=weights,
            y=losses,
            mode="lines",
            name="the loss",
            line={"color": GREY, "width": 3},
            hovertemplate="weight %{x:.2f}: loss %{y:.3f}<extra></extra>",
        )
    )
    figure.add_trace(
        go.Scatter(
            x=[p["weight"] for p in path],
            y=[p["loss"] for p in path],
            mode="lines+markers+text",
            name="the steps",
            line={"color": VERMILLION, "width": 2},
            marker={"size": 10, "color": VERMILLION},
            text=[str(p["step"]) for p in path],
            textposition="top center",
            hovertemplate=[
                f"step {p['step']}: weight {p['weight']:.3f}, loss {p['loss']:.3f}, "
                f"slope {p['slope']:+.3f}<extra></extra>"
                for p in path
            ],
        )
    )
    figure.add_vline(
        x=best, line={"color": BLUE, "dash": "dash"}, annotation_text="the bottom", annotation_position="top"
    )
    top = max(float(max(losses)), max(p["loss"] for p in path))
    figure.update_xaxes(title="the weight w", range=[float(min(weights)), float(max(weights))])
    figure.update_yaxes(title="the loss (average cross-entropy)", range=[0, top * 1.08])
    figure.update_layout(
        height=420, margin={"l": 10, "r": 10, "t": 30, "b": 10}, legend={"orientation": "h", "y": -0.2}
    )
    return figure
