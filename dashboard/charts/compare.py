"""The Compare page's figures, also the Train page's experiments: runs side by side, each run in its own
colour and dash in every chart (colour-blind safe twice)."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from charts.grids import pixel_heatmap
from charts.style import draw_article_line
from cnn_lab.runs.compare import ComparedRun, gaps, seconds
from cnn_lab.network.images import BLUE, GREEN, GREY, PURPLE, VERMILLION

RUN_COLOURS = (BLUE, VERMILLION, GREEN, PURPLE)
RUN_DASHES = ("solid", "dash", "dot", "dashdot")


def _along(run: ComparedRun, by: str) -> list[float]:
    return seconds(run.history) if by == "seconds" else [h.epoch for h in run.history]


def _x_title(by: str) -> str:
    return "training time (s)" if by == "seconds" else "epoch"


def compare_accuracy_figure(compared: list[ComparedRun], by: str = "epoch") -> go.Figure:
    """Test accuracy (markers) and training accuracy (thin) of each run, and the article's line."""
    figure = go.Figure()
    for i, run in enumerate(compared):
        x, colour, dash = _along(run, by), RUN_COLOURS[i], RUN_DASHES[i]
        tested = [(a, h.test_accuracy) for a, h in zip(x, run.history) if h.tested]
        figure.add_trace(
            go.Scatter(
                x=[a for a, _ in tested],
                y=[100 * t for _, t in tested],
                name=f"{run.label}: test",
                mode="lines+markers",
                line={"color": colour, "dash": dash, "width": 3},
            )
        )
        figure.add_trace(
            go.Scatter(
                x=x,
                y=[None if h.accuracy is None else 100 * h.accuracy for h in run.history],
                name=f"{run.label}: training",
                mode="lines",
                line={"color": colour, "dash": dash, "width": 1.5},
                opacity=0.7,
            )
        )
    draw_article_line(figure)
    figure.update_xaxes(title_text=_x_title(by))
    figure.update_yaxes(title_text="accuracy (%)", range=[0, 100])
    return _compare_layout(figure, "Accuracy: test (thick, with markers) and training (thin)")


def _run_lines(compared: list[ComparedRun], by: str, values) -> go.Figure:
    """One line per run, `values(history)` after every epoch, in the run's colour and dash."""
    figure = go.Figure()
    for i, run in enumerate(compared):
        figure.add_trace(
            go.Scatter(
                x=_along(run, by),
                y=values(run.history),
                name=run.label,
                mode="lines+markers",
                line={"color": RUN_COLOURS[i], "dash": RUN_DASHES[i], "width": 2},
            )
        )
    return figure


def compare_loss_figure(compared: list[ComparedRun], by: str = "epoch") -> go.Figure:
    """Each run's training loss after every epoch."""
    figure = _run_lines(compared, by, lambda history: [h.loss for h in history])
    figure.update_xaxes(title_text=_x_title(by))
    figure.update_yaxes(title_text="training loss", rangemode="tozero")
    return _compare_layout(figure, "Training loss")


def gap_figure(compared: list[ComparedRun], by: str = "epoch") -> go.Figure:
    """Training minus test accuracy after each epoch: the further above 0, the more it overfits."""
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
