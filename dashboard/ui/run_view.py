"""One run as its folder tells it, for the Train page's live watch: what it does, how far it is, its
numbers, when it passes the article's line, the devices it trains on, and why it failed.

It draws a snapshot (cnn_lab.runs.records.Snapshot); the curves are the page's (charts), drawn after it.
"""

from __future__ import annotations

import streamlit as st

from cnn_lab.runs.compare import choice_in_words, chosen_epochs
from cnn_lab.formatting import clock, minutes_and_seconds
from cnn_lab.settings import ARTICLE_ACCURACY
from cnn_lab.runs.records import Device, Snapshot, Status
from cnn_lab.settings import ARTICLE_LINE
from cnn_lab.runs.eta import crossing_words, expected_epoch, seconds_to_line
from cnn_lab.training.devices import device_words

GPU_HINTS = {  # by Keras backend: what to install for an NVIDIA GPU
    "tensorflow": "To train on an NVIDIA GPU on Linux, install TensorFlow with its CUDA libraries: "
    '`pip install "tensorflow[and-cuda]"`, then restart the lab.',
    "jax": 'To train on an NVIDIA GPU on Linux, install JAX with its CUDA libraries: `pip install "jax[cuda12]"`, '
    "then restart the lab.",
}
WORDS = {
    Status.STARTING: "Starting",
    Status.RUNNING: "Training",
    Status.STOPPING: "Stop requested: stopping after this batch",
    Status.STOPPED: "Stopped",
    Status.FINISHED: "Finished",
    Status.FAILED: "Failed",
    Status.INTERRUPTED: "Interrupted",
    Status.UNKNOWN: "Unknown",
}


def say_device(found: Device, trains_now: bool = False) -> None:
    """Which devices a run uses (all of them, data-parallel, where there are several), and on which backend:
    `trains_now` for a run in progress, else what this computer's runs train on (or an ended run trained on)."""
    verb = "Training on" if trains_now else "Runs train on"
    if found.kind == "GPU":
        st.success(f"{verb} **{device_words(found)}**.", icon=":material/memory:")
    else:
        st.info(
            f"{verb} **{device_words(found)}**: no GPU found, so a full run takes a while. "
            + GPU_HINTS.get(found.backend, ""),
            icon=":material/memory:",
        )


def show_run(snap: Snapshot) -> None:
    """One run, read from its folder: what it does, how far it is, its numbers (not its curves)."""
    status, history = snap.status, snap.history
    best = max((h.test_accuracy for h in snap.tested), default=None)
    recipe = f" ({snap.preset} recipe)" if snap.preset else ""
    st.markdown(f"**{WORDS[status]}: run `{snap.run_id}`**{recipe} — {snap.message}")
    if snap.data:
        st.caption(f"Data: {snap.data}")
    if snap.epochs:
        at = snap.position()
        if status.training_now:
            where = f"Epoch {at.epoch} of {at.epochs}, batch {at.batch} of {at.batches_per_epoch or '?'}"
        else:
            where = f"{len(history)} of {at.epochs} epochs finished and saved"
        st.progress(at.fraction if status.training_now else len(history) / at.epochs, text=where)
    a, b, c, d = st.columns(4)
    a.metric("Images per second", f"{snap.images_per_second:,.0f}" if snap.images_per_second else "—")
    b.metric("Time left (estimate)", clock(snap.eta_seconds) if status.training_now else "—")
    c.metric(
        "Test accuracy, last epoch",
        f"{100 * history[-1].test_accuracy:.2f} %" if history and history[-1].tested else "—",
    )
    if chosen := chosen_epochs(history):  # held-out images to choose by: the test is not looked at
        d.metric(
            "Best so far on validation",
            f"{100 * chosen['by_validation'].validation_accuracy:.2f} %",
            help="On the training images held out for validation: the fair way to choose the best epoch.",
        )
    else:
        d.metric(
            "Best so far",
            f"{100 * best:.2f} %" if best is not None else "—",
            delta=f"{100 * (best - ARTICLE_ACCURACY):+.1f} points vs the article" if best is not None else None,
        )
    if chosen:
        st.info(choice_in_words(history), icon=":material/rule:")
    if snap.crossed:
        st.success(f"**{crossing_words(snap.crossed)}.**", icon=":material/flag:")
    elif (expected := expected_epoch(snap)) and (left := seconds_to_line(snap, expected)) is not None:
        st.info(
            f"**{ARTICLE_LINE} expected in about {minutes_and_seconds(left)}**: the reference run of this "
            f"recipe passed it in epoch {expected}.",
            icon=":material/flag:",
        )
    if snap.device:
        say_device(snap.device, trains_now=status.training_now)
    if status is Status.FAILED:
        st.error(f"Training failed: {snap.error}", icon=":material/error:")
        if snap.traceback:
            with st.expander("Where it failed (the end of the traceback; the server's log has all of it)"):
                st.code("\n".join(snap.traceback.strip().splitlines()[-8:]), language=None)
    elif status is Status.INTERRUPTED:
        st.warning(
            "Its training process ended before the run did (the computer or the process was stopped). "
            + (
                f"It can resume from its last finished epoch (epoch {len(history)}), on the Runs page."
                if history
                else "No epoch had finished, so there is nothing to resume from: start a new run."
            ),
            icon=":material/warning:",
        )
