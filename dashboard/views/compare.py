"""Compare runs: 2-4 runs side by side (shipped experiments, finished runs, the live one), what changed
between them, their curves, the gap between training and test accuracy, and which classes and
confusions got better or worse."""

from pathlib import Path

import streamlit as st

import charts.compare
import ui
from cnn_lab.runs.compare import (
    VALIDATION_PAIR,
    chance_gap,
    class_chance,
    choice_in_words,
    class_differences,
    compare,
    confusion_difference,
    final,
    gap_in_words,
    shipped,
)
from cnn_lab.runs.compare import label as run_label
from cnn_lab.runs.compare import opening, reference_runs
from cnn_lab.runs.folders import list_runs

ui.lesson("compare")
references = reference_runs()
mine = list_runs()
choices = {str(f): f"Shipped experiment: {run_label(f)}" for f in references}
choices.update({str(r.path): f"{run_label(r.path)} ({r.epochs_done} of {r.epochs} epochs, {r.status})" for r in mine})
if len(choices) < 2:
    st.info(
        "Comparing needs two runs or more: train one on the Train page, or two, and they appear here.",
        icon=":material/compare_arrows:",
    )
    ui.link_to_train()
    st.stop()
if linked := st.query_params.get_all("runs"):  # a link that names its runs (the Train page's experiments): once
    st.session_state["compare_runs"] = [p for name in linked for p in choices if Path(p).name == name][:4]
    del st.query_params["runs"]
elif "compare_runs" not in st.session_state:
    st.session_state["compare_runs"] = [str(f) for f in opening(references)][:4]
st.session_state["compare_runs"] = [p for p in st.session_state["compare_runs"] if p in choices]
shortcuts = st.container(horizontal=True)
if noise := chance_gap(references):
    shortcuts.button(
        "Open the two seeds",
        icon=":material/casino:",
        on_click=lambda: st.session_state.update(compare_runs=[str(f) for f in noise["runs"]]),
        help="The Lesson recipe twice, from two random starts: how far apart chance alone puts two runs.",
        key="compare_seeds",
    )
if held := shipped(references, VALIDATION_PAIR):
    shortcuts.button(
        "Open the validation pair",
        icon=":material/rule:",
        on_click=lambda: st.session_state.update(compare_runs=[str(f) for f in held]),
        help="The Lesson recipe on all 50,000 training images, and with 5,000 of them held out for validation.",
        key="compare_validation",
    )
picked = st.multiselect(
    "Runs to compare (2 to 4)",
    list(choices),
    format_func=choices.get,
    max_selections=4,
    key="compare_runs",
)
by = st.radio(
    "Along",
    ["epoch", "seconds"],
    horizontal=True,
    key="compare_by",
    format_func={"epoch": "epochs", "seconds": "training time"}.get,
)
if by == "seconds":
    st.caption(
        "Time is each run's wall clock on the machine that trained it, its tests included; the shipped runs "
        "shared a busy machine, so their times are no fair race: compare them by epoch."
    )
if len(picked) < 2:
    st.info("Pick two runs or more to compare them.", icon=":material/compare_arrows:")
    st.stop()


@st.fragment(run_every=2.0)
def live(picked: list[str], by: str) -> None:
    """The curves and numbers; redrawn every 2 s while a picked run trains."""
    comparison = compare([Path(p) for p in picked])
    found = comparison["runs"]
    st.header("What changed")
    if comparison["differences"]:
        st.dataframe(
            [
                {"setting": name, **{r.label: str(v) for r, v in zip(found, values)}}
                for name, values in comparison["differences"].items()
            ],
            hide_index=True,
        )
    else:
        st.caption("Nothing: these runs have the same settings, the seed of their random start included.")
    for column, run in zip(st.columns(len(found)), found):
        shown = "—" if run.test_accuracy is None else f"{100 * run.test_accuracy:.2f} %"
        column.metric(run.label, shown, help=f"test accuracy after {run.epochs_done} of {run.epochs} epochs")
        column.caption(final(run) if run.test_correct is not None else "")  # N/10000: in full, under the number
    st.plotly_chart(
        charts.compare.compare_accuracy_figure(found, by), key="compare_accuracy", config={"displayModeBar": False}
    )
    st.plotly_chart(charts.compare.gap_figure(found, by), key="compare_gap", config={"displayModeBar": False})
    for run in found:
        st.markdown(f"- {gap_in_words(run)}")
    for run in found:  # a run with a validation set: its best epoch, chosen fairly and by peeking at the test
        if choice := choice_in_words(run.history):
            st.markdown(f"- {run.label}: {choice}")
    st.plotly_chart(charts.compare.compare_loss_figure(found, by), key="compare_loss", config={"displayModeBar": False})
    if not any(r.status.training_now for r in found):
        st.caption("None of these runs is training: the charts stay as they are.")


live(picked, by)

st.header("Which classes got better")
with_models = [p for p in picked if (Path(p) / "model.keras").is_file()]
if len(with_models) < 2:
    st.caption(
        "Per-class and confusion differences need two runs with a model (the shipped experiments keep "
        "only their curves): pick two of your own runs."
    )
    st.stop()
first, second = st.columns(2)
a = first.selectbox("From", with_models, format_func=choices.get, key="compare_from")
b = second.selectbox("To", [p for p in with_models if p != a], format_func=choices.get, key="compare_to")
data = ui.dataset()
both = ui.evaluations_of(
    [Path(a) / "model.keras", Path(b) / "model.keras"], data, [run_label(Path(a)), run_label(Path(b))]
)
if both is None:
    st.stop()
st.plotly_chart(
    charts.compare.class_difference_figure(
        both[0].class_names, class_differences(*both), run_label(Path(a)), run_label(Path(b))
    ),
    key="compare_classes",
)
st.caption(class_chance(data.y_test, len(data.class_names)))
st.subheader("Which confusions got rarer, which more common")
st.plotly_chart(
    charts.compare.confusion_difference_figure(confusion_difference(*both), both[0].class_names),
    key="compare_confusion",
)
st.caption(
    "Each cell: how many more test images of the row's class the second run called the column's class "
    "than the first did. Purple: rarer mistakes; orange: more common."
)
