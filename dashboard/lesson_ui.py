"""What the five lesson pages share on the Streamlit side: the image picker and the figures.

No computation here (that is in cnn_lab.lessons) and no TensorFlow: pages 1 and 2 stay light.
"""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go
import streamlit as st

import ui
from cnn_lab.images import enlarge
from cnn_lab.photo import PhotoError, open_photo, to_cifar

ANY = "any class"
GREY = [[0.0, "black"], [1.0, "white"]]
CHANNEL_SCALES = {"red": [[0, "black"], [1, "#ff0000"]], "green": [[0, "black"], [1, "#00ff00"]],
                  "blue": [[0, "black"], [1, "#0000ff"]]}
OKABE_ITO = ["#E69F00", "#56B4E9", "#009E73", "#F0E442", "#0072B2", "#D55E00", "#CC79A7", "#000000",
             "#999999", "#882255"]
# The picker's choices live under these keys; re-assigning them each run keeps them while the
# student moves from page to page (Streamlit forgets the state of widgets a page does not draw).
_KEYS = ("lesson_source", "lesson_class", "lesson_index")


def section(name: str) -> None:
    """Show lessons/<name>.md (one part of a page's lesson)."""
    ui.lesson(name)


class Picked:
    """The image a lesson works on: uint8 (32, 32, 3), a caption, and its label if known."""

    def __init__(self, pixels: np.ndarray, caption: str, label: int | None = None):
        self.pixels, self.caption, self.label = pixels, caption, label


def _class_indices(data, name: str) -> np.ndarray:
    if name == ANY:
        return np.arange(len(data.x_test))
    return np.flatnonzero(data.y_test == data.class_names.index(name))


def _random_index(data) -> None:
    indices = _class_indices(data, st.session_state.get("lesson_class", ANY))
    st.session_state["lesson_index"] = int(np.random.default_rng().integers(len(indices)))


def pick_image(data) -> Picked | None:
    """The picker at the top of each lesson page: a CIFAR-10 test image (class and number, or
    random) or the student's own photo. The choice follows the student from page to page."""
    crisp()
    for key in _KEYS:
        if key in st.session_state:
            st.session_state[key] = st.session_state[key]
    with st.container(border=True):
        source = st.radio("Work on", ["a CIFAR-10 image", "your own photo"], horizontal=True,
                          key="lesson_source")
        if source == "your own photo":
            return _pick_photo()
        left, middle, right = st.columns([2, 2, 1], vertical_alignment="bottom")
        name = left.selectbox("Class", [ANY, *data.class_names], key="lesson_class")
        indices = _class_indices(data, name)
        if st.session_state.get("lesson_index", 0) >= len(indices):
            st.session_state["lesson_index"] = 0
        number = middle.number_input(f"Image (0 to {len(indices) - 1:,})", 0, len(indices) - 1,
                                     key="lesson_index")
        right.button("Random", icon=":material/casino:", on_click=_random_index, args=(data,),
                     width="stretch")
        index = int(indices[int(number)])
        label = int(data.y_test[index])
        return Picked(data.x_test[index], f"test image #{index:,}: {data.class_names[label]}", label)


def _pick_photo() -> Picked | None:
    upload = st.file_uploader("Your photo (JPEG, PNG, WebP...)", type=None, key="lesson_upload")
    if upload is not None:
        st.session_state["lesson_photo"] = (upload.name, upload.getvalue())
    stored = st.session_state.get("lesson_photo")
    if stored is None:
        st.info("Upload a photo: it is cut to its centre square and shrunk to 32×32 pixels, "
                "the size of a CIFAR-10 image.", icon=":material/photo_camera:")
        return None
    name, data = stored
    try:
        pixels = to_cifar(open_photo(data))
    except PhotoError as e:
        st.error(f"{name}: {e}", icon=":material/error:")
        return None
    return Picked(pixels, f"your photo ({name}) at 32×32")


def crisp() -> None:
    """Pixels stay squares even where the browser resizes an image (a column narrower than it)."""
    st.html("<style>[data-testid='stImage'] img, [data-testid='stFullScreenFrame'] img "
            "{image-rendering: pixelated;}</style>")


def show(image, caption: str, scale: int = 8, where=st) -> None:
    """A small image enlarged `scale` times with nearest neighbour (crisp squares), drawn at
    that size (never stretched to the column), with its caption."""
    big = enlarge(image, scale)
    where.image(big, caption=caption, width=big.width, output_format="PNG")


