"""The real dashboard in a real browser: `streamlit run dashboard/app.py` driven by Debian's chromium
through Playwright. Every page opens without an exception, a photo gets a prediction, and a tiny
training run starts, draws its curves and stops. Screenshots (1280 wide) go to test-artifacts/browser/.

Skipped, with the reason, where /usr/bin/chromium or Playwright is missing (CI has both).
"""

import re
import time
from pathlib import Path

import pytest

from lab_browser import (
    NAV_LINK,
    ROOT,
    SHIPPED_MODEL,
    evaluated,
    hover_a_map_dot,
    kill_runs,
    lab_server,
    navigation,
    problems,
    settle,
    tiny_model,
)

pytestmark = pytest.mark.browser

SHOTS = ROOT / "test-artifacts" / "browser"
CLASSES = ("airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck")


@pytest.fixture(scope="session")
def server(tmp_path_factory):
    """The dashboard on a free port: offline, the bundled sample, its own runs folder; the shipped
    model when it is here, else a tiny untrained one with the same contract."""
    work = tmp_path_factory.mktemp("lab")
    model = None if SHIPPED_MODEL.is_file() else tiny_model(work / "tiny.keras")
    with lab_server(work, model=model, log=work / "server.log") as (base, process):
        yield base
        log = (work / "server.log").read_text()
    assert "Traceback" not in log, f"the server logged a traceback:\n{log[-4000:]}"


def reveal(locator) -> None:
    """Scroll an element into view for a screenshot. The page's live parts redraw every second,
    so the element may be replaced mid-scroll: try again, and never fail a test over a picture."""
    from playwright.sync_api import Error as BrowserError

    for _ in range(3):
        try:
            locator.scroll_into_view_if_needed(timeout=5_000)
            return
        except BrowserError:
            time.sleep(0.3)


def shot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"))  # the 1280x720 a projector shows


def open_page(page, base: str, title: str) -> None:
    """Open the app, then the page through its link in the sidebar, as a student would."""
    page.goto(base)
    assert settle(page), "the home page did not finish loading"
    titles = [label for label, _ in navigation(page, base)]
    assert title in titles, titles
    page.locator(NAV_LINK).nth(titles.index(title)).click()
    assert settle(page), f"{title} did not finish loading"


def main_text(page) -> str:
    return page.locator('[data-testid="stMain"]').inner_text()


def test_a_wait_that_runs_out_says_what_the_page_showed(page, capsys):
    """settle() on a page that never becomes a Streamlit app gives up with its address, its document
    and a screenshot, not with a bare timeout."""
    page.set_content("<p>Not a Streamlit page</p>")
    assert settle(page, timeout=1) is False
    said = capsys.readouterr().out
    assert "settle gave up: no visible" in said and "'apps': 0" in said and "Not a Streamlit page" in said, said
    screenshot = re.search(r"screenshot (\S+\.png)", said)
    assert screenshot and Path(screenshot.group(1)).is_file(), said


def test_every_page_opens_without_an_error(server, page):
    page.goto(server)
    assert settle(page), "the home page did not finish loading"
    pages = navigation(page, server)
    labels = [label for label, _ in pages]
    assert {"Home", "Train", "Classify your photo"} <= set(labels), labels
    found = {}
    for i, (label, url) in enumerate(pages):
        page.locator(NAV_LINK).nth(i).click()  # the sidebar, as a student would
        page.wait_for_url(url.rstrip("/") + "*")
        assert settle(page), f"{label} did not finish loading"
        evaluated(page)
        shot(page, f"{i:02d}-{re.sub('[^a-z0-9]+', '-', label.lower()).strip('-')}")
        found[label] = problems(page)
        assert main_text(page).strip(), f"{label} is empty"
    broken = {label: p for label, p in found.items() if p["exceptions"] or p["errors"]}
    assert not broken, broken


def test_a_photo_gets_a_prediction(server, page, tmp_path):
    from PIL import Image
    from skimage import data

    photo = tmp_path / "chelsea.jpg"
    Image.fromarray(data.chelsea()).save(photo, quality=90)
    open_page(page, server, "Classify your photo")
    page.locator('[data-testid="stFileUploaderDropzoneInput"]').set_input_files(str(photo))
    title = page.locator('[data-testid="stPlotlyChart"] .gtitle').first
    title.wait_for(timeout=90_000)
    assert settle(page)
    answer = title.text_content()
    reveal(title)
    shot(page, "photo-chelsea")
    match = re.fullmatch(r"Top 5: (\w+) \((\d+)%\)", answer.strip())
    assert match and match[1] in CLASSES and 0 <= int(match[2]) <= 100, answer
    if SHIPPED_MODEL.is_file():  # the trained model knows Chelsea is a cat (82 % with today's model)
        assert match[1] == "cat", answer
    assert "chelsea.jpg" in main_text(page)
    assert problems(page) == {"exceptions": [], "errors": []}


