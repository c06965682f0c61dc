"""Every Plotly figure the pages draw, built from numbers the pages get from cnn_lab.

One palette (Okabe-Ito, defined in cnn_lab.images with the pictures that use it), one way to hide
axes. No Streamlit here: tests/test_charts.py builds every figure without a page.
"""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from cnn_lab.images import BLUE, GREEN, GREY, ORANGE, PURPLE, SKY_BLUE, VERMILLION
from cnn_lab.lessons import filter_pictures
from cnn_lab.formatting import minutes_and_seconds
from cnn_lab.recipes import ARTICLE_ACCURACY
from cnn_lab.target import crossing_words

GREYSCALE = [[0.0, "black"], [1.0, "white"]]
CHANNEL_SCALES = {
    "red": [[0, "black"], [1, "#ff0000"]],
    "green": [[0, "black"], [1, "#00ff00"]],
    "blue": [[0, "black"], [1, "#0000ff"]],
}
ARTICLE_LINE = f"the article: {100 * ARTICLE_ACCURACY:.2f} %"
MAX_POINTS = 400  # batches drawn per training curve: enough for the shape, light enough to redraw every second


def hide_axes(figure: go.Figure, **where) -> go.Figure:
    """No ticks, numbers, grid or zero line on the axes (of the subplot `where` names, else all): for
    pictures and grids, where the rows and columns are in the hover text."""
    hidden = {"showticklabels": False, "ticks": "", "showgrid": False, "zeroline": False, "constrain": "domain"}
    figure.update_xaxes(**hidden, **where)
    figure.update_yaxes(**hidden, **where)
    return figure


# --- the lessons -------------------------------------------------------------------------------


