"""What every figure shares: the article's line, hidden axes for pictures and grids, a frame around cells.

The colours are the Okabe-Ito palette, defined once in cnn_lab.network.images with the pictures that use them.
"""

from __future__ import annotations

import plotly.graph_objects as go

from cnn_lab.network.images import GREEN
from cnn_lab.settings import ARTICLE_ACCURACY

ARTICLE_LINE = f"the article: {100 * ARTICLE_ACCURACY:.2f} %"


def hide_axes(figure: go.Figure, **where) -> go.Figure:
    """No ticks, numbers, grid or zero line on the axes (of the subplot `where` names, else all): for
    pictures and grids, where the rows and columns are in the hover text."""
    hidden = {"showticklabels": False, "ticks": "", "showgrid": False, "zeroline": False, "constrain": "domain"}
    figure.update_xaxes(**hidden, **where)
    figure.update_yaxes(**hidden, **where)
    return figure


def frame_cells(figure, r, c, colour, width=3, row=None, col=None, dash=None, size=1):
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


def draw_article_line(figure: go.Figure, **where) -> go.Figure:
    """The article's test accuracy as a dashed green line across the accuracy axis (of the subplot `where` names)."""
    figure.add_hline(
        y=100 * ARTICLE_ACCURACY,
        line={"color": GREEN, "dash": "dash", "width": 2},
        annotation_text=ARTICLE_LINE,
        annotation_position="top left",
        **where,
    )  # in the text colour: AA
    return figure
