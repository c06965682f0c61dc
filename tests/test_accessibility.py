"""WCAG 2.2 AA, checked by axe-core in Debian's chromium: every page in the menu, the photo page after
an upload, The dataset in presenter view, the map with an image beside the pointer and the Train page while a
run trains (tests/axe_audit.py).

Any violation fails the test, except the few that come from Streamlit's own markup (KNOWN, each with
its reason); and a KNOWN one that no longer occurs fails it too, so that the list stays true.
One dashboard for the whole module; the audit runs once (about three minutes on two cores).
"""

import pytest

from lab_browser import SHIPPED_MODEL, VIEWPORT, lab_server, tiny_model

pytestmark = pytest.mark.browser

pytest.importorskip("axe_playwright_python", reason="needs axe-core: pip install axe-playwright-python")

from axe_audit import journey  # noqa: E402  (imports axe_playwright_python)

# (axe rule, data-testid of the Streamlit element around the failing node): why it is not the lab's to fix.
# Reproduced without the lab by the minimal script in BENCHMARKS.md (Accessibility).
KNOWN = {
    (
        "list",
        "stSidebarNavItems",
    ): "Streamlit's menu with sections (st.navigation with a dict) puts each section's heading, a <div>, "
    "straight inside the <ul> of its links",
    (
        "listitem",
        "stSidebarNavItems",
    ): "the same menu: the links' <li> elements sit in a <div> of their section inside that <ul>, not in the "
    "<ul> itself",
    (
        "presentation-role-conflict",
        "stFileUploaderDropzone",
    ): 'st.file_uploader\'s drop zone is a <section role="presentation"> that also has an aria-label and '
    "tabindex=-1, so the role is ignored",
}


@pytest.fixture(scope="module")
def audited(tmp_path_factory, browser):
    """[(what was audited, its findings)] for the whole journey, on one fresh dashboard."""
    from PIL import Image
    from skimage import data

    work = tmp_path_factory.mktemp("a11y")
    photo = work / "chelsea.jpg"
    Image.fromarray(data.chelsea()).save(photo, quality=90)
    model = None if SHIPPED_MODEL.is_file() else tiny_model(work / "tiny.keras")
    with lab_server(work, model=model) as (base, _):
        context = browser.new_context(viewport=VIEWPORT)
        page = context.new_page()
        page.set_default_timeout(120_000)
        try:
            yield journey(page, base, photo)
        finally:
            context.close()


def test_the_audit_covers_every_page_and_the_states_that_matter(audited):
    names = [name for name, _ in audited]
    assert len(names) >= 14, names
    assert {
        "Home",
        "The dataset",
        "Mistakes",
        "Classify your photo, after an upload",
        "The dataset, presenter view",
        "The network, its guesses and questions answered from the keyboard",
        "The map, the pointer on a dot and its image beside it",
        "Train, while a run trains",
    } <= set(names), names


def test_no_accessibility_violations_beyond_streamlits_own(audited):
    unexpected = {name: [str(f) for f in findings if (f.rule, f.testid) not in KNOWN] for name, findings in audited}
    unexpected = {name: found for name, found in unexpected.items() if found}
    report = "\n".join(f"{name}: {len(found)}\n  " + "\n  ".join(found[:8]) for name, found in unexpected.items())
    assert not unexpected, f"axe-core found violations:\n{report}"


def test_the_content_itself_has_no_violation_but_streamlits_uploader(audited):
    in_content = {(f.rule, f.testid) for _, findings in audited for f in findings if f.in_main}
    assert in_content <= {("presentation-role-conflict", "stFileUploaderDropzone")}, in_content


def test_every_known_streamlit_violation_still_occurs(audited):
    """When Streamlit fixes one, take it off KNOWN (and say so in BENCHMARKS.md)."""
    seen = {(f.rule, f.testid) for _, findings in audited for f in findings}
    gone = [f"{rule} in {testid}: {why}" for (rule, testid), why in KNOWN.items() if (rule, testid) not in seen]
    assert not gone, "no longer found, take it off KNOWN:\n" + "\n".join(gone)
