"""The photo page, run by Streamlit's AppTest with real uploads: every bad file gets its message
and the page keeps working; real photographs get the pipeline, the top 5 and Grad-CAM."""

import tomllib
from pathlib import Path

from PIL import Image
from streamlit.testing.v1 import AppTest

import photo_samples as samples
from conftest import captions, run, texts

ROOT = Path(__file__).resolve().parents[1]
LIMIT_MB = tomllib.loads((ROOT / "dashboard" / ".streamlit" / "config.toml").read_text())["server"]["maxUploadSize"]


def page(model_path=None) -> AppTest:
    return run("photo.py", model_path)


def upload(at: AppTest, *files) -> AppTest:
    at.file_uploader[0].set_value([(name, content, "image/jpeg") for name, content in files])
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def image_captions(at: AppTest) -> str:
    return "\n".join(captions(at))


def test_the_empty_page_invites_an_upload_and_names_the_classes():
    at = page()
    assert "Upload a photo" in texts(at.info) and "airplane" in texts(at.info) and "truck" in texts(at.info)
    assert at.file_uploader[0].accept_multiple_files
    assert set(at.file_uploader[0].allowed_type) >= {".jpg", ".jpeg", ".png", ".webp", ".bmp", ".gif"}
    assert f"up to {LIMIT_MB} MB" in at.file_uploader[0].label  # the upload limit, said out loud
    assert not at.error


def test_without_a_model_the_page_says_so(tmp_path):
    at = upload(page(tmp_path / "missing.keras"), ("cat.jpg", samples.cat_jpeg()))
    assert "gone" in texts(at.warning) or "No trained model" in texts(at.warning)
    assert not at.get("plotly_chart")


def test_every_bad_file_gets_its_message_and_the_page_keeps_working(tiny_model_path):
    at = page(tiny_model_path)
    for name, (content, phrase) in samples.bad_files(LIMIT_MB * 1024 * 1024).items():
        upload(at, (name, content))
        assert len(at.error) == 1 and phrase.lower() in at.error[0].value.lower(), (name, texts(at.error))
        assert [t.value for t in at.text] == [name]
        assert not at.get("plotly_chart")
        if name == "huge.jpg":
            assert f"{LIMIT_MB} MB" in at.error[0].value
    # the server keeps serving: a good photo right after works
    upload(at, ("cat.jpg", samples.cat_jpeg()))
    assert not at.error and len(at.get("plotly_chart")) == 1


def test_bad_and_good_files_together_make_a_grid(tiny_model_path):
    bad = samples.bad_files(LIMIT_MB * 1024 * 1024)
    odd = samples.odd_files()
    files = [(name, content) for name, (content, _) in {**bad, **odd}.items()]
    photos = {name: samples.encode(Image.fromarray(a), "JPEG") for name, a in samples.real_photos().items()}
    at = upload(page(tiny_model_path), *files, *[(f"{n}.jpg", c) for n, c in photos.items()])
    assert len(at.error) == len(bad)
    for _, phrase in bad.values():
        assert phrase.lower() in texts(at.error).lower()
    readable = len(odd) + len(photos)
    assert "\n".join(bar.proto.text for bar in at.get("progress")).count("The network says") == readable
    assert len(at.selectbox(key="photo_chosen").options) == readable
    notes = texts(at.caption) + texts(at.info)
    for _, phrase in odd.values():  # what was done to each odd image is said on its card
        assert phrase.lower() in notes.lower()
    at.selectbox(key="photo_chosen").set_value(len(odd)).run()  # Chelsea
    assert not at.exception
    assert "chelsea.jpg" in [t.value for t in at.text]
    assert len(at.get("plotly_chart")) == 1


def test_a_real_photo_goes_through_the_whole_page(tiny_model_path):
    name = "chelsea"  # coffee and the astronaut go through the grid test
    array = samples.real_photos()[name]
    at = upload(page(tiny_model_path), (f"{name}.jpg", samples.encode(Image.fromarray(array), "JPEG", quality=92)))
    captions = image_captions(at)
    assert f"{array.shape[1]:,} x {array.shape[0]:,} pixels" in captions
    for step in ("centre square", "32 x 32", "24 x 24", "Grad-CAM for"):
        assert step in captions
    chart = at.get("plotly_chart")[0]
    assert "Top 5" in chart.proto.spec
    assert len(at.get("image")) >= 6  # the four steps and the photo with and without the heatmap
    # another class to explain, and the student says it is something else
    at.selectbox(key="photo_explain_class").set_value(9).run()
    assert "Grad-CAM for truck" in image_captions(at)
    at.selectbox(key="photo_truth").set_value("something else (none of the 10)").run()
    assert "CIFAR-10 knows only these 10 classes" in texts(at.info)
    assert not at.exception


def test_file_names_are_plain_text_never_markdown(tiny_model_path):
    name = "<img src=x onerror=alert(1)>**bold**\n.jpg"
    at = upload(page(tiny_model_path), (name, b""))
    assert [t.value for t in at.text] == ["<img src=x onerror=alert(1)>**bold**?.jpg"]
    assert "onerror" not in texts(at.markdown) + texts(at.error) + texts(at.caption) + image_captions(at)


def test_a_photo_from_the_camera(tiny_model_path):
    at = page(tiny_model_path)
    at.button_group(key="photo_source").set_value("Take a photo").run()
    assert not at.file_uploader and len(at.camera_input) == 1
    at.camera_input[0].set_value(("image.jpg", samples.cat_jpeg(size=(640, 480)), "image/jpeg")).run()
    assert not at.exception and not at.error
    assert len(at.get("plotly_chart")) == 1 and "Grad-CAM for" in image_captions(at)
