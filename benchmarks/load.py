"""A class at once: many browser sessions on one dashboard while it trains.

    python benchmarks/load.py [--sessions 30] [--arrive 2] [--think 3] [--burst 3] [--quick]

Starts `streamlit run dashboard/app.py` (offline, bundled sample, its own runs folder; the
shipped model, or a tiny untrained one when it is absent), then, in Debian's chromium:
1. a teacher session starts a training run on the Train page (the server's own background job,
   the bundled sample, or the full CIFAR-10 with --data; many epochs) and opens a photo and the Accuracy page once,
   so the model, the data and the evaluation are loaded before the class arrives;
2. the students arrive, one every --arrive seconds (one browser context each, all in one
   chromium). Each opens the app, two lesson pages, Train (the live run), a Results page and
   "Classify your photo", reading each page about --think seconds. Everyone stays connected;
3. when the whole class is on the photo page, the teacher says "now, all of you": every student
   uploads a photo within --burst seconds and waits for the prediction;
4. the server's memory (VmRSS of the streamlit process, from /proc) is read before the class,
   when 10, 20, 30 sessions are connected and after the burst; CPU time of the server and of all
   the chromium processes is counted, since here both share the same cores;
5. the teacher stops the run. Training must have advanced during the load.

A page's time runs from the click on its sidebar link (or the upload) until Streamlit reports the
script finished with nothing left as a skeleton. Prints tables and writes benchmarks/results/load.json;
exits 1 unless every session was served without an error.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))  # the browser harness the tests share

from common import save, table  # noqa: E402
from lab_browser import (  # noqa: E402
    APP,
    CHROMIUM,
    CHROMIUM_ARGS,
    ERROR,
    EXCEPTION,
    NAV_LINK,
    SHIPPED_MODEL,
    VIEWPORT,
    lab_server,
    rss_mb,
    tiny_model,
)

LESSONS = [
    "Images are numbers",
    "The dataset",
    "Adding variance",
    "Convolution and pooling",
    "Channels, bias and ReLU",
    "The network",
    "How it learns",
]
RESULTS = ["Accuracy", "Confusion matrix", "Mistakes"]
PHOTOS = ["chelsea", "astronaut", "coffee", "rocket", "cat"]  # scikit-image's sample photographs
PROGRESS = re.compile(r"Epoch (\d+) of (\d+), batch (\d+) of (\d+)")


async def settle(page, timeout: float) -> bool:
    await page.wait_for_selector(APP, timeout=timeout * 1000)
    deadline = time.time() + timeout
    await asyncio.sleep(0.5)
    quiet = 0
    while time.time() < deadline:
        state = await page.get_attribute(APP, "data-test-script-state")
        if state == "notRunning" and not await page.query_selector('[data-testid="stSkeleton"]'):
            quiet += 1
            if quiet >= 2:
                return True
        else:
            quiet = 0
        await asyncio.sleep(0.25)
    return False


async def problems(page) -> list[str]:
    found = [await e.inner_text() for e in await page.query_selector_all(EXCEPTION)]
    found += [await e.inner_text() for e in await page.query_selector_all(ERROR)]
    return [f[:300] for f in found]


async def labels(page) -> list[str]:
    out = []
    for link in await page.query_selector_all(NAV_LINK):
        lines = [line.strip() for line in (await link.inner_text()).splitlines() if line.strip()]
        out.append(lines[-1] if lines else "")
    return out


async def open_link(page, title: str) -> None:
    names = await labels(page)
    await page.locator(NAV_LINK).nth(names.index(title)).click()


async def evaluated(page, timeout: float) -> None:
    deadline = time.time() + timeout
    while await page.get_by_role("button", name="Stop the evaluation").count() and time.time() < deadline:
        await asyncio.sleep(0.5)


async def visit(page, title: str, record: list, session: int, timeout: float) -> None:
    started = time.perf_counter()
    try:
        await open_link(page, title)
        ok = await settle(page, timeout)
        if title in RESULTS:  # the first visitor waits for the background evaluation
            await evaluated(page, timeout)
            ok = await settle(page, timeout) and ok
        found = await problems(page)
        record.append(
            {
                "session": session,
                "page": title,
                "seconds": time.perf_counter() - started,
                "ok": ok and not found,
                "problems": found if ok else found + ["did not finish loading"],
            }
        )
    except Exception as e:  # a timeout or a lost page: counted, not fatal to the others
        record.append(
            {
                "session": session,
                "page": title,
                "seconds": time.perf_counter() - started,
                "ok": False,
                "problems": [f"{type(e).__name__}: {str(e).splitlines()[0][:200]}"],
            }
        )


async def classify(page, photo: Path, record: list, session: int, timeout: float) -> str | None:
    started = time.perf_counter()
    answer, found = None, []
    try:
        await page.locator('[data-testid="stFileUploaderDropzoneInput"]').set_input_files(str(photo))
        title = page.locator('[data-testid="stPlotlyChart"] .gtitle').first
        await title.wait_for(timeout=timeout * 1000)
        ok = await settle(page, timeout)
        answer = (await title.text_content()).strip()
        found = await problems(page) + ([] if ok else ["did not finish loading"])
        if not re.fullmatch(r"Top 5: \w+ \(\d+%\)", answer):
            found.append(f"no prediction: {answer!r}")
    except Exception as e:
        found.append(f"{type(e).__name__}: {str(e).splitlines()[0][:200]}")
    record.append(
        {
            "session": session,
            "page": "photo: upload to prediction",
            "seconds": time.perf_counter() - started,
            "ok": not found,
            "problems": found,
            "answer": answer,
        }
    )
    return answer


def cpu_seconds(pids) -> float:
    """User + system CPU time used so far by these processes, in seconds (Linux /proc)."""
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])  # utime, stime (clock ticks)
        except (OSError, IndexError, ValueError):
            pass  # gone
    return total / os.sysconf("SC_CLK_TCK")


def browser_pids() -> list[int]:
    """Every chromium process on this machine (the browser, its renderers and helpers)."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/comm"):
        try:
            if stat.read_text().strip().startswith("chromium"):
                found.append(int(stat.parent.name))
        except (OSError, ValueError):
            pass
    return found


