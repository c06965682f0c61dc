"""The "What a filter wants" page (AppTest) with the shipped model and the bundled sample: it asks its guess
first, then shows the filter's picture and its 9 strongest test images; another layer and filter work too."""

from conftest import captions, page_text, run

from cnn_lab.network.filter_search import SEARCHES


def reveal(at, layer: str):
    """Answer the guess; the search of the test images runs in the background: its progress shows, and once it
    is done the page shows the 9 images."""
    at.radio(key=f"guess_filter_patch_{layer}").set_value("Show me").run()
    assert not at.exception, [e.value for e in at.exception]
    if not any(c.startswith("The 9 test images") for c in captions(at)):
        assert at.get("progress"), "the search shows its progress"
        SEARCHES.wait_all(120)
        at.run()
    return at


def test_the_page_asks_first_then_shows_the_picture_and_the_nine_images():
    at = run("filter_wants.py", timeout=300)
    assert not captions(at)  # nothing is shown before the guess
    assert "how much of the 24 × 24 picture can it see?" in at.radio(key="guess_filter_patch_conv1").label
    at = reveal(at, "conv1")
    shown = captions(at)
    assert any(c.startswith("What conv1, filter 1 wants at the middle of its grid") for c in shown)
    assert any("5 × 5" in c for c in shown)  # the shipped model's conv1 has 5 x 5 kernels
    assert any(c.startswith("The 9 test images (of 200)") for c in shown)
    assert "5 × 5 pixels" in page_text(at) or any("5 × 5" in i.value for i in at.info)
    assert all(image.proto.imgs[0].alt for image in at.get("image")), "every image has alt text"
    assert at.header[-1].value == "Check yourself"


def test_another_layer_filter_and_place():
    at = run("filter_wants.py", timeout=300)
    at.selectbox(key="filter_layer").set_value("conv3").run()
    at.number_input(key="filter_number_conv3").set_value(7).run()
    at.radio(key="filter_place").set_value("everywhere: its mean over the grid").run()
    at = reveal(at, "conv3")
    shown = captions(at)
    assert "What conv3, filter 7 wants everywhere (24 × 24)" in shown
    assert "The same picture repeated 3 × 3" in shown
    assert any("its mean over the 2 × 2 places whose patch lies inside the picture" in c for c in at.caption.values)
    assert any("20 × 20" in c for c in at.caption.values) or "20 × 20" in page_text(at)
