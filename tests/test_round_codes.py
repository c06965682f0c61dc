"""You vs the network (cnn_lab.rounds): round codes, the images each kind of round holds, scores and the
end-of-round summary, against NumPy written out here."""

import zlib

import numpy as np
import pytest

from cnn_lab import rounds as R
from cnn_lab.data import CLASS_NAMES
from cnn_lab.evaluation import Evaluation
from cnn_lab.human_labels import HumanLabels


@pytest.fixture
def evaluation():
    """200 test images, 20 per class, and a network right on about half of them."""
    generator = np.random.default_rng(7)
    labels = np.repeat(np.arange(10), 20)
    logits = generator.normal(size=(200, 10))
    logits[np.arange(200), labels] += 1.5
    probabilities = np.exp(logits) / np.exp(logits).sum(1, keepdims=True)
    return Evaluation(probabilities.astype(np.float32), labels)


@pytest.fixture
def people(evaluation):
    """About 51 people per image; on some images most of them give the true class, on others few do."""
    generator = np.random.default_rng(8)
    counts = generator.integers(0, 2, size=(200, 10))
    counts[np.arange(200), evaluation.labels] += generator.integers(2, 80, size=200)
    return HumanLabels(counts, "test")


def shares_right(people, labels):
    counts = people.counts
    return counts[np.arange(len(counts)), labels] / counts.sum(1)


def test_codes_read_in_any_case_with_or_without_a_dash():
    assert R.parse_code("random-4821") == ("random", 4821)
    assert R.parse_code("  Cat-Dog-42 ") == ("cat-dog", 42)
    assert R.parse_code("people-easy7") == ("people-easy", 7)
    assert R.parse_code("NETWORK-0") == ("network", 0)
    kind, number = R.parse_code(R.make_code("car-truck"))
    assert kind == "car-truck" and 1000 <= number <= 9999
    assert R.make_code("people", 5) == "people-5"


@pytest.mark.parametrize("code", ["", "   ", "4821", "random", "random-", "robots-12", "random-1234567", "<b>x</b>-1"])
def test_a_bad_code_is_a_plain_error(code):
    with pytest.raises(R.RoundError, match="is not a round code.*like random-4821; the kinds are random, people"):
        R.parse_code(code)


def test_a_long_bad_code_is_cut_short_in_the_message():
    with pytest.raises(R.RoundError) as error:
        R.parse_code("x" * 10_000)
    assert len(str(error.value)) < 300


def test_each_kind_holds_the_images_it_says(evaluation, people):
    labels, predicted = evaluation.labels, evaluation.probabilities.argmax(1)
    agree = shares_right(people, labels)
    expected = {
        "random": np.arange(200),
        "people": np.flatnonzero(agree < 0.8),
        "network": np.flatnonzero(predicted != labels),
        "people-easy": np.flatnonzero((agree >= 0.9) & (predicted != labels)),
        "network-easy": np.flatnonzero((agree < 0.8) & (predicted == labels)),
        "cat-dog": np.flatnonzero((labels == 3) | (labels == 5)),
        "car-truck": np.flatnonzero((labels == 1) | (labels == 9)),
    }
    assert set(expected) == set(R.KINDS)
    for kind, images in expected.items():
        assert len(images) >= 10, kind  # the fixture gives every kind a full round
        np.testing.assert_array_equal(R.candidates(kind, evaluation, people), images, err_msg=kind)


def test_the_same_code_gives_the_same_ten_images(evaluation, people):
    for kind in R.KINDS:
        code = f"{kind}-4821"
        images = R.pick_images(code, evaluation, people)
        pool = R.candidates(kind, evaluation, people)
        assert len(images) == 10 and len(set(images.tolist())) == 10 and np.isin(images, pool).all()
        np.testing.assert_array_equal(images, R.pick_images(code.upper(), evaluation, people))
        reference = np.random.default_rng([zlib.crc32(kind.encode()), 4821]).choice(pool, 10, replace=False)
        np.testing.assert_array_equal(images, reference)
    rounds = {tuple(R.pick_images(f"random-{n}", evaluation, people)) for n in range(20)}
    assert len(rounds) == 20


def test_kinds_that_need_people_say_so_without_cifar10h(evaluation):
    assert len(R.pick_images("network-1", evaluation, None)) == 10
    for kind in ("people", "people-easy", "network-easy"):
        with pytest.raises(R.RoundError, match="needs CIFAR-10H"):
            R.pick_images(f"{kind}-1", evaluation, None)


def test_a_short_or_empty_pool(evaluation, people):
    perfect = Evaluation(np.eye(10, dtype=np.float32)[evaluation.labels], evaluation.labels)
    with pytest.raises(R.RoundError, match="No test image here is 'hard for the network'"):
        R.pick_images("network-3", perfect, people)
    few = Evaluation(evaluation.probabilities[:8], evaluation.labels[:8])
    assert sorted(R.pick_images("random-3", few, None).tolist()) == list(range(8))


def test_scores_against_numpy(evaluation, people):
    images = R.pick_images("random-99", evaluation, people)
    answers = np.random.default_rng(3).integers(0, 10, size=10)
    answers[:4] = evaluation.labels[images[:4]]  # some right, whatever the draw
    played = R.outcomes(images, answers, evaluation, people)
    score = R.score(played)
    labels = evaluation.labels[images]
    assert score.played == 10
    assert score.you == int(np.sum(answers == labels))
    assert score.network == int(np.sum(evaluation.probabilities[images].argmax(1) == labels))
    assert score.people == pytest.approx(np.sum(shares_right(people, evaluation.labels)[images]))
    halfway = R.score(R.outcomes(images, answers[:5], evaluation, people))
    assert halfway.played == 5 and halfway.you == int(np.sum(answers[:5] == labels[:5]))
    assert R.score(R.outcomes(images, answers, evaluation, None)).people is None


def test_the_summary_says_who_beat_whom(evaluation):
    o = R.Outcome
    played = [
        o(0, true=3, you=3, network=5, people=0.75),  # you beat the network: a cat it called a dog
        o(1, true=0, you=8, network=0, people=0.98),  # it beat you: an airplane you called a ship
        o(2, true=1, you=1, network=1, people=0.5),  # both right
        o(3, true=4, you=7, network=2, people=1.0),  # both wrong
    ]
    lines = R.summary(played, CLASS_NAMES)
    assert lines == [
        "You got 2 of 4 right, the network 2.",
        "You beat the network on 1 image: image 1 (a cat it called a dog).",
        "The network beat you on 1 image: image 2 (an airplane you called a ship).",
        "You were both right on 1 and both wrong on 1.",
        "The average person would have scored 3.2 of 4. The hardest image for people was image 3: "
        "50 % of them called it an automobile.",
    ]
    no_people = R.summary([o(0, 3, 3, 3, None), o(1, 5, 5, 5, None)], CLASS_NAMES)
    assert no_people[1:3] == ["You beat the network on no image.", "The network beat you on no image."]
    assert not any("person" in line for line in no_people)
    assert R.summary([], CLASS_NAMES) == []