def test_hover_on_the_map_shows_that_image_and_a_click_opens_it(server, page):
    """The map (views/network_map.py): after the guess, the pointer on a dot shows that test image beside it
    (ui/hover_pictures.py: the pixels on the screen are the image's), and a click opens it below the map, ringed
    on it. The dot's place on the screen comes from Plotly's own axes."""
    import io

    import numpy as np
    from PIL import Image

    from cnn_lab.network.data import read_sample

    open_page(page, server, "The map")
    evaluated(page)
    # Plotly's click acts on the dot its last hover found: hover_a_map_dot waits for that dot's label, so a
    # click that would miss says so there
    index, _, _ = hover_a_map_dot(page)
    picture = page.locator("#map_chart-hover-picture")
    assert picture.get_attribute("data-index") == str(index)
    sprite = page.locator(".st-key-map_chart_pictures img").get_attribute("src")
    page.evaluate("async src => { const sprite = new Image(); sprite.src = src; await sprite.decode(); }", sprite)
    time.sleep(0.2)  # (drawn at the next frame)
    drawn = np.asarray(Image.open(io.BytesIO(picture.screenshot())).convert("RGB"), float)
    assert drawn.shape == (128 + 6, 128 + 6, 3), drawn.shape  # 4 times 32 pixels, in a 3-pixel border
    seen = drawn[3 + 2 : 3 + 128 : 4, 3 + 2 : 3 + 128 : 4]  # the middle of each 4 x 4 square: one pixel each
    differences = np.abs(read_sample().x_test.astype(float) - seen).mean(axis=(1, 2, 3))
    assert differences.argmin() == index and differences[index] < 12, (differences[index], np.sort(differences)[:2])
    shot(page, "map-hover")
    page.mouse.down()
    page.mouse.up()
    page.get_by_text(re.compile(rf"test image #{index:,}: \w+, ringed in black on the map")).wait_for(timeout=60_000)
    assert settle(page)
    shot(page, "map-clicked")
    assert problems(page) == {"exceptions": [], "errors": []}


def test_a_tiny_training_run_draws_its_curves_outlives_its_server_and_stops_at_once(page, tmp_path_factory):
    """Start a run in the browser and kill -9 the server mid-run: the run trains on in its own process,
    a restarted server's Train page finds it, and a click on Stop says so at once and stops it."""
    from cnn_lab.runs import folders

    work = tmp_path_factory.mktemp("restart")
    model = None if SHIPPED_MODEL.is_file() else tiny_model(work / "tiny.keras")
    main = page.locator('[data-testid="stMain"]')  # the header has a "Stop" of its own while a script runs
    stop = main.get_by_role("button", name=re.compile(r"Stop$"))
    try:
        with lab_server(work, model=model, log=work / "first.log", keep_runs=True) as (base, server):
            open_page(page, base, "Train")
            assert "Nothing is training right now" in main_text(page)
            # a run that cannot finish before the test stops it: the sample's 800 images, 200 epochs
            widget = lambda kind, label: page.locator(f'[data-testid="{kind}"]').filter(has_text=label)  # noqa: E731
            widget("stRadio", "The bundled sample").get_by_text("The bundled sample").click()
            assert settle(page)
            assert widget("stSelectbox", "Training images to use").locator("input").input_value() == "All of them"
            epochs = widget("stNumberInput", "Epochs").locator("input")
            epochs.fill("200")
            epochs.press("Enter")
            assert settle(page)
            page.get_by_role("button", name="Start training").click()

            chart = page.locator('[data-testid="stPlotlyChart"]')
            chart.first.wait_for(timeout=180_000)  # the curves appear after the first batch
            progress = page.locator('[data-testid="stProgress"]').first
            first = progress.inner_text()
            assert re.search(r"Epoch \d+ of 200, batch \d+ of \d+", first), first
            page.wait_for_function(
                "first => document.querySelector('[data-testid=\"stProgress\"]').innerText !== first",
                arg=first,
                timeout=90_000,
            )  # it moves
            assert "Training: run" in main_text(page)
            reveal(chart.first)
            shot(page, "train-running")
            server.kill()  # the class's server dies mid-run
            server.wait()

        [folder] = [r.path for r in folders.list_runs(work / "runs")]
        step = lambda: folders.snapshot(folder).batches[-1].step  # noqa: E731
        seen = step()
        deadline = time.time() + 90
        while step() == seen:  # the run trains on without its server
            assert time.time() < deadline and folders.training_pid(folder), "the run did not outlive its server"
            time.sleep(0.2)

        with lab_server(work, model=model, log=work / "second.log") as (base, _):
            open_page(page, base, "Train")
            page.get_by_text(f"Training: run {folder.name}").wait_for(timeout=30_000)  # found again
            stop.click()
            # said at once (or already done: the run sees the request at its next batch, a fraction of a second)
            page.get_by_text(re.compile(r"Stop requested|Stopped: run")).first.wait_for(timeout=15_000)
            stopped = page.get_by_text(re.compile(r"Stopped: run"))
            stopped.wait_for(timeout=60_000)
            assert settle(page)
            reveal(stopped)
            assert "Stopped: run" in main_text(page) and not stop.count()
            assert problems(page) == {"exceptions": [], "errors": []}
            shot(page, "train-stopped")
        assert folders.training_pid(folder) is None and folders.snapshot(folder).status == "stopped"
        for log in ("first.log", "second.log"):
            assert "Traceback" not in (work / log).read_text(), (work / log).read_text()[-3000:]
    finally:
        kill_runs(work / "runs")


