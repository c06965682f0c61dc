"""Nothing leaves the classroom (README, "Privacy").

`test_no_request_leaves_the_lab`: a real browser goes through every page of the lab's navigation
(so a page added later is covered by itself) in every state a class puts it in - a student's
first look, a photo uploaded, the teacher signed in, a run training, presenter view, a hidden
sidebar - while every request the browser makes is written down. It fails on any request that
goes anywhere but the lab's own address, and on any attempt of the server, or of a Python process
it starts, to reach another computer (tests/network_watch writes those down). The lab is started
as a teacher starts it for a class: listening on every interface, with a teacher token, and
without the test suite's CNN_LAB_OFFLINE.

`test_the_lab_works_with_no_network`: the same test again, in a network namespace that has
loopback and nothing else (`unshare -rn`, or `unshare -n` as root): every page opens, a photo is
classified, and a tiny run starts and stops, with no network at all.
"""

import fcntl
import os
import re
import shutil
import socket
import struct
import subprocess
import sys
from urllib.parse import urlsplit

import pytest

from lab_browser import (
    NAV_LINK,
    ROOT,
    SHIPPED_MODEL,
    VIEWPORT,
    evaluated,
    hover_a_map_dot,
    lab_server,
    navigation,
    problems,
    settle,
    tiny_model,
)

pytestmark = pytest.mark.browser

NETWORK_WATCH = ROOT / "tests" / "network_watch"
SHOTS = ROOT / "test-artifacts" / "browser"
TOKEN = "a-long-teacher-token-for-the-privacy-test"
NO_NETWORK = "CNN_LAB_TEST_NO_NETWORK"  # set by the no-network test for the run inside its namespace
LOCAL_SCHEMES = {"data", "blob", "about"}  # addresses that never leave the browser


def loopback_up() -> None:
    """Bring up `lo`, which a new network namespace has down (SIOCSIFFLAGS, as `ip link set lo up`)."""
    get_flags, set_flags, up = 0x8913, 0x8914, 0x1
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        flags = struct.unpack_from("16sH", fcntl.ioctl(s, get_flags, struct.pack("16sH22x", b"lo", 0)))[1]
        fcntl.ioctl(s, set_flags, struct.pack("16sH22x", b"lo", flags | up))


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """(base url, the server's network log): the lab as a teacher starts it for a class."""
    if os.environ.get(NO_NETWORK):
        loopback_up()
        interfaces = [name for _, name in socket.if_nameindex()]
        assert interfaces == ["lo"], f"the namespace has more than loopback: {interfaces}"
    work = tmp_path_factory.mktemp("privacy")
    network_log = work / "network.log"
    network_log.write_text("")
    model = None if SHIPPED_MODEL.is_file() else tiny_model(work / "tiny.keras")
    watched = os.pathsep.join(filter(None, [str(NETWORK_WATCH), os.environ.get("PYTHONPATH")]))
    env = {
        "CNN_LAB_OFFLINE": None,
        "CNN_LAB_TEACHER_TOKEN": TOKEN,
        "PYTHONPATH": watched,
        "CNN_LAB_NETWORK_LOG": str(network_log),
    }
    with lab_server(work, model=model, address="0.0.0.0", env_changes=env) as (base, _):
        yield base, network_log
        log = (work / "server.log").read_text()
    assert "Traceback" not in log, f"the server logged a traceback:\n{log[-4000:]}"


def every_page(page, base: str, state: str) -> list[str]:
    """Open every page of the navigation through its link, as a student would; their titles."""
    pages = navigation(page, base)
    for i, (title, url) in enumerate(pages):
        page.locator(NAV_LINK).nth(i).click()
        page.wait_for_url(re.compile(re.escape(url.rstrip("/")) + r"/?(\?.*)?$"))  # ?present=1 may follow
        assert settle(page), f"{title} ({state}) did not finish loading"
        evaluated(page)
        assert problems(page) == {"exceptions": [], "errors": []}, f"{title} ({state})"
    return [title for title, _ in pages]


def sidebar_switch(page, name: str) -> None:
    page.locator('[data-testid="stSidebar"]').get_by_text(name, exact=True).click()  # its label: the switch is covered
    assert settle(page)


def upload_a_photo(page, photo) -> None:
    page.locator('[data-testid="stFileUploaderDropzoneInput"]').set_input_files(str(photo))
    page.locator('[data-testid="stPlotlyChart"] .gtitle').first.wait_for(timeout=90_000)
    assert settle(page)


def sign_in_as_the_teacher(page) -> None:
    token = page.locator('[data-testid="stSidebar"]').get_by_label("Teacher token", exact=True)
    token.fill(TOKEN)
    token.press("Enter")
    page.locator('[data-testid="stSidebar"]').get_by_role("button", name="Sign out").wait_for(timeout=30_000)
    assert settle(page)


