"""Grids of numbers drawn as coloured squares: a picture's pixels, a layer's feature maps, a small grid
with its numbers written in (the lessons, and the Compare page's confusion difference)."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from charts.style import frame_cells, hide_axes
from cnn_lab.network.images import ORANGE, SKY_BLUE

GREYSCALE = [[0.0, "black"], [1.0, "white"]]
CHANNEL_SCALES = {
    "red": [[0, "black"], [1, "#ff0000"]],
    "green": [[0, "black"], [1, "#00ff00"]],
    "blue": [[0, "black"], [1, "#0000ff"]],
}


def squares(values, colorscale, zmin, zmax, value_hover: str, **more) -> go.Heatmap:
    """One grid of numbers as coloured squares; hover says the row, the column and `value_hover`."""
    return go.Heatmap(
        z=values,
        colorscale=colorscale,
        zmin=zmin,
        zmax=zmax,
        hovertemplate=f"row %{{y}}, column %{{x}}<br>{value_hover}<extra></extra>",
        **more,
    )


def pixel_heatmap(
    values,
    *,
    colorscale=GREYSCALE,
    zmin=0,
    zmax=255,
    numbers: bool = True,
    title: str = "",
    height: int = 620,
    number_format: str = "%{z:.0f}",
    value_name: str = "value",
    colorbar: bool = True,
    font_size: int = 9,
    mark: tuple[int, int] | None = None,
) -> go.Figure:
    """A grid of numbers drawn as coloured squares, row 0 at the top, the numbers written in the
    cells; hover says the row, the column and the value; drag to zoom, double-click to reset.
    `mark`: a (row, column) cell to outline."""
    values = np.asarray(values)
    figure = go.Figure(
        squares(
            values,
            colorscale,
            zmin,
            zmax,
            f"{value_name} %{{z}}",
            showscale=colorbar,
            texttemplate=number_format if numbers else None,
            textfont={"size": font_size},
            colorbar={"thickness": 12},
        )
    )
    figure.update_yaxes(autorange="reversed", scaleanchor="x", constrain="domain")
    figure.update_xaxes(constrain="domain", side="top")
    if mark is not None:
        frame_cells(figure, *mark, ORANGE, 3)
    figure.update_layout(
        title={"text": title, "y": 0.99, "yanchor": "top"},
        height=height,
        margin={"l": 30, "r": 10, "t": 55 if title else 25, "b": 5},
    )
    return figure


def signed_heatmap(values, limit: float, title: str, value_name: str, **more) -> go.Figure:
    """A map of signed numbers (a filter's sums, a feature map) without the numbers written: orange below 0,
    purple above, white at 0, the colours running from -limit to +limit."""
    return pixel_heatmap(
        values,
        numbers=False,
        height=360,
        colorscale="PuOr",
        zmin=-limit,
        zmax=limit,
        title=title,
        value_name=value_name,
        **more,
    )


def maps_figure(
    maps, titles, *, columns: int = 8, colorscale="Viridis", size: int = 110, shared_scale: bool = False
) -> go.Figure:
    """Small heatmaps side by side (feature maps, filters...), hover for row, column and value."""
    maps = list(maps)
    rows = -(-len(maps) // columns)
    figure = make_subplots(
        rows=rows,
        cols=columns,
        subplot_titles=titles,
        horizontal_spacing=0.01,
        vertical_spacing=0.25 / max(rows, 1) + 0.02,
    )
    low = min(float(np.min(m)) for m in maps) if shared_scale else None
    high = max(float(np.max(m)) for m in maps) if shared_scale else None
    for i, values in enumerate(maps):
        r, c = divmod(i, columns)
        figure.add_trace(
            squares(values, colorscale, low, high, "%{z:.3f}", showscale=False),
            row=r + 1,
            col=c + 1,
        )
    figure.update_yaxes(autorange="reversed", scaleanchor="x")
    hide_axes(figure)
    for i in range(1, len(maps) + 1):
        figure.update_yaxes(scaleanchor=f"x{i if i > 1 else ''}", row=(i - 1) // columns + 1, col=(i - 1) % columns + 1)
    figure.update_annotations(font_size=11)
    figure.update_layout(height=rows * size + 40, margin={"l": 5, "r": 5, "t": 30, "b": 5})
    return figure


def number_grid(figure, values, highlight, row, col, text=None, fmt="{:g}"):
    """A grid of numbers as white squares; `highlight` (same shape: 0 none, 1 light, 2 strong) tints them."""
    scale = [[0, "#f3f3f3"], [0.5, "#cfe6f5"], [1, SKY_BLUE]]
    text = [
        [("" if v is None or (isinstance(v, float) and np.isnan(v)) else fmt.format(v)) for v in line]
        for line in (values.tolist() if text is None else text)
    ]
    figure.add_trace(
        go.Heatmap(
            z=highlight,
            zmin=0,
            zmax=2,
            colorscale=scale,
            showscale=False,
            text=text,
            texttemplate="%{text}",
            textfont={"size": 16},
            xgap=2,
            ygap=2,
            hovertemplate="row %{y}, column %{x}: %{text}<extra></extra>",
        ),
        row=row,
        col=col,
    )
