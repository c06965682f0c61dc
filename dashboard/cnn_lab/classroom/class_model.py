"""The class's model: the one model every student's pages show while a teacher token is set.

The teacher chooses it on the Runs page for the whole server: `<runs>/active_model.json` holds only
"default" (the shipped model) or a validated run id, never a path.
"""

from __future__ import annotations

import json
from pathlib import Path

from cnn_lab.runs.folders import run_path, write_json
from cnn_lab.settings import runs_dir

ACTIVE_MODEL_FILE = "active_model.json"
DEFAULT = "default"


def _file(root: Path | None) -> Path:
    return (root or runs_dir()) / ACTIVE_MODEL_FILE


def read_active_model(root: Path | None = None) -> str:
    """The class's model: DEFAULT or a run id. A missing, unreadable or foreign file means DEFAULT."""
    try:
        choice = json.loads(_file(root).read_text()).get("model")
        if choice != DEFAULT:
            run_path(choice)  # raises ValueError for anything that is not a run id
        return choice
    except (OSError, ValueError, AttributeError, TypeError):
        return DEFAULT


def write_active_model(choice: str, root: Path | None = None) -> None:
    """Choose the class's model: DEFAULT or a run id (checked; never a path)."""
    if choice != DEFAULT:
        run_path(choice)
    path = _file(root)
    path.parent.mkdir(parents=True, exist_ok=True)
    write_json(path, {"model": choice})


def active_model_path(default_model: Path, root: Path | None = None) -> Path:
    """The file of the class's model: the shipped one, or the chosen run's model.keras."""
    choice = read_active_model(root)
    return Path(default_model) if choice == DEFAULT else run_path(choice, root) / "model.keras"