def _squares(values, colorscale, zmin, zmax, value_hover: str, **more) -> go.Heatmap:
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
        _squares(
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
        _cell(figure, *mark, ORANGE, 3)
    figure.update_layout(
        title={"text": title, "y": 0.99, "yanchor": "top"},
        height=height,
        margin={"l": 30, "r": 10, "t": 55 if title else 25, "b": 5},
    )
    return figure


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
            _squares(values, colorscale, low, high, "%{z:.3f}", showscale=False),
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


def _cell(figure, r, c, colour, width=3, row=None, col=None, dash=None, size=1):
    """Frame the size x size cells whose top-left cell is (r, c)."""
    figure.add_shape(
        type="rect",
        x0=c - 0.5,
        x1=c + size - 0.5,
        y0=r - 0.5,
        y1=r + size - 0.5,
        row=row,
        col=col,
        line={"color": colour, "width": width, "dash": dash},
    )


def _number_grid(figure, values, highlight, row, col, text=None, fmt="{:g}"):
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
    _number_grid(figure, values, highlight, 1, 1)
    out_text = [[(f"{pooled[a, b]:g}" if done[a, b] else "?") for b in range(ow)] for a in range(oh)]
    out_high = np.where(done, 1.0, 0.0)
    out_high[i, j] = 2
    _number_grid(figure, pooled, out_high, 1, 2, text=out_text, fmt="{}")
    for a in range(oh):  # the windows, thin; the current one thick and orange
        for b in range(ow):
            _cell(figure, 2 * a, 2 * b, GREY, 1, row=1, col=1, size=2)
    _cell(figure, 2 * i, 2 * j, ORANGE, 4, row=1, col=1, size=2)
    _cell(figure, i, j, ORANGE, 4, row=1, col=2)
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
    _number_grid(figure, tile, high, 1, 1, fmt="{:.0f}")
    _number_grid(figure, kernel, np.ones_like(kernel), 1, 2, fmt="{:.3g}")
    products = [[("?" if hidden else f"{v:.0f}") for v in line] for line in one["products"].tolist()]
    _number_grid(figure, one["products"], np.ones_like(kernel), 1, 3, text=products, fmt="{}")
    done = np.zeros(feature.size, bool)
    done[: r * m + q + 1] = True
    done = done.reshape(feature.shape)
    text = [[(f"{feature[a, b]:.0f}" if done[a, b] else "") for b in range(m)] for a in range(m)]
    if hidden:
        text[r][q] = "?"
    high_out = done.astype(float)
    high_out[r, q] = 2
    _number_grid(figure, feature, high_out, 1, 4, text=text, fmt="{}")
    _cell(figure, r, q, ORANGE, 4, row=1, col=1, size=k)
    _cell(figure, r, q, ORANGE, 4, row=1, col=4)
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


# --- training ----------------------------------------------------------------------------------


def training_curves(snap: dict) -> go.Figure:
    """Loss and accuracy per batch (smoothed), test accuracy per epoch, and the article's line,
    from a run's snapshot (its "batches", "history" and "epochs")."""
    batches, history = snap["batches"], snap["history"]
    every = max(1, -(-len(batches) // MAX_POINTS))
    drawn = batches[::every] + ([batches[-1]] if batches and (len(batches) - 1) % every else [])
    x = [b["epoch"] for b in drawn]
    figure = make_subplots(
        rows=1, cols=2, horizontal_spacing=0.1, subplot_titles=("Training loss (smoothed, per batch)", "Accuracy")
    )
    figure.add_trace(
        go.Scatter(x=x, y=[b["loss"] for b in drawn], name="training loss", line={"color": ORANGE, "width": 2}),
        row=1,
        col=1,
    )
    figure.add_trace(
        go.Scatter(
            x=x,
            y=[100 * b["accuracy"] for b in drawn],
            name="training accuracy (per batch)",
            line={"color": BLUE, "width": 2},
        ),
        row=1,
        col=2,
    )
    tested = [h for h in history if h.get("test_accuracy") is not None]
    figure.add_trace(
        go.Scatter(
            x=[h["epoch"] for h in tested],
            y=[100 * h["test_accuracy"] for h in tested],
            name="test accuracy (per epoch)",
            mode="lines+markers",
            marker={"symbol": "diamond", "size": 10},
            line={"color": VERMILLION, "width": 3},
        ),
        row=1,
        col=2,
    )
    validated = [h for h in history if h.get("validation_accuracy") is not None]
    if validated:  # the held-out training images, after each epoch
        figure.add_trace(
            go.Scatter(
                x=[h["epoch"] for h in validated],
                y=[100 * h["validation_accuracy"] for h in validated],
                name=f"validation accuracy ({validated[-1]['validation_images']:,} held-out training images)",
                mode="lines+markers",
                marker={"symbol": "square", "size": 8},
                line={"color": SKY_BLUE, "width": 2, "dash": "dot"},
            ),
            row=1,
            col=2,
        )
    if checks := snap.get("checks"):  # within epochs, on the first test images only
        figure.add_trace(
            go.Scatter(
                x=[c["epoch"] for c in checks],
                y=[100 * c["test_accuracy"] for c in checks],
                name=f"test accuracy (within epochs, first {checks[-1]['test_images']:,} test images)",
                mode="markers",
                marker={"symbol": "diamond-open", "size": 10, "color": VERMILLION, "line": {"width": 2}},
            ),
            row=1,
            col=2,
        )
    figure.add_hline(
        y=100 * ARTICLE_ACCURACY,
        line={"color": GREEN, "dash": "dash", "width": 2},
        row=1,
        col=2,
        annotation_text=ARTICLE_LINE,
        annotation_position="top left",
    )  # in the text colour: AA
    if crossed := snap.get("crossed"):  # the moment the line was passed, on every test image
        figure.add_trace(
            go.Scatter(
                x=[crossed["epoch"]],
                y=[100 * crossed["test_accuracy"]],
                name=crossing_words(crossed),
                mode="markers+text",
                marker={"symbol": "star", "size": 18, "color": GREEN, "line": {"color": "black", "width": 1}},
                text=[f"passed after {minutes_and_seconds(crossed['seconds'])}"],
                textposition="top left",
            ),
            row=1,
            col=2,
        )
    epochs = snap.get("epochs") or 1
    figure.update_xaxes(title_text="epoch", range=[0, epochs], dtick=max(1, epochs // 10))
    figure.update_yaxes(title_text="loss", rangemode="tozero", row=1, col=1)
    figure.update_yaxes(title_text="accuracy (%)", range=[0, 100], row=1, col=2)
    figure.update_layout(
        height=380,
        margin={"l": 10, "r": 10, "t": 40, "b": 10},
        hovermode="x unified",
        legend={"orientation": "h", "yanchor": "top", "y": -0.18, "x": 0},
    )
    return figure


def training_curves_in_words(snap: dict) -> str:
    """The text alternative of training_curves: where the curves stand now."""
    last = snap["batches"][-1]  # its step counts every batch so far (the curve keeps only some of them)
    words = (
        f"The curves: after {last['step']:,} batches the smoothed training loss is {last['loss']:.2f} "
        f"and the training accuracy {100 * last['accuracy']:.1f} %"
    )
    tested = [(h["epoch"], h["test_accuracy"]) for h in snap["history"] if h.get("test_accuracy") is not None]
    if tested:
        shown = tested[-8:]
        when = "each epoch" if len(shown) == len(tested) else f"epochs {shown[0][0]} to {shown[-1][0]}"
        words += f"; test accuracy after {when}: {', '.join(f'{100 * t:.1f} %' for _, t in shown)}"
    if validated := [h for h in snap["history"] if h.get("validation_accuracy") is not None]:
        words += f"; validation accuracy after the last epoch: {100 * validated[-1]['validation_accuracy']:.1f} %"
    words += f" ({ARTICLE_LINE})"
    return words + (f". {crossing_words(snap['crossed'])}." if snap.get("crossed") else ".")


# --- results -----------------------------------------------------------------------------------


def per_class_figure(class_names, accuracy, right, seen) -> go.Figure:
    """Each class's accuracy (fractions) as a bar: blue above the article's overall accuracy, vermillion below."""
    percent = [100 * a for a in accuracy]
    figure = go.Figure(
        go.Bar(
            y=list(class_names),
            x=percent,
            orientation="h",
            marker_color=[BLUE if a >= ARTICLE_ACCURACY else VERMILLION for a in accuracy],
            text=[f"{p:.1f} %  ({r} / {n})" for p, r, n in zip(percent, right, seen)],
            textposition=["inside" if p > 50 else "outside" for p in percent],
            cliponaxis=False,
            insidetextfont_color=["white" if a >= ARTICLE_ACCURACY else "black" for a in accuracy],  # AA on either bar
            hovertemplate="%{y}: %{x:.1f} %<extra></extra>",
        )
    )
    figure.add_vline(
        x=100 * ARTICLE_ACCURACY,
        line={"color": GREEN, "dash": "dash", "width": 2},
        annotation_text=f"{ARTICLE_LINE} overall",
        annotation_position="top",
    )  # in the text colour: AA
    figure.update_xaxes(range=[0, 100], title_text="test images of the class classified right (%)")
    figure.update_yaxes(autorange="reversed", tickfont_size=15)
    figure.update_layout(height=440, margin={"l": 10, "r": 10, "t": 40, "b": 10}, font_size=15, showlegend=False)
    return figure


def confusion_figure(counts, class_names, mistakes_only: bool, selected: tuple[int, int]) -> go.Figure:
    """The confusion matrix counts[true, predicted] on the Cividis scale (the mistakes only, or every
    cell), each count written in its cell, the `selected` (true, predicted) cell framed in vermillion,
    and one invisible marker per cell so that a click selects it (heatmaps cannot be clicked)."""
    counts = np.asarray(counts)
    names = list(class_names)
    size = len(names)
    diagonal = np.eye(size, dtype=bool)
    coloured = np.where(diagonal & mistakes_only, np.nan, counts.astype(float))
    figure = go.Figure()
    figure.add_trace(
        go.Heatmap(
            z=coloured,
            x=names,
            y=names,
            colorscale="Cividis",
            hoverinfo="skip",
            xgap=1,
            ygap=1,
            colorbar={"title": "mistakes" if mistakes_only else "images", "thickness": 14},
        )
    )
    if mistakes_only:  # the right answers: on a plain light background
        figure.add_trace(
            go.Heatmap(
                z=np.where(diagonal, 1.0, np.nan),
                x=names,
                y=names,
                colorscale=[[0, "#E8E8E8"], [1, "#E8E8E8"]],
                showscale=False,
                hoverinfo="skip",
                xgap=1,
                ygap=1,
            )
        )
    # The counts, white on the dark end of the scale and black on the light end, so every one reads.
    top = max(1.0, np.nanmax(coloured)) if np.isfinite(coloured).any() else 1.0
    for (t, p), n in np.ndenumerate(counts):
        light = (mistakes_only and t == p) or counts[t, p] / top > 0.55
        figure.add_annotation(
            x=names[p],
            y=names[t],
            text=str(n),
            showarrow=False,
            font={"size": 16, "color": "black" if light else "white"},
        )
    t, p = np.indices((size, size))
    figure.add_trace(
        go.Scatter(
            x=[names[i] for i in p.ravel()],
            y=[names[i] for i in t.ravel()],
            mode="markers",
            marker={"symbol": "square", "size": 50, "color": "rgba(0,0,0,0)"},
            customdata=counts.ravel(),
            hovertemplate="true class: <b>%{y}</b><br>the network said: <b>%{x}</b><br>%{customdata} images"
            "<br>click to see them<extra></extra>",
            showlegend=False,
        )
    )
    true, predicted = selected
    figure.add_shape(
        type="rect",
        x0=predicted - 0.5,
        x1=predicted + 0.5,
        y0=true - 0.5,
        y1=true + 0.5,
        line={"color": VERMILLION, "width": 4},
    )  # stands out on the whole Cividis scale
    figure.update_xaxes(
        title_text="what the network said (predicted class)", side="top", tickfont_size=15, showgrid=False
    )
    figure.update_yaxes(title_text="true class", autorange="reversed", tickfont_size=15, showgrid=False)
    figure.update_layout(
        height=720,
        margin={"l": 10, "r": 10, "t": 10, "b": 10},
        clickmode="event+select",
        plot_bgcolor="white",
        dragmode=False,
    )
    return figure


# --- your photo --------------------------------------------------------------------------------


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


# --- you vs the network ------------------------------------------------------------------------

ANSWER_COLOURS = (BLUE, ORANGE, GREEN, PURPLE)  # the network, people (CIFAR-10H), then a class, in this order
CLASS_COLOUR = PURPLE  # a class round's class, in every figure of it


def answers_figure(
    class_names,
    series,
    true: int | None,
    answer: int | None = None,
    title: str = "",
    colours=ANSWER_COLOURS,
    network_answer: int | None = None,
) -> go.Figure:
    """Who said what for one image, each as a share from 0 to 100 %: `series` is a list of (name, shares),
    e.g. [("the network's probabilities", probabilities), ("people's answers (CIFAR-10H)", counts / people)],
    shares from 0 to 1 over the 10 classes, drawn in `colours` in order. Two kinds of share: people's (and a
    class's) are how many of them gave each answer; the network's are its probabilities, how sure it is of
    each class, of which it answers one, the largest (`network_answer`). The true class (None: not shown yet),
    the student's answer and the network's are named beside their rows; the first class at the top."""
    rows = []
    for c, name in enumerate(class_names):
        named = (("true", c == true), ("your answer", c == answer), ("the network's answer", c == network_answer))
        marks = [word for word, chosen in named if chosen]
        rows.append(f"<b>{name} ({', '.join(marks)})</b>" if marks else name)
    figure = go.Figure(
        [
            go.Bar(
                name=name,
                y=rows,
                x=np.asarray(shares, np.float64) * 100,
                orientation="h",
                marker_color=colour,
                text=[f"{100 * s:.0f} %" if s >= 0.005 else "" for s in np.asarray(shares, np.float64)],
                textposition="outside",
                hovertemplate=f"{name}<br>%{{y}}: %{{x:.1f}} %<extra></extra>",
            )
            for (name, shares), colour in zip(series, colours)
        ]
    )
    figure.update_yaxes(autorange="reversed")
    figure.update_xaxes(
        title="%: the network's probability of each class; the share of people (or students) who gave each answer",
        range=[0, 118],
    )
    figure.update_layout(
        title=title,
        barmode="group",
        bargap=0.25,
        showlegend=True,  # also for one series alone (a class round before the reveal: how many answered)
        height=140 + 26 * len(class_names) * max(2, len(series)) // 2,  # room for every class's name
        margin={"l": 10, "r": 10, "t": 40 if title else 10, "b": 10},
        legend={"orientation": "h", "y": -0.18},
    )
    return figure


def class_vs_network_figure(class_curve, network_curve) -> go.Figure:
    """A class round so far: the class's accuracy and the network's after each revealed image (%)."""
    images = list(range(1, len(class_curve) + 1))
    figure = go.Figure()
    for name, curve, colour in (("the class", class_curve, CLASS_COLOUR), ("the network", network_curve, BLUE)):
        figure.add_trace(
            go.Scatter(
                x=images,
                y=[None if value is None else 100 * value for value in curve],  # None: nobody answered yet
                name=name,
                mode="lines+markers",
                line={"color": colour, "width": 3},
                hovertemplate="after image %{x}: %{y:.0f} %<extra>" + name + "</extra>",
            )
        )
    figure.update_xaxes(title="image", dtick=1)
    figure.update_yaxes(title="accuracy so far (%)", range=[-5, 105])
    figure.update_layout(
        height=300, margin={"l": 10, "r": 10, "t": 10, "b": 10}, legend={"orientation": "h", "y": -0.3}
    )
    return figure


# --- comparing runs ----------------------------------------------------------------------------
# Each run keeps its colour and its dash in every chart of the Compare page: colour-blind safe twice.
RUN_COLOURS = (BLUE, VERMILLION, GREEN, PURPLE)
RUN_DASHES = ("solid", "dash", "dot", "dashdot")


def _along(run: dict, by: str) -> list[float]:
    from cnn_lab.compare import seconds

    return seconds(run["history"]) if by == "seconds" else [h["epoch"] for h in run["history"]]


def _x_title(by: str) -> str:
    return "training time (s)" if by == "seconds" else "epoch"


def compare_accuracy_figure(compared: list[dict], by: str = "epoch") -> go.Figure:
    """Test accuracy (markers) and training accuracy (thin) of each run, and the article's line."""
    figure = go.Figure()
    for i, run in enumerate(compared):
        x, colour, dash = _along(run, by), RUN_COLOURS[i], RUN_DASHES[i]
        tested = [(a, h["test_accuracy"]) for a, h in zip(x, run["history"]) if h.get("test_accuracy") is not None]
        figure.add_trace(
            go.Scatter(
                x=[a for a, _ in tested],
                y=[100 * t for _, t in tested],
                name=f"{run['label']}: test",
                mode="lines+markers",
                line={"color": colour, "dash": dash, "width": 3},
            )
        )
        figure.add_trace(
            go.Scatter(
                x=x,
                y=[100 * h["accuracy"] for h in run["history"] if "accuracy" in h],
                name=f"{run['label']}: training",
                mode="lines",
                line={"color": colour, "dash": dash, "width": 1.5},
                opacity=0.7,
            )
        )
    figure.add_hline(
        y=100 * ARTICLE_ACCURACY,
        line={"color": GREEN, "dash": "dash", "width": 2},
        annotation_text=ARTICLE_LINE,
        annotation_position="top left",
    )
    figure.update_xaxes(title_text=_x_title(by))
    figure.update_yaxes(title_text="accuracy (%)", range=[0, 100])
    return _compare_layout(figure, "Accuracy: test (thick, with markers) and training (thin)")


def _run_lines(compared: list[dict], by: str, values) -> go.Figure:
    """One line per run, `values(history)` after every epoch, in the run's colour and dash."""
    figure = go.Figure()
    for i, run in enumerate(compared):
        figure.add_trace(
            go.Scatter(
                x=_along(run, by),
                y=values(run["history"]),
                name=run["label"],
                mode="lines+markers",
                line={"color": RUN_COLOURS[i], "dash": RUN_DASHES[i], "width": 2},
            )
        )
    return figure


def compare_loss_figure(compared: list[dict], by: str = "epoch") -> go.Figure:
    """Each run's training loss after every epoch."""
    figure = _run_lines(compared, by, lambda history: [h.get("loss") for h in history])
    figure.update_xaxes(title_text=_x_title(by))
    figure.update_yaxes(title_text="training loss", rangemode="tozero")
    return _compare_layout(figure, "Training loss")


def gap_figure(compared: list[dict], by: str = "epoch") -> go.Figure:
    """Training minus test accuracy after each epoch: the further above 0, the more it overfits."""
    from cnn_lab.compare import gaps

    figure = _run_lines(compared, by, lambda history: [None if g is None else 100 * g for g in gaps(history)])
    figure.add_hline(y=0, line={"color": GREY, "width": 1})
    figure.update_xaxes(title_text=_x_title(by))
    figure.update_yaxes(title_text="training − test accuracy (points)")
    return _compare_layout(figure, "The gap between training and test accuracy")


def _compare_layout(figure: go.Figure, title: str) -> go.Figure:
    figure.update_layout(
        title=title,
        height=420,
        margin={"l": 10, "r": 10, "t": 50, "b": 10},
        hovermode="x unified",
        legend={"orientation": "h", "yanchor": "top", "y": -0.2, "x": 0},
    )
    return figure


def class_difference_figure(class_names, difference, first: str, second: str) -> go.Figure:
    """Per-class accuracy of the second run minus the first, in points: blue where it is better."""
    points = [100 * d for d in difference]
    figure = go.Figure(
        go.Bar(
            x=points,
            y=list(class_names),
            orientation="h",
            marker_color=[BLUE if p >= 0 else VERMILLION for p in points],
            text=[f"{p:+.1f}" for p in points],
            textposition="outside",
            hovertemplate="%{y}: %{x:+.1f} points<extra></extra>",
        )
    )
    figure.update_yaxes(autorange="reversed")
    figure.update_xaxes(title_text=f"{second} minus {first} (accuracy points)", zeroline=True)
    figure.update_layout(height=380, margin={"l": 10, "r": 30, "t": 10, "b": 10})
    return figure


def confusion_difference_figure(difference, class_names) -> go.Figure:
    """Confusion counts of the second run minus the first: orange where a confusion got more common."""
    difference = np.asarray(difference)
    off = difference[~np.eye(len(difference), dtype=bool)]
    top = max(1, int(np.abs(off).max())) if off.size else 1
    figure = pixel_heatmap(
        np.where(np.eye(len(difference), dtype=bool), np.nan, difference),
        colorscale="PuOr_r",
        zmin=-top,
        zmax=top,
        number_format="%{z:+d}",
        value_name="change",
        height=520,
        font_size=11,
    )
    figure.update_xaxes(tickvals=list(range(10)), ticktext=list(class_names), title_text="said")
    figure.update_yaxes(tickvals=list(range(10)), ticktext=list(class_names), title_text="really")
    return figure


def network_diagram(blocks) -> go.Figure:
    """The whole network in one picture, left to right (cnn_lab.lessons.network_outline): a box per block, as
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
