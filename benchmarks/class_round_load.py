"""A class round under load: 30 students answering on the Class round page, without and with training.

    python benchmarks/class_round_load.py [--students 30] [--images 3] [--burst 3] [--quick]

Starts `streamlit run dashboard/app.py` with a teacher token (offline, bundled sample, its own runs folder,
the server's time for every script run written down by benchmarks/timed_server.py), then opens one browser
context per student in Debian's chromium (on the same 2 cores: the browsers need several times the server's CPU,
and the script prints both). Every student opens the Class round page, which follows the round by itself (a
fragment rerun every second), and joins with a nickname. The teacher's moves go straight into the
round's store (cnn_lab.classroom.round_store), as the teacher's buttons would. Two phases, in this order,
in the same run:

1. without training: a round of --images images; for each, every student answers within --burst seconds,
   then the teacher reveals it and moves on once every student's page shows the reveal;
2. the same with a training run going on (`cnn-lab train`, its own process, as the Train page starts it).

For each phase: the server's own seconds per script run of the Class round page (whole page and the live
fragment; the number the server itself adds, without the browsers, which here share the same 2 cores), the
browser's time from a click on a class to "You said ...", and whether every answer is in the store exactly once.
Prints tables and writes benchmarks/results/class_round_load.json; exits 1 if an answer is lost or a page fails.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))  # the browser harness the tests share

from common import save, table  # noqa: E402
from lab_browser import CHROMIUM, CHROMIUM_ARGS, ROOT, SHIPPED_MODEL, VIEWPORT, kill_runs, lab_server, tiny_model  # noqa: E402
from load import browser_pids, cpu_seconds, pct, problems, settle

TOKEN = "a-teacher-token-for-the-class-round-benchmark"
PAGE = "Class round"
CLASSES = ("airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck")
HUMAN_COUNTS = ROOT.parent / "shared" / "data" / "cifar10h-counts.npy"


def answer_button(class_name: str) -> str:
    """The CSS selector of a class's answer button (Streamlit marks a widget's container with its key)."""
    return f".st-key-class_round_answer_{CLASSES.index(class_name)} button"


async def join(browser, base: str, number: int, timeout: float):
    context = await browser.new_context(viewport=VIEWPORT)
    page = await context.new_page()
    page.set_default_timeout(timeout * 1000)
    await page.goto(f"{base}/class_round")
    await settle(page, timeout)
    main = page.locator('[data-testid="stMain"]')
    await main.get_by_label(re.compile("^Your nickname")).fill(f"student {number}")
    await main.get_by_role("button", name="Join").click()
    await main.get_by_text(f"You play as student {number}").wait_for()
    return page


async def shows(page, what: str, locator) -> None:
    """Wait for `locator`; when it never comes, say what the page showed instead (its headings, its alerts,
    whether the script was running and whether the connection was lost)."""
    try:
        await locator.wait_for()
    except Exception as e:
        main = page.locator('[data-testid="stMain"]')
        headings = await main.locator("h2").all_inner_texts()
        alerts = await main.locator('[data-testid="stAlert"]').all_inner_texts()
        state = await page.get_attribute('[data-testid="stApp"]', "data-test-script-state")
        lost = await page.get_by_text("Connecting").count() + await page.get_by_text("Connection error").count()
        raise RuntimeError(
            f"{what} never showed: the page showed {headings} {[a[-60:] for a in alerts]}, script {state}, "
            f"{'connection lost' if lost else 'connected'}"
        ) from e


async def answer(page, position: int, burst: float, record: list, phase: str) -> None:
    """Wait for image `position`'s buttons, then answer within `burst` seconds; time the click to 'You said'."""
    main = page.locator('[data-testid="stMain"]')
    await shows(page, f"image {position + 1}", main.get_by_text(re.compile(rf"image {position + 1} of \d+$")).first)
    await shows(page, f"image {position + 1}'s buttons", page.locator(answer_button("cat")))
    await asyncio.sleep(random.uniform(0, burst))  # "now, all of you"
    choice = random.choice(CLASSES)
    started = time.perf_counter()
    await page.locator(answer_button(choice)).click()
    await shows(page, f"'You said {choice}.'", main.get_by_text(f"You said {choice}."))
    record.append({"phase": phase, "seconds": time.perf_counter() - started})


