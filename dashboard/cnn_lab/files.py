"""Files written whole or not at all, and JSON read without a crash: what the run folders, the evaluation cache
and the models are written with (a reader never sees half a file)."""

import json
import os
from pathlib import Path


def write_atomic(path: Path, write) -> None:
    """Write through a temporary file in the same folder, then rename: never half a file."""
    path = Path(path)
    tmp = path.with_name(f".tmp-{os.getpid()}-{path.stem}{path.suffix}")  # keeps the suffix Keras insists on
    write(tmp)
    os.replace(tmp, path)


def write_json(path: Path, value, indent: int | None = 1) -> None:
    write_atomic(path, lambda p: p.write_text(json.dumps(value, indent=indent)))


def read_json(path: Path, default=None):
    try:
        return json.loads(Path(path).read_text())
    except (OSError, ValueError):
        return default