class Class:
    """What the students share: how many are connected, and the teacher's "now, all of you"."""

    def __init__(self, size: int):
        self.size, self.connected, self.walked = size, 0, 0
        self.everyone_there = asyncio.Event()

    def done_walking(self) -> None:
        self.walked += 1
        if self.walked == self.size:
            self.everyone_there.set()


async def student(browser, base: str, i: int, photo: Path, record: list, room: Class, args):
    """One student: arrives, reads two lessons, watches the run, opens a Results page and the photo
    page; when the whole class is there, uploads a photo with everyone else. Returns the context,
    left open (still connected)."""
    await asyncio.sleep(i * args.arrive)
    context = await browser.new_context(viewport=VIEWPORT)
    page = await context.new_page()
    page.set_default_timeout(args.timeout * 1000)
    started = time.perf_counter()
    walking = True
    try:
        await page.goto(base)
        ok = await settle(page, args.timeout)
        found = await problems(page)
        record.append(
            {
                "session": i,
                "page": "Home (first load)",
                "seconds": time.perf_counter() - started,
                "ok": ok and not found,
                "problems": found,
            }
        )
        room.connected += 1
        for title in (LESSONS[i % 5], LESSONS[(i + 2) % 5], "Train", RESULTS[i % 3], "Classify your photo"):
            await asyncio.sleep(args.think * random.uniform(0.5, 1.5))  # reading the page
            await visit(page, title, record, i, args.timeout)
        room.done_walking()
        walking = False
        await room.everyone_there.wait()
        await asyncio.sleep(random.uniform(0, args.burst))  # "now, all of you: classify your photo"
        await classify(page, photo, record, i, args.timeout)
    except Exception as e:
        record.append(
            {
                "session": i,
                "page": "Home (first load)",
                "seconds": time.perf_counter() - started,
                "ok": False,
                "problems": [f"{type(e).__name__}: {str(e).splitlines()[0][:200]}"],
            }
        )
    finally:
        if walking:  # never leave the others waiting for a student who failed
            room.done_walking()
    return context


