"""Your photo: upload photos or take one, watch each become 32x32 CIFAR-10 pixels, see the
network's top 5 and, with Grad-CAM, where in the picture it found its evidence.

Every upload goes through cnn_lab.network.photo.read_photo, which turns a bad file into a plain
sentence (PhotoError). File names are shown with st.text only, never as Markdown or paths.
"""

import functools

import streamlit as st
from PIL import Image

import charts.probabilities
import ui
from cnn_lab.settings import CLASS_NAMES, file_version
from cnn_lab.network.images import enlarge
from cnn_lab.network.photo import (
    EXTENSIONS,
    MB,
    classify,
    enlarged_square,
    megabytes,
    place,
    ranking,
    read_upload,
    square_crop,
)
from cnn_lab.lessons.texts import read_lesson

COLUMNS = 4
UNSURE = 0.5  # below this highest probability the page reminds that CIFAR-10 knows only 10 classes
SHOW = 288  # the square photo is shown at this size: 9 screen pixels per CIFAR pixel
NOT_SAYING, SOMETHING_ELSE = "(I'd rather not say)", "something else (none of the 10)"
ONLY_TEN = read_lesson("photo_only_ten")

ui.lesson("photo")
limit = int(st.get_option("server.maxUploadSize")) * MB

source = (
    st.segmented_control(
        "Where is your photo?", ["Upload photos", "Take a photo"], default="Upload photos", key="photo_source"
    )
    or "Upload photos"
)
if source == "Upload photos":
    files = (
        st.file_uploader(
            f"Photos: JPEG, PNG, WebP, BMP or GIF, up to {megabytes(limit)} each. Choose several to compare them.",
            type=list(EXTENSIONS),
            accept_multiple_files=True,
            key="photo_files",
        )
        or []
    )
else:
    shot = st.camera_input("Point the camera at something from the 10 classes and take a photo", key="photo_camera")
    files = [shot] if shot is not None else []

if not files:
    st.info("Upload a photo (or several) or take one with your camera. " + ONLY_TEN, icon=":material/photo_camera:")
    st.stop()

path = ui.require_model()
model = ui.model()

from cnn_lab.network.augment import center_crop  # noqa: E402 (keras: only once there is something to classify)
from cnn_lab.network.model import predict, warm_up  # noqa: E402


@st.cache_resource(show_spinner="Getting the network ready...", max_entries=4)
def _ready(_model, version: tuple[str, int, int]) -> bool:
    """The first call of a model compiles it (seconds); do it once per model, not in a student's timing."""
    warm_up(_model)
    return True


_ready(model, file_version(path))


items = [read_upload(upload.name, upload.size, upload.getvalue, limit) for upload in files]
classify(items, functools.partial(predict, model))
good = [item for item in items if item.error is None]

if len(items) > 1:
    st.header(f"Your {len(items)} photos")
    for row in range(0, len(items), COLUMNS):
        for column, item in zip(st.columns(COLUMNS), items[row : row + COLUMNS]):
            with column.container(border=True):
                st.text(item.name)
                if item.error is not None:
                    st.error(item.error, icon=":material/broken_image:")
                    continue
                p = item.probabilities
                best = ranking(p)[0]
                st.image(
                    square_crop(item.photo.image).resize((160, 160), Image.LANCZOS),
                    caption="Its centre square (the lab shrinks it to 32 × 32; the network sees the middle 24 × 24)",
                    alt=f"the centre square of {item.name}",
                )
                st.progress(float(p[best]), text=f"The network says **{CLASS_NAMES[best]}**: {100 * p[best]:.1f} %")
                for note in item.photo.notes:
                    st.caption(note)

if not good:
    if len(items) == 1:
        st.text(items[0].name)
        st.error(items[0].error, icon=":material/broken_image:")
    st.stop()

if len(good) > 1:
    st.header("Look closer at one photo")
    chosen = st.selectbox(
        "Photo", range(len(good)), format_func=lambda i: f"{i + 1}. {good[i].name}", key="photo_chosen"
    )
    item = good[min(chosen or 0, len(good) - 1)]
else:
    item = good[0]
    if len(items) == 1:
        st.text(item.name)

photo, pixels, p = item.photo, item.pixels, item.probabilities
for note in photo.notes:
    st.info(note, icon=":material/info:")

