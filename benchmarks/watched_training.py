"""Does watching a run slow it down? Training images/s with 0, 1 and 5 students watching.

    python benchmarks/watched_training.py [--data PATH] [--seconds 15] [--quick]

A run trains in a process of its own, started exactly as the Train page starts it
(cnn_lab.training.launcher.start: `python -m cnn_lab train` as a child process), and the server only reads
its run folder. Here this process plays the server: one thread per watching student does, once a
second, what the page's live part does (find the live run, read its folder: folders.live_run and snapshot) and
then Streamlit's after-run step, as its ScriptRunner does it:
- "Streamlit's defaults": its own _clean_problem_modules (keras clear_session) and gc.collect(2);
- "the lab's settings": after ui.keep_keras_between_runs, with postScriptGC read from the config.
Images/s are read from the run's own progress.json over --seconds per row (the test pass at each
epoch's end left out); "nobody watching" is measured again before each row, as the baseline of
the same run.
"""

import argparse
import gc
import statistics
import sys
import tempfile
import threading
import time
import tomllib
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT / "dashboard"))  # `ui`, the lab's Streamlit side, is not an installed package
from common import save, table  # noqa: E402

from streamlit.runtime.scriptrunner import script_runner  # noqa: E402

from cnn_lab.settings import SAMPLE_PATH  # noqa: E402
from cnn_lab.recipes import preset  # noqa: E402
from cnn_lab.runs import folders  # noqa: E402
from cnn_lab.training import launcher  # noqa: E402

STREAMLIT_CLEANUP = script_runner._clean_problem_modules
LAB_GC = tomllib.loads((ROOT / "dashboard" / ".streamlit" / "config.toml").read_text())["runner"]["postScriptGC"]


def after_run(settings: str) -> None:
    """What Streamlit's ScriptRunner does in the server process after each script run."""
    if settings == "defaults":
        STREAMLIT_CLEANUP()
        gc.collect(2)
    else:
        import ui  # noqa: F401  (the lab's own function, as app.py calls it)

        ui.keep_keras_between_runs()
        script_runner._clean_problem_modules()
        if LAB_GC:
            gc.collect(2)


def images_per_second(folder: Path, seconds: float) -> float:
    """Images/s the run trains, from its progress.json over `seconds`. Only the time between two
    updates of its step counts when they are less than 2 s apart: the test pass at each epoch's end
    (10,000 images, several seconds) is not training and would otherwise land in some rows only."""

    def step():
        b = folders.snapshot(folder).batches
        return b[-1]["step"] if b else 0

    changes, end = [(time.perf_counter(), step())], time.perf_counter() + seconds
    while time.perf_counter() < end:
        time.sleep(0.05)
        if (now := step()) != changes[-1][1]:
            changes.append((time.perf_counter(), now))
    pairs = [(t1 - t0, s1 - s0) for (t0, s0), (t1, s1) in zip(changes[1:], changes[2:]) if t1 - t0 < 2]
    batch = folders.snapshot(folder).config["batch_size"]
    return batch * sum(n for _, n in pairs) / sum(t for t, _ in pairs) if pairs else 0.0


def watched(folder: Path, viewers: int, settings: str, seconds: float) -> tuple[float, float]:
    """(images/s, median ms of one page run's work) with `viewers` students polling once a second."""
    stop, costs = threading.Event(), []

    def student():
        while not stop.is_set():
            started = time.perf_counter()
            folders.snapshot(folders.live_run(folder.parent) or folder)  # what the live part reads
            after_run(settings)
            costs.append(time.perf_counter() - started)
            stop.wait(max(0.0, 1.0 - (time.perf_counter() - started)))

    threads = [threading.Thread(target=student, daemon=True) for _ in range(viewers)]
    for t in threads:
        t.start()
    rate = images_per_second(folder, seconds)
    stop.set()
    for t in threads:
        t.join()
    script_runner._clean_problem_modules = STREAMLIT_CLEANUP  # each row starts from Streamlit's own
    return rate, 1000 * statistics.median(costs) if costs else 0.0


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--data", help="a full CIFAR-10 archive or folder (default: the bundled sample)")
    ap.add_argument("--seconds", type=float, default=20)
    ap.add_argument("--quick", action="store_true", help="5 s per row: a check that it works")
    args = ap.parse_args()
    seconds = 5 if args.quick else args.seconds
    import keras  # noqa: F401  (loaded, as in the server: Streamlit cleans Keras up only once it is imported)

    root = Path(tempfile.mkdtemp(prefix="cnn-lab-watched-"))
    folder = folders.run_path(
        launcher.start(preset("fast", epochs=200), data=args.data or str(SAMPLE_PATH), root=root), root
    )
    while not folders.snapshot(folder).batches:
        assert folders.snapshot(folder).status in ("starting", "running"), folders.snapshot(folder)
        time.sleep(0.2)
    time.sleep(3)  # past tracing
    rows = []
    try:
        for viewers in (0, 1, 5):
            alone = images_per_second(folder, seconds)
            row = {"students watching": viewers, "nobody watching img/s": alone}
            for settings, name in (("defaults", "Streamlit's defaults"), ("lab", "the lab's settings")):
                rate, cost = watched(folder, viewers, settings, seconds) if viewers else (alone, 0.0)
                row[f"{name} img/s"] = rate
                row[f"{name} ms/run"] = cost
            rows.append(row)
    finally:
        launcher.stop(folder.name, root)
        while folders.live_run(root):
            time.sleep(0.2)
    table(
        rows,
        f"Training images/s (in its own process) while students watch the Train page "
        f"({'full CIFAR-10' if args.data else 'bundled sample'}, fast preset; ms/run: a watcher's "
        "folder read and Streamlit's after-run step, median)",
    )
    save("watched_training", {"rows": rows, "data": args.data or "bundled sample", "seconds": seconds})


if __name__ == "__main__":
    main()
