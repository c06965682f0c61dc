"""Run the real dashboard and look at it through Debian's chromium: shared by the browser tests and
benchmarks/load.py and the other browser benchmarks (they add tests/ to their path). It lives with
the tests it serves; pytest finds it through `pythonpath` in pyproject.toml.

`lab_server()` starts `streamlit run dashboard/app.py` on a free port of 127.0.0.1, offline, on
the bundled sample (or a CIFAR-10 archive it is given), with its own runs folder, and waits for
its health check. `settle()` waits until Streamlit says the script has finished
(data-test-script-state) and nothing is still a skeleton. Playwright itself is imported by the
callers (sync in the tests, async in the benchmark).
"""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import re
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHIPPED_MODEL = ROOT / "assets" / "models" / "default.keras"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
    "--disable-dev-shm-usage",
]
VIEWPORT = {"width": 1280, "height": 720}
APP = '[data-testid="stApp"]'
EXCEPTION = '[data-testid="stException"]'
ERROR = '[data-testid="stAlertContentError"]'
NAV_LINK = '[data-testid="stSidebarNavLink"], [data-testid="stTopNavLink"]'


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def tiny_model(path: Path) -> Path:
    """A small untrained classifier with the real contract, for when the shipped model is absent."""
    from cnn_lab.network.model import CNNConfig, build_cnn, classifier

    classifier(build_cnn(CNNConfig(filters=(4, 8, 8), dense=(16, 16)))).save(path)
    return path


