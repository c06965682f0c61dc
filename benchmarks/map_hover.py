"""Hover a dot on the map and see its image (ui/hover_pictures.py): what it costs the server, the network and the
browser, against Plotly's own hover label measured in the same run.

    python benchmarks/map_hover.py [--data ../shared/data/cifar-10-python.tar.gz] [--dots 30]

Server: the sprite of the test images (cnn_lab.network.images.sprite), made once per server: seconds and size.
Browser (Debian's chromium, 1280 x 720, the lab on this machine): the sprite's download, then for --dots dots of
the map, one after another, the milliseconds from the pointer's move to Plotly's label (the baseline) and to the
image beside it. Writes benchmarks/results/map_hover.json.
"""

import argparse
import statistics
import sys
import time
from pathlib import Path

from common import save, table, timed

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))  # the browser harness the tests share

from lab_browser import MAP_DOTS, NAV_LINK, evaluated, hover_a_map_dot, lab_server, navigation, settle  # noqa: E402

from cnn_lab.network.data import load_cifar10, read_sample  # noqa: E402
from cnn_lab.network.images import sprite  # noqa: E402

# Start watching, in the browser, for the label and the picture; the pointer moves right after.
WATCH = """() => {
    const start = performance.now(), seen = (window.hoverTimes = {});
    const look = () => {
        const now = performance.now() - start;
        if (seen.label === undefined && document.querySelector('.hoverlayer .hovertext')) seen.label = now;
        const box = document.getElementById('map_chart-hover-picture');
        if (seen.picture === undefined && box && box.style.display === 'block') seen.picture = now;
        if ((seen.label === undefined || seen.picture === undefined) && now < 5000) requestAnimationFrame(look);
    };
    requestAnimationFrame(look);
}"""

# `count` dots spread over the map (every n-th of them), and where they are on the screen.
DOTS = (
    "(plot, count) => {"
    + MAP_DOTS
    + """
    const step = Math.max(1, Math.floor(dots.length / count));
    return dots.filter((_, i) => i % step === 0).slice(0, count);
}"""
)


def browser_times(data_path: Path | None, dots: int) -> tuple[dict, list[dict]]:
    from playwright.sync_api import sync_playwright

    work = Path("/tmp/cnn_lab_map_hover")
    work.mkdir(exist_ok=True)
    with lab_server(work, data=data_path) as (base, _), sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium")
        page = browser.new_page(viewport={"width": 1280, "height": 720})
        page.set_default_timeout(300_000)
        page.goto(base)
        assert settle(page)
        titles = [title for title, _ in navigation(page, base)]
        page.locator(NAV_LINK).nth(titles.index("The map")).click()
        assert settle(page)
        evaluated(page, timeout=300)
        hover_a_map_dot(page)  # the first hover: the sprite is fetched now, if the page had not yet
        url = page.locator(".st-key-map_chart_pictures img").get_attribute("src")
        download = page.evaluate(
            "url => performance.getEntriesByName(url).map(e => [e.duration, e.transferSize || e.encodedBodySize])",
            url,
        )
        chart = page.locator('[data-testid="stPlotlyChart"] .js-plotly-plot').first
        rows = []
        for _, x, y in chart.evaluate(DOTS, dots):
            page.mouse.move(5, 5)  # off the chart: unhover
            time.sleep(0.3)
            page.evaluate(WATCH)
            page.mouse.move(x, y)
            time.sleep(1.0)
            seen = page.evaluate("() => window.hoverTimes")
            if "label" in seen:  # Plotly found a dot there (a dot under another one may not be hoverable)
                rows.append(seen)
        browser.close()
    first = download[0] if download else [float("nan"), 0]
    return {"sprite download ms": first[0], "bytes over the wire": first[1]}, rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, help="CIFAR-10 archive (default: the bundled sample)")
    parser.add_argument("--dots", type=int, default=30)
    args = parser.parse_args()
    data = load_cifar10(str(args.data)) if args.data else read_sample()
    made, seconds = timed(lambda: sprite(data.x_test))
    server = {"test images": len(data.x_test), "sprite seconds": seconds, "sprite MB": len(made) / 1e6}
    table([server], "The sprite, made once per server")

    download, rows = browser_times(args.data, args.dots)
    table([download], "The first hover fetches the sprite (from the lab on this machine)")
    summary = []
    for what in ("label", "picture"):
        times = sorted(r[what] for r in rows if what in r)
        summary.append(
            {
                "from the pointer's move to": "Plotly's label (baseline)" if what == "label" else "the image beside it",
                "dots": len(times),
                "median ms": statistics.median(times) if times else float("nan"),
                "slowest ms": times[-1] if times else float("nan"),
            }
        )
    table(summary, f"Hovering {len(rows)} dots, one after another")
    save("map_hover", {"server": server, "download": download, "hovers": rows, "summary": summary})


if __name__ == "__main__":
    main()
