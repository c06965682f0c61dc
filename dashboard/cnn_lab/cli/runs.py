"""The commands about runs already made: runs (the list), compare, name, export and import."""

import json
from pathlib import Path

from cnn_lab.runs import folders
from cnn_lab.cli.usage import UsageError, run_folder


def list_command(args) -> int:
    found = folders.list_runs()
    if args.json:
        print(json.dumps([r.to_json() for r in found]))
        return 0
    if not found:
        print(f"no runs yet in {folders.runs_dir()}")
        return 0
    print(f"{len(found)} run{'s' * (len(found) != 1)} in {folders.runs_dir()}, newest first:")
    for r in found:
        best = f"{100 * r.best_test_accuracy:.2f} %" if r.best_test_accuracy is not None else "untested"
        data = "sample" if "sample" in str(r.data) else "full CIFAR-10"
        print(
            f"  {r.run_id}  {r.status:<11} {r.preset or '?':<8} {r.epochs_done:>3} of "
            f"{r.epochs or '?':<3} epochs  best {best:<9} {data}" + (f"  {r.name!r}" if r.name else "")
        )
    return 0


def name_command(args) -> int:
    folder = run_folder(args.run)
    name = folders.set_name(folder, args.name)
    print(f"run {folder.name} is called {name!r}" if name else f"run {folder.name} has no name now")
    return 0


def export_command(args) -> int:
    from cnn_lab.runs.archive import export_run

    folder = run_folder(args.run)
    out = Path(args.output or f"{folder.name}.zip")
    out.write_bytes(export_run(folder))
    print(f"saved {out} ({out.stat().st_size / 1e6:.1f} MB)")
    return 0


def import_command(args) -> int:
    from cnn_lab.runs.archive import import_run

    given = Path(args.zip)
    if not given.is_file():
        raise UsageError(f"{given}: no such file")
    run_id = import_run(given.read_bytes())
    print(f"imported as run {run_id} in {folders.runs_dir()}")
    return 0


def compare_command(args) -> int:
    from cnn_lab.runs.compare import compare, table

    run_folders = [run_folder(given) for given in args.run]
    if len(run_folders) < 2:
        raise UsageError("compare needs two runs or more")
    comparison = compare(run_folders)
    if args.json:
        print(json.dumps({**comparison, "runs": [r.to_json() for r in comparison["runs"]]}))
    else:
        print(table(comparison))
    return 0
