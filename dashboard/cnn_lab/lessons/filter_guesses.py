"""The predict-first guess of the "What a filter wants" page: how large a patch of the picture one number
of a layer's feature map depends on (its receptive field, cnn_lab.network.filter_wants.receptive_field).

No Keras here: the page passes the fields the network's own layers give. No Streamlit either.
"""

from __future__ import annotations

from cnn_lab.lessons.guesses import Guess


def square(size: int) -> str:
    """5 -> "5 × 5 pixels"."""
    return f"{size} × {size} pixels"


def patch_guess(layer: str, fields: dict, side: int) -> Guess:
    """`fields`: {convolution layer: its Field}, in the network's order; `side`: the picture's side (24).
    Which patch of the picture does one number of `layer`'s map depend on?"""
    whole = f"the whole {side} × {side} picture"
    answer = square(fields[layer].size) if fields[layer].size < side else whole
    options = [square(field.size) for field in fields.values() if field.size < side]
    options = list(dict.fromkeys([*options, whole]))
    steps = ", then ".join(
        f"{name} ({kernel} × {kernel}) makes it {size} × {size}" for name, kernel, size in fields[layer].growth
    )
    return Guess(
        question=f"One number of {layer}'s feature map: how much of the {side} × {side} picture can it see?",
        options=tuple(options),
        answer=answer,
        why=f"One pixel to start with: {steps}. Each 2 × 2 pooling halves the grid, so every step of the next "
        "kernel jumps twice as many pixels. What it looks for must fit in that patch."
        + (" (A patch is cut where it runs past the picture's edge.)" if fields[layer].size >= side else ""),
    )
