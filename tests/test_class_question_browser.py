"""Peer instruction in a real browser: the lab started with a teacher token, a teacher in the presenter view and
three students, each in a browser context of their own (one votes with number keys only). The teacher asks a
lesson's check question, the students' pages follow it by themselves through vote 1, the shown votes, the
discussion's vote 2 and the reveal; the votes reach the projector. axe-core audits a student's page and the projector at
the reveal (WCAG 2.2 AA). The presenter view is screenshotted at 1280x720 into test-artifacts/class-question/.

Every wait is for a state the page shows, never for a time. Skipped where chromium or Playwright is missing.
"""

import re
import shutil

import pytest

from lab_browser import CHROMIUM, ROOT, SHIPPED_MODEL, VIEWPORT, lab_server, problems, settle, tiny_model

pytestmark = pytest.mark.browser

sync_api = pytest.importorskip("playwright.sync_api", reason="needs Playwright: pip install playwright")
if not shutil.which(CHROMIUM):
    pytest.skip(f"needs Debian's chromium at {CHROMIUM}: apt-get install chromium", allow_module_level=True)

SHOTS = ROOT / "test-artifacts" / "class-question"
TOKEN = "a-teacher-token-for-the-class-question"
WAIT_MS = 120_000  # the longest any state may take to show, on a loaded machine


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    work = tmp_path_factory.mktemp("class-question")
    model = None if SHIPPED_MODEL.is_file() else tiny_model(work / "tiny.keras")
    with lab_server(work, model=model, log=work / "server.log", env_changes={"CNN_LAB_TEACHER_TOKEN": TOKEN}) as (
        base,
        _process,
    ):
        yield base
        log = (work / "server.log").read_text()
    assert "Traceback" not in log, f"the server logged a traceback:\n{log[-4000:]}"


def new_page(browser):
    page = browser.new_context(viewport=VIEWPORT).new_page()
    page.set_default_timeout(WAIT_MS)
    return page


def main(page):
    return page.locator('[data-testid="stMain"]')


def shows(page, text) -> None:
    main(page).get_by_text(text).first.wait_for(state="visible")


def shot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"))


def vote_button(page, number: int, option: int):
    return page.locator(f"[class*='st-key-class_question_q'][class*='_vote{number}_answer{option}'] button")


def vote_with_the_mouse(page, number: int, option: int) -> None:
    vote_button(page, number, option).click()
    shows(page, re.compile("^You voted" if number == 1 else "^Your second vote"))


def vote_with_a_number_key(page, number: int, option: int) -> None:
    vote_button(page, number, option).wait_for()  # the buttons are there to press
    page.keyboard.press(str(option + 1))
    shows(page, re.compile("^You voted" if number == 1 else "^Your second vote"))


def violations(page) -> list[str]:
    """axe-core's WCAG 2.2 AA findings on the page as it is, but those that come from Streamlit's own markup
    (test_accessibility.KNOWN)."""
    pytest.importorskip("axe_playwright_python", reason="needs axe-core: pip install axe-playwright-python")
    from axe_audit import audit
    from test_accessibility import KNOWN

    return [str(f) for f in audit(page) if (f.rule, f.testid) not in KNOWN]


def test_a_class_question_with_a_teacher_and_three_students(server, browser):
    from cnn_lab.lessons.questions import read_questions

    question = read_questions("network")[0]
    right = next(k for k, option in enumerate(question.options) if option.correct)
    wrong = (right + 1) % len(question.options)

    teacher = new_page(browser)
    teacher.goto(f"{server}/class_question?present=1")
    assert settle(teacher)
    sidebar = teacher.locator('[data-testid="stSidebar"]')
    sidebar.get_by_label("Teacher token", exact=True).fill(TOKEN)
    sidebar.get_by_label("Teacher token", exact=True).press("Enter")
    sidebar.get_by_role("button", name="Sign out").wait_for()
    main(teacher).get_by_text("Ask a question").first.click()  # folded on the projector: unfold it
    main(teacher).locator('[data-testid="stSelectbox"]').first.click()
    teacher.keyboard.type("Network 1:")  # the list is long: typing filters it
    teacher.get_by_role("option", name=re.compile(r"^Network 1: ")).click()
    main(teacher).get_by_role("button", name="Start vote 1").click()
    shows(teacher, question.text)

    students = [new_page(browser) for _ in range(3)]
    for student in students:
        student.goto(f"{server}/class_question")
        shows(student, question.text)  # the question the teacher asked, with no click
    assert violations(students[0]) == []  # a student's page with vote 1's buttons
    vote_with_the_mouse(students[0], 1, right)
    vote_with_the_mouse(students[1], 1, wrong)
    vote_with_a_number_key(students[2], 1, wrong)
    teacher.locator('[data-testid="stMetricValue"]').get_by_text("3", exact=True).wait_for()  # the count, live
    assert main(teacher).locator('[data-testid="stPlotlyChart"]').count() == 0  # no distribution yet
    shot(teacher, "1-vote-1")

    main(teacher).get_by_role("button", name="Show votes").click()
    chart = main(teacher).locator('[data-testid="stPlotlyChart"]').first
    chart.get_by_text("vote 1 (3 voted)").wait_for()
    shows(students[0], "vote 1 is over: discuss it with a neighbour who chose differently")
    shot(teacher, "2-votes-shown")

    main(teacher).get_by_role("button", name="Open vote 2").click()
    for student, option in zip(students, (right, right, wrong)):
        vote_button(student, 2, option).wait_for()
    vote_with_the_mouse(students[0], 2, right)
    vote_with_the_mouse(students[1], 2, right)
    vote_with_a_number_key(students[2], 2, wrong)
    main(teacher).get_by_role("button", name="Reveal the answer").click()
    chart.get_by_text("vote 2 (3 voted)").wait_for()
    shows(teacher, "of the 2 who were wrong in vote 1 and voted again, 1 (50%) were right in vote 2")
    shows(students[1], re.compile("^Right"))
    shows(students[2], re.compile("^Not quite"))
    shot(teacher, "3-revealed")
    assert violations(teacher) == []  # the projector at the reveal: both votes and the answer
    for page in (teacher, *students):
        found = problems(page)
        assert found["exceptions"] == [], found
        assert all("Not quite" in error for error in found["errors"]), found  # a wrong vote's verdict only
        page.context.close()
