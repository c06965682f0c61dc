"""The Fool the network page (AppTest): it renders on a test image with the shipped model; the target is
the network's second choice unless the student picks another; the button runs the search once (a rerun draws
the kept result); the guess comes before the result; a photo works and a bad upload gets a sentence."""

import photo_samples as samples
from conftest import captions, page_text, run, texts

from cnn_lab.settings import CLASS_NAMES


def target_box(at):
    return next(box for box in at.selectbox if (box.key or "").startswith("fool_target_"))


def guess_radio(at):
    return next((radio for radio in at.radio if (radio.key or "").startswith("guess_fool_")), None)


def press(at):
    at.button(key="fool_go").click().run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_the_page_renders_and_offers_the_second_choice():
    at = run("fool.py")
    assert "Fool the network" in page_text(at)
    box = target_box(at)
    assert len(box.options) == 9  # every class but the network's answer
    assert "top 3" in texts(at.markdown)
    assert guess_radio(at) is None and not at.get("metric")  # nothing found yet
    assert len(at.radio(key="check_fool_1").options) == 3  # the check questions are there


def test_the_button_finds_a_change_and_the_guess_reveals_it():
    at = run("fool.py")
    box = target_box(at)
    box.select(box.options[2]).run()  # the network's fourth choice
    target = box.value
    press(at)
    assert at.session_state["fool_attempts"], "the result is kept"
    radio = guess_radio(at)
    assert radio is not None and not at.get("metric")  # the guess first, the result hidden
    assert len(radio.options) == 5  # 4 ranges and Show me
    radio.set_value("Show me").run()
    assert not at.exception, [e.value for e in at.exception]
    shown = captions(at)
    assert any(c.startswith("Before:") for c in shown) and any(c.startswith("After:") for c in shown)
    assert any("times stronger" in c for c in shown)
    said = texts(at.success, at.warning)
    name = target.split(" (")[0] if isinstance(target, str) else CLASS_NAMES[target]
    assert name in CLASS_NAMES
    assert f"The network now says **{name}**" in said or f"Could not make the network say {name}" in said
    assert len(at.get("metric")) == 3
    # a rerun (another widget moved) draws the kept result without searching again
    attempt = next(iter(at.session_state["fool_attempts"].values()))
    at.radio(key="check_fool_1").set_value(at.radio(key="check_fool_1").options[1]).run()
    assert not at.exception and next(iter(at.session_state["fool_attempts"].values())) is attempt
    assert any(c.startswith("After:") for c in captions(at))


def test_a_photo_works_and_a_bad_upload_gets_a_sentence():
    at = run("fool.py")
    at.radio(key="lesson_source").set_value("your own photo").run()
    at.file_uploader(key="lesson_upload").set_value(("notes.txt", b"not a picture at all", "text/plain")).run()
    assert not at.exception, [e.value for e in at.exception]
    assert "notes.txt" in texts(at.error) and not at.get("metric")
    at.file_uploader(key="lesson_upload").set_value(("cat.jpg", samples.cat_jpeg(), "image/jpeg")).run()
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error
    press(at)
    guess_radio(at).set_value("Show me").run()
    assert any(c.startswith("After:") for c in captions(at))
