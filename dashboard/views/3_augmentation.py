"""Lesson 3: the article's random augmentation, one step at a time, then all together.

Every picture here is made by the functions and the layer that training uses (cnn_lab.network.augment).
"""

import functools

import streamlit as st

import charts.data
from ui import lesson_picker
import ui
from cnn_lab.settings import CROP, IMAGE_SIZE
from cnn_lab.network import augment
from cnn_lab.lessons.captions import most_clipped, scaled, share, share_outside, value_range
from cnn_lab.lessons.guesses import augmentation_guess, distractors
from cnn_lab.network.images import enlarge, outlined
from cnn_lab.lessons.maths import augment_with_overflow, augmented, clip_overlay

lesson_picker.section("augmentation")
data = ui.dataset()
picked = lesson_picker.pick_image(data)
if picked is None:
    st.stop()
image = scaled(picked.pixels)  # what the network's first layer makes of the pixels


SAYS = {  # what each step's result is, for its alt text
    "flip": lambda on: "mirrored left to right" if on else "not mirrored",
    "hue": lambda v: f"its colours turned {v:+.2f} of the way round the colour wheel",
    "contrast": lambda v: f"contrast times {v:.2f}",
    "brightness": lambda v: f"{v:+.2f} added to every value (brightness)",
    "saturation": lambda v: f"saturation times {v:.1f}",
}


def step(title, note, name, control):
    """One row: the original, the control, the result of augmentation step `name` (clipped to [0, 1] to be drawn)."""
    st.markdown(f"**{title}**")
    original, middle, result = st.columns([1, 1.4, 1], vertical_alignment="center")
    with middle:
        value = control()
        st.caption(note)
    out = augmented(image, name, value)
    lesson_picker.show(image, f"Original ({picked.caption})", 5, original, alt="")  # the picture at the top again
    lesson_picker.show(
        out,
        f"{title[3:]}: {out.shape[0]} × {out.shape[1]} pixels",
        5,
        result,
        alt=f"{picked.caption}, {SAYS[name](value)}",
    )
    return value


# --- each step alone ---------------------------------------------------------------------------
st.markdown("**1. Random crop to 24 × 24**")
original, middle, result = st.columns([1, 1.4, 1], vertical_alignment="center")
with middle:
    top = st.slider("Top row of the window", 0, IMAGE_SIZE - CROP, 0, key="aug_top")
    left = st.slider("Left column of the window", 0, IMAGE_SIZE - CROP, 0, key="aug_left")
    st.caption("Training picks the window's corner at random: 9 × 9 = 81 possible windows.")
lesson_picker.show(
    outlined(image, top, left, CROP, 5),
    "Original, with the window in orange",
    1,
    original,
    alt=f"{picked.caption}, with a 24 × 24 window outlined in orange from row {top}, column {left}",
)
cropped = augmented(image, "crop", (top, left))
lesson_picker.show(
    cropped,
    f"The 24 × 24 window at row {top}, column {left}",
    5,
    result,
    alt=f"the 24 × 24 window of {picked.caption} from row {top}, column {left}",
)

flip_on = step(
    "2. Flip left to right",
    "Training mirrors half of the images.",
    "flip",
    functools.partial(st.toggle, "Mirror the image", value=True, key="aug_flip"),
)
low, high = augment.CONTRAST
saturation_low, saturation_high = augment.SATURATION
COLOUR_STEPS = [  # step, title, what training draws, then the slider: label, range, start, increment
    (
        "hue",
        "3. Hue",
        f"Training draws a turn between −{augment.HUE_DELTA} and +{augment.HUE_DELTA}.",
        "Turn of the colour wheel",
        -0.5,
        0.5,
        augment.HUE_DELTA,
        0.01,
    ),
    (
        "contrast",
        "4. Contrast",
        f"Training draws a factor between {low} and {high} (1 changes nothing).",
        "Contrast factor",
        0.0,
        2.0,
        low,
        0.05,
    ),
    (
        "brightness",
        "5. Brightness",
        f"Training draws a value between −{augment.BRIGHTNESS_DELTA} and +{augment.BRIGHTNESS_DELTA}.",
        "Added to every value",
        -0.5,
        0.5,
        augment.BRIGHTNESS_DELTA,
        0.05,
    ),
    (
        "saturation",
        "6. Saturation",
        f"Training draws a factor between {saturation_low} and {saturation_high} (0 is grey, 1 changes nothing).",
        "Saturation factor",
        0.0,
        3.0,
        saturation_high,
        0.1,
    ),
]
chosen = {"flip": flip_on}
for name, title, note, label, lowest, highest, start, increment in COLOUR_STEPS:
    chosen[name] = step(
        title, note, name, functools.partial(st.slider, label, lowest, highest, start, increment, key=f"aug_{name}")
    )

