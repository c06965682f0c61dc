"""A class round in a real browser: the lab started with a teacher token, a teacher in the presenter view and
three students, each in a browser context of their own (one of them uses only the keyboard). The teacher starts
a round, the students' pages follow it by themselves, their answers reach the projector, and the teacher reveals,
moves on and closes the round. The presenter view is screenshotted at 1280x720 into test-artifacts/class-round/.

Every wait is for a state the page shows, never for a time. Skipped where chromium or Playwright is missing.
"""

import re
import shutil

import pytest

from lab_browser import CHROMIUM, ROOT, SHIPPED_MODEL, VIEWPORT, evaluated, lab_server, problems, settle, tiny_model

pytestmark = pytest.mark.browser

sync_api = pytest.importorskip("playwright.sync_api", reason="needs Playwright: pip install playwright")
if not shutil.which(CHROMIUM):
    pytest.skip(f"needs Debian's chromium at {CHROMIUM}: apt-get install chromium", allow_module_level=True)

SHOTS = ROOT / "test-artifacts" / "class-round"
TOKEN = "a-teacher-token-for-the-class-round"
HUMAN_COUNTS = ROOT.parent / "shared" / "data" / "cifar10h-counts.npy"
WAIT_MS = 120_000  # the longest any state may take to show, on a loaded machine
ODD_NICKNAME = "<b>Zoë</b> 🦊"


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    work = tmp_path_factory.mktemp("class-round")
    model = None if SHIPPED_MODEL.is_file() else tiny_model(work / "tiny.keras")
    people = {"CNN_LAB_HUMAN_LABELS": str(HUMAN_COUNTS)} if HUMAN_COUNTS.is_file() else {}
    with lab_server(
        work, model=model, log=work / "server.log", env_changes={"CNN_LAB_TEACHER_TOKEN": TOKEN, **people}
    ) as (base, _process):
        yield base
        log = (work / "server.log").read_text()
    assert "Traceback" not in log, f"the server logged a traceback:\n{log[-4000:]}"


def new_page(browser):
    page = browser.new_context(viewport=VIEWPORT).new_page()
    page.set_default_timeout(WAIT_MS)
    return page


def main(page):
    return page.locator('[data-testid="stMain"]')


def shot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"))


def shows(page, text) -> None:
    """Wait until the page's main part shows this text (a string or a regex)."""
    main(page).get_by_text(text).first.wait_for(state="visible")


def sign_in(page) -> None:
    token = page.locator('[data-testid="stSidebar"]').get_by_label("Teacher token", exact=True)
    token.fill(TOKEN)
    token.press("Enter")
    page.locator('[data-testid="stSidebar"]').get_by_role("button", name="Sign out").wait_for()


def join_with_the_mouse(page, nickname: str) -> None:
    main(page).get_by_label(re.compile("^Your nickname")).fill(nickname)
    main(page).get_by_role("button", name="Join").click()
    shows(page, f"You play as {nickname}")


def tab_to(page, is_it: str, what: str) -> None:
    """Press Tab until the focused element passes the JavaScript test `is_it` (given the element)."""
    for _ in range(120):
        page.keyboard.press("Tab")
        if page.evaluate(f"(e => {is_it})(document.activeElement)"):
            return
    raise AssertionError(f"Tab never reached {what}")


def join_with_the_keyboard(page, nickname: str) -> None:
    tab_to(page, "(e.getAttribute('aria-label') || '').startsWith('Your nickname')", "the nickname field")
    page.keyboard.type(nickname)
    page.keyboard.press("Enter")
    shows(page, f"You play as {nickname}")


CLASSES = ("airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck")


def answer_button(class_name: str) -> str:
    """The CSS selector of a class's answer button (Streamlit marks a widget's container with its key)."""
    return f".st-key-class_round_answer_{CLASSES.index(class_name)} button"


def answer_with_a_number_key(page, class_name: str) -> None:
    page.locator(answer_button(class_name)).wait_for()  # the buttons are there to press
    page.keyboard.press(str(CLASSES.index(class_name)))
    shows(page, f"You said {class_name}.")


def answer_with_tab_and_enter(page, class_name: str) -> None:
    selector = answer_button(class_name)
    tab_to(page, f"e.matches({selector!r})", f"the {class_name} button")
    page.keyboard.press("Enter")
    shows(page, f"You said {class_name}.")


def answer_with_the_mouse(page, class_name: str) -> None:
    page.locator(answer_button(class_name)).click()
    shows(page, f"You said {class_name}.")


def test_a_class_round_with_a_teacher_and_three_students(server, browser):
    teacher = new_page(browser)
    teacher.goto(f"{server}/class_round?present=1")
    assert settle(teacher)
    sign_in(teacher)
    evaluated(teacher)
    main(teacher).get_by_label("Round code (optional)", exact=True).fill("random-7")
    main(teacher).get_by_role("button", name="Start").click()
    shows(teacher, "Round random-7: image 1 of 10")
    shows(teacher, "0 answered")

    students = [new_page(browser) for _ in range(3)]
    for student in students:
        student.goto(f"{server}/class_round")
        shows(student, "Round random-7: image 1 of 10")  # the round the teacher started, with no click
    join_with_the_mouse(students[0], "Ada")
    join_with_the_mouse(students[1], ODD_NICKNAME)
    join_with_the_keyboard(students[2], "Kay")
    # the odd nickname is text, never markup
    assert main(students[1]).locator("b").filter(has_text="Zoë").count() == 0

    answer_with_the_mouse(students[0], "cat")
    answer_with_the_mouse(students[1], "cat")
    answer_with_a_number_key(students[2], "dog")
    shows(teacher, "3 answered")  # the projector follows by itself
    shot(teacher, "1-answering")
    legend = main(teacher).locator('[data-testid="stPlotlyChart"]').first
    legend.get_by_text("the class's answers (3 answered)").wait_for()

    main(teacher).get_by_role("button", name="Reveal").click()
    legend.get_by_text("the network's probabilities").wait_for()
    if HUMAN_COUNTS.is_file():
        legend.get_by_text("people's answers (CIFAR-10H)").wait_for()
    for student in students:
        shows(student, re.compile(r"^(Right|Not quite)"))
    shot(teacher, "2-revealed")

    main(teacher).get_by_role("button", name="Next image").click()
    shows(teacher, "Round random-7: image 2 of 10")
    for student in students:
        shows(student, "Round random-7: image 2 of 10")
    answer_with_the_mouse(students[0], "ship")
    answer_with_tab_and_enter(students[2], "ship")
    shows(teacher, "2 answered")
    main(teacher).get_by_role("button", name="Reveal").click()
    shows(teacher, re.compile(r"After 2 images: the class \d+% right, the network \d+%"))
    main(teacher).get_by_role("button", name="Close").click()
    shows(teacher, "Most right")
    shows(teacher, "The class got these right, the network did not")
    shows(students[1], "You did not answer this one.")
    shot(teacher, "3-closed")
    main(teacher).get_by_text("Most right").scroll_into_view_if_needed()
    shot(teacher, "4-closed-who-got-most-right")
    for page in (teacher, *students):
        found = problems(page)
        assert found["exceptions"] == [], found
        assert all("Not quite" in error for error in found["errors"]), found  # a wrong answer's verdict only
        page.context.close()
