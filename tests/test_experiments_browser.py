"""Experiments in a real browser: the Compare page opens on two shipped reference runs, then the teacher
starts a one-click experiment on the Train page, sees it beside its reference, opens both on Compare
while it trains, and stops it. Screenshots (1280x720, and the whole Compare page) go to
test-artifacts/browser/. Needs the full CIFAR-10 (the experiments train on it) at ../shared/data."""

import re

import pytest
from test_browser import main_text, open_page, reveal, shot

from cnn_lab.runs.experiments import QUICK
from lab_browser import ROOT, SHIPPED_MODEL, kill_runs, lab_server, problems, settle, tiny_model

pytestmark = pytest.mark.browser


def test_compare_two_reference_runs_then_start_a_quick_experiment_and_stop_it(page, full_archive, tmp_path_factory):
    work = tmp_path_factory.mktemp("experiments")
    model = None if SHIPPED_MODEL.is_file() else tiny_model(work / "tiny.keras")
    main = page.locator('[data-testid="stMain"]')
    try:
        with lab_server(work, model=model, data=full_archive, log=work / "server.log") as (base, _):
            open_page(page, base, "Compare runs")  # opens on the augmentation group
            metrics = main.locator('[data-testid="stMetricLabel"]')
            metrics.first.wait_for()
            shown = metrics.all_inner_texts()
            assert "The article's recipe (its augmentation)" in shown and len(shown) >= 2, shown
            assert main.locator('[data-testid="stPlotlyChart"]').count() >= 3  # accuracy, gap, loss
            shot(page, "compare-references")

            open_page(page, base, "Train")
            main.get_by_role("button", name="What if we switch augmentation off?").click()
            main.get_by_text("The experiment beside its reference").wait_for(timeout=60_000)
            main.get_by_text(re.compile(r"Training: run")).wait_for(timeout=120_000)
            main.get_by_text(re.compile(rf"^Epoch 2 of {QUICK.epochs}")).wait_for(timeout=180_000)  # one epoch tested
            reveal(main.get_by_text("The experiment beside its reference"))
            shot(page, "train-experiment")

            main.get_by_role("link", name="Open both on Compare runs").click()
            page.wait_for_url(re.compile(r"/compare"))
            main.get_by_text("What if we switch augmentation off? (quick)").first.wait_for()
            assert settle(page)
            assert "Quick reference" in main_text(page)
            shot(page, "compare-live-experiment")
            page.set_viewport_size({"width": 1280, "height": 2600})
            page.screenshot(path=str(ROOT / "test-artifacts" / "browser" / "compare-live-experiment-2600.png"))
            page.set_viewport_size({"width": 1280, "height": 720})

            open_page(page, base, "Train")
            main.get_by_role("button", name=re.compile(r"Stop$")).click()
            main.get_by_text(re.compile(r"Stop requested|Stopped: run")).first.wait_for(timeout=15_000)
            main.get_by_text(re.compile(r"Stopped: run")).wait_for(timeout=60_000)
            assert settle(page)
            assert problems(page) == {"exceptions": [], "errors": []}
        assert "Traceback" not in (work / "server.log").read_text()
    finally:
        kill_runs(work / "runs")