st.header("1. From your photo to 32 x 32 numbers")
seen = center_crop(pixels[None])[0]  # the 24x24 the network sees: the very crop the model makes
width, height = photo.upright_size  # the size of the picture shown, the right way up
steps = st.columns(4)
decoded = (
    f"; decoded at 1/{photo.scale} size ({photo.image.width} x {photo.image.height}) to be quick"
    if photo.scale > 1
    else ""
)
square = square_crop(photo.image)
# (picture, caption, alt text, format): the enlarged pixel pictures as PNG, since JPEG would smudge the blocks
for column, (picture, caption, alt, output_format) in zip(
    steps,
    [
        (
            photo.image,
            f"① Your photo, turned the right way up: {width:,} x {height:,} pixels{decoded}",
            f"your photo, {item.name}",
            "auto",
        ),
        (
            square.resize((SHOW, SHOW), Image.LANCZOS),
            f"② The centre square ({square.width} x {square.height}): CIFAR-10 pictures are square",
            "the centre square of your photo",
            "auto",
        ),
        (
            enlarge(pixels, 9),
            "③ Shrunk to 32 x 32 pixels, smoothly (antialiased), shown with every pixel a block",
            "the centre square shrunk to 32 × 32 pixels: blocky, only the large shapes and colours remain",
            "PNG",
        ),
        (
            enlarge(seen, 12),
            "④ What the network sees: the 24 x 24 centre, as in testing",
            "the 24 × 24 centre of the 32 × 32 picture, what the network is given",
            "PNG",
        ),
    ],
):
    column.image(picture, width="stretch", caption=caption, alt=alt, output_format=output_format)
with st.expander("⑤ Its numbers: 24 x 24 x 3 = 1,728 values from 0 to 255"):
    st.caption(
        "Each pixel is three numbers: how much red, green and blue. The network divides them by 255 "
        "and multiplies them with its learned filters."
    )
    for channel, tab in enumerate(st.tabs(["red", "green", "blue"])):
        tab.dataframe(seen[..., channel], height=300)
st.caption(
    f"Reading and shrinking this photo took {1000 * item.seconds:.0f} ms on the server; the network's "
    f"answer {1000 * item.network_seconds:.0f} ms: {1000 * (item.seconds + item.network_seconds):.0f} ms in all."
)

st.header("2. What the network says")
order = ranking(p)
best = order[0]
left, right = st.columns([3, 2])
left.plotly_chart(charts.probabilities.top5_figure(p, CLASS_NAMES), width="stretch", key="photo_top5")
left.caption("The bars: " + ", ".join(f"{CLASS_NAMES[c]} {100 * p[c]:.1f} %" for c in order[:5]) + ".")
with right:
    truth = st.selectbox("What is really in your photo?", [NOT_SAYING, *CLASS_NAMES, SOMETHING_ELSE], key="photo_truth")
    if truth == SOMETHING_ELSE:
        st.info(ONLY_TEN, icon=":material/info:")
    elif truth != NOT_SAYING:
        rank = place(p, CLASS_NAMES.index(truth))
        if rank == 1:
            st.success(f"Right: the network's first choice is {truth}.", icon=":material/check_circle:")
        else:
            st.warning(
                f"The network put {truth} in place {rank} of 10 ({100 * p[CLASS_NAMES.index(truth)]:.1f} %). "
                "Photos from a phone look different from CIFAR-10's tiny, centred pictures.",
                icon=":material/help:",
            )
    if p[best] < UNSURE and truth != SOMETHING_ELSE:
        st.info(
            f"Its highest probability is only {p[best]:.0%}: the network is unsure. " + ONLY_TEN, icon=":material/info:"
        )

st.header("3. Why: where did it look?")
from cnn_lab.network.explain import ExplainError, explain, overlay, where_strongest  # noqa: E402

target = st.selectbox(
    "Show the evidence for",
    range(10),
    index=best,
    key="photo_explain_class",
    format_func=lambda c: f"{CLASS_NAMES[c]} ({100 * p[c]:.1f} %)" + (" - its answer" if c == best else ""),
)
try:
    explanation = explain(model, pixels, target)
except ExplainError as e:
    st.warning(str(e), icon=":material/warning:")
else:
    big = enlarged_square(photo.image, SHOW)
    a, b = st.columns(2)
    a.image(big, width=SHOW, caption="The centre square of your photo", alt="")  # as in step ② above
    b.image(
        overlay(big, explanation.heatmap),
        width=SHOW,
        alt=f"your photo's centre square coloured by the "
        f"evidence for {CLASS_NAMES[target]}: strongest {where_strongest(explanation.heatmap)}",
        caption=f"{explanation.method} for {CLASS_NAMES[target]}: yellow = the strongest evidence in this map, "
        "purple = none, or against. "
        "The dimmed border is cut off before the network looks.",
    )
    if not explanation.found_any:
        st.info(
            f"Nothing in this photo raised the score of {CLASS_NAMES[target]}: by this measure, no part of it "
            "counts for that class.",
            icon=":material/info:",
        )
    ui.lesson("photo_why")
