"""How the lab writes numbers for people: one formatter per kind, shared by the pages and the CLI."""

from __future__ import annotations


def minutes_and_seconds(seconds: float) -> str:
    """A duration said in words' units: "41 s", "2 min 41 s", "1 h 02 min"."""
    seconds = int(round(seconds))
    if seconds >= 3600:
        return f"{seconds // 3600} h {seconds // 60 % 60:02d} min"
    if seconds >= 60:
        return f"{seconds // 60} min {seconds % 60} s"
    return f"{seconds} s"


def clock(seconds: float | None) -> str:
    """A duration as a clock reads it: m:ss under an hour, h:mm:ss from an hour on; "—" when unknown."""
    if seconds is None:
        return "—"
    seconds = int(round(seconds))
    if seconds >= 3600:
        return f"{seconds // 3600}:{seconds // 60 % 60:02d}:{seconds % 60:02d}"
    return f"{seconds // 60}:{seconds % 60:02d}"
