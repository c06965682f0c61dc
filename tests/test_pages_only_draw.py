"""Pages only draw: a page under dashboard/views/ reads widgets, calls cnn_lab (or ui, charts) and draws.

The rule, checked on the source of every page:
1. no page imports Keras, TensorFlow or JAX (anything Keras computes is a cnn_lab function);
2. no function a page defines (def or lambda) uses numpy: a function that does array arithmetic
   belongs in cnn_lab, where it is tested against a reference, or in charts.py if it builds a figure.
"""

import ast
from pathlib import Path

import pytest

VIEWS = Path(__file__).resolve().parents[1] / "dashboard" / "views"
FRAMEWORKS = ("keras", "tensorflow", "jax")


def problems(source: str) -> list[str]:
    tree = ast.parse(source)
    found, numpy_names = [], set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            modules = [(alias.name, alias.asname or alias.name.split(".")[0]) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module:
            modules = [(node.module, None)] + [
                (f"{node.module}.{alias.name}", alias.asname or alias.name) for alias in node.names
            ]
        else:
            continue
        for module, name in modules:
            if module.split(".")[0] in FRAMEWORKS:
                found.append(f"line {node.lineno}: imports {module}")
            if module.split(".")[0] == "numpy" and name:
                numpy_names.add(name)
    for function in ast.walk(tree):
        if isinstance(function, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
            for node in ast.walk(function):
                if isinstance(node, ast.Name) and node.id in numpy_names:
                    what = getattr(function, "name", "a lambda")
                    found.append(f"line {node.lineno}: {what} computes with numpy ({node.id})")
    return sorted(set(found))


@pytest.mark.parametrize("page", sorted(p.name for p in VIEWS.glob("*.py")))
def test_the_page_only_draws(page):
    assert problems((VIEWS / page).read_text(encoding="utf-8")) == []


def test_the_rule_catches_a_page_that_computes():
    page = (
        "import numpy as np\nfrom keras import ops\nimport streamlit as st\n\n"
        "def share(counts):\n    return counts / np.sum(counts)\n\n"
        "st.write(sorted(range(3), key=lambda i: np.abs(i)))\n"
    )
    assert problems(page) == [
        "line 2: imports keras",
        "line 2: imports keras.ops",
        "line 6: share computes with numpy (np)",
        "line 8: a lambda computes with numpy (np)",
    ]
    assert problems("import numpy as np\nimport streamlit as st\n\nst.write(np.zeros(3))\n") == []