# --- the keyboard alone ------------------------------------------------------------------------
FOCUSED = """() => { const e = document.activeElement;
    const box = e && e.closest('[data-testid]');
    return e ? {testid: box ? box.getAttribute('data-testid') : '', label: e.getAttribute('aria-label') || '',
                text: (e.innerText || '').trim(), role: e.getAttribute('role') || '', tag: e.tagName} : null; }"""


def tab_to(page, wanted, limit: int = 120, backwards: bool = False) -> dict:
    """Press Tab (Shift+Tab backwards) until the focused element satisfies `wanted(focused)`."""
    seen = []
    for _ in range(limit):
        page.keyboard.press("Shift+Tab" if backwards else "Tab")
        focused = page.evaluate(FOCUSED) or {}
        if wanted(focused):
            return focused
        seen.append(f"{focused.get('testid')}:{focused.get('label') or focused.get('text', '')[:30]}")
    raise AssertionError(f"no such element within {limit} presses of Tab; focus went through {seen[-40:]}")


def link(title: str):
    return lambda f: f.get("testid") == "stSidebarNavLink" and f.get("text", "").splitlines()[-1:] == [title]


def go_by_keyboard(page, title: str) -> None:
    """Tab to the page's link in the sidebar and press Enter."""
    page.locator("body").focus()
    tab_to(page, link(title))
    page.keyboard.press("Enter")
    assert settle(page), f"{title} did not finish loading"
    assert page.locator("h1").first.inner_text().strip(), f"{title} has no heading"


def upload_button(focused: dict) -> bool:
    return focused.get("tag") == "BUTTON" and focused.get("text", "").splitlines()[-1:] in (
        ["Upload"],
        ["Browse files"],
    )


def intercept_file_choosers(page) -> None:
    """Have the browser hand every file dialog to Playwright from now on. Playwright asks for that
    without waiting for the answer, the first time something listens for "filechooser": with only
    `expect_file_chooser` around the key press, the request and the Enter race to the browser, and on a
    loaded machine the Enter can win; the dialog then opens unseen and the wait times out (the "file
    chooser never opened" of the past; Puppeteer's issue 6040 is the same race). A listener added long
    before the key press settles it."""
    page.on("filechooser", lambda chooser: None)


def choose_by_keyboard(page, photo) -> None:
    """Tab to the uploader's button, then Enter opens the file dialog (`intercept_file_choosers` must
    have run before). Enter is pressed only once the page is quiet and the button holds the focus: a
    redraw of the page between Tab and Enter moves the focus away, and Enter then opens nothing."""
    moved = []
    for _ in range(3):
        tab_to(page, upload_button)
        assert settle(page)
        focused = page.evaluate(FOCUSED) or {}
        if not upload_button(focused):
            moved.append(focused)
            continue
        with page.expect_file_chooser(timeout=30_000) as chooser:
            page.keyboard.press("Enter")
        chooser.value.set_files(str(photo))
        if moved:
            print(f"the focus had moved away from the upload button before Enter: {moved}")
        return
    raise AssertionError(f"the upload button kept losing the focus: {moved}")


