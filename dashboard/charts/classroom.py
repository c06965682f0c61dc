"""The classroom pages' figures (You vs the network, Class round, Class question): who said what for one image, a
class round's accuracy against the network's, and how a class voted on a question."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from cnn_lab.network.images import BLUE, GREEN, ORANGE, PURPLE

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
    true_word: str = "true",
) -> go.Figure:
    """Who said what for one image, each as a share from 0 to 100 %: `series` is a list of (name, shares),
    e.g. [("the network's probabilities", probabilities), ("people's answers (CIFAR-10H)", counts / people)],
    shares from 0 to 1 over the 10 classes, drawn in `colours` in order. Two kinds of share: people's (and a
    class's) are how many of them gave each answer; the network's are its probabilities, how sure it is of
    each class, of which it answers one, the largest (`network_answer`). The true class (None: not shown yet),
    the student's answer and the network's are named beside their rows; the first class at the top."""
    rows = []
    for c, name in enumerate(class_names):
        named = ((true_word, c == true), ("your answer", c == answer), ("the network's answer", c == network_answer))
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


VOTE_COLOURS = (ORANGE, PURPLE)  # peer instruction's vote 1, then vote 2


def votes_figure(options, series, correct: int | None = None, mine: int | None = None) -> go.Figure:
    """Peer instruction: each answer's share of a vote (%), `series` a list of (name, shares) for vote 1 and then
    vote 2; the right answer (None: not revealed yet) and this student's vote named beside their rows. The rows
    are "answer 1", "answer 2", ...: the page lists the answers in full beside the chart (they can be long)."""
    numbered = [f"answer {k}" for k in range(1, len(options) + 1)]  # the answers in full are listed beside it
    figure = answers_figure(numbered, series, true=correct, answer=mine, colours=VOTE_COLOURS, true_word="right")
    figure.update_xaxes(title="% of the class's votes")
    return figure
