"""Peer instruction under load: 30 students on the Class question page through one question, while a run trains.

    python benchmarks/class_question_load.py [--students 30] [--browsers 3] [--burst 3] [--quick]

Starts the lab as benchmarks/class_round_load.py does (a teacher token, offline, its own runs folder, the server's
time per script run written down), starts a training run (`cnn-lab train`, its own process, as the Train page
does), then opens the students' pages. In a class each student's page runs on the student's own device, so only
--browsers of them are Debian's chromium on this machine (what the pages show, drawn); the others are
benchmarks/streamlit_client.py, which speaks Streamlit's websocket protocol as the web page does (it follows the
page's fragments, clicks a button by its key) and draws nothing. `--browsers 30`: every student a chromium on the
same 2 cores, the measurement that first found the browsers, not the lab, short of cores. The teacher's moves go
straight into the store (cnn_lab.classroom.peer_store), as the teacher's buttons would. One question, its four
steps:

1. ask: every student's page shows vote 1's buttons; each votes within --burst s;
2. show votes: every page shows vote 1's bars;
3. discuss: every page shows vote 2's buttons; each votes again within --burst s;
4. reveal: every page shows the student's verdict.

For each step, how long until the last of the students' pages showed it (the page follows the question once a
second); for each vote, the click until "You voted ..." and whether every vote is in the store exactly once.
Prints tables and writes benchmarks/results/class_question_load.json; exits 1 if a vote is lost or counted twice,
a page fails, or a step takes more than --limit s (3) to reach every page.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import re
import sys
import tempfile
import time
from pathlib import Path

from class_round_load import HUMAN_COUNTS, batches_trained, cpu_now, page_problems, script_runs, shows, start_training
from common import save, table  # noqa: E402
from lab_browser import CHROMIUM, CHROMIUM_ARGS, ROOT, SHIPPED_MODEL, VIEWPORT, kill_runs, lab_server, tiny_model  # noqa: E402
from load import pct, settle
from streamlit_client import StreamlitClient

TOKEN = "a-teacher-token-for-the-class-question-benchmark"
PAGE = "Class question"
QUESTION = ("Which layer turns 10 numbers into probabilities that add up to 1?", ["ReLU", "Softmax", "Max-pooling"])


def vote_button(question_id: int, vote: int, option: int) -> str:
    """The CSS selector of an answer's button (Streamlit marks a widget's container with its key)."""
    return f".st-key-class_question_q{question_id}_vote{vote}_answer{option} button"


async def open_page(browser, base: str, timeout: float):
    context = await browser.new_context(viewport=VIEWPORT)
    page = await context.new_page()
    page.set_default_timeout(timeout * 1000)
    await page.goto(f"{base}/class_question")
    await settle(page, timeout)
    await page.locator('[data-testid="stMain"]').get_by_text("No question yet").wait_for()
    return page


async def vote(page, question_id: int, number: int, options: int, burst: float, record: list) -> None:
    """Vote within `burst` seconds of the buttons showing; time the click to 'You voted' ('Your second vote')."""
    await shows(page, f"vote {number}'s buttons", page.locator(vote_button(question_id, number, 0)))
    await asyncio.sleep(random.uniform(0, burst))  # "now, all of you"
    choice = random.randrange(options)
    started = time.perf_counter()
    await page.locator(vote_button(question_id, number, choice)).click()
    said = "You voted" if number == 1 else "Your second vote"
    await shows(page, f"'{said}'", page.locator('[data-testid="stMain"]').get_by_text(re.compile(f"^{said}")).first)
    record.append({"vote": number, "seconds": time.perf_counter() - started, "student": "chromium"})


async def vote_without_a_browser(client, question_id: int, number: int, options: int, burst: float, record: list):
    """The same vote from a page without a browser (benchmarks/streamlit_client.py)."""
    await client.first(lambda element: element.key_in(f"q{question_id}_vote{number}_answer0"), 300)
    await asyncio.sleep(random.uniform(0, burst))
    started = time.perf_counter()
    await client.click(f"class_question_q{question_id}_vote{number}_answer{random.randrange(options)}")
    said = "You voted" if number == 1 else "Your second vote"
    await client.first(lambda element: element.text.startswith(said), 300, since=started)
    record.append({"vote": number, "seconds": time.perf_counter() - started, "student": "no browser"})


async def reached(pages: list, clients: list, what: str, locator_of, matches) -> dict:
    """Seconds until the last page showed `locator_of(page)` (a browser) or received an element that `matches`
    (a page without a browser), from now (the moment the store moved on); for each kind of page."""
    started = time.perf_counter()

    async def one(page):
        await shows(page, what, locator_of(page).first)
        return time.perf_counter() - started

    async def one_without_a_browser(client):
        return (await client.first(matches, 300, since=started)).at - started

    drawn = await asyncio.gather(*(one(page) for page in pages))
    received = await asyncio.gather(*(one_without_a_browser(client) for client in clients))
    return {"chromium": max(drawn, default=None), "no browser": max(received, default=None)}


async def open_without_a_browser(base: str) -> StreamlitClient:
    client = StreamlitClient(base, "class_question")
    await client.open()
    await client.first(lambda element: element.text.startswith("No question yet"), 300)
    return client


async def run(args) -> dict:
    from playwright.async_api import async_playwright

    sys.path.insert(0, str(ROOT / "dashboard"))
    from cnn_lab.classroom.peer_store import PeerQuestions
    from cnn_lab.classroom.round_store import FILE_NAME

    work = Path(tempfile.mkdtemp(prefix="cnn-lab-class-question-"))
    model = None if SHIPPED_MODEL.is_file() else tiny_model(work / "tiny.keras")
    times = work / "script_times.jsonl"
    env = {"CNN_LAB_TEACHER_TOKEN": TOKEN}
    if HUMAN_COUNTS.is_file():
        env["CNN_LAB_HUMAN_LABELS"] = str(HUMAN_COUNTS)
    record: list[dict] = []
    with lab_server(work, model=model, log=work / "server.log", script_times=times, env_changes=env) as (base, server):
        store = PeerQuestions(work / "runs" / FILE_NAME)
        training = start_training(work)
        async with async_playwright() as p:
            browser = await p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            students = await asyncio.gather(*(open_page(browser, base, args.timeout) for _ in range(args.browsers)))
            clients = [await open_without_a_browser(base) for _ in range(args.students - args.browsers)]
            before, cpu_before, started = batches_trained(work), cpu_now(server, training), time.time()
            text, options = QUESTION
            question = store.ask("typed", text, options, 1, ["", "It makes the outputs positive and sum to 1.", ""])

            def buttons(number):
                return {
                    "locator_of": lambda page: page.locator(vote_button(question.id, number, 0)),
                    "matches": lambda element: element.key_in(f"q{question.id}_vote{number}_answer0"),
                }

            def votes(number):
                return asyncio.gather(
                    *(vote(page, question.id, number, len(options), args.burst, record) for page in students),
                    *(
                        vote_without_a_browser(client, question.id, number, len(options), args.burst, record)
                        for client in clients
                    ),
                )

            steps = {}
            steps["ask: vote 1's buttons"] = await reached(students, clients, "vote 1's buttons", **buttons(1))
            await votes(1)
            store.show_votes(question.id)
            steps["show votes: vote 1's bars"] = await reached(
                students,
                clients,
                "vote 1's bars",
                lambda page: page.locator('[data-testid="stProgress"]'),
                lambda element: element.kind == "progress",
            )
            store.discuss(question.id)
            steps["discuss: vote 2's buttons"] = await reached(students, clients, "vote 2's buttons", **buttons(2))
            await votes(2)
            store.reveal(question.id)
            steps["reveal: each student's verdict"] = await reached(
                students,
                clients,
                "the verdict",
                lambda page: page.get_by_text(re.compile(r"^(Right|Not quite)")),
                lambda element: element.kind == "alert" and re.match(r"^\*\*(Right|Not quite)", element.text),
            )
            found = [await page_problems(page) for page in students] + [client.problems for client in clients]
            ended, cpu_after = time.time(), cpu_now(server, training)
            for client in clients:
                await client.close()
            await browser.close()
        after = batches_trained(work)
        training.kill()
        training.wait()
        kill_runs(work / "runs")
        log = (work / "server.log").read_text()
    votes = store.votes(question.id)
    keys = [(number, participant) for number, participant, _option in votes]
    phase = {"phase": "while training", "started": started, "ended": ended}
    return {
        "students": args.students,
        "in_chromium": args.browsers,
        "burst_s": args.burst,
        "votes": {n: sum(1 for k in keys if k[0] == n) for n in (1, 2)},
        "expected_per_vote": args.students,
        "duplicates": len(keys) - len(set(keys)),
        "step_reached_every_page_s": steps,
        "click_to_vote_shown": [
            {
                "vote": n,
                "student": who,
                "n": len(seconds),
                "p50_s": pct(seconds, 50),
                "p95_s": pct(seconds, 95),
                "max_s": max(seconds),
            }
            for n in (1, 2)
            for who in ("chromium", "no browser")
            if (seconds := [r["seconds"] for r in record if r["vote"] == n and r["student"] == who])
        ],
        "server_script_runs": script_runs(times, phase, PAGE),
        "cpu_seconds": {who: round(cpu_after[who] - cpu_before[who], 1) for who in cpu_after},
        "seconds": ended - started,
        "training_batches_during_question": after - before,
        "page_problems": [f for f in found if f],
        "tracebacks_in_server_log": log.count("Traceback"),
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--students", type=int, default=30)
    ap.add_argument("--browsers", type=int, default=3, help="how many of the students are a chromium on this machine")
    ap.add_argument("--burst", type=float, default=3.0, help="every student votes within this many seconds")
    ap.add_argument("--limit", type=float, default=3.0, help="seconds a step may take to reach every page")
    ap.add_argument("--timeout", type=float, default=300, help="seconds any state may take to show")
    ap.add_argument("--quick", action="store_true", help="3 students: a check that it works")
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()
    if args.quick:
        args.students = 3
    args.browsers = min(args.browsers, args.students)
    random.seed(args.seed)
    result = asyncio.run(run(args))
    steps = result["step_reached_every_page_s"]
    table(
        [
            {"step": step, **{f"last {who} page (s)": "-" if s is None else round(s, 2) for who, s in last.items()}}
            for step, last in steps.items()
        ],
        f"{result['students']} students on the Class question page while a run trains ({result['in_chromium']} in "
        "chromium on this machine, the others without a browser): each step until every page has it",
    )
    table(result["click_to_vote_shown"], "A student's click on an answer until the page says 'You voted ...' (s)")
    table(result["server_script_runs"], "The server's own seconds per script run of the Class question page")
    lost = any(n != result["expected_per_vote"] for n in result["votes"].values()) or result["duplicates"]
    print(
        f"votes stored: {result['votes']} of {result['expected_per_vote']} each, {result['duplicates']} twice; "
        f"{result['seconds']:.0f} s; CPU seconds on the 2 cores: "
        + ", ".join(f"{who} {seconds:g}" for who, seconds in result["cpu_seconds"].items())
        + f"; training went on: {result['training_batches_during_question']} batches; "
        f"{result['tracebacks_in_server_log']} tracebacks in the server log"
    )
    save("class_question_load", result)
    slow = {step: last for step, last in steps.items() if max(s or 0 for s in last.values()) > args.limit}
    if lost or slow or result["page_problems"] or result["tracebacks_in_server_log"]:
        print("FAILED", "lost or doubled votes" if lost else "", slow, result["page_problems"][:3])
        sys.exit(1)


if __name__ == "__main__":
    main()
