"""A round's code and its images (cnn_lab.classroom.round_codes): round codes, the images each kind of round holds, and
the same images for the same code, checked against values written out once."""

import numpy as np
import pytest

from cnn_lab.classroom import round_codes as R
from cnn_lab.network.evaluation import Evaluation
from cnn_lab.classroom.human_labels import HumanLabels


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


# Eight test images, each made to fall into the kinds its comment says; 20 people labelled each.
#         true class     network's class  people who gave the true class
EIGHT = [
    (3, 3, 19),  # 0 a cat, the network right, easy for people (0.95)
    (5, 3, 19),  # 1 a dog, the network wrong, easy for people
    (1, 1, 10),  # 2 an automobile, the network right, hard for people (0.5)
    (9, 1, 10),  # 3 a truck, the network wrong, hard for people
    (0, 0, 16),  # 4 an airplane, the network right, 0.8 of people: not hard (below 0.8 is), not easy
    (8, 0, 18),  # 5 a ship, the network wrong, 0.9 of people: easy (0.9 and above is)
    (2, 2, 15),  # 6 a bird, the network right, hard for people (0.75)
    (6, 4, 17),  # 7 a frog, the network wrong, 0.85 of people: neither
]


def test_each_kind_holds_the_images_it_says():
    true, network, right = (np.array(column) for column in zip(*EIGHT))
    evaluation = Evaluation(np.eye(10, dtype=np.float32)[network], true)
    counts = np.zeros((8, 10), int)
    counts[np.arange(8), true] = right
    counts[np.arange(8), (true + 1) % 10] = 20 - right  # the others said the next class
    people = HumanLabels(counts, "test")
    expected = {
        "random": [0, 1, 2, 3, 4, 5, 6, 7],
        "people": [2, 3, 6],
        "network": [1, 3, 5, 7],
        "people-easy": [1, 5],
        "network-easy": [2, 6],
        "cat-dog": [0, 1],
        "car-truck": [2, 3],
    }
    assert set(expected) == set(R.KINDS)
    for kind, images in expected.items():
        assert R.candidates(kind, evaluation, people).tolist() == images, kind


# A round code names the same images for good: a student who writes one down gets the same round next week.
# These were drawn once (NumPy's PCG64 generator, seeded by the kind and the number).
IMAGES_4821 = {
    "random": [132, 1, 97, 104, 158, 107, 120, 184, 6, 0],
    "people": [12, 99, 168, 150, 151, 164, 124, 22, 45, 4],
    "network": [4, 187, 102, 127, 113, 157, 18, 33, 186, 136],
    "people-easy": [61, 18, 105, 165, 106, 127, 197, 188, 157, 38],
    "network-easy": [52, 96, 182, 20, 67, 168, 124, 99, 5, 162],
    "cat-dog": [114, 76, 109, 117, 110, 113, 116, 118, 65, 72],
    "car-truck": [187, 190, 31, 34, 186, 27, 28, 32, 36, 189],
}


def test_the_same_code_gives_the_same_ten_images(evaluation, people):
    assert set(IMAGES_4821) == set(R.KINDS)
    for kind, golden in IMAGES_4821.items():
        code = f"{kind}-4821"
        images = R.pick_images(code, evaluation, people)
        assert images.tolist() == golden, kind
        assert np.isin(images, R.candidates(kind, evaluation, people)).all(), kind
        assert R.pick_images(code.upper(), evaluation, people).tolist() == golden, kind
    rounds = {tuple(R.pick_images(f"random-{n}", evaluation, people)) for n in range(20)}
    assert len(rounds) == 20


def test_kinds_that_need_people_say_so_without_cifar10h(evaluation):
    assert len(R.pick_images("network-1", evaluation, None)) == 10
    for kind in ("people", "people-easy", "network-easy"):
        with pytest.raises(R.NeedsHumanLabels, match="needs CIFAR-10H"):
            R.pick_images(f"{kind}-1", evaluation, None)


def test_a_short_or_empty_pool(evaluation, people):
    perfect = Evaluation(np.eye(10, dtype=np.float32)[evaluation.labels], evaluation.labels)
    with pytest.raises(R.RoundError, match="No test image here is 'hard for the network'"):
        R.pick_images("network-3", perfect, people)
    few = Evaluation(evaluation.probabilities[:8], evaluation.labels[:8])
    assert sorted(R.pick_images("random-3", few, None).tolist()) == list(range(8))
