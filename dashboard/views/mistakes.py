"""Mistakes: the test images the active model got wrong, the highest probability on a wrong class first."""

import streamlit as st

import ui
from cnn_lab.network.images import enlarge

PER_PAGE = 24
COLUMNS = 4

ui.lesson("mistakes")
data, result = ui.evaluation()
ui.data_badge(data)
names = list(result.class_names)
ANY = "any class"

left, right, _ = st.columns([1, 1, 2])
true = left.selectbox(
    "True class", [None, *range(10)], key="mistakes_true", format_func=lambda c: ANY if c is None else names[c]
)
pred = right.selectbox(
    "Predicted class", [None, *range(10)], key="mistakes_pred", format_func=lambda c: ANY if c is None else names[c]
)
wrong = result.mistakes(true, pred)

about = " ".join(
    filter(None, [f"of {names[true]}" if true is not None else "", f"called {names[pred]}" if pred is not None else ""])
)
st.header(f"{len(wrong):,} mistake{'s' * (len(wrong) != 1)} {about}".strip())
st.caption(
    f"{ui.model_label(ui.model_path())} got {result.total - result.correct:,} of the {result.total:,} "
    "test images wrong. The highest probability on a wrong class first."
)
if true is not None and true == pred:
    st.info(
        "An image whose true and predicted class are the same is not a mistake: choose two different "
        "classes, or *any class* for one of them.",
        icon=":material/info:",
    )
elif not len(wrong):
    st.success("No mistakes of this kind.", icon=":material/check_circle:")
else:
    shown = ui.one_page(wrong, PER_PAGE, key=f"mistakes_page_{true}_{pred}")
    for row in range(0, len(shown), COLUMNS):
        for column, i in zip(st.columns(COLUMNS), shown[row : row + COLUMNS]):
            probabilities = result.probabilities[i]
            said = int(result.predictions[i])
            with column.container(border=True):
                st.image(
                    enlarge(data.x_test[i], 5),
                    width=160,
                    output_format="PNG",
                    caption=f"#{i}: really {names[result.labels[i]]}, the network said {names[said]}",
                    alt=f"a {names[result.labels[i]]} the network called {names[said]} "
                    f"({100 * probabilities[said]:.0f} %)",
                )
                for c in result.top_classes(i, 3):
                    mark = " (true)" if c == result.labels[i] else ""
                    st.progress(float(probabilities[c]), text=f"{names[c]}{mark}: {100 * probabilities[c]:.1f} %")
