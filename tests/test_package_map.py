"""The package's docstring is a true map: every module of cnn_lab is named in it, and says its own job."""

import ast
import re
import shutil
import subprocess
from pathlib import Path

import pytest

import cnn_lab

PACKAGE = Path(cnn_lab.__file__).parent


def test_every_module_is_on_the_map_and_has_a_docstring():
    words = set(re.findall(r"\w+/?", cnn_lab.__doc__))
    for path in sorted(PACKAGE.rglob("*.py")):
        if path.name == "__main__.py":
            continue
        inside = path.relative_to(PACKAGE)
        if inside.parts[0].endswith(".py"):  # a module of the package itself: named on the map
            assert path.stem in words or path.stem == "__init__", f"cnn_lab/{inside} is not on cnn_lab's map"
        else:  # a subpackage: named with its slash, and its own __init__ maps its modules
            assert f"{inside.parts[0]}/" in words, f"cnn_lab/{inside.parts[0]}/ is not on cnn_lab's map"
            if path.name != "__init__.py":
                assert path.stem in (PACKAGE / inside.parts[0] / "__init__.py").read_text(), inside
        assert ast.get_docstring(ast.parse(path.read_text())), f"cnn_lab/{inside} has no docstring saying its job"


def test_no_module_of_the_package_is_over_350_lines():
    for path in (PACKAGE.parent).rglob("*.py"):
        assert len(path.read_text().splitlines()) <= 350, f"{path.relative_to(PACKAGE.parent)} is over 350 lines"


def test_no_source_file_is_ignored_by_git():
    """A `.gitignore` line once hid `cnn_lab/runs/` from commits: the checkout passed, every clean clone failed."""
    root = PACKAGE.parent.parent
    if shutil.which("git") is None or not (root / ".git").exists():
        pytest.skip("not a git checkout")
    sources = [str(p.relative_to(root)) for p in (root / "dashboard").rglob("*.py") if "__pycache__" not in p.parts]
    sources += [str(p.relative_to(root)) for p in (root / "tests").glob("*.py")]
    ignored = subprocess.run(
        ["git", "check-ignore", "--no-index", *sources], cwd=root, capture_output=True, text=True
    ).stdout.split()
    assert not ignored, f"git ignores these source files, so a clean clone lacks them: {ignored}"