async def revealed(page, position: int) -> None:
    main = page.locator('[data-testid="stMain"]')
    await shows(page, f"image {position + 1}", main.get_by_text(re.compile(rf"image {position + 1} of \d+$")).first)
    await shows(page, f"image {position + 1}'s reveal", main.get_by_text(re.compile(r"^(Right|Not quite)")).first)


async def page_problems(page) -> list[str]:
    """Errors and exceptions on the page, but not a student's 'Not quite' (a wrong answer, shown as an error)."""
    return [found for found in await problems(page) if "Not quite" not in found]


def cpu_now(server: subprocess.Popen, training: subprocess.Popen | None) -> dict:
    """CPU seconds used so far by the server, all chromium processes, and the training run (2 cores)."""
    return {
        "server": cpu_seconds([server.pid]),
        "browsers": cpu_seconds(browser_pids()),
        "training": cpu_seconds([training.pid]) if training else 0.0,
    }


async def play(store, students: list, phase: str, code: str, images: list[int], args, record: list, cpu) -> dict:
    """One round of `images`, every student answering each; `cpu()` reads the CPU seconds used so far."""
    round_ = store.start(code, "random", images)
    started, cpu_before = time.time(), cpu()
    for position in range(len(images)):
        await asyncio.gather(*(answer(page, position, args.burst, record, phase) for page in students))
        store.reveal(round_.id)
        await asyncio.gather(*(revealed(page, position) for page in students))
        if position < len(images) - 1:
            store.next_image(round_.id)
    store.close(round_.id)
    answers = store.answers(round_.id)
    keys = [(position, participant) for position, participant, _nickname, _answer in answers]
    cpu_after = cpu()
    return {
        "phase": phase,
        "started": started,
        "ended": time.time(),
        "cpu_seconds": {who: round(cpu_after[who] - cpu_before[who], 1) for who in cpu_after},
        "answers": len(answers),
        "expected": len(students) * len(images),
        "duplicates": len(keys) - len(set(keys)),
    }


def start_training(work: Path) -> subprocess.Popen:
    """A long run of the fast recipe on the bundled sample, in its own process, as the Train page starts one."""
    env = dict(
        os.environ,
        PYTHONPATH=str(ROOT / "dashboard"),
        CNN_LAB_RUNS=str(work / "runs"),
        KERAS_HOME=str(work / "keras_home"),
        CNN_LAB_OFFLINE="1",
        TF_CPP_MIN_LOG_LEVEL="2",
    )
    env.pop("CNN_LAB_DATA", None)  # data/ if the project has CIFAR-10 there, else the bundled sample
    command = [sys.executable, "-m", "cnn_lab", "train", "--preset", "fast", "--epochs", "500", "--no-download"]
    with open(work / "train.log", "w") as log:
        return subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)


def batches_trained(work: Path) -> int:
    """Batches the run has trained so far, from its progress.json."""
    for progress in (work / "runs").glob("*/progress.json"):
        try:
            snap = json.loads(progress.read_text())
        except ValueError:
            continue
        return int(snap.get("epoch", 0)) * int(snap.get("batches_per_epoch") or 0) + int(snap.get("batch", 0))
    return 0


def script_runs(path: Path, phase: dict, page: str = PAGE) -> list[dict]:
    """The server's seconds per script run of `page` during `phase`, whole page and live fragment apart."""
    rows = []
    runs = [json.loads(line) for line in path.read_text().splitlines()] if path.is_file() else []
    runs = [run for run in runs if phase["started"] <= run["at"] <= phase["ended"] and run["page"] == page]
    for name, fragment in (("whole page", False), ("live part (every second)", True)):
        seconds = [run["seconds"] for run in runs if run["fragment"] == fragment]
        if seconds:
            rows.append(
                {
                    "phase": phase["phase"],
                    "script run": name,
                    "n": len(seconds),
                    "p50_s": pct(seconds, 50),
                    "p95_s": pct(seconds, 95),
                    "max_s": max(seconds),
                }
            )
    return rows