def pixel_heatmap(values, *, colorscale=GREY, zmin=0, zmax=255, numbers: bool = True,
                  title: str = "", height: int = 620, number_format: str = "%{z:.0f}",
                  value_name: str = "value", colorbar: bool = True, font_size: int = 9,
                  mark: tuple[int, int] | None = None) -> go.Figure:
    """A grid of numbers drawn as coloured squares, row 0 at the top, the numbers written in the
    cells; hover says the row, the column and the value; drag to zoom, double-click to reset.
    `mark`: a (row, column) cell to outline."""
    values = np.asarray(values)
    figure = go.Figure(go.Heatmap(
        z=values, colorscale=colorscale, zmin=zmin, zmax=zmax, showscale=colorbar,
        texttemplate=number_format if numbers else None, textfont={"size": font_size},
        hovertemplate=f"row %{{y}}, column %{{x}}<br>{value_name} %{{z}}<extra></extra>",
        colorbar={"thickness": 12}))
    figure.update_yaxes(autorange="reversed", scaleanchor="x", constrain="domain")
    figure.update_xaxes(constrain="domain", side="top")
    if mark is not None:
        r, c = mark
        figure.add_shape(type="rect", x0=c - 0.5, x1=c + 0.5, y0=r - 0.5, y1=r + 0.5,
                         line={"color": OKABE_ITO[0], "width": 3})
    figure.update_layout(title={"text": title, "y": 0.99, "yanchor": "top"}, height=height,
                         margin={"l": 30, "r": 10, "t": 55 if title else 25, "b": 5})
    return figure