def steps(text: str) -> int | None:
    """Batches trained so far, read from the Train page's progress bar."""
    m = PROGRESS.search(text or "")
    return (int(m[1]) - 1) * int(m[4]) + int(m[3]) if m else None


async def teacher_starts(browser, base: str, photo: Path, timeout: float, full_data: bool):
    context = await browser.new_context(viewport=VIEWPORT)
    page = await context.new_page()
    page.set_default_timeout(timeout * 1000)
    await page.goto(base)
    await settle(page, timeout)
    await open_link(page, "Train")
    await settle(page, timeout)
    widget = lambda kind, label: page.locator(f'[data-testid="{kind}"]').filter(has_text=label)  # noqa: E731
    source = "The full CIFAR-10" if full_data else "The bundled sample"
    await widget("stRadio", source).get_by_text(source).click()
    await settle(page, timeout)
    epochs = widget("stNumberInput", "Epochs").locator("input")
    await epochs.fill("200")
    await epochs.press("Enter")
    await settle(page, timeout)
    await page.get_by_role("button", name="Start training").click()
    await page.locator('[data-testid="stPlotlyChart"]').first.wait_for(timeout=timeout * 1000)
    # the model, the data and the evaluation, loaded once for everyone before the class arrives
    warm = await (await browser.new_context(viewport=VIEWPORT)).new_page()
    await warm.goto(base)
    await settle(warm, timeout)
    for title in ("Accuracy", "Classify your photo"):
        await open_link(warm, title)
        await settle(warm, timeout)
        await evaluated(warm, timeout)
    await warm.locator('[data-testid="stFileUploaderDropzoneInput"]').set_input_files(str(photo))
    await warm.locator('[data-testid="stPlotlyChart"] .gtitle').first.wait_for(timeout=timeout * 1000)
    await warm.context.close()
    return page


async def progress_text(page) -> str:
    bar = page.locator('[data-testid="stProgress"]').first
    return await bar.inner_text() if await bar.count() else ""


