"""`streamlit run ...`, with the server's own time for every script run written down.

    CNN_LAB_SCRIPT_TIMES=times.jsonl python benchmarks/timed_server.py run dashboard/app.py [options]

A browser's page time is the server's work plus the network plus the browser's own drawing;
when the browsers share the server's cores (benchmarks/load.py) the last can swamp the rest.
This wraps Streamlit's ScriptRunner._run_script (one call per rerun of a page or of a fragment)
and appends one JSON line per run: the page's title, whether it was a fragment and the seconds
it took. The app itself is not changed.
"""

import json
import os
import sys
import threading
import time

from streamlit.runtime.scriptrunner import script_runner
from streamlit.web import cli

LOG = os.environ["CNN_LAB_SCRIPT_TIMES"]
_write = threading.Lock()
_run_script = script_runner.ScriptRunner._run_script


def _page_title(runner) -> str:
    try:
        pages = runner._pages_manager.get_pages()
        return pages[runner._pages_manager.current_page_script_hash]["page_name"]
    except Exception:  # Streamlit internals moved: still time the run
        return "?"


def timed_run_script(self, rerun_data):
    started = time.perf_counter()
    try:
        return _run_script(self, rerun_data)
    finally:
        line = json.dumps(
            {
                "at": time.time(),
                "page": _page_title(self),
                "fragment": bool(rerun_data.fragment_id_queue),
                "seconds": round(time.perf_counter() - started, 4),
            }
        )
        with _write, open(LOG, "a") as out:
            out.write(line + "\n")


script_runner.ScriptRunner._run_script = timed_run_script

if __name__ == "__main__":
    sys.argv = ["streamlit", *sys.argv[1:]]
    sys.exit(cli.main())
