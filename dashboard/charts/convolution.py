"""Lesson 4's and the Channels page's figures: a filter sliding over a tile, max-pooling step by step,
and a trained first layer's filters with their feature maps."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from charts.grids import number_grid
from charts.style import frame_cells, hide_axes
from cnn_lab.network.images import GREY, ORANGE
from cnn_lab.lessons.maths import filter_pictures


def pooling_figure(values, pooled, rows, cols, step: int, hidden: bool = False) -> go.Figure:
    """The article's max-pooling figure, live: the grid with the current 2x2 window framed and the
    maximum of each window done so far tinted; the output filled in up to this step (`hidden`: up to
    the step before, the current window's maximum not yet marked: the student guesses it first)."""
    h, w = values.shape
    oh, ow = pooled.shape
    figure = make_subplots(
        rows=1,
        cols=2,
        column_widths=[h, oh + 0.6],
        horizontal_spacing=0.08,
        subplot_titles=(f"Input {h} × {w}", f"Output {oh} × {ow}"),
    )
    done = np.zeros(oh * ow, bool)
    done[: step - 1 if hidden else step] = True
    done = done.reshape(oh, ow)
    i, j = divmod(step - 1, ow)
    highlight = np.zeros_like(values, dtype=float)
    highlight[rows[done], cols[done]] = 1
    if not hidden:
        highlight[rows[i, j], cols[i, j]] = 2
    number_grid(figure, values, highlight, 1, 1)
    out_text = [[(f"{pooled[a, b]:g}" if done[a, b] else "?") for b in range(ow)] for a in range(oh)]
    out_high = np.where(done, 1.0, 0.0)
    out_high[i, j] = 2
    number_grid(figure, pooled, out_high, 1, 2, text=out_text, fmt="{}")
    for a in range(oh):  # the windows, thin; the current one thick and orange
        for b in range(ow):
            frame_cells(figure, 2 * a, 2 * b, GREY, 1, row=1, col=1, size=2)
    frame_cells(figure, 2 * i, 2 * j, ORANGE, 4, row=1, col=1, size=2)
    frame_cells(figure, i, j, ORANGE, 4, row=1, col=2)
    figure.update_yaxes(autorange="reversed", scaleanchor="x", row=1, col=1)
    figure.update_yaxes(autorange="reversed", scaleanchor="x2", row=1, col=2)
    hide_axes(figure)
    figure.update_layout(height=330, margin={"l": 5, "r": 5, "t": 30, "b": 5}, plot_bgcolor="white")
    return figure


def convolution_figure(tile, kernel, one: dict, feature, r: int, q: int, hidden: bool = False) -> go.Figure:
    """tile (with the filter's place framed) x filter = products -> their sum, one cell of the feature map.
    `hidden`: the products and this cell's sum show "?" (the student guesses its sign first)."""
    n, k, m = tile.shape[0], kernel.shape[0], feature.shape[0]
    figure = make_subplots(
        rows=1,
        cols=4,
        column_widths=[n, k, k, m],
        horizontal_spacing=0.04,
        subplot_titles=(f"Tile {n} × {n} (greyscale)", "× filter", "= products", f"sums: feature map {m} × {m}"),
    )
    high = np.zeros_like(tile)
    high[r : r + k, q : q + k] = 1
    number_grid(figure, tile, high, 1, 1, fmt="{:.0f}")
    number_grid(figure, kernel, np.ones_like(kernel), 1, 2, fmt="{:.3g}")
    products = [[("?" if hidden else f"{v:.0f}") for v in line] for line in one["products"].tolist()]
    number_grid(figure, one["products"], np.ones_like(kernel), 1, 3, text=products, fmt="{}")
    done = np.zeros(feature.size, bool)
    done[: r * m + q + 1] = True
    done = done.reshape(feature.shape)
    text = [[(f"{feature[a, b]:.0f}" if done[a, b] else "") for b in range(m)] for a in range(m)]
    if hidden:
        text[r][q] = "?"
    high_out = done.astype(float)
    high_out[r, q] = 2
    number_grid(figure, feature, high_out, 1, 4, text=text, fmt="{}")
    frame_cells(figure, r, q, ORANGE, 4, row=1, col=1, size=k)
    frame_cells(figure, r, q, ORANGE, 4, row=1, col=4)
    for c in range(1, 5):
        figure.update_yaxes(
            autorange="reversed", scaleanchor=f"x{c if c > 1 else ''}", constrain="domain", row=1, col=c
        )
    hide_axes(figure)
    figure.update_layout(height=330, margin={"l": 5, "r": 5, "t": 30, "b": 5}, plot_bgcolor="white")
    figure.update_traces(textfont={"size": 11})
    return figure


def filters_figure(kernel, maps, pooled, chosen) -> go.Figure:
    """For each chosen filter of a first convolution layer: its weights as an RGB picture, its
    feature map, and the map after max-pooling, one column per filter."""
    figure = make_subplots(
        rows=3,
        cols=len(chosen),
        vertical_spacing=0.04,
        horizontal_spacing=0.015,
        subplot_titles=[f"filter {f + 1}" for f in chosen],
        row_heights=[1, 1, 1],
    )
    high = max(float(maps[..., chosen].max()), 1e-6)
    pictures = filter_pictures(kernel)
    for c, f in enumerate(chosen, start=1):
        figure.add_trace(
            go.Image(z=pictures[f], hovertemplate="weight row %{y}, column %{x}<extra></extra>"), row=1, col=c
        )
        for row, values in ((2, maps[..., f]), (3, pooled[..., f])):
            figure.add_trace(
                go.Heatmap(
                    z=values,
                    zmin=0 if values.min() >= 0 else None,
                    zmax=high,
                    colorscale="Viridis",
                    showscale=False,
                    hovertemplate="row %{y}, column %{x}<br>%{z:.3f}<extra></extra>",
                ),
                row=row,
                col=c,
            )
            figure.update_yaxes(autorange="reversed", row=row, col=c)
    for i in range(1, 3 * len(chosen) + 1):
        figure.update_yaxes(
            scaleanchor=f"x{i if i > 1 else ''}",
            constrain="domain",
            row=(i - 1) // len(chosen) + 1,
            col=(i - 1) % len(chosen) + 1,
        )
    hide_axes(figure)
    figure.update_annotations(font_size=12)
    figure.update_layout(height=420, margin={"l": 5, "r": 5, "t": 25, "b": 5})
    return figure
