"""The teaching text: `lessons/<name>.md`, Markdown written for students.

The pages show it; the tests read it too (tests/test_claims.py checks every number it states
against the code). No Streamlit here.
"""

from __future__ import annotations

import re

from cnn_lab.settings import LESSON_TEXTS

_COMMENT = re.compile(r"<!--.*?-->\s*", re.S)
_ITEM = re.compile(r"^- \*\*(.+?)\*\*: (.+)$", re.M)
_CODE = re.compile(r"```.*?```", re.S)
_WORD = re.compile(r"[A-Za-z0-9]+(?:['’.,][A-Za-z0-9]+)*")


def read_lesson(name: str) -> str:
    """lessons/<name>.md as Markdown, without its HTML comments (notes for whoever edits it)."""
    return _COMMENT.sub("", (LESSON_TEXTS / f"{name}.md").read_text(encoding="utf-8")).strip()


def lesson_items(name: str) -> dict[str, str]:
    """A lesson written as a list of `- **term**: text` lines, as {term: text}."""
    return dict(_ITEM.findall(read_lesson(name)))


def spoken_words(markdown: str) -> int:
    """How many words a teacher reads aloud: words and numbers, not code blocks or symbols."""
    return len(_WORD.findall(_CODE.sub("", _COMMENT.sub("", markdown))))
