"""Does watching a run slow it down? Training images/s with 0, 1 and 5 students watching.

    python benchmarks/watched_training.py [--data PATH] [--seconds 15] [--quick]

On the Train page the live part reruns every second for every student who has it open, and
after every script run Streamlit does some cleaning up in the server process, the one that also
trains: by default `keras.backend.clear_session()` (TensorFlow's kernel cache emptied, a full
garbage collection) and another full `gc.collect(2)`. The lab switches both off
(ui.keep_keras_between_runs and runner.postScriptGC = false in dashboard/.streamlit/config.toml).

This runs the TrainingJob in-process (the fast preset; the full CIFAR-10 with --data, else the
bundled sample) and, beside it, one thread per watching student doing Streamlit's after-run
step once a second, exactly as Streamlit's ScriptRunner does it:
- "Streamlit's defaults": its own _clean_problem_modules and gc.collect(2);
- "the lab's settings": after ui.keep_keras_between_runs, with postScriptGC read from the config.
Images/s are read from the job's own progress over --seconds per row; "nobody watching" is
measured again between the rows, as the baseline of the same run.
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
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(ROOT / "dashboard"))
from common import save, table  # noqa: E402

from streamlit.runtime.scriptrunner import script_runner  # noqa: E402

from cnn_lab.data import SAMPLE_PATH  # noqa: E402
from cnn_lab.recipes import preset  # noqa: E402
from cnn_lab.training import TrainingJob  # noqa: E402

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


def images_per_second(job: TrainingJob, seconds: float) -> float:
    def step():
        b = job.snapshot()["batches"]
        return b[-1]["step"] if b else 0

    s0, t0 = step(), time.perf_counter()
    time.sleep(seconds)
    return (step() - s0) * job.snapshot()["config"]["batch_size"] / (time.perf_counter() - t0)


def watched(job: TrainingJob, viewers: int, settings: str, seconds: float) -> tuple[float, float]:
    """(images/s, median ms of one after-run step) with `viewers` students polling once a second."""
    stop, costs = threading.Event(), []

    def student():
        while not stop.is_set():
            started = time.perf_counter()
            after_run(settings)
            costs.append(time.perf_counter() - started)
            stop.wait(max(0.0, 1.0 - (time.perf_counter() - started)))

    threads = [threading.Thread(target=student, daemon=True) for _ in range(viewers)]
    for t in threads:
        t.start()
    rate = images_per_second(job, seconds)
    stop.set()
    for t in threads:
        t.join()
    script_runner._clean_problem_modules = STREAMLIT_CLEANUP  # each row starts from Streamlit's own
    return rate, 1000 * statistics.median(costs) if costs else 0.0


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--data", help="a full CIFAR-10 archive or folder (default: the bundled sample)")
    ap.add_argument("--seconds", type=float, default=15)
    ap.add_argument("--quick", action="store_true", help="5 s per row: a check that it works")
    args = ap.parse_args()
    seconds = 5 if args.quick else args.seconds
    import keras  # noqa: F401  (loaded, as in the server: Streamlit cleans Keras up only once it is imported)

    job = TrainingJob()
    job.start(preset("fast", epochs=200), data=args.data or str(SAMPLE_PATH),
              run_dir=Path(tempfile.mkdtemp(prefix="cnn-lab-watched-")))
    while not job.snapshot()["batches"]:
        time.sleep(0.2)
    time.sleep(3)  # past tracing
    rows = []
    try:
        for viewers in (1, 5):
            alone = images_per_second(job, seconds)
            row = {"students watching": viewers, "nobody watching img/s": alone}
            for settings, name in (("defaults", "Streamlit's defaults"), ("lab", "the lab's settings")):
                rate, cost = watched(job, viewers, settings, seconds)
                row[f"{name} img/s"] = rate
                row[f"{name} ms/run"] = cost
            rows.append(row)
    finally:
        job.stop()
        job.wait()
    table(rows, f"Training images/s while students watch the Train page ({'full CIFAR-10' if args.data else 'bundled sample'}, "
                f"fast preset; ms/run: Streamlit's after-run step, median)")
    save("watched_training", {"rows": rows, "data": args.data or "bundled sample", "seconds": seconds})


if __name__ == "__main__":
    main()
