"""Pages only draw: a page under dashboard/views/ reads widgets, calls cnn_lab (or ui, charts) and draws.

The rule, checked on the source of every page:
1. no page imports Keras, TensorFlow or JAX (anything Keras computes is a cnn_lab function);
2. no page imports numpy, at the top or inside a function: array arithmetic belongs in cnn_lab, where it
   is tested against a reference, or in charts/ if it builds a figure;
3. no page does array maths on what cnn_lab gives it: no reduction or sort of an array (`.sum()`,
   `.mean()`, `.max()`, `.argmax()`, `.argsort()`, ...) and no matrix product (`@`).
"""

import ast
from pathlib import Path

import pytest

VIEWS = Path(__file__).resolve().parents[1] / "dashboard" / "views"
FRAMEWORKS = ("keras", "tensorflow", "jax", "numpy")
ARRAY_MATHS = {"sum", "mean", "std", "var", "min", "max", "argmin", "argmax", "argsort", "cumsum", "prod", "any", "all"}
ARRAY_MATHS |= {"dot", "nonzero", "ptp", "clip"}  # (a list or a string has none of these methods)


def problems(source: str) -> list[str]:
    found = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            modules = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module:
            modules = [node.module] + [f"{node.module}.{alias.name}" for alias in node.names]
        else:
            modules = []
        found |= {(node.lineno, f"imports {m}") for m in modules if m.split(".")[0] in FRAMEWORKS}
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in ARRAY_MATHS:
            found.add((node.lineno, f"computes .{node.func.attr}()"))
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.MatMult):
            found.add((node.lineno, "computes a matrix product (@)"))
    return [f"line {line}: {what}" for line, what in sorted(found)]


@pytest.mark.parametrize("page", sorted(p.name for p in VIEWS.glob("*.py")))
def test_the_page_only_draws(page):
    assert problems((VIEWS / page).read_text(encoding="utf-8")) == []


def test_the_rule_catches_a_page_that_computes():
    page = (
        "import numpy as np\nfrom keras import ops\nimport streamlit as st\n\n"
        "def share(counts):\n    from numpy import sum as total\n    return counts / total(counts)\n\n"
        "st.write(sorted(range(3), key=lambda i: np.abs(i)))\n"
        "st.write(counts.sum(), weights @ pixels, f'{probabilities.argmax()}')\n"
    )
    assert problems(page) == [
        "line 1: imports numpy",
        "line 2: imports keras",
        "line 2: imports keras.ops",
        "line 6: imports numpy",
        "line 6: imports numpy.sum",
        "line 10: computes .argmax()",
        "line 10: computes .sum()",
        "line 10: computes a matrix product (@)",
    ]
    drawing = "import streamlit as st\nimport charts\n\nst.write(max(3, 4), sorted([2, 1]), ', '.join(['a']))\n"
    assert problems(drawing) == []
