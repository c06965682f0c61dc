"""The figures (dashboard/charts/, one module per page group), built and checked without a page and without AppTest."""

import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import plotly.graph_objects as go

from conftest import a_snapshot
import charts.convolution
import charts.data
import charts.grids
import charts.network
import charts.probabilities
import charts.results
import charts.style
import charts.training
from cnn_lab.network.images import BLUE, GREY, OKABE_ITO, ORANGE, VERMILLION, rgb
from cnn_lab.settings import ARTICLE_ACCURACY

ROOT = Path(__file__).resolve().parents[1]
NAMES = ("airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck")


def test_charts_never_import_streamlit():
    modules = sorted(path.stem for path in (ROOT / "dashboard" / "charts").glob("*.py") if path.stem != "__init__")
    assert len(modules) == 12
    code = f"import sys; import {', '.join(f'charts.{m}' for m in modules)}; sys.exit('streamlit' in sys.modules)"
    assert subprocess.run([sys.executable, "-c", code], cwd=ROOT / "dashboard").returncode == 0


def test_the_okabe_ito_palette_is_written_down_once():
    hex_codes = re.compile("|".join(OKABE_ITO[:-2]), re.I)  # black and grey are too common to count
    found = [
        str(path.relative_to(ROOT))
        for folder in ("dashboard", "benchmarks", "scripts")
        for path in (ROOT / folder).rglob("*.py")
        if hex_codes.search(path.read_text(encoding="utf-8"))
    ]
    assert found == ["dashboard/cnn_lab/network/images.py"]
    assert rgb(ORANGE) == (230, 159, 0)


def test_hide_axes_hides_ticks_numbers_and_grid_everywhere():
    figure = charts.style.hide_axes(go.Figure(go.Heatmap(z=[[1, 2], [3, 4]])))
    for axis in (figure.layout.xaxis, figure.layout.yaxis):
        assert axis.showticklabels is False and axis.showgrid is False and axis.ticks == ""


def test_pixel_heatmap_puts_row_0_at_the_top_and_marks_the_cell():
    figure = charts.grids.pixel_heatmap(np.arange(16).reshape(4, 4), mark=(1, 2))
    assert figure.layout.yaxis.autorange == "reversed"
    (shape,) = figure.layout.shapes
    assert (shape.x0, shape.x1, shape.y0, shape.y1) == (1.5, 2.5, 0.5, 1.5) and shape.line.color == ORANGE


def test_probability_bars_highlight_the_most_likely_class():
    p = np.full(10, 0.05)
    p[3] = 0.55
    colours = charts.probabilities.probability_bars(p, NAMES).data[0].marker.color
    assert colours[3] == BLUE and set(colours[:3] + colours[4:]) == {GREY}


def test_top5_lists_the_five_most_likely_classes_the_answer_on_top():
    p = np.array([0.01, 0.02, 0.4, 0.03, 0.3, 0.04, 0.1, 0.05, 0.02, 0.03])
    bar = charts.probabilities.top5_figure(p, NAMES).data[0]
    assert list(bar.y) == ["dog", "horse", "frog", "deer", "bird"]  # Plotly draws the first bar at the bottom
    assert bar.marker.color[-1] == BLUE and set(bar.marker.color[:-1]) == {GREY}


def test_per_class_bars_are_blue_above_the_article_and_vermillion_below():
    accuracy = [0.9, 0.5] + [ARTICLE_ACCURACY] * 8
    figure = charts.results.per_class_figure(NAMES, accuracy, [90, 50] + [78] * 8, [100] * 10)
    bar = figure.data[0]
    assert bar.marker.color[:3] == (BLUE, VERMILLION, BLUE)
    assert bar.text[1] == "50.0 %  (50 / 100)"
    assert figure.layout.shapes[0].x0 == 100 * ARTICLE_ACCURACY


def test_confusion_matrix_colours_the_mistakes_only_and_frames_the_chosen_cell():
    counts = np.diag(np.full(10, 80))
    counts[3, 5] = 15
    figure = charts.results.confusion_figure(counts, NAMES, True, (3, 5))
    z = np.array(figure.data[0].z, dtype=float)
    assert np.isnan(np.diag(z)).all() and z[3, 5] == 15
    (frame,) = figure.layout.shapes
    assert (frame.x0, frame.y0) == (4.5, 2.5) and frame.line.color == VERMILLION
    assert len(figure.layout.annotations) == 100  # every count written in its cell
    everything = np.array(charts.results.confusion_figure(counts, NAMES, False, (0, 0)).data[0].z, dtype=float)
    assert everything[0, 0] == 80


def test_training_curves_thin_long_runs_and_draw_the_article():
    batches = [{"epoch": i / 100, "step": 2 * i, "loss": 2 - i / 1000, "accuracy": i / 1000} for i in range(1, 1001)]
    history = [{"epoch": e, "test_accuracy": 0.5 + e / 100} for e in range(1, 11)]
    snap = a_snapshot("finished", {"epochs": 10}, history, batches=batches)
    figure = charts.training.training_curves(snap)
    loss, train, test = figure.data
    assert len(loss.x) <= charts.training.MAX_POINTS + 1 and loss.x[-1] == 10.0  # the last batch is always drawn
    assert list(test.y) == [100 * (0.5 + e / 100) for e in range(1, 11)]
    assert any(s.y0 == 100 * ARTICLE_ACCURACY for s in figure.layout.shapes)
    words = charts.training.training_curves_in_words(snap)  # the text beside the chart for who cannot see it
    assert words.startswith(
        "The curves: after 2,000 batches the smoothed training loss is 1.00 and the training "
        "accuracy 100.0 %; test accuracy after epochs 3 to 10: 53.0 %, 54.0 %"
    )
    assert words.endswith("60.0 % (the article: 78.44 %).")


def test_clip_histogram_shows_every_value_and_the_two_edges():
    before = np.array([-0.3, 0.2, 0.5, 1.4])
    figure = charts.data.clip_histogram(before)
    assert list(figure.data[0].x) == list(before)
    assert figure.layout.xaxis.range[0] < -0.3 and figure.layout.xaxis.range[1] > 1.4
    assert sorted(s.x0 for s in figure.layout.shapes) == [0, 1]


def test_class_and_batch_counts_draw_one_bar_per_class():
    counts = np.arange(10)
    figure = charts.data.class_counts_figure(NAMES, counts * 10, counts)
    assert [len(bar.x) for bar in figure.data] == [10, 10]
    assert list(charts.data.batch_counts_figure(NAMES, counts).data[0].y) == list(counts)


def test_lesson_figures_have_one_panel_per_map_and_filter():
    maps = np.random.default_rng(0).random((6, 6, 4))
    assert len(charts.grids.maps_figure([maps[..., i] for i in range(4)], list("abcd"), columns=2).data) == 4
    kernel = np.random.default_rng(0).normal(size=(3, 3, 3, 4))
    figure = charts.convolution.filters_figure(kernel, maps, maps[::2, ::2], [0, 2])
    assert [t.type for t in figure.data].count("image") == 2
    assert len(charts.network.vector_figure(np.arange(20)).data[0].y) == 20
