"""The map of the test images (The map): each image a dot where the network puts it, in its true class's
colour and shape, the network's mistakes ringed, a student's image as a star."""

from __future__ import annotations

import base64

import numpy as np
import plotly.graph_objects as go

from charts.style import hide_axes
from cnn_lab.network.images import BLACK, CLASS_COLOURS, VERMILLION, jpeg

# one shape per class besides its colour, so that no class is told apart by colour alone
CLASS_SHAPES = (
    "circle",
    "square",
    "diamond",
    "triangle-up",
    "triangle-down",
    "cross",
    "star-square",
    "hexagon",
    "triangle-left",
    "pentagon",
)


def map_figure(
    positions,
    labels,
    predictions,
    class_names,
    mark_mistakes: bool = True,
    star=None,
    star_name: str = "",
    chosen: int | None = None,
    pictures=None,
    height: int = 620,
) -> go.Figure:
    """Every test image as a dot at `positions` (N, 2), one trace per true class (click a class in the legend to
    hide it, its mistakes' rings with it); hover says the image's number, its class and the network's answer; a
    click selects it (customdata = its index). `star`: (x, y) of a new image, named `star_name`; `chosen`: an
    image to ring; `pictures`: a cnn_lab.network.image_map.Mosaic drawn under the dots, which then fade."""
    positions, labels, predictions = np.asarray(positions), np.asarray(labels), np.asarray(predictions)
    figure = go.Figure()
    size = 5 if len(positions) > 2000 else 9  # 10,000 small dots, or a sample's 200 large enough to see
    answer = np.array(class_names, dtype=object)[predictions]
    for c, name in enumerate(class_names):
        mine = np.flatnonzero(labels == c)
        figure.add_trace(
            go.Scattergl(
                x=positions[mine, 0],
                y=positions[mine, 1],
                mode="markers",
                name=name,
                legendgroup=name,
                marker={
                    "color": CLASS_COLOURS[c],
                    "symbol": CLASS_SHAPES[c],
                    "size": size,
                    "opacity": 0.8 if pictures is None else 0.1,  # faint over the pictures, there to hover and click
                },
                customdata=np.stack([mine, answer[mine]], 1),
                hovertemplate=f"#%{{customdata[0]}}: {name}<br>the network said %{{customdata[1]}}<extra></extra>",
            )
        )
    for c, name in enumerate(class_names if mark_mistakes else ()):
        wrong = np.flatnonzero((labels == c) & (predictions != labels))
        figure.add_trace(  # in its class's legend group: hiding a class hides its rings too
            go.Scattergl(
                x=positions[wrong, 0],
                y=positions[wrong, 1],
                mode="markers",
                name=f"{name}: mistakes",
                legendgroup=name,
                showlegend=False,
                marker={
                    "symbol": "circle-open",
                    "size": size + 4,
                    "color": VERMILLION,
                    "opacity": 0.55,
                    "line": {"width": 1},
                },
                hoverinfo="skip",
            )
        )
    if chosen is not None:
        figure.add_trace(
            go.Scatter(
                x=[positions[chosen, 0]],
                y=[positions[chosen, 1]],
                mode="markers",
                name=f"image #{chosen}",
                marker={"symbol": "circle-open", "size": 30, "color": BLACK, "line": {"width": 4}},
                hoverinfo="skip",
            )
        )
    if star is not None:
        figure.add_trace(
            go.Scatter(
                x=[star[0]],
                y=[star[1]],
                mode="markers+text",
                name=star_name,
                text=[star_name],
                textposition="top center",
                textfont={"size": 15, "color": BLACK},
                marker={"symbol": "star", "size": 24, "color": VERMILLION, "line": {"width": 2, "color": BLACK}},
                hoverinfo="skip",
            )
        )
    if pictures is not None:
        figure.add_layout_image(
            source=jpeg_uri(pictures.image),
            xref="x",
            yref="y",
            x=pictures.left,
            y=pictures.top,
            sizex=pictures.right - pictures.left,
            sizey=pictures.top - pictures.bottom,
            sizing="stretch",
            layer="below",
        )
    hide_axes(figure)
    figure.update_yaxes(scaleanchor="x", scaleratio=1)  # t-SNE's distances mean the same across and up
    figure.update_layout(
        height=height,
        margin={"l": 10, "r": 10, "t": 10, "b": 10},
        legend={"itemsizing": "constant", "title": {"text": "true class"}, "y": 0.93},  # below the tool bar
        plot_bgcolor="white",
        clickmode="event+select",
        dragmode="pan",
    )
    return figure


def jpeg_uri(pixels: np.ndarray) -> str:
    """A picture as a data: address Plotly can draw."""
    return "data:image/jpeg;base64," + base64.b64encode(jpeg(pixels)).decode("ascii")