@contextlib.contextmanager
def lab_server(
    workdir: Path,
    model: Path | None = None,
    log: Path | None = None,
    timeout: float = 120,
    data: Path | None = None,
    script_times: Path | None = None,
    address: str = "127.0.0.1",
    env_changes: dict | None = None,
    keep_runs: bool = False,
):
    """Yield (base_url, process) of a fresh dashboard; it is stopped on exit.

    `model`: the file the lab uses as its default model (CNN_LAB_MODEL); None: the shipped one.
    `data`: a CIFAR-10 source for the lab (CNN_LAB_DATA); None: the bundled sample.
    `script_times`: a file where benchmarks/timed_server.py writes the server's time for each script run.
    `address`: where the server listens (0.0.0.0: every interface, as in a classroom); the browser
    always reaches it at 127.0.0.1. `env_changes`: more environment variables for the server (None: remove it).
    `keep_runs`: leave a run the server started training after it stops (a run outlives its server on
    purpose); by default whatever still trains in `workdir/runs` is killed with the server, so no test or
    benchmark leaves a training process loading the cores behind it.
    """
    workdir = Path(workdir)
    (workdir / "runs").mkdir(parents=True, exist_ok=True)
    (workdir / "keras_home").mkdir(exist_ok=True)
    env = dict(
        os.environ,
        CNN_LAB_OFFLINE="1",
        CNN_LAB_RUNS=str(workdir / "runs"),
        KERAS_HOME=str(workdir / "keras_home"),
        TF_CPP_MIN_LOG_LEVEL="2",
        PYTHONUNBUFFERED="1",
    )
    env.pop("CNN_LAB_DATA", None)  # the bundled sample, whatever the shell says
    env.pop("CNN_LAB_MODEL", None)
    if model is not None:
        env["CNN_LAB_MODEL"] = str(model)
    if data is not None:
        env["CNN_LAB_DATA"] = str(data)
    for name, value in (env_changes or {}).items():
        if value is None:
            env.pop(name, None)
        else:
            env[name] = value
    launcher = ["-m", "streamlit"]
    if script_times is not None:
        env["CNN_LAB_SCRIPT_TIMES"] = str(script_times)
        launcher = [str(ROOT / "benchmarks" / "timed_server.py")]
    port = free_port()
    log = Path(log or workdir / "server.log")
    with open(log, "w") as out:
        server = subprocess.Popen(
            [
                sys.executable,
                *launcher,
                "run",
                str(ROOT / "dashboard" / "app.py"),
                "--server.headless",
                "true",
                "--server.address",
                address,
                "--server.port",
                str(port),
                "--server.fileWatcherType",
                "none",
            ],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    base = f"http://127.0.0.1:{port}"
    try:
        started = time.time()
        while True:
            try:
                if urllib.request.urlopen(base + "/_stcore/health", timeout=2).read() == b"ok":
                    break
            except OSError:
                pass
            if server.poll() is not None or time.time() - started > timeout:
                raise RuntimeError(f"the dashboard did not come up; its log:\n{log.read_text()[-3000:]}")
            time.sleep(0.3)
        yield base, server
    finally:
        server.terminate()
        try:
            server.wait(15)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
        if not keep_runs:
            kill_runs(workdir / "runs")


def kill_runs(root: Path, timeout: float = 30) -> None:
    """Stop for good whatever still trains in this runs folder (a run outlives its server on purpose)."""
    import signal

    from cnn_lab.runs import folders

    deadline = time.time() + timeout
    while (folder := folders.live_run(root)) is not None:
        pid = folders.training_pid(folder)
        if pid is not None:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        if time.time() > deadline:
            raise RuntimeError(f"run {folder.name} still trains after {timeout:.0f} s")
        time.sleep(0.2)


def rss_mb(pid: int) -> float:
    """Resident memory of a process in MB, from /proc (Linux)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError(f"no VmRSS for {pid}")


def settle(page, timeout: float = 90) -> bool:
    """Wait until the page's script has run to the end and nothing is a skeleton; False on timeout,
    after `what_the_page_showed` has kept a screenshot and said what it could."""
    from playwright.sync_api import TimeoutError as BrowserTimeout

    try:
        page.wait_for_selector(APP, timeout=timeout * 1000)
    except BrowserTimeout:
        what_the_page_showed(page, f"no visible {APP} after {timeout:.0f} s")
        return False
    deadline = time.time() + timeout
    time.sleep(0.5)
    quiet = 0
    while time.time() < deadline:
        state = page.get_attribute(APP, "data-test-script-state")
        if state == "notRunning" and not page.query_selector('[data-testid="stSkeleton"]'):
            quiet += 1
            if quiet >= 2:  # twice in a row: not just between a rerun and the next
                return True
        else:
            quiet = 0
        time.sleep(0.25)
    what_the_page_showed(page, f"the script still running, or a skeleton, after {timeout:.0f} s")
    return False


def watch_for_errors(page) -> None:
    """Keep the page's uncaught exceptions and console errors, for `what_the_page_showed` to tell."""
    seen = page.lab_errors = []

    def console(message):
        if message.type == "error":
            seen.append(f"console: {message.text}"[:1500])

    page.on("pageerror", lambda error: seen.append(f"uncaught: {error}\n{getattr(error, 'stack', '') or ''}"[:3000]))
    page.on("console", console)


def what_the_page_showed(page, why: str) -> None:
    """When a wait runs out: print the page's address and how its document stands, and keep a
    screenshot in test-artifacts/browser/, each bounded in time (a page that hangs answers nothing)."""
    shot = ROOT / "test-artifacts" / "browser" / f"timeout-{time.strftime('%H%M%S')}.png"
    shot.parent.mkdir(parents=True, exist_ok=True)
    said = [f"settle gave up: {why}; url {page.url}"]
    try:
        page.screenshot(path=str(shot), timeout=15_000)
        said.append(f"screenshot {shot}")
        said.append(
            "document: "
            + str(
                page.evaluate(
                    """app => ({ready: document.readyState,
                    apps: document.querySelectorAll(app).length,
                    state: document.querySelector(app)?.getAttribute('data-test-script-state'),
                    text: (document.body?.innerText || '').slice(0, 300)})""",
                    APP,
                )
            )
        )
    except Exception as error:  # noqa: BLE001 - the page may be gone or hung: say so and go on
        said.append(f"the page did not answer: {type(error).__name__}: {str(error)[:300]}")
    said += [f"the page's errors so far: {len(getattr(page, 'lab_errors', []))}", *getattr(page, "lab_errors", [])]
    print("\n".join(said), flush=True)


def evaluated(page, timeout: float = 120) -> None:
    """The Results pages evaluate the model in the background first, the map also makes its map: wait for them."""
    deadline = time.time() + timeout
    while page.get_by_role("button", name=re.compile("^Stop (the evaluation|making the map)$")).count():
        assert time.time() < deadline, "the evaluation did not finish"
        time.sleep(0.5)
    assert settle(page)


def problems(page) -> dict:
    """Exception boxes and error alerts on the page, as their text."""
    return {
        "exceptions": [e.inner_text()[:800] for e in page.query_selector_all(EXCEPTION)],
        "errors": [e.inner_text()[:400] for e in page.query_selector_all(ERROR)],
    }


def navigation(page, base: str) -> list[tuple[str, str]]:
    """(label, absolute url) of every link in the navigation, in the page's order (the same order
    as page.locator(NAV_LINK).nth(i))."""
    found = []
    for link in page.query_selector_all(NAV_LINK):
        href = link.get_attribute("href") or ""
        url = href if href.startswith("http") else base + "/" + href.lstrip("/")
        lines = [line.strip() for line in link.inner_text().splitlines() if line.strip()]
        found.append((lines[-1] if lines else url, url))  # the last line: the icon's name comes first
    return found


# Every dot of the map shown now, as [image index, x, y] on the screen (Plotly's own axes: each axis's _offset, as
# equal scales shrink one of them). A statement for the start of a function of the chart (`plot`): it sets `dots`.
MAP_DOTS = """
    const layout = plot._fullLayout, box = plot.getBoundingClientRect();
    const shown = plot._fullData.filter(t => t.customdata && t.visible === true);
    const dots = shown.flatMap(t => Array.from(t.x, (x, i) => [
        Number(t.customdata[i][0]),
        box.left + layout.xaxis._offset + layout.xaxis.l2p(x),
        box.top + layout.yaxis._offset + layout.yaxis.l2p(t.y[i])]));"""

# The dot on the map farthest from any other, so no other dot can take the pointer: [image index, x, y].
LONELIEST_DOT = (
    "plot => {"
    + MAP_DOTS
    + """
    const room = d => Math.min(...dots.filter(o => o !== d).map(o => Math.hypot(o[1] - d[1], o[2] - d[2])));
    return dots.reduce((best, d) => (room(d) > room(best) ? d : best));
}"""
)


def hover_a_map_dot(page) -> tuple[int, float, float]:
    """On the map's page (views/network_map.py), past the guess: rest the pointer on a dot until Plotly labels it
    and the image itself shows beside it (ui/hover_pictures.py). Returns (the image's index, x, y)."""
    guess = page.get_by_text("Show me", exact=True)
    if guess.count():
        guess.first.click()
    chart = page.locator('[data-testid="stPlotlyChart"] .js-plotly-plot').first
    chart.wait_for(timeout=60_000)
    assert settle(page)
    chart.scroll_into_view_if_needed()  # (the dot's place is measured on the screen as it is now)
    index, x, y = chart.evaluate(LONELIEST_DOT)
    page.mouse.move(x, y)  # Plotly's hover runs throttled after a mouse move: wait for the dot's label
    chart.locator(".hoverlayer .hovertext").filter(has_text=re.compile(rf"#({index}|{index:,}):")).wait_for(
        timeout=30_000
    )
    page.locator("#map_chart-hover-picture").wait_for(state="visible", timeout=10_000)
    return index, x, y
