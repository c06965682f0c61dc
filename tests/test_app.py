"""The app shell: navigation and the home page."""

from streamlit.testing.v1 import AppTest


def test_home_explains_the_journey_and_the_data_in_use():
    at = AppTest.from_file("../dashboard/app.py", default_timeout=60).run()
    assert not at.exception
    text = " ".join(m.value for m in at.markdown)
    assert "78.4 %" in text and "Adding variance" in text
    assert any("bundled sample" in i.value for i in at.info)  # tests run offline on the sample


def test_home_shows_a_missing_model_plainly(tmp_path):
    at = AppTest.from_file("../dashboard/app.py", default_timeout=60)
    at.session_state["model_path"] = str(tmp_path / "none.keras")
    at.run()
    assert not at.exception
    assert any("No trained model yet" in w.value for w in at.warning)