async def run(args) -> dict:
    from playwright.async_api import async_playwright

    sys.path.insert(0, str(ROOT / "dashboard"))
    from cnn_lab.classroom.round_store import FILE_NAME, ClassRounds

    work = Path(tempfile.mkdtemp(prefix="cnn-lab-class-round-"))
    model = None if SHIPPED_MODEL.is_file() else tiny_model(work / "tiny.keras")
    times = work / "script_times.jsonl"
    env = {"CNN_LAB_TEACHER_TOKEN": TOKEN}
    if HUMAN_COUNTS.is_file():
        env["CNN_LAB_HUMAN_LABELS"] = str(HUMAN_COUNTS)
    record: list[dict] = []
    phases = []
    rng = random.Random(args.seed)
    with lab_server(work, model=model, log=work / "server.log", script_times=times, env_changes=env) as (base, server):
        store = ClassRounds(work / "runs" / FILE_NAME)
        async with async_playwright() as p:
            browser = await p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            t0 = time.time()
            students = await asyncio.gather(*(join(browser, base, n, args.timeout) for n in range(args.students)))
            print(f"{args.students} students joined in {time.time() - t0:.0f} s", flush=True)
            phases.append(
                await play(
                    store,
                    students,
                    "without training",
                    "random-1",
                    rng.sample(range(200), args.images),
                    args,
                    record,
                    lambda: cpu_now(server, None),
                )
            )
            print(f"without training: done in {phases[-1]['ended'] - phases[-1]['started']:.0f} s", flush=True)
            training = start_training(work)
            deadline = time.time() + args.timeout
            while not list((work / "runs").glob("*/progress.json")) and time.time() < deadline:
                await asyncio.sleep(0.5)
            await asyncio.sleep(5)  # past the start, into the batches
            before = batches_trained(work)
            phases.append(
                await play(
                    store,
                    students,
                    "while training",
                    "random-2",
                    rng.sample(range(200), args.images),
                    args,
                    record,
                    lambda: cpu_now(server, training),
                )
            )
            after = batches_trained(work)
            print(f"while training: done in {phases[-1]['ended'] - phases[-1]['started']:.0f} s", flush=True)
            found = [await page_problems(page) for page in students]
            await browser.close()
        training.kill()
        training.wait()
        kill_runs(work / "runs")
        log = (work / "server.log").read_text()
    server_rows = [row for phase in phases for row in script_runs(times, phase)]
    click_rows = []
    for phase in phases:
        seconds = [r["seconds"] for r in record if r["phase"] == phase["phase"]]
        click_rows.append(
            {
                "phase": phase["phase"],
                "n": len(seconds),
                "p50_s": pct(seconds, 50),
                "p95_s": pct(seconds, 95),
                "max_s": max(seconds),
            }
        )
    return {
        "students": args.students,
        "images": args.images,
        "burst_s": args.burst,
        "phases": phases,
        "server_script_runs": server_rows,
        "click_to_answer_shown": click_rows,
        "training_batches_during_round": after - before,
        "page_problems": [f for f in found if f],
        "tracebacks_in_server_log": log.count("Traceback"),
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--students", type=int, default=30)
    ap.add_argument("--images", type=int, default=3, help="images per phase")
    ap.add_argument("--burst", type=float, default=3.0, help="every student answers within this many seconds")
    ap.add_argument("--timeout", type=float, default=300, help="seconds any state may take to show")
    ap.add_argument("--quick", action="store_true", help="3 students, 2 images: a check that it works")
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()
    if args.quick:
        args.students, args.images = 3, 2
    random.seed(args.seed)
    result = asyncio.run(run(args))
    table(
        result["server_script_runs"],
        f"{result['students']} students on the Class round page, {result['images']} images per phase, answering "
        f"within {args.burst:g} s: the server's own seconds per script run",
    )
    table(result["click_to_answer_shown"], "A student's click on a class until the page says 'You said ...' (s)")
    lost = [p for p in result["phases"] if p["answers"] != p["expected"] or p["duplicates"]]
    for phase in result["phases"]:
        print(
            f"{phase['phase']}: {phase['answers']} of {phase['expected']} answers stored, {phase['duplicates']} twice; "
            f"{phase['ended'] - phase['started']:.0f} s; CPU seconds on the 2 cores: "
            + ", ".join(f"{who} {seconds:g}" for who, seconds in phase["cpu_seconds"].items())
        )
    print(
        f"training went on during the second phase: {result['training_batches_during_round']} batches; "
        f"{result['tracebacks_in_server_log']} tracebacks in the server log"
    )
    save("class_round_load", result)
    if lost or result["page_problems"] or result["tracebacks_in_server_log"]:
        print("FAILED", lost, result["page_problems"][:3])
        sys.exit(1)


if __name__ == "__main__":
    main()
