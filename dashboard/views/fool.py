"""Fool the network: on a test image or the student's photo, the smallest change (found with the gradient) that
makes the network answer a class the student picks; how little changed, and why that matters.

The search is cnn_lab.network.fool; it runs on a button press and its result is kept in the session, keyed by
the picture, the target and the model, so that a rerun draws it again without searching again."""

import hashlib

import streamlit as st

import ui
from cnn_lab.settings import CLASS_NAMES, file_version
from ui import lesson_picker

KEPT = "fool_attempts"  # {key: Attempt}: the searches this session ran
KEEP_AT_MOST = 6
SCALE = 8  # the 32 x 32 pictures are shown 8 times larger: 256 x 256 screen pixels


def percent(p: float) -> str:
    return f"{100 * p:.1f} %"


def top_lines(probabilities) -> str:
    return "\n".join(f"{place}. {CLASS_NAMES[c]}: {percent(p)}" for place, (c, p) in enumerate(top(probabilities), 1))


lesson_picker.section("fool")
data = ui.dataset()
picked = lesson_picker.pick_image(data)
if picked is None:
    st.info("Pick an image (or upload a photo) at the top of the page to go on.", icon=":material/arrow_upward:")
    st.stop()

path = ui.require_model()
model = ui.model()

from cnn_lab.lessons.fool_guesses import levels_guess  # noqa: E402  (Keras is loaded only from here on)
from cnn_lab.network.fool import CannotFool, amplification, difference_picture, fool  # noqa: E402
from cnn_lab.network.gradients import NoGradients  # noqa: E402
from cnn_lab.network.photo import ranking, top  # noqa: E402

try:
    before = model.predict_on_batch(picked.pixels[None])[0]
except Exception as e:  # noqa: BLE001 - a model that cannot classify this picture: a sentence, not a traceback
    st.error(f"The model could not classify this picture: {e}", icon=":material/error:")
    st.stop()
order = ranking(before)
answer = order[0]

picture_id = hashlib.sha1(picked.pixels.tobytes()).hexdigest()[:16]
left, right = st.columns([1, 2])
lesson_picker.show(
    picked.pixels,
    f"{picked.caption}: the network says {CLASS_NAMES[answer]}",
    SCALE,
    left,
    alt=f"{picked.caption}, 32 × 32 pixels",
)
with right:
    st.markdown("**The network's top 3**\n\n" + top_lines(before))
    choices = [c for c in order if c != answer]  # the second choice first: the default target
    target = st.selectbox(
        "Make it say",
        choices,
        index=0,
        format_func=lambda c: f"{CLASS_NAMES[c]} (now {percent(before[c])})",
        key=f"fool_target_{picture_id}",
    )
    key = f"{picture_id}_{target}_{'_'.join(map(str, file_version(path)))}"
    kept = st.session_state.setdefault(KEPT, {})
    if st.button(
        f"Find a small change that makes it say {CLASS_NAMES[target]}",
        icon=":material/theater_comedy:",
        type="primary",
        key="fool_go",
    ):
        try:
            with st.spinner("Following the gradient, one level at a time..."):
                attempt = fool(model, picked.pixels, target)
        except (CannotFool, NoGradients) as e:
            st.warning(str(e), icon=":material/warning:")
            st.stop()
        while len(kept) >= KEEP_AT_MOST:
            kept.pop(next(iter(kept)))
        kept[key] = attempt
    if key not in kept:
        st.caption("Each search follows the gradient step by step and can take a few seconds.")

attempt = st.session_state.get(KEPT, {}).get(key)
if attempt is not None and ui.guess(levels_guess(attempt, CLASS_NAMES), f"guess_fool_{key}"):
    target_name = CLASS_NAMES[attempt.target]
    if attempt.fooled:
        st.success(
            f"The network now says **{target_name}**. No number moved more than "
            f"**{attempt.largest_change} of 255 levels**.",
            icon=":material/theater_comedy:",
        )
    else:
        second_choice = ranking(attempt.before)[1] == attempt.target
        st.warning(
            f"Could not make the network say {target_name} with changes of up to {attempt.max_levels} of 255 "
            f"levels: after {attempt.steps} steps it still says {CLASS_NAMES[attempt.answer_after]}. "
            + ("Try another picture." if second_choice else "Try its second choice, or another picture."),
            icon=":material/shield:",
        )
    times = amplification(attempt)
    columns = st.columns(3)
    for column, image, caption, alt in (
        (columns[0], attempt.original, f"Before: {CLASS_NAMES[attempt.answer_before]}", f"{picked.caption}, unchanged"),
        (
            columns[1],
            attempt.changed,
            f"After: {CLASS_NAMES[attempt.answer_after]}",
            f"{picked.caption} after the change; numbers moved by at most {attempt.largest_change} of 255 levels",
        ),
        (
            columns[2],
            difference_picture(attempt),
            f"The change, made {times:.0f} times stronger: grey = unchanged, lighter = up, darker = down",
            f"the change alone, on grey: {attempt.values_changed:,} of {attempt.difference.size:,} numbers moved, "
            "scattered over the middle 24 × 24; the 4-pixel border is plain grey",
        ),
    ):
        lesson_picker.show(image, caption, SCALE, column, alt=alt)
    a, b, c = st.columns(3)
    a.metric("Largest change of one number", f"{attempt.largest_change} of 255 levels")
    b.metric(
        "Numbers changed",
        f"{attempt.values_changed:,} of {attempt.difference.size:,}",
        help=f"{attempt.share_changed:.0%} of the picture's numbers; the border the network never sees is unchanged.",
    )
    c.metric("Steps", f"{attempt.steps}", help=f"{attempt.seconds:.1f} s on this server")
    before_col, after_col = st.columns(2)
    before_col.markdown("**Before: the network's top 3**\n\n" + top_lines(attempt.before))
    after_col.markdown("**After: the network's top 3**\n\n" + top_lines(attempt.after))
    st.caption(
        f"{attempt.steps} steps of at most one level each; in the end the largest change allowed was "
        f"{attempt.budget} of 255 levels (the limit: {attempt.max_levels}). "
        "The saved model itself classified the changed picture, pixel for pixel. "
        f"The search took {attempt.seconds:.1f} s."
    )

ui.lesson("fool_why")
ui.check_questions("fool")
