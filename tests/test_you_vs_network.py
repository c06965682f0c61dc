"""The "You vs the network" page, played as a student would: whole rounds with chosen answers, scored
against NumPy (the network's answers from the model itself, the people's from CIFAR-10H's counts), with
and without CIFAR-10H, and with codes that are not round codes."""

import re

import numpy as np
import pytest

import charts.classroom
from conftest import captions, figures, page_text, run, texts
from cnn_lab.classroom import human_labels
from cnn_lab.network.data import load_cifar10
from cnn_lab.network.evaluation import EVALUATIONS
from ui import reveal, state

PAGE = "you_vs_network.py"


@pytest.fixture
def with_people(monkeypatch, human_counts):
    monkeypatch.setenv("CNN_LAB_HUMAN_LABELS", str(human_counts))
    return np.load(human_counts)


@pytest.fixture
def without_people(monkeypatch, tmp_path):
    """No CIFAR-10H anywhere the lab looks, whatever this computer holds."""
    monkeypatch.setattr(human_labels, "local_candidates", lambda: [tmp_path / "data" / human_labels.COUNTS_NAME])


def ready(code: str | None = None):
    """The page with the shipped model evaluated on the test set (in the background, as the page starts it),
    playing round `code` if one is given."""
    at = run(PAGE)
    key = EVALUATIONS.key(state.DEFAULT_MODEL, load_cifar10())
    assert EVALUATIONS.wait(key, 120)["status"] == "done"
    at.run()
    if code is not None:
        at.text_input(key="vs_code").input(code).run()
    assert not at.exception
    return at


def shown_test_number(at) -> int:
    """The official test number of the image the page asks about, from its caption."""
    (number,) = [int(m.group(1)) for c in captions(at) if (m := re.search(r"CIFAR-10 test image #(\d+)", c))]
    return number


def scores(at) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def model_answers(test_numbers) -> np.ndarray:
    """What the shipped model says for these official test images, asked directly (not the page's evaluation)."""
    from cnn_lab.network.model import load_classifier, predict

    data = load_cifar10()
    rows = [int(np.flatnonzero(data.test_numbers == n)[0]) for n in test_numbers]
    return predict(load_classifier(state.DEFAULT_MODEL), data.x_test[rows]).argmax(1)


def play(at, choose) -> list[tuple[int, int]]:
    """Answer every image of the round with `choose(k, true class)`; [(test number, answer)] in order."""
    data = load_cifar10()
    true_of = dict(zip(data.test_numbers.tolist(), data.y_test.tolist()))
    played = []
    for k in range(10):
        assert f"Image {k + 1} of 10:" in " ".join(captions(at))
        number = shown_test_number(at)
        answer = choose(k, true_of[number])
        at.button(key=f"vs_answer_{answer}").click().run()
        assert not at.exception
        played.append((number, answer))
        at.button(key="vs_next").click().run()
    return played


def test_a_whole_round_scores_like_numpy(with_people):
    at = ready("random-4821")
    played = play(at, lambda k, true: true if k % 3 else (true + 1) % 10)  # right on 6 of the 10
    numbers = [n for n, _ in played]
    data = load_cifar10()
    true = np.array([dict(zip(data.test_numbers.tolist(), data.y_test.tolist()))[n] for n in numbers])
    answers = np.array([a for _, a in played])
    network_right = int(np.sum(model_answers(numbers) == true))
    counts = with_people[numbers]
    people = float(np.sum(counts[np.arange(10), true] / counts.sum(1)))
    assert int(np.sum(answers == true)) == 6
    assert scores(at) == {
        "You": "6 / 10",
        "The network": f"{network_right} / 10",
        "The average person": f"{people:.1f} / 10",
    }
    summary = texts(at.markdown)
    assert f"You got 6 of 10 right, the network {network_right}." in summary
    assert f"The average person would have scored {people:.1f} of 10." in summary
    assert len(set(numbers)) == 10
    strip = [c for c in captions(at) if re.match(r"\d+\. ", c)]  # the round's images, who named each
    assert len(strip) == 10 and sum(", the network right" in c for c in strip) == network_right
    assert sum(": you right," in c for c in strip) == 6


def test_the_same_code_gives_the_same_images(without_people):
    first = ready("cat-dog-77")
    second = ready("Cat-Dog-77 ")
    assert shown_test_number(first) == shown_test_number(second)
    assert "Round **cat-dog-77**" in texts(second.caption)
    first.button(key="vs_answer_3").click().run()
    assert scores(first)["You"].endswith("/ 1")
    assert not [b for b in first.button if b.key and b.key.startswith("vs_answer_")]  # one answer per image
    data = load_cifar10()
    assert data.y_test[data.test_numbers == shown_test_number(first)][0] in (3, 5)