async def run(args) -> dict:
    from playwright.async_api import async_playwright
    from PIL import Image
    from skimage import data

    work = Path(tempfile.mkdtemp(prefix="cnn-lab-load-"))
    photos = []
    for name in PHOTOS:
        photos.append(work / f"{name}.jpg")
        Image.fromarray(getattr(data, name)()).convert("RGB").save(photos[-1], quality=90)
    model = Path(args.model) if args.model else (SHIPPED_MODEL if SHIPPED_MODEL.is_file() else None)
    model_note = str(model) if model else "a tiny untrained model (the shipped one is absent)"
    if model is None:
        model = tiny_model(work / "tiny.keras")
    memory, samples = [], []
    record: list[dict] = []
    times = work / "script_times.jsonl"
    with lab_server(
        work,
        model=None if model == SHIPPED_MODEL else model,
        log=work / "server.log",
        data=args.data,
        script_times=times,
    ) as (base, server):
        pid = server.pid
        memory.append({"when": "server up, nothing opened", "sessions": 0, "rss_mb": rss_mb(pid)})

        async def sampler():
            while True:
                samples.append((time.time(), rss_mb(pid)))
                await asyncio.sleep(1.0)

        sampling = asyncio.create_task(sampler())
        async with async_playwright() as p:
            browser = await p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            t0 = time.time()
            teacher = await teacher_starts(browser, base, photos[0], args.timeout, args.data is not None)
            before = await progress_text(teacher)
            memory.append({"when": "training, model + data + evaluation loaded", "sessions": 0, "rss_mb": rss_mb(pid)})
            print(f"teacher: training started and everything loaded in {time.time() - t0:.0f} s; {before}", flush=True)
            room = Class(args.sessions)
            cpu_server, cpu_browsers = cpu_seconds([pid]), cpu_seconds(browser_pids())
            load_started = time.time()

            async def watch():  # memory as the class arrives: the first time 10, 20, 30... are connected
                marks = list(range(min(10, args.sessions), args.sessions + 1, 10))
                while marks:
                    if room.connected >= marks[0]:
                        memory.append(
                            {"when": f"{marks[0]} sessions connected", "sessions": marks[0], "rss_mb": rss_mb(pid)}
                        )
                        print(
                            f"{marks[0]} connected after {time.time() - load_started:.0f} s, "
                            f"server {memory[-1]['rss_mb']:.0f} MB, {await progress_text(teacher)}",
                            flush=True,
                        )
                        marks.pop(0)
                    await asyncio.sleep(0.5)

            watching = asyncio.create_task(watch())
            contexts = await asyncio.gather(
                *(student(browser, base, i, photos[i % len(photos)], record, room, args) for i in range(args.sessions))
            )
            watching.cancel()
            memory.append(
                {
                    "when": f"after the photo burst ({args.sessions} still connected)",
                    "sessions": args.sessions,
                    "rss_mb": rss_mb(pid),
                }
            )
            cpu = {
                "server (with its training run)": cpu_seconds([pid]) - cpu_server,
                "browsers (all chromium processes)": cpu_seconds(browser_pids()) - cpu_browsers,
            }
            load_seconds = time.time() - load_started
            after = await progress_text(teacher)
            await teacher.locator('[data-testid="stMain"]').get_by_role("button", name=re.compile(r"Stop$")).click()
            stopped = True
            try:
                await teacher.get_by_text(re.compile(r"Stopped: run")).wait_for(timeout=args.timeout * 1000)
            except Exception:
                stopped = False
            for context in contexts:
                await context.close()
            await browser.close()
        sampling.cancel()
        log = (work / "server.log").read_text()

    server_rows = script_times(times, since=load_started)
    by_page: dict[str, list[float]] = {}
    for r in record:
        by_page.setdefault(r["page"], []).append(r["seconds"])
    rows = [
        {"page": page, "n": len(t), "p50_s": pct(t, 50), "p95_s": pct(t, 95), "max_s": max(t)}
        for page, t in by_page.items()
    ]
    pages = [r["seconds"] for r in record if not r["page"].startswith("photo")]
    rows.append(
        {
            "page": "all page views",
            "n": len(pages),
            "p50_s": pct(pages, 50),
            "p95_s": pct(pages, 95),
            "max_s": max(pages),
        }
    )
    failed = [r for r in record if not r["ok"]]
    served = {r["session"] for r in record} - {r["session"] for r in failed}
    answers = sorted({r["answer"] for r in record if r.get("answer")})
    trained = (steps(after) or 0) - (steps(before) or 0)
    loaded = memory[1]["rss_mb"]  # the model, the data and the evaluation: loaded once, before the class
    connected = {m["sessions"]: m["rss_mb"] for m in memory if m["when"].endswith("connected")}
    growth = None
    if len(connected) >= 2:  # per session, from the first 10 connected to the whole class
        lo, hi = min(connected), max(connected)
        growth = (connected[hi] - connected[lo]) / (hi - lo)
    return {
        "sessions": args.sessions,
        "arrive_s": args.arrive,
        "think_s": args.think,
        "burst_s": args.burst,
        "model": model_note,
        "served": len(served),
        "page_views": len(record),
        "failed": failed,
        "tracebacks_in_server_log": log.count("Traceback"),
        "pages": rows,
        "server_script_runs": server_rows,
        "memory": memory,
        "rss_peak_mb": max(m for _, m in samples) if samples else None,
        "rss_per_session_mb": growth,
        "rss_all_sessions_mb": memory[-1]["rss_mb"] - loaded,
        "cpu_seconds": cpu,
        "answers": answers,
        "load_seconds": load_seconds,
        "training": {"before": before, "after": after, "batches_during_load": trained, "stopped": stopped},
    }


