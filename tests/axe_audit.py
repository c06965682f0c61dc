"""axe-core in the browser: audit a page of the dashboard for WCAG 2.2 AA (and axe's best practices).

Shared by tests/test_accessibility.py and benchmarks/accessibility.py, like lab_browser.py. axe-core itself comes with
`axe-playwright-python` (its bundled axe.min.js is injected into the page; nothing downloads).

axe's colour-contrast rule judges only text that is scrolled into view, and a Streamlit page
scrolls inside its main container, not the window: `audit()` first makes the viewport as tall as
the page's content, so that every caption below the fold is judged too.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass

from axe_playwright_python.sync_playwright import Axe

MAIN = '[data-testid="stMain"]'
TALLEST = 12_000  # pixels: a viewport taller than this is not needed by any page of the lab

# Runs axe on the whole document and describes each failing node by where it is: inside the page's
# content (stMain) or not, and the data-testid of the Streamlit element around it.
RUN_AXE = """async () => {
    const results = await axe.run(document, {resultTypes: ['violations'], elementRef: true});
    return results.violations.flatMap(v => v.nodes.map(n => {
        const e = n.element;
        const box = e && e.closest('[data-testid]');
        return {rule: v.id, impact: v.impact || '', help: v.help,
                inMain: !!(e && e.closest('[data-testid="stMain"]')),
                testid: box ? box.getAttribute('data-testid') : '',
                html: (n.html || '').slice(0, 200), summary: (n.failureSummary || '').slice(0, 300)};
    }));
}"""


@dataclass(frozen=True)
class Finding:
    """One element that fails one axe rule."""

    rule: str
    impact: str
    in_main: bool  # inside the page's content, [data-testid="stMain"]
    testid: str  # the data-testid of the Streamlit element around it
    html: str
    summary: str

    def __str__(self) -> str:
        where = "content" if self.in_main else "outside the content"
        return f"{self.rule} ({self.impact}, {where}, {self.testid}): {self.html}\n    {self.summary}"


def audit(page, settle=None) -> list[Finding]:
    """Every axe violation on the page as it is now, with the viewport as tall as the content.

    `settle(page)`: waits for the page to finish redrawing after the resize (Plotly charts and
    images reflow). The viewport is put back afterwards.
    """
    viewport = page.viewport_size
    height = page.evaluate(f"() => document.querySelector('{MAIN}').scrollHeight")
    page.set_viewport_size({"width": viewport["width"], "height": max(viewport["height"], min(height + 200, TALLEST))})
    try:
        if settle is not None:
            settle(page)
        time.sleep(0.5)  # layout after the resize
        page.evaluate(Axe().axe_script)
        found = page.evaluate(RUN_AXE)
    finally:
        page.set_viewport_size(viewport)
    return [Finding(f["rule"], f["impact"], f["inMain"], f["testid"], f["html"], f["summary"]) for f in found]


def slug(label: str) -> str:
    return re.sub("[^a-z0-9]+", "-", label.lower()).strip("-")


def answer_from_the_keyboard(page) -> int:
    """Answer every guess and check question on the page that nothing answers yet, from the keyboard
    alone: focus its first option and press Space. Returns how many were answered."""
    from lab_browser import settle

    unanswered = page.locator('[data-testid="stRadio"]:not(:has(input:checked))')
    answered = 0
    while unanswered.count() and answered < 20:
        unanswered.first.locator("input").first.focus()
        page.keyboard.press("Space")
        answered += 1
        assert settle(page), "the page did not finish after an answer"
    return answered


def journey(page, base: str, photo, shots=None) -> list[tuple[str, list[Finding]]]:
    """Audit what a class sees: every page in the menu, the photo page after an upload of `photo`,
    one page in presenter view, the network page with its guesses and questions answered, the map with
    the pointer on a dot, and last
    the Train page while a run trains (it trains on until the server stops).
    Returns (what was audited, its findings) in that order. `shots`: a folder for a 1280x720
    screenshot of each, taken after its audit."""
    from lab_browser import NAV_LINK, evaluated, hover_a_map_dot, navigation, settle

    audited = []

    def audit_and_shoot(name: str, wait=settle) -> None:
        audited.append((name, audit(page, wait)))
        if shots is not None:
            page.screenshot(path=str(shots / f"{slug(name)}.png"))

    page.goto(base)
    assert settle(page), "the home page did not finish loading"
    pages = navigation(page, base)
    for i, (label, url) in enumerate(pages):
        page.locator(NAV_LINK).nth(i).click()
        page.wait_for_url(url.rstrip("/") + "*")
        assert settle(page), f"{label} did not finish loading"
        evaluated(page)
        audit_and_shoot(label)
    links = dict(pages)

    page.goto(links["Classify your photo"])
    assert settle(page)
    page.locator('[data-testid="stFileUploaderDropzoneInput"]').set_input_files(str(photo))
    page.locator('[data-testid="stPlotlyChart"] .gtitle').first.wait_for(timeout=90_000)
    assert settle(page)
    audit_and_shoot("Classify your photo, after an upload")

    page.goto(links["The dataset"] + "?present=1")
    assert settle(page)
    assert page.evaluate("() => getComputedStyle(document.documentElement).fontSize") == "22px"
    audit_and_shoot("The dataset, presenter view")

    page.goto(links["The network"])
    assert settle(page)
    assert answer_from_the_keyboard(page) == 5, "the network page's 2 guesses and 3 check questions"
    feedback = page.locator('[data-testid="stAlertContentSuccess"], [data-testid="stAlertContentWarning"]')
    assert feedback.count() == 5, "each answer gets its feedback"
    audit_and_shoot("The network, its guesses and questions answered from the keyboard")

    page.goto(links["The map"])
    assert settle(page)
    evaluated(page)
    hover_a_map_dot(page)
    audit_and_shoot("The map, the pointer on a dot and its image beside it")

    page.goto(links["Train"])
    assert settle(page)
    widget = lambda kind, label: page.locator(f'[data-testid="{kind}"]').filter(has_text=label)  # noqa: E731
    widget("stRadio", "The bundled sample").get_by_text("The bundled sample").click()
    settle(page)
    epochs = widget("stNumberInput", "Epochs").locator("input")
    epochs.fill("200")  # still training when audited; the run ends with the server
    epochs.press("Enter")
    settle(page)
    page.get_by_role("button", name="Start training").click()
    page.locator('[data-testid="stPlotlyChart"]').first.wait_for(timeout=120_000)  # after the first batch
    audit_and_shoot("Train, while a run trains", wait=None)
    return audited