# --- all together ------------------------------------------------------------------------------
lesson_picker.section("augmentation_grid")
seed_col, button_col = st.columns([1, 3], vertical_alignment="bottom")
seed = seed_col.number_input("Seed", 0, 1_000_000, key="aug_seed")
button_col.button(
    "16 new versions",
    icon=":material/casino:",
    on_click=lambda: st.session_state.update(aug_seed=st.session_state["aug_seed"] + 1),
)
# Predict first: which of four training versions is this picture's (the others are of other test images)?
others = distractors(data.y_test, picked.label, seed=int(seed))
quiz, candidates = st.cache_data(max_entries=32, show_spinner=False)(augmentation_guess)(
    image,
    data.x_test[others] / 255,
    [f"test image #{k:,} ({data.class_names[data.y_test[k]]})" for k in others],
    seed=int(seed),
)
st.markdown(f"**Before you see them:** {len(candidates)} training versions, only one of them of your picture.")
for column, letter, candidate in zip(st.columns(len(candidates)), quiz.options, candidates):
    lesson_picker.show(
        candidate,
        f"{letter}",
        5,
        column,
        alt=f"picture {letter}: a {candidate.shape[0]} × {candidate.shape[1]} training version "
        "of your picture or of a test image",
    )
ui.guess(quiz, f"guess_augment_{picked.caption}_{seed}")

# The same layer, seed and functions as augment.augment_examples (tests check they agree),
# also keeping each version before its final clip for the last part of the page.
result = st.cache_data(max_entries=32, show_spinner=False)(augment_with_overflow)(image, count=16, seed=int(seed))
versions, factors = result["after_clip"], result["factors"]


def describe(i):
    f = {k: float(v[i]) for k, v in factors.items()}
    return (
        f"window ({int(f['top'])}, {int(f['left'])}){', mirrored' if f['flip'] else ''}; "
        f"hue {f['hue']:+.2f}, contrast ×{f['contrast']:.2f}, brightness {f['brightness']:+.2f}, "
        f"saturation ×{f['saturation']:.2f}"
    )


for start in range(0, 16, 8):
    for column, i in zip(st.columns(8), range(start, start + 8)):
        column.image(
            enlarge(versions[i], 4),
            caption=f"#{i + 1}",
            width="stretch",
            output_format="PNG",
            alt=f"version #{i + 1}: {describe(i)}",
        )
with st.expander("The values drawn for each version"):
    st.markdown("\n".join(f"- **#{i + 1}**: {describe(i)}" for i in range(16)))

# --- test time ---------------------------------------------------------------------------------
lesson_picker.section("augmentation_test")
original, _, result_col = st.columns([1, 0.4, 1])
margin = (IMAGE_SIZE - CROP) // 2
lesson_picker.show(
    outlined(image, margin, margin, CROP, 5),
    "Original, with the centre window in orange",
    1,
    original,
    alt=f"{picked.caption}, with the centre 24 × 24 window outlined in orange",
)
lesson_picker.show(
    augmented(image, "center_crop"),
    "What the network gets at test time: the centre 24 × 24",
    5,
    result_col,
    alt=f"the centre 24 × 24 of {picked.caption}",
)

# --- the clip ----------------------------------------------------------------------------------
lesson_picker.section("augmentation_clip")
changed = result["clipped_share"]
most = most_clipped(changed)
SLIDERS = "your slider values (steps 1 to 6 together)"
choices = [SLIDERS, *range(16)]
pick = st.selectbox(
    "Which picture",
    choices,
    index=0 if most is None else most + 1,
    format_func=lambda c: c if c == SLIDERS else f"version #{c + 1} of the 16: {changed[c]:.0%} of its pixels clipped",
    key="aug_clip_pick",
)
if pick == SLIDERS:
    mine = augment_with_overflow(
        image, count=1, factors={"top": [top], "left": [left], **{name: [value] for name, value in chosen.items()}}
    )
    before, after, above, below, name = (
        mine["before_clip"][0],
        mine["after_clip"][0],
        mine["above"][0],
        mine["below"][0],
        "Your slider values",
    )
else:
    before, after = result["before_clip"][pick], versions[pick]
    above, below, name = result["above"][pick], result["below"][pick], f"Version #{pick + 1}"
above_share, below_share = share(above), share(below)
if above_share == below_share == 0:
    st.info(
        "Nothing went past 0 or 1 here, so the clip changes nothing. To see it work, choose your "
        "slider values and move the contrast slider (step 4) towards 1 and the brightness slider (step 5) up.",
        icon=":material/lightbulb:",
    )
overlay = clip_overlay(after, above, below)  # dimmed grey, orange where it was above 1, blue below 0
left_col, middle_col, right_col = st.columns([1, 1, 1.6])
lesson_picker.show(after, f"{name} after the clip", 7, left_col, alt=f"{name} of {picked.caption} after the clip")
lesson_picker.show(
    overlay,
    f"Orange: above 1 before the clip ({above_share:.0%} of the pixels). Blue: below 0 ({below_share:.0%}).",
    7,
    middle_col,
    alt=f"the same picture in grey, with the {above_share:.0%} of pixels that went above 1 in orange "
    f"and the {below_share:.0%} that went below 0 in blue",
)
right_col.plotly_chart(charts.data.clip_histogram(before), key="clip_histogram")
smallest, largest = value_range(before)
right_col.caption(
    f"The histogram: {share_outside(before):.0%} of the values before the clip lie "
    f"outside 0 to 1 (from {smallest:.2f} to {largest:.2f})."
)

ui.check_questions("augmentation")
