"""A run as one zip file, to take to another computer and bring back: `export_run` and `import_run`.

The zip holds the run's config.json, history.json and model.keras (and its name, if it has one).
An import trusts nothing in it: only those names, flat, no folders; sizes checked before anything is
unpacked (a zip bomb is refused by what it declares and by what it really gives); the settings must
be a TrainConfig and the history a list of epochs; the model is opened in Keras's safe mode and
must take 32x32x3 images to 10 classes. It is unpacked into a new folder inside the runs folder,
under a new run id, and nothing is left behind if any check fails.
"""

from __future__ import annotations

import io
import json
import shutil
import zipfile
from pathlib import Path

from cnn_lab.runs import folders
from cnn_lab.runs.records import Status

REQUIRED = ("config.json", "history.json", "model.keras")
OPTIONAL = ("name.json",)
LIMITS = {"config.json": 1 << 20, "history.json": 8 << 20, "model.keras": 512 << 20, "name.json": 1 << 16}
LARGEST_ZIP = sum(LIMITS.values())


class ImportRefused(ValueError):
    """The zip is not a run CNN Lab can take in; the message says why, in plain words."""


def export_run(folder: Path) -> bytes:
    """The run's config, history, model (and name) as a zip file's bytes."""
    folder = Path(folder)
    missing = [name for name in REQUIRED if not (folder / name).is_file()]
    if missing:
        raise ValueError(f"run {folder.name} cannot be exported: it has no {', '.join(missing)} yet")
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name in REQUIRED + OPTIONAL:
            if (folder / name).is_file():
                archive.write(folder / name, name)
    return out.getvalue()


def _read_members(raw: bytes) -> dict[str, bytes]:
    """The zip's files by name, after checking names and sizes; ImportRefused otherwise."""
    if len(raw) > LARGEST_ZIP:
        raise ImportRefused(f"the file is {len(raw) / 1e6:,.0f} MB, more than a run can be")
    try:
        archive = zipfile.ZipFile(io.BytesIO(raw))
        entries = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError):
        raise ImportRefused("it is not a zip file (export a run from the Runs page or with `cnn-lab export`)") from None
    names = [e.filename for e in entries]
    strange = [n for n in names if n not in LIMITS]
    if strange:
        shown = ", ".join(repr(n[:80]) for n in strange[:3])
        raise ImportRefused(f"it holds files a run does not have ({shown}): only {', '.join(REQUIRED)}")
    if len(set(names)) != len(names):
        raise ImportRefused("it holds the same file twice")
    missing = [n for n in REQUIRED if n not in names]
    if missing:
        raise ImportRefused(f"it has no {', '.join(missing)}: a run needs {', '.join(REQUIRED)}")
    members = {}
    for entry in entries:
        limit = LIMITS[entry.filename]
        if entry.file_size > limit:
            raise ImportRefused(f"its {entry.filename} would unpack to {entry.file_size:,} bytes, more than {limit:,}")
        with archive.open(entry) as f:
            data = f.read(limit + 1)  # what it really gives, whatever it declares
        if len(data) > limit:
            raise ImportRefused(f"its {entry.filename} unpacks to more than {limit:,} bytes")
        members[entry.filename] = data
    return members


def _check_model_file(data: bytes) -> None:
    """A .keras file is a zip too: its own declared sizes are checked before Keras opens it."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as inner:
            unpacked = sum(e.file_size for e in inner.infolist())
    except zipfile.BadZipFile:
        raise ImportRefused("its model.keras is not a Keras model file (a .keras file is a zip archive)") from None
    if unpacked > LIMITS["model.keras"]:
        raise ImportRefused(f"its model.keras would unpack to {unpacked:,} bytes, more than a CNN Lab model")


def _check_settings(members: dict[str, bytes]) -> dict:
    from cnn_lab.recipes import TrainConfig

    try:
        config = json.loads(members["config.json"])
        TrainConfig.from_dict(config["train"])
        history = json.loads(members["history.json"])
        if not isinstance(history, list) or not all(isinstance(h, dict) and "epoch" in h for h in history):
            raise ValueError("history.json is not a list of epochs")
        if "name.json" in members:
            json.loads(members["name.json"])
    except (ValueError, KeyError, TypeError) as e:
        raise ImportRefused(f"its settings or history cannot be read as a CNN Lab run's ({e})") from None
    return config


def import_run(raw: bytes, root: Path | None = None) -> str:
    """Take in an exported run as a new run in the runs folder; returns its new id.

    ImportRefused, with the reason, for anything that is not a run CNN Lab made; nothing is then
    written, and nothing is ever written outside the runs folder."""
    members = _read_members(raw)
    _check_model_file(members["model.keras"])
    config = _check_settings(members)
    root = Path(root) if root else folders.runs_dir()
    root.mkdir(parents=True, exist_ok=True)
    run_id = folders.new_run_id()
    unpacking = root / f".import-{run_id}"
    try:
        unpacking.mkdir()
        for name, data in members.items():
            (unpacking / name).write_bytes(data)
        try:
            from cnn_lab.network.model import load_classifier

            load_classifier(unpacking / "model.keras")  # safe mode, and the 32x32x3 -> 10 contract
        except Exception as e:
            text = " ".join(str(e).split())[:200]
            raise ImportRefused(f"its model cannot be used by CNN Lab ({type(e).__name__}: {text})") from None
        history = json.loads(members["history.json"])
        done = len(history) >= config["train"]["epochs"]
        folders.write_json(
            unpacking / "status.json", {"status": Status.FINISHED if done else Status.STOPPED, "imported": True}
        )
        unpacking.rename(folders.run_path(run_id, root))
    finally:
        shutil.rmtree(unpacking, ignore_errors=True)
    return run_id
