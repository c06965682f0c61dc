"""The browser tests' check (tests/conftest.py): where Playwright or chromium is missing they are skipped
with the reason, but under CI, which installs both (.ci/run), the run fails instead of passing without them."""

import sys
import types

import conftest
import pytest


class Item:
    """What the check reads and writes of a collected test: its marks."""

    def __init__(self, *marks):
        self.marks = [mark.mark for mark in marks]

    def get_closest_marker(self, name):
        return next((mark for mark in self.marks if mark.name == name), None)

    def add_marker(self, mark):
        self.marks.append(mark.mark)


NO_CHROMIUM = "needs Debian's chromium at /usr/bin/chromium: apt-get install chromium"


@pytest.fixture
def no_chromium(monkeypatch):
    monkeypatch.setattr(conftest, "_why_no_browser", lambda: NO_CHROMIUM)


def test_without_ci_a_missing_browser_skips_the_browser_tests_with_the_reason(no_chromium, monkeypatch):
    monkeypatch.delenv("CI", raising=False)
    browser, other = Item(pytest.mark.browser), Item(pytest.mark.core)
    conftest.pytest_collection_modifyitems(None, [browser, other])
    assert browser.get_closest_marker("skip").kwargs == {"reason": NO_CHROMIUM}
    assert other.get_closest_marker("skip") is None


def test_on_ci_a_missing_browser_fails_the_run(no_chromium, monkeypatch):
    monkeypatch.setenv("CI", "true")
    items = [Item(pytest.mark.browser), Item(pytest.mark.browser), Item()]
    with pytest.raises(pytest.UsageError, match=r"CI=true, and the browser tests \(2\) cannot run: needs Debian's"):
        conftest.pytest_collection_modifyitems(None, items)


def test_on_ci_a_run_without_browser_tests_needs_no_browser(no_chromium, monkeypatch):
    monkeypatch.setenv("CI", "true")  # e.g. the JAX pass, or `-m "not browser"` (the check runs after `-m`)
    item = Item(pytest.mark.core)
    conftest.pytest_collection_modifyitems(None, [item])
    assert [mark.name for mark in item.marks] == ["core"]


def test_with_playwright_and_chromium_the_browser_tests_run(monkeypatch):
    monkeypatch.setattr(conftest, "_why_no_browser", lambda: None)
    monkeypatch.setenv("CI", "true")
    item = Item(pytest.mark.browser)
    conftest.pytest_collection_modifyitems(None, [item])
    assert [mark.name for mark in item.marks] == ["browser"]


def test_the_reason_says_what_is_missing(monkeypatch):
    monkeypatch.setitem(sys.modules, "playwright.sync_api", None)  # `import playwright.sync_api` fails
    assert conftest._why_no_browser() == "needs Playwright: pip install playwright"
    monkeypatch.setitem(sys.modules, "playwright", types.ModuleType("playwright"))
    monkeypatch.setitem(sys.modules, "playwright.sync_api", types.ModuleType("playwright.sync_api"))
    monkeypatch.setattr(conftest.shutil, "which", lambda name: None)
    assert conftest._why_no_browser() == NO_CHROMIUM


@pytest.mark.parametrize(("value", "ci"), [("true", True), ("1", True), ("True", True), ("false", False), ("", False)])
def test_ci_is_what_ci_services_set(monkeypatch, value, ci):
    monkeypatch.setenv("CI", value)
    assert conftest.on_ci() is ci