def script_times(path: Path, since: float) -> list[dict]:
    """The server's own seconds per script run during the class (benchmarks/timed_server.py), by page."""
    runs: dict[str, list[float]] = {}
    for line in path.read_text().splitlines() if path.is_file() else []:
        run = json.loads(line)
        if run["at"] >= since:
            runs.setdefault(run["page"] + (" (live part, every second)" if run["fragment"] else ""), []).append(
                run["seconds"]
            )
    rows = [
        {"script run": name, "n": len(t), "p50_s": pct(t, 50), "p95_s": pct(t, 95), "max_s": max(t)}
        for name, t in sorted(runs.items())
    ]
    every = [t for name, ts in runs.items() for t in ts]
    if every:
        rows.append(
            {
                "script run": "all",
                "n": len(every),
                "p50_s": pct(every, 50),
                "p95_s": pct(every, 95),
                "max_s": max(every),
            }
        )
    return rows


def pct(values: list[float], q: int) -> float:
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[q - 1]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sessions", type=int, default=30)
    ap.add_argument("--arrive", type=float, default=2.0, help="seconds between one student arriving and the next")
    ap.add_argument("--think", type=float, default=3.0, help="seconds a student reads a page (on average)")
    ap.add_argument(
        "--burst", type=float, default=3.0, help="the class uploads its photos together, within this many seconds"
    )
    ap.add_argument("--quick", action="store_true", help="3 sessions: a check that it works")
    ap.add_argument("--model", help="model file (default: the shipped one, else a tiny untrained one)")
    ap.add_argument("--timeout", type=float, default=240, help="seconds a page may take before it counts as failed")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument(
        "--data",
        type=Path,
        help="a full CIFAR-10 archive or folder: the lab shows it and the teacher "
        "trains on it (default: the bundled sample)",
    )
    args = ap.parse_args()
    if args.quick:
        args.sessions, args.arrive, args.think = 3, 1.0, 1.0
    random.seed(args.seed)
    result = asyncio.run(run(args))
    table(
        result["pages"],
        f"{result['sessions']} sessions, one arriving every {args.arrive:g} s, reading each page "
        f"~{args.think:g} s, all classifying a photo within {args.burst:g} s, while training "
        f"(seconds from click to the page finished)",
    )
    if result["server_script_runs"]:
        table(result["server_script_runs"], "The server's own time per script run (no network, no browser drawing)")
    table(result["memory"], "Server memory (VmRSS of the streamlit process)")
    t = result["training"]
    print(
        f"\nserved {result['served']} of {result['sessions']} sessions, {result['page_views']} page views, "
        f"{len(result['failed'])} failed; {result['tracebacks_in_server_log']} tracebacks in the server log"
    )
    print(
        f"server memory: {result['memory'][1]['rss_mb']:.0f} MB with the model, data and evaluation loaded; "
        f"{result['rss_all_sessions_mb']:+.0f} MB for all {result['sessions']} sessions together; peak "
        f"{result['rss_peak_mb']:.0f} MB"
    )
    if result["rss_per_session_mb"] is not None:
        print(f"growth per session from the first 10 connected to all: {result['rss_per_session_mb']:+.1f} MB")
    cpu = result["cpu_seconds"]
    print(
        "CPU seconds during the class (2 cores): "
        + ", ".join(f"{k} {v:.0f}" for k, v in cpu.items())
        + f", over {result['load_seconds']:.0f} s"
    )
    print(
        f"training went on during the load: {t['batches_during_load']} batches ({t['before']!r} -> {t['after']!r}); "
        f"stopped: {t['stopped']}"
    )
    print(f"predictions seen: {', '.join(result['answers'])}")
    for f in result["failed"][:10]:
        print(f"FAILED session {f['session']} {f['page']}: {f['problems']}")
    save("load", result)
    if result["failed"] or result["served"] < result["sessions"]:
        sys.exit(1)


if __name__ == "__main__":
    main()
