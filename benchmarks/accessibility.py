"""Accessibility: axe-core's violations on every page of the dashboard, counted per page and rule.

    python benchmarks/accessibility.py [--data PATH] [--shots DIR]

Starts `streamlit run dashboard/app.py` (offline; the bundled sample, or the CIFAR-10 given with
--data; the shipped model, or a tiny untrained one when it is absent) and audits in Debian's
chromium, at 1280 wide with the viewport as tall as each page (tests/axe_audit.py): every
page in the menu, the photo page after an upload, The dataset in presenter view, the Train page
while a run trains; then every page again in presenter view (?present=1). Counts are failing
elements ("nodes"), split into the page's content ([data-testid="stMain"]) and the rest
(Streamlit's sidebar and header). Prints a table and writes benchmarks/results/accessibility.json;
tests/test_accessibility.py is the pass/fail check.
--shots DIR: a 1280x720 screenshot of each page, as audited, in normal and presenter view.
"""

from __future__ import annotations

import argparse
import collections
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))  # the browser harness the tests share

from axe_audit import audit, journey, slug  # noqa: E402
from common import save, table  # noqa: E402
from lab_browser import (  # noqa: E402
    CHROMIUM,
    CHROMIUM_ARGS,
    SHIPPED_MODEL,
    VIEWPORT,
    evaluated,
    lab_server,
    navigation,
    settle,
    tiny_model,
)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, help="a CIFAR-10 archive or folder (default: the bundled sample)")
    parser.add_argument("--shots", type=Path, help="save a 1280x720 screenshot of every page here")
    args = parser.parse_args()
    if args.shots:
        args.shots.mkdir(parents=True, exist_ok=True)

    from PIL import Image
    from playwright.sync_api import sync_playwright
    from skimage import data

    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        photo = work / "chelsea.jpg"
        Image.fromarray(data.chelsea()).save(photo, quality=90)
        model = None if SHIPPED_MODEL.is_file() else tiny_model(work / "tiny.keras")
        with lab_server(work, model=model, data=args.data) as (base, _), sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            page = browser.new_context(viewport=VIEWPORT).new_page()
            page.set_default_timeout(120_000)
            audited = journey(page, base, photo, shots=args.shots)
            for label, url in navigation(page, base):
                page.goto(url + "?present=1")
                assert settle(page), label
                evaluated(page)
                audited.append((f"{label}, presenter view", audit(page, settle)))
                if args.shots:
                    page.screenshot(path=str(args.shots / f"presenter-{slug(label)}.png"))
            browser.close()

    rows = []
    for name, findings in audited:
        rules = collections.Counter(f.rule for f in findings)
        rows.append(
            {
                "page": name,
                "content": sum(f.in_main for f in findings),
                "outside": sum(not f.in_main for f in findings),
                "rules (elements)": ", ".join(f"{rule} {n}" for rule, n in rules.most_common()) or "-",
            }
        )
    table(rows, f"axe-core violations (failing elements) per page, data: {args.data or 'the bundled sample'}")
    save(
        "accessibility",
        {
            "data": str(args.data or "bundled sample"),
            "pages": rows,
            "findings": {name: [f.__dict__ for f in findings] for name, findings in audited},
        },
    )


if __name__ == "__main__":
    main()
