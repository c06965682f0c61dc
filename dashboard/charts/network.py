"""Lesson 5's figures of the whole network: its blocks left to right, and a layer that is one row of numbers."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from cnn_lab.network.images import BLUE, GREY, ORANGE


def network_diagram(blocks) -> go.Figure:
    """The whole network in one picture, left to right (cnn_lab.lessons.maths.network_outline): a box per block, as
    tall as its maps are wide (a row of numbers is a thin orange bar), named above and with its shape below
    ("?" where the page keeps the shape for a guess)."""
    figure = go.Figure()
    tallest = max(b["shape"][0] for b in blocks if len(b["shape"]) == 3)
    for x, block in enumerate(blocks):
        shape = block["shape"]
        height = 0.6 * shape[0] / tallest if len(shape) == 3 else 0.06
        figure.add_shape(
            type="rect",
            x0=x - 0.3,
            x1=x + 0.3,
            y0=-height / 2,
            y1=height / 2,
            fillcolor=BLUE if len(shape) == 3 else ORANGE,
            line={"width": 0},
        )
        inside = f"<br><i>+ {' + '.join(block['also'])}</i>" if block["also"] else ""
        figure.add_annotation(x=x, y=0.36, yanchor="bottom", text=f"{block['label']}{inside}", showarrow=False)
        words = "<br>×".join(f"{n:,}" for n in shape) if block["shown"] else "?"
        figure.add_annotation(x=x, y=-0.36, yanchor="top", text=words, showarrow=False)
        if x:
            figure.add_annotation(
                x=x - 0.32,
                y=0,
                ax=x - 0.68,
                ay=0,
                xref="x",
                yref="y",
                axref="x",
                ayref="y",
                showarrow=True,
                arrowhead=2,
                arrowwidth=1.5,
                arrowcolor=GREY,
                text="",
            )
    figure.add_trace(  # hover: each block's shape (once shown) and its parameters
        go.Scatter(
            x=list(range(len(blocks))),
            y=[0] * len(blocks),
            mode="markers",
            marker={"size": 30, "opacity": 0},
            hovertemplate=[
                f"{b['label'].replace('<br>', ' ')}: "
                f"{' × '.join(map(str, b['shape'])) if b['shown'] else '? (guess below)'}, "
                f"{b['params']:,} parameters set by training<extra></extra>"
                for b in blocks
            ],
            showlegend=False,
        )
    )
    figure.update_xaxes(visible=False, range=[-0.5, len(blocks) - 0.5])
    figure.update_yaxes(visible=False, range=[-0.75, 0.75])
    figure.update_layout(height=300, margin={"l": 5, "r": 5, "t": 5, "b": 5}, font={"size": 11})
    return figure


def vector_figure(values) -> go.Figure:
    """A long row of numbers (a flattened or fully connected layer) as a strip of coloured bars."""
    values = np.asarray(values).ravel()
    figure = go.Figure(
        go.Bar(
            y=values,
            marker={"color": values, "colorscale": "Viridis"},
            hovertemplate="number %{x}: %{y:.3f}<extra></extra>",
        )
    )
    figure.update_layout(
        height=260,
        bargap=0,
        margin={"l": 10, "r": 10, "t": 10, "b": 10},
        xaxis_title="position in the row",
        yaxis_title="value",
    )
    return figure
