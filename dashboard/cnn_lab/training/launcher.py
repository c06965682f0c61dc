"""How the Train page starts a run: `cnn-lab train --run-dir DIR` as a child process, in a session of its own.

    start(config, data)      # a new run: its config.json written first, then the command trains it
    start(resume=folder)     # ... going on from a run's last finished epoch
    stop(run_id)             # a stop request, seen at the next batch
    force_stop(run_id)       # the process ended at once (SIGKILL), for a run stuck in a step

The child keeps training if the server is killed or restarted; the restarted server finds it again through
its status.json (its process id) and can stop it. A crash, an out-of-memory kill or a hung step of the run
cannot take the class's server down: no page shares a process with it. One run trains at a time on a
computer's runs folder: start() refuses a second.
"""

import fcntl
import logging
import os
import re
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

from cnn_lab import settings
from cnn_lab.runs import folders
from cnn_lab.runs.records import Status
from cnn_lab.recipes import TrainConfig, preset
from cnn_lab.training.loop import RunBusy, plan

log = logging.getLogger(__name__)
PACKAGE_PARENT = Path(__file__).resolve().parents[2]  # the folder that holds cnn_lab/

# How a process that crashed below Python ends (XLA's fatal checks abort; a broken library segfaults), unlike
# one that was killed from outside (kill -9, the out-of-memory killer: SIGKILL), which is only interrupted.
CRASH_SIGNALS = {signal.SIGABRT, signal.SIGSEGV, signal.SIGBUS, signal.SIGILL, signal.SIGFPE}


def crash_report(signal_name: str, output: str) -> dict:
    """What a run that crashed below Python says on its page: the fatal line of its log, if it printed one
    (absl's "F1205 12:00:00 file.cc:161] why", "Fatal Python error: why", "Check failed: why"), and the
    end of its log without the stack's raw addresses ("    @ 0x7f... name"), which say nothing to a teacher."""
    lines = [line for line in output.splitlines() if not re.match(r"\s*@\s+0x[0-9a-f]+", line)]
    fatal = [line for line in lines if re.match(r"(F\d{4} |Fatal Python error|Check failed)", line)]
    why = re.sub(r"^F\d{4} [\d:.]+\s+\d+ [\w.]+:\d+\] ", "", fatal[-1]).strip() if fatal else ""
    error = f"the training process crashed ({signal_name})" + (f": {why}" if why else "; the end of its log says why")
    return {"error": error, "traceback": "\n".join(lines)}


def _watch_child(child: subprocess.Popen, folder: Path) -> None:
    """Reap the child when it ends; log a failure with its traceback (the page shows its end too)."""
    code = child.wait()
    if code == 0:
        return
    saved = folders.read_status(folder)
    status = Status.read(saved.get("status"))
    if status is Status.FAILED:  # the run recorded its own exception
        log.error("training run %s failed: %s\n%s", folder.name, saved.get("error"), saved.get("traceback") or "")
        return
    output = (folder / "train.log").read_text(errors="replace")[-3000:] if (folder / "train.log").is_file() else ""
    if -code in CRASH_SIGNALS and status.live:
        # it crashed below Python (XLA's abort, a segfault), with no exception to record: its output says why
        name = signal.Signals(-code).name
        log.error("training run %s crashed (%s):\n%s", folder.name, name, output)
        folders.write_status(folder, Status.FAILED, **crash_report(name, output))
    elif code < 0:  # killed (out of memory, kill -9): "interrupted", resumable from its last finished epoch
        log.error(
            "training run %s was killed by signal %s; it can resume from its last finished epoch", folder.name, -code
        )
    elif status.live:  # it ended before it could say why: its output says
        log.error("training run %s ended with exit code %s:\n%s", folder.name, code, output)
        folders.write_status(
            folder, Status.FAILED, error=f"the training process ended with exit code {code}", traceback=output
        )


def start(
    config: TrainConfig | None = None, data: str | None = None, resume: Path | None = None, root: Path | None = None
) -> str:
    """Start a new run of `config` on `data` (or resume the run in folder `resume`) as a child process, in a
    session of its own; returns the run's id at once. A new run's config.json is written here, and the child
    trains what it says: `python -m cnn_lab train --run-dir DIR`, the command a teacher can type.

    RunBusy if a run trains on this computer already, ValueError for a run that cannot resume.
    """
    pressed = time.time()  # Start: the run's clock counts from here, the child's start-up included
    root = Path(root) if root else Path(resume).parent if resume is not None else folders.runs_dir()
    root.mkdir(parents=True, exist_ok=True)
    with open(root / ".start.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # two Start clicks at once: one of them waits, then is refused
        if (busy := folders.live_run(root)) is not None:
            raise RunBusy(f"run {busy.name} is training (process {folders.training_pid(busy)}); stop it or wait for it")
        if resume is not None:
            folder = Path(resume)
            if not (folder / "config.json").is_file() or not (folder / "model.keras").is_file():
                raise ValueError(f"{folder}: no run to resume there (no config.json or model.keras)")
            args = ["--resume"] + (["--data", data] if data else [])
        else:
            folder = folders.run_path(folders.new_run_id(), root)
            folder.mkdir(parents=True)
            plan(folder, config or preset("fast"), data)
            args = []
        folders.clear_stop(folder)
        env = dict(
            os.environ,
            **{settings.RUNS_VARIABLE: str(root), settings.STARTED_VARIABLE: repr(pressed)},
            PYTHONUNBUFFERED="1",
            PYTHONPATH=os.pathsep.join(
                [str(PACKAGE_PARENT)] + [p for p in os.environ.get("PYTHONPATH", "").split(os.pathsep) if p]
            ),
        )
        with open(folder / "train.log", "ab") as out:
            child = subprocess.Popen(
                [sys.executable, "-m", "cnn_lab", "train", *args, "--no-download", "--run-dir", str(folder)],
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=subprocess.STDOUT,
                env=env,
                cwd=str(PACKAGE_PARENT.parent),
                start_new_session=True,
            )
        folders.write_status(folder, Status.STARTING, pid=child.pid)  # seen as this run's at once, by every page
    threading.Thread(target=_watch_child, args=(child, folder), name=f"cnn-lab-run-{folder.name}", daemon=True).start()
    return folder.name


def stop(run_id: str, root: Path | None = None) -> bool:
    """Ask a live run to stop after its batch in progress; False if it is not training."""
    folder = folders.run_path(run_id, root)
    if folders.training_pid(folder) is None:
        return False
    folders.request_stop(folder)
    return True


def force_stop(run_id: str, root: Path | None = None) -> bool:
    """End a run's process at once (SIGKILL to its process group), for a run stuck in a step that
    never sees its stop request; False if it is not training. The run keeps its last finished epoch
    and shows as interrupted, resumable from there."""
    folder = folders.run_path(run_id, root)
    pid = folders.training_pid(folder)
    if pid is None:
        return False
    try:
        if os.getpgid(pid) == pid:  # started by the lab, in a session of its own: its children go too
            os.killpg(pid, signal.SIGKILL)
        else:  # started in a terminal, in the shell's process group: that process alone
            os.kill(pid, signal.SIGKILL)
    except ProcessLookupError:
        return False
    log.warning("training run %s did not stop when asked and was ended (SIGKILL)", run_id)
    return True