def test_a_round_of_you_vs_the_network_with_the_keyboard_alone(server, page):
    """A whole round without the mouse: a number key answers (0 airplane ... 9 truck), N shows the next image."""
    page.goto(server)
    assert settle(page)
    go_by_keyboard(page, "You vs the network")
    evaluated(page)
    for k in range(10):
        assert f"Image {k + 1} of 10:" in main_text(page)
        page.keyboard.press(str(k))
        assert settle(page)
        said = rf"you said an? {CLASSES[k]}\."
        assert re.search(rf"Right: it is an? {CLASSES[k]}\.|Not quite: it is an? \w+; {said}", main_text(page))
        if k == 0:
            shot(page, "you-vs-network-reveal")
        page.keyboard.press("n")
        assert settle(page)
    end = main_text(page)
    assert "How the round went" in end and re.search(r"You got \d+ of 10 right, the network \d+\.", end)
    assert problems(page) == {"exceptions": [], "errors": []}
    shot(page, "you-vs-network-end")


def test_the_whole_journey_with_the_keyboard_alone(server, page, tmp_path):
    """No mouse: every page through the sidebar links, a lesson's controls, a photo chosen through
    the file dialog and judged with a select box, a cell of the confusion matrix, the presenter view."""
    from PIL import Image
    from skimage import data

    intercept_file_choosers(page)
    page.goto(server)
    assert settle(page)
    first = tab_to(page, lambda f: True)
    assert first["testid"] == "stSkipToContent"  # the first Tab offers to skip the menu
    titles = [label for label, _ in navigation(page, server)]
    for title in titles:  # every page, in the menu's order
        go_by_keyboard(page, title)
        evaluated(page)
        assert problems(page) == {"exceptions": [], "errors": []}, title

    go_by_keyboard(page, "Adding variance")  # a switch and a slider of a lesson
    mirror = tab_to(page, lambda f: f["label"] == "Mirror the image")
    assert mirror["role"] == "switch"
    before = page.get_by_role("switch", name="Mirror the image").is_checked()
    page.keyboard.press("Space")
    assert settle(page)
    assert page.get_by_role("switch", name="Mirror the image").is_checked() != before
    tab_to(page, lambda f: f["testid"] == "stSlider" and f["label"] == "Turn of the colour wheel")
    hue = page.locator('[data-testid="stSlider"]').filter(has_text="Turn of the colour wheel")
    value = hue.inner_text()
    page.keyboard.press("ArrowRight")
    assert settle(page)
    assert hue.inner_text() != value, value
    shot(page, "keyboard-augmentation")

    photo = tmp_path / "chelsea.jpg"
    Image.fromarray(data.chelsea()).save(photo, quality=90)
    go_by_keyboard(page, "Classify your photo")
    choose_by_keyboard(page, photo)
    title = page.locator('[data-testid="stPlotlyChart"] .gtitle').first
    title.wait_for(timeout=90_000)
    assert settle(page)
    assert re.fullmatch(r"Top 5: \w+ \(\d+%\)", title.text_content().strip())
    tab_to(page, lambda f: "What is really in your photo?" in f["label"])
    page.keyboard.type("cat")
    page.keyboard.press("Enter")
    assert settle(page)
    verdict = main_text(page)
    assert "Right: the network's first choice is cat." in verdict or "The network put cat in place" in verdict
    shot(page, "keyboard-photo")

    go_by_keyboard(page, "Confusion matrix")
    evaluated(page)
    tab_to(page, lambda f: "True class" in f["label"])
    page.keyboard.type("ship")
    page.keyboard.press("Enter")
    assert settle(page)
    assert re.search(r"\d+ ship images? the network called", main_text(page))

    page.locator("body").focus()
    tab_to(page, lambda f: f["label"] == "Presenter view")
    page.keyboard.press("Space")
    assert settle(page)
    assert page.evaluate("() => getComputedStyle(document.documentElement).fontSize") == "22px"
    shot(page, "keyboard-presenter")
