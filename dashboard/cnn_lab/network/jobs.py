"""Long computations shared by every student: each runs once, in the background, one at a time.

Thirty students opening the same page must not start thirty evaluations of the same model, and a page's
rerun must never wait for one. `BackgroundJobs` runs each piece of work once per key (what the result
depends on, e.g. a model file's version and the test set) in a background thread, keeps the result for
every later reader, and reports progress while it runs. Every job of the lab shares one thread (`ONE_AT_A_TIME`):
on a 2-core laptop two heavy jobs at once would each take twice as long. Nothing here imports streamlit.

    jobs.submit(key, work, total=10_000)   # returns at once; work(stop, progress) -> result, or None if stopped
    jobs.status(key)   # {"status": "queued" | "running" | "done" | "stopped" | "failed" | "idle", "done": 500, ...}
    jobs.result(key)   # the result once done, else None
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from concurrent import futures

log = logging.getLogger(__name__)

# One thread for all of them: a job waits in its queue while another runs.
ONE_AT_A_TIME = futures.ThreadPoolExecutor(1, "cnn-lab-job")


class BackgroundJobs:
    """Results of long computations, each computed once per key in the shared background thread.

    `work(stop, progress)` gets a threading.Event it should check between chunks (return None when it
    is set) and `progress(done, total, **more)` to report how far it is. `stop(key)` ends a job after the
    chunk in progress, or before it starts. The `keep` latest results stay in memory."""

    def __init__(self, what: str, keep: int = 16, pool: futures.Executor = ONE_AT_A_TIME):
        self._what = what  # for the log: "Evaluating", "Mapping"
        self._lock = threading.Lock()
        self._pool = pool
        self._keep = keep
        self._results: dict[tuple, object] = {}  # oldest first
        self._states: dict[tuple, dict] = {}  # the jobs not done: status, done, total, error...
        self._jobs: dict[tuple, tuple[futures.Future, threading.Event]] = {}  # the latest job of each key
        # A stopping server must not wait for a job: stop them all before the pool's own exit hook joins its
        # thread (threading's exit hooks, which concurrent.futures uses, run before atexit's).
        threading._register_atexit(self.stop_all)

    def result(self, key: tuple):
        with self._lock:
            return self._results.get(key)

    def status(self, key: tuple) -> dict:
        with self._lock:
            if key in self._results:
                return {"status": "done", "done": 1, "total": 1}
            return dict(self._states.get(key, {"status": "idle", "done": 0, "total": 0}))

    def store(self, key: tuple, result) -> None:
        """Keep a finished result (the job does this; a reader of a saved result and tests can too),
        forgetting the oldest."""
        with self._lock:
            self._results.pop(key, None)
            self._results[key] = result
            while len(self._results) > self._keep:
                self._results.pop(next(iter(self._results)))
            self._states.pop(key, None)

    def submit(self, key: tuple, work: Callable, total: int = 0) -> tuple:
        """Run `work` in the background, unless its result is here or it is already under way."""
        with self._lock:
            if key in self._results or self._states.get(key, {}).get("status") in ("queued", "running"):
                return key
            self._states[key] = {"status": "queued", "done": 0, "total": total, "error": None}
            stop = threading.Event()
            self._jobs[key] = (self._pool.submit(self._run, key, work, stop), stop)
        return key

    def stop(self, key: tuple) -> None:
        """Stop a job: one still queued never starts, a running one ends after its chunk."""
        with self._lock:
            if key not in self._jobs:
                return
            future, stop = self._jobs[key]
            stop.set()
            if future.cancel():
                self._states[key]["status"] = "stopped"

    def stop_all(self) -> None:
        """Stop every job: a server that shuts down does not wait for them."""
        with self._lock:
            keys = list(self._jobs)
        for key in keys:
            self.stop(key)

    def wait(self, key: tuple, timeout: float | None = None) -> dict:
        """Block until the job leaves the queue and finishes (for scripts and tests)."""
        with self._lock:
            future = self._jobs[key][0] if key in self._jobs else None
        if future is not None:
            futures.wait([future], timeout)
        return self.status(key)

    def wait_all(self, timeout: float | None = None) -> None:
        """Block until every job submitted so far has ended (for scripts and tests)."""
        with self._lock:
            pending = [future for future, _ in self._jobs.values()]
        futures.wait(pending, timeout)

    def _set(self, key, **changes) -> None:
        with self._lock:
            self._states.setdefault(key, {}).update(changes)

    def _run(self, key, work: Callable, stop: threading.Event) -> None:
        self._set(key, status="running")
        try:
            result = work(stop, lambda done, total, **more: self._set(key, done=done, total=total, **more))
        except Exception as e:  # a broken file: every reader sees why, and the server's log has the traceback
            log.exception("%s %s failed", self._what, key)
            self._set(key, status="failed", error=f"{type(e).__name__}: {str(e).splitlines()[0][:300]}")
            return
        if result is None:
            self._set(key, status="stopped")
        else:
            self.store(key, result)