def maps_figure(maps, titles, *, columns: int = 8, colorscale="Viridis", size: int = 110,
                shared_scale: bool = False) -> go.Figure:
    """Small heatmaps side by side (feature maps, filters...), hover for row, column and value."""
    from plotly.subplots import make_subplots

    maps = list(maps)
    rows = -(-len(maps) // columns)
    figure = make_subplots(rows=rows, cols=columns, subplot_titles=titles,
                           horizontal_spacing=0.01, vertical_spacing=0.25 / max(rows, 1) + 0.02)
    low = min(float(np.min(m)) for m in maps) if shared_scale else None
    high = max(float(np.max(m)) for m in maps) if shared_scale else None
    for i, values in enumerate(maps):
        r, c = divmod(i, columns)
        figure.add_trace(go.Heatmap(z=values, colorscale=colorscale, showscale=False, zmin=low, zmax=high,
                                    hovertemplate="row %{y}, column %{x}<br>%{z:.3f}<extra></extra>"),
                         row=r + 1, col=c + 1)
    figure.update_yaxes(autorange="reversed", showticklabels=False, ticks="", showgrid=False, scaleanchor="x",
                        constrain="domain")
    figure.update_xaxes(showticklabels=False, ticks="", showgrid=False, constrain="domain")
    for i in range(1, len(maps) + 1):
        figure.update_yaxes(scaleanchor=f"x{i if i > 1 else ''}", row=(i - 1) // columns + 1,
                            col=(i - 1) % columns + 1)
    figure.update_annotations(font_size=11)
    figure.update_layout(height=rows * size + 40, margin={"l": 5, "r": 5, "t": 30, "b": 5})
    return figure


def probability_bars(probabilities, class_names, title: str = "") -> go.Figure:
    """The 10 class probabilities as a bar chart, the most likely class highlighted."""
    probabilities = np.asarray(probabilities, np.float64)
    best = int(probabilities.argmax())
    colours = [OKABE_ITO[4] if i == best else OKABE_ITO[8] for i in range(len(probabilities))]
    figure = go.Figure(go.Bar(x=list(class_names), y=probabilities * 100, marker_color=colours,
                              text=[f"{p:.1%}" for p in probabilities], textposition="outside",
                              hovertemplate="%{x}: %{y:.2f} %<extra></extra>"))
    figure.update_yaxes(title="probability (%)", range=[0, 110])
    figure.update_layout(title=title, height=340, margin={"l": 10, "r": 10, "t": 40 if title else 10, "b": 10})
    return figure


def outlined(pixels, top: int, left: int, size: int, scale: int = 5) -> np.ndarray:
    """The image enlarged `scale` times, with a size x size window at (top, left) framed in orange."""
    big = np.asarray(enlarge(pixels, scale)).copy()
    y0, x0, y1, x1 = top * scale, left * scale, (top + size) * scale - 1, (left + size) * scale - 1
    orange = (230, 159, 0)
    for t in range(2):
        big[y0 + t, x0:x1 + 1] = big[y1 - t, x0:x1 + 1] = orange
        big[y0:y1 + 1, x0 + t] = big[y0:y1 + 1, x1 - t] = orange
    return big


def _cell(figure, r, c, colour, width=3, row=None, col=None, dash=None):
    figure.add_shape(type="rect", x0=c - 0.5, x1=c + 0.5, y0=r - 0.5, y1=r + 0.5, row=row, col=col,
                     line={"color": colour, "width": width, "dash": dash})


def _number_grid(figure, values, highlight, row, col, text=None, fmt="{:g}"):
    """A grid of numbers as white squares; `highlight` (same shape: 0 none, 1 light, 2 strong) tints them."""
    scale = [[0, "#f3f3f3"], [0.5, "#cfe6f5"], [1, "#56B4E9"]]
    text = [[("" if v is None or (isinstance(v, float) and np.isnan(v)) else fmt.format(v)) for v in line]
            for line in (values.tolist() if text is None else text)]
    figure.add_trace(go.Heatmap(z=highlight, zmin=0, zmax=2, colorscale=scale, showscale=False, text=text,
                                texttemplate="%{text}", textfont={"size": 16}, xgap=2, ygap=2,
                                hovertemplate="row %{y}, column %{x}: %{text}<extra></extra>"), row=row, col=col)


def pooling_figure(values, pooled, rows, cols, step: int) -> go.Figure:
    """The article's max-pooling figure, live: the grid with the current 2x2 window framed and the
    maximum of each window done so far tinted; the output filled in up to this step."""
    from plotly.subplots import make_subplots

    h, w = values.shape
    oh, ow = pooled.shape
    figure = make_subplots(rows=1, cols=2, column_widths=[h, oh + 0.6], horizontal_spacing=0.08,
                           subplot_titles=(f"Input {h} × {w}", f"Output {oh} × {ow}"))
    done = np.zeros(oh * ow, bool)
    done[:step] = True
    done = done.reshape(oh, ow)
    i, j = divmod(step - 1, ow)
    highlight = np.zeros_like(values, dtype=float)
    highlight[rows[done], cols[done]] = 1
    highlight[rows[i, j], cols[i, j]] = 2
    _number_grid(figure, values, highlight, 1, 1)
    out_text = [[(f"{pooled[a, b]:g}" if done[a, b] else "?") for b in range(ow)] for a in range(oh)]
    out_high = np.where(done, 1.0, 0.0)
    out_high[i, j] = 2
    _number_grid(figure, pooled, out_high, 1, 2, text=out_text, fmt="{}")
    for a in range(oh):  # the windows, thin; the current one thick and orange
        for b in range(ow):
            figure.add_shape(type="rect", x0=2 * b - 0.5, x1=2 * b + 1.5, y0=2 * a - 0.5, y1=2 * a + 1.5,
                             line={"color": "#999999", "width": 1}, row=1, col=1)
    figure.add_shape(type="rect", x0=2 * j - 0.5, x1=2 * j + 1.5, y0=2 * i - 0.5, y1=2 * i + 1.5,
                     line={"color": OKABE_ITO[0], "width": 4}, row=1, col=1)
    _cell(figure, i, j, OKABE_ITO[0], 4, row=1, col=2)
    figure.update_yaxes(autorange="reversed", showticklabels=False, ticks="", showgrid=False, zeroline=False,
                        scaleanchor="x", constrain="domain", row=1, col=1)
    figure.update_yaxes(autorange="reversed", showticklabels=False, ticks="", showgrid=False, zeroline=False,
                        scaleanchor="x2", constrain="domain", row=1, col=2)
    figure.update_xaxes(showticklabels=False, ticks="", showgrid=False, zeroline=False, constrain="domain")
    figure.update_layout(height=330, margin={"l": 5, "r": 5, "t": 30, "b": 5}, plot_bgcolor="white")
    return figure


def convolution_figure(tile, kernel, one: dict, feature, r: int, q: int) -> go.Figure:
    """tile (with the filter's place framed) x filter = products -> their sum, one cell of the feature map."""
    from plotly.subplots import make_subplots

    n, k, m = tile.shape[0], kernel.shape[0], feature.shape[0]
    figure = make_subplots(rows=1, cols=4, column_widths=[n, k, k, m], horizontal_spacing=0.04,
                           subplot_titles=(f"Tile {n} × {n} (greyscale)", "× filter", "= products",
                                           f"sums: feature map {m} × {m}"))
    high = np.zeros_like(tile)
    high[r:r + k, q:q + k] = 1
    _number_grid(figure, tile, high, 1, 1, fmt="{:.0f}")
    _number_grid(figure, kernel, np.ones_like(kernel), 1, 2, fmt="{:.3g}")
    _number_grid(figure, one["products"], np.ones_like(kernel), 1, 3, fmt="{:.0f}")
    done = np.zeros(feature.size, bool)
    done[:r * m + q + 1] = True
    done = done.reshape(feature.shape)
    text = [[(f"{feature[a, b]:.0f}" if done[a, b] else "") for b in range(m)] for a in range(m)]
    high_out = done.astype(float)
    high_out[r, q] = 2
    _number_grid(figure, feature, high_out, 1, 4, text=text, fmt="{}")
    figure.add_shape(type="rect", x0=q - 0.5, x1=q + k - 0.5, y0=r - 0.5, y1=r + k - 0.5,
                     line={"color": OKABE_ITO[0], "width": 4}, row=1, col=1)
    _cell(figure, r, q, OKABE_ITO[0], 4, row=1, col=4)
    for c in range(1, 5):
        figure.update_yaxes(autorange="reversed", scaleanchor=f"x{c if c > 1 else ''}", constrain="domain",
                            row=1, col=c)
    figure.update_yaxes(showticklabels=False, ticks="", showgrid=False, zeroline=False)
    figure.update_xaxes(showticklabels=False, ticks="", showgrid=False, zeroline=False, constrain="domain")
    figure.update_layout(height=330, margin={"l": 5, "r": 5, "t": 30, "b": 5}, plot_bgcolor="white")
    figure.update_traces(textfont={"size": 11})
    return figure


def filters_figure(kernel, maps, pooled, chosen) -> go.Figure:
    """For each chosen filter of a first convolution layer: its weights as an RGB picture, its
    feature map, and the map after max-pooling, one column per filter."""
    from plotly.subplots import make_subplots

    from cnn_lab.lessons import normalise

    figure = make_subplots(rows=3, cols=len(chosen), vertical_spacing=0.04, horizontal_spacing=0.015,
                           subplot_titles=[f"filter {f + 1}" for f in chosen], row_heights=[1, 1, 1])
    high = max(float(maps[..., chosen].max()), 1e-6)
    for c, f in enumerate(chosen, start=1):
        picture = (normalise(kernel[..., f]) * 255).astype(np.uint8)
        figure.add_trace(go.Image(z=picture, hovertemplate="weight row %{y}, column %{x}<extra></extra>"), row=1, col=c)
        for row, values in ((2, maps[..., f]), (3, pooled[..., f])):
            figure.add_trace(go.Heatmap(z=values, zmin=0 if values.min() >= 0 else None, zmax=high,
                                        colorscale="Viridis", showscale=False,
                                        hovertemplate="row %{y}, column %{x}<br>%{z:.3f}<extra></extra>"),
                             row=row, col=c)
            figure.update_yaxes(autorange="reversed", row=row, col=c)
    for i in range(1, 3 * len(chosen) + 1):
        figure.update_yaxes(scaleanchor=f"x{i if i > 1 else ''}", constrain="domain",
                            row=(i - 1) // len(chosen) + 1, col=(i - 1) % len(chosen) + 1)
    figure.update_xaxes(showticklabels=False, ticks="", showgrid=False, zeroline=False, constrain="domain")
    figure.update_yaxes(showticklabels=False, ticks="", showgrid=False, zeroline=False)
    figure.update_annotations(font_size=12)
    figure.update_layout(height=420, margin={"l": 5, "r": 5, "t": 25, "b": 5})
    return figure


def vector_figure(values) -> go.Figure:
    """A long row of numbers (a flattened or fully connected layer) as a strip of coloured bars."""
    values = np.asarray(values).ravel()
    figure = go.Figure(go.Bar(y=values, marker={"color": values, "colorscale": "Viridis"},
                              hovertemplate="number %{x}: %{y:.3f}<extra></extra>"))
    figure.update_layout(height=260, bargap=0, margin={"l": 10, "r": 10, "t": 10, "b": 10},
                         xaxis_title="position in the row", yaxis_title="value")
    return figure
