"""Lesson 2: CIFAR-10's classes, its training/test split, and a random batch of 64."""

import streamlit as st

import charts.data
from ui import lesson_picker
import ui
from cnn_lab.lessons.captions import most_and_fewest, value_range
from cnn_lab.lessons.examples import class_examples
from cnn_lab.network.images import enlarge, grid
from cnn_lab.lessons.maths import class_counts, random_batch
from cnn_lab.settings import BATCH_SIZE

lesson_picker.section("dataset")
lesson_picker.crisp()
data = ui.dataset()
ui.data_badge(data)
names = data.class_names
train_counts, test_counts = class_counts(data.y_train), class_counts(data.y_test)

a, b, c = st.columns(3)
a.metric("Training images", f"{len(data.x_train):,}")
b.metric("Test images", f"{len(data.x_test):,}")
c.metric("Classes", len(names))
if data.is_sample:
    st.caption(
        f"These counts are those of **the bundled sample** ({len(data.x_train) + len(data.x_test):,} "
        f"genuine CIFAR-10 images, split {len(data.x_train):,} / {len(data.x_test):,} here), so the "
        "classes are not exactly equal. The full set has 50,000 training and 10,000 test images: "
        "5,000 and 1,000 of each class."
    )

# --- classes and counts ------------------------------------------------------------------------
st.header("The 10 classes")
st.plotly_chart(charts.data.class_counts_figure(names, train_counts, test_counts), key="class_counts")
most, fewest = most_and_fewest(train_counts)
test_fewest, test_most = value_range(test_counts)
if train_counts[most] == train_counts[fewest] and test_fewest == test_most:
    st.caption(f"Every class has {train_counts[most]:,} training and {test_most:,} test images.")
else:
    st.caption(
        f"Training images per class: most {names[most]} ({train_counts[most]:,}), fewest {names[fewest]} "
        f"({train_counts[fewest]:,}); test images per class: {test_fewest:,} to {test_most:,}."
    )

per_class = 10
seed = st.session_state.setdefault("dataset_examples_seed", 0)
if st.button("Show other examples", icon=":material/shuffle:"):
    seed = st.session_state["dataset_examples_seed"] = seed + 1
columns = st.columns(2)
examples = class_examples(data.y_train, len(names), per_class, seed)
for label, (name, (chosen, total)) in enumerate(zip(names, examples)):
    with columns[label % 2]:
        st.image(
            enlarge(grid(data.x_train[chosen], columns=per_class, pad=1), 2),
            caption=f"{name}: {len(chosen)} of its {total:,} training images",
            width="stretch",
            output_format="PNG",
            alt=f"{len(chosen)} training images of the class {name}, side by side",
        )

# --- a random batch ----------------------------------------------------------------------------
lesson_picker.section("dataset_batch")
batch = st.session_state.get("dataset_batch")
if (
    st.button(f"Draw a random batch of {BATCH_SIZE}", icon=":material/casino:", type="primary")
    or batch is None
    or max(batch) >= len(data.x_train)
):  # a first batch, or one from other data
    batch = st.session_state["dataset_batch"] = random_batch(len(data.x_train)).tolist()
counts = class_counts(data.y_train[batch])
st.markdown(
    f"**A batch of {len(batch)} different training images** "
    f"(from {len(data.x_train):,}); under each, the label the network has to learn:"
)
for start in range(0, len(batch), 8):
    for column, index in zip(st.columns(8), batch[start : start + 8]):
        column.image(
            enlarge(data.x_train[index], 3),
            caption=names[data.y_train[index]],
            alt=f"training image #{index:,}: {names[data.y_train[index]]}",
            width="stretch",
            output_format="PNG",
        )
st.plotly_chart(charts.data.batch_counts_figure(names, counts), key="batch_counts")
st.caption("Classes in this batch: " + ", ".join(f"{name} {n}" for name, n in zip(names, counts)) + ".")

ui.check_questions("dataset")