def start_a_tiny_run(page) -> None:
    """The bundled sample, 200 epochs: a run that is still training when the test stops it."""
    page.locator('[data-testid="stRadio"]').get_by_text("The bundled sample").click()
    assert settle(page)
    epochs = page.locator('[data-testid="stNumberInput"]').filter(has_text="Epochs").locator("input")
    epochs.fill("200")
    epochs.press("Enter")
    assert settle(page)
    page.get_by_role("button", name="Start training").click()
    page.locator('[data-testid="stProgress"]').first.wait_for(timeout=120_000)  # it trains: the first batch is done


def stop_the_run(page) -> None:
    main = page.locator('[data-testid="stMain"]')  # the header has a "Stop" of its own while a script runs
    main.get_by_role("button", name=re.compile(r"Stop$")).click()
    page.get_by_text(re.compile(r"Stopped: run")).wait_for(timeout=120_000)
    assert settle(page)


def test_no_request_leaves_the_lab(server, browser, tmp_path):
    from PIL import Image
    from skimage import data

    base, network_log = server
    lab = urlsplit(base).netloc
    photo = tmp_path / "chelsea.jpg"
    Image.fromarray(data.chelsea()).save(photo, quality=90)

    context = browser.new_context(viewport=VIEWPORT)
    requests = []
    context.on("request", lambda request: requests.append(request.url))
    page = context.new_page()
    page.set_default_timeout(90_000)
    page.on("websocket", lambda socket: requests.append(socket.url))
    try:
        page.goto(base)
        assert settle(page), "the home page did not finish loading"
        titles = every_page(page, base, "a student's first look")
        assert {"Home", "Train", "Classify your photo"} <= set(titles), titles

        page.locator(NAV_LINK).nth(titles.index("Classify your photo")).click()
        assert settle(page)
        upload_a_photo(page, photo)
        page.locator(NAV_LINK).nth(titles.index("The map")).click()
        assert settle(page)
        evaluated(page)
        hover_a_map_dot(page)  # the image beside the pointer comes from the lab too

        page.locator(NAV_LINK).nth(titles.index("Train")).click()
        assert settle(page)
        sign_in_as_the_teacher(page)
        start_a_tiny_run(page)
        sidebar_switch(page, "Presenter view")
        every_page(page, base, "presenter view, the teacher signed in, a run training, a photo uploaded")
        page.locator(NAV_LINK).nth(titles.index("Train")).click()
        assert settle(page)
        stop_the_run(page)

        page.goto(base + "/?sidebar=off")
        assert settle(page)
        page.get_by_role("button", name="Show the sidebar").click()
        assert settle(page)
        favicon = page.eval_on_selector("link[rel='shortcut icon']", "link => link.href")
    except BaseException:
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SHOTS / "privacy-failed.png"), full_page=True)
        raise
    finally:
        context.close()

    outside = sorted(
        {url for url in requests if urlsplit(url).scheme not in LOCAL_SCHEMES and urlsplit(url).netloc != lab}
    )
    assert not outside, f"the browser asked another computer for {outside}"
    attempts = network_log.read_text()
    assert not attempts, f"the lab's server tried to reach another computer:\n{attempts}"
    # the page icon is the lab's own, and the Material icons come from the font Streamlit ships
    assert urlsplit(favicon).scheme == "data" or urlsplit(favicon).netloc == lab, favicon
    assert any("MaterialSymbols" in url for url in requests), "the Material icons' font was never loaded"


def network_namespace() -> list[str] | None:
    """The command that runs a program in a network namespace of its own (loopback only), or None
    where this machine allows none: without root, unprivileged user namespaces must be allowed."""
    if not shutil.which("unshare"):
        return None
    for command in (["unshare", "--net", "--map-root-user"], ["unshare", "--net"]):
        if subprocess.run([*command, "true"], capture_output=True, check=False).returncode == 0:
            return command
    return None


def test_the_lab_works_with_no_network():
    """test_no_request_leaves_the_lab again, in a namespace with loopback alone (its server fixture
    brings `lo` up and checks that nothing else is there)."""
    namespace = network_namespace()
    if namespace is None:
        pytest.skip("needs a network namespace: neither `unshare -rn` nor `unshare -n` works here")
    inside = subprocess.run(
        [
            *namespace,
            sys.executable,
            "-m",
            "pytest",
            f"{__file__}::test_no_request_leaves_the_lab",
            "-x",
            "-q",
            "-p",
            "no:cacheprovider",
        ],
        cwd=ROOT,
        env=dict(os.environ, **{NO_NETWORK: "1"}),
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )
    report = inside.stdout[-6000:] + inside.stderr[-2000:]
    assert inside.returncode == 0 and "1 passed" in inside.stdout, report
