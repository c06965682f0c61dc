"""A training run's curves (the Train page): loss and accuracy per batch, test accuracy per epoch, the
article's line, and the same in words for who cannot see the chart."""

from __future__ import annotations

import plotly.graph_objects as go
from plotly.subplots import make_subplots

from charts.style import ARTICLE_LINE, draw_article_line
from cnn_lab.runs.records import Snapshot
from cnn_lab.formatting import minutes_and_seconds
from cnn_lab.network.images import BLUE, GREEN, ORANGE, SKY_BLUE, VERMILLION
from cnn_lab.runs.eta import crossing_words

MAX_POINTS = 400  # batches drawn per training curve: enough for the shape, light enough to redraw every second


def training_curves(snap: Snapshot) -> go.Figure:
    """Loss and accuracy per batch (smoothed), test accuracy per epoch, and the article's line,
    from a run's snapshot (its batches, history and epochs)."""
    batches, history = snap.batches, snap.history
    every = max(1, -(-len(batches) // MAX_POINTS))
    drawn = batches[::every] + ([batches[-1]] if batches and (len(batches) - 1) % every else [])
    x = [b.epoch for b in drawn]
    figure = make_subplots(
        rows=1, cols=2, horizontal_spacing=0.1, subplot_titles=("Training loss (smoothed, per batch)", "Accuracy")
    )
    figure.add_trace(
        go.Scatter(x=x, y=[b.loss for b in drawn], name="training loss", line={"color": ORANGE, "width": 2}),
        row=1,
        col=1,
    )
    figure.add_trace(
        go.Scatter(
            x=x,
            y=[100 * b.accuracy for b in drawn],
            name="training accuracy (per batch)",
            line={"color": BLUE, "width": 2},
        ),
        row=1,
        col=2,
    )
    tested = snap.tested
    figure.add_trace(
        go.Scatter(
            x=[h.epoch for h in tested],
            y=[100 * h.test_accuracy for h in tested],
            name="test accuracy (per epoch)",
            mode="lines+markers",
            marker={"symbol": "diamond", "size": 10},
            line={"color": VERMILLION, "width": 3},
        ),
        row=1,
        col=2,
    )
    if validated := [h for h in history if h.validated]:  # the held-out training images, after each epoch
        figure.add_trace(
            go.Scatter(
                x=[h.epoch for h in validated],
                y=[100 * h.validation_accuracy for h in validated],
                name=f"validation accuracy ({validated[-1].validation_images:,} held-out training images)",
                mode="lines+markers",
                marker={"symbol": "square", "size": 8},
                line={"color": SKY_BLUE, "width": 2, "dash": "dot"},
            ),
            row=1,
            col=2,
        )
    if checks := snap.checks:  # within epochs, on the first test images only
        figure.add_trace(
            go.Scatter(
                x=[c.epoch for c in checks],
                y=[100 * c.test_accuracy for c in checks],
                name=f"test accuracy (within epochs, first {checks[-1].test_images:,} test images)",
                mode="markers",
                marker={"symbol": "diamond-open", "size": 10, "color": VERMILLION, "line": {"width": 2}},
            ),
            row=1,
            col=2,
        )
    draw_article_line(figure, row=1, col=2)
    if crossed := snap.crossed:  # the moment the line was passed, on every test image
        figure.add_trace(
            go.Scatter(
                x=[crossed.epoch],
                y=[100 * crossed.test_accuracy],
                name=crossing_words(crossed),
                mode="markers+text",
                marker={"symbol": "star", "size": 18, "color": GREEN, "line": {"color": "black", "width": 1}},
                text=[f"passed after {minutes_and_seconds(crossed.seconds)}"],
                textposition="top left",
            ),
            row=1,
            col=2,
        )
    epochs = snap.epochs or 1
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


def training_curves_in_words(snap: Snapshot) -> str:
    """The text alternative of training_curves: where the curves stand now."""
    last = snap.batches[-1]  # its step counts every batch so far (the curve keeps only some of them)
    words = (
        f"The curves: after {last.step:,} batches the smoothed training loss is {last.loss:.2f} "
        f"and the training accuracy {100 * last.accuracy:.1f} %"
    )
    tested = [(h.epoch, h.test_accuracy) for h in snap.tested]
    if tested:
        shown = tested[-8:]
        when = "each epoch" if len(shown) == len(tested) else f"epochs {shown[0][0]} to {shown[-1][0]}"
        words += f"; test accuracy after {when}: {', '.join(f'{100 * t:.1f} %' for _, t in shown)}"
    if validated := [h for h in snap.history if h.validated]:
        words += f"; validation accuracy after the last epoch: {100 * validated[-1].validation_accuracy:.1f} %"
    words += f" ({ARTICLE_LINE})"
    return words + (f". {crossing_words(snap.crossed)}." if snap.crossed else ".")
