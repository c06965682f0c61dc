"""How good a model is (the Results and Confusion matrix pages): accuracy per class, and the confusion matrix."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from charts.style import ARTICLE_LINE
from cnn_lab.network.images import BLUE, GREEN, VERMILLION
from cnn_lab.settings import ARTICLE_ACCURACY


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