def test_the_reveal_shows_the_truth_the_network_s_probabilities_and_people_s_answers(with_people):
    at = ready("people-12")
    number = shown_test_number(at)
    buttons = {b.key: b for b in at.button if b.key and b.key.startswith("vs_answer_")}
    assert [b.proto.shortcut for b in buttons.values()] == [str(c) for c in range(10)]
    at.button(key="vs_answer_0").click().run()
    data = load_cifar10()
    index = int(np.flatnonzero(data.test_numbers == number)[0])
    true = int(data.y_test[index])
    row = with_people[number]
    said = sorted(((int(n), c) for c, n in enumerate(row) if n), key=lambda x: (-x[0], x[1]))
    words = f"{row.sum()} people: {said[0][0]} said {data.class_names[said[0][1]]}"
    assert words in texts(at.markdown)
    assert row[true] / row.sum() < 0.8  # a round of images that are hard for people
    assert any("Peterson" in c.value and "CC BY-NC-SA 4.0" in c.value for c in at.caption)
    (figure,) = figures(at)
    network, people = figure["data"]
    assert network["name"] == "the network's probabilities" and people["name"] == "people's answers (CIFAR-10H)"
    key = EVALUATIONS.key(state.DEFAULT_MODEL, data)
    np.testing.assert_allclose(network["x"], 100 * EVALUATIONS.result(key).probabilities[index], rtol=1e-5)
    np.testing.assert_allclose(people["x"], 100 * row / row.sum())
    assert f"<b>{data.class_names[true]} (true" in network["y"][true]


def test_without_cifar10h_the_page_works_and_says_where_to_get_it(without_people):
    at = ready("random-5")
    assert scores(at)["The average person"] == "-"
    assert "is not on this computer" in texts(at.caption)
    at.button(key="vs_answer_1").click().run()
    assert "cnn-lab download" in texts(at.info) and "CNN_LAB_HUMAN_LABELS" in texts(at.info)
    assert scores(at)["The average person"] == "-" and scores(at)["You"].endswith("/ 1")
    (figure,) = figures(at)
    assert [trace["name"] for trace in figure["data"]] == ["the network's probabilities"]
    at.text_input(key="vs_code").input("people-5").run()
    assert not at.exception
    assert "needs CIFAR-10H" in texts(at.error) and "cnn-lab download" in texts(at.info)
    assert not [b for b in at.button if b.key and b.key.startswith("vs_answer_")]


@pytest.mark.parametrize("code", ["banana", "", "random-12345678", "<script>alert(1)</script>", "🐱-3"])
def test_a_bad_round_code_is_a_plain_message(without_people, code):
    at = ready(code)
    assert not at.exception
    assert "is not a round code" in texts(at.error) and "random-4821" in texts(at.error)
    assert not [b for b in at.button if b.key and b.key.startswith("vs_answer_")]
    at.text_input(key="vs_code").input("network-3").run()
    assert not at.error and at.selectbox(key="vs_kind").value == "network"
    assert "Image 1 of 10:" in " ".join(captions(at))


def test_a_new_kind_starts_a_new_round(without_people):
    at = ready("random-9")
    at.button(key="vs_answer_2").click().run()
    at.selectbox(key="vs_kind").select("car-truck").run()
    assert at.text_input(key="vs_code").value.startswith("car-truck-")
    assert scores(at) == {"You": "0 / 0", "The network": "0 / 0", "The average person": "-"}
    assert page_text(at)


def test_answers_figure_puts_every_share_on_one_axis():
    names = tuple(load_cifar10().class_names)
    network = np.full(10, 0.1)
    people = np.eye(10)[3]
    figure = charts.classroom.answers_figure(names, [("the network", network), ("people", people)], true=3, answer=5)
    assert [t.name for t in figure.data] == ["the network", "people"]
    np.testing.assert_allclose(figure.data[0].x, 10.0)
    np.testing.assert_allclose(figure.data[1].x, 100 * people)
    assert figure.data[0].y[3] == "<b>cat (true)</b>" and figure.data[0].y[5] == "<b>dog (your answer)</b>"
    assert figure.layout.xaxis.range == (0, 118)
    same = charts.classroom.answers_figure(names, [("the network", network)], true=3, answer=3)
    assert same.data[0].y[3] == "<b>cat (true, your answer)</b>"


def test_the_reveal_tells_probabilities_from_answers_and_marks_the_network_s_one_answer():
    """Issue 25: the network's softmax probabilities were drawn as "% of the answers" beside people's vote
    shares. They are two kinds of share: each is named for what it is, and the network's answer is marked."""
    names = tuple(load_cifar10().class_names)
    probabilities = np.array([0.05, 0, 0, 0.4, 0, 0.55, 0, 0, 0, 0])
    figure = charts.classroom.answers_figure(
        names, [(reveal.NETWORK, probabilities), (reveal.PEOPLE, np.eye(10)[3])], true=3, network_answer=5
    )
    assert [t.name for t in figure.data] == ["the network's probabilities", "people's answers (CIFAR-10H)"]
    assert figure.data[0].y[5] == "<b>dog (the network's answer)</b>" and figure.data[0].y[3] == "<b>cat (true)</b>"
    assert (
        "probability" in figure.layout.xaxis.title.text
        and "answers" not in figure.layout.xaxis.title.text.split(";")[0]
    )
