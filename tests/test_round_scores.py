"""Who got a round's images right (cnn_lab.classroom.round_scores): one student's score and end-of-round summary on You
vs the network, and what a class round's projector shows (the class's answer, its running accuracy against
the network's, who beat whom, the students most right), checked against values worked out by hand."""

import numpy as np
import pytest

from cnn_lab.classroom import round_scores as S
from cnn_lab.classroom.round_store import Round
from cnn_lab.settings import CLASS_NAMES
from cnn_lab.network.evaluation import Evaluation
from cnn_lab.classroom.human_labels import HumanLabels

# Four test images, 20 people each:
#          0 a cat         1 an airplane  2 an automobile  3 a deer
LABELS = [3, 0, 1, 4]
NETWORK = [5, 0, 1, 2]  # it calls the cat a dog and the deer a bird
PEOPLE_RIGHT = [15, 20, 10, 19]  # 0.75, 1.0, 0.5 and 0.95 of people gave the true class


@pytest.fixture
def evaluation():
    return Evaluation(np.eye(10, dtype=np.float32)[NETWORK], np.array(LABELS))


@pytest.fixture
def people():
    counts = np.zeros((4, 10), int)
    counts[np.arange(4), LABELS] = PEOPLE_RIGHT
    counts[np.arange(4), 9] += 20 - np.array(PEOPLE_RIGHT)  # the others said truck
    return HumanLabels(counts, "test")


# A round of those four images in this order, and a student's answers to them.
IMAGES = [2, 0, 3, 1]
ANSWERS = [1, 3, 7, 8]  # right (both right), right (the network wrong), wrong (both), wrong (the network right)


def test_one_students_outcomes_and_score(evaluation, people):
    played = S.outcomes(IMAGES, ANSWERS, evaluation, people)
    assert played[1] == S.Outcome(position=1, index=0, true=3, answer=3, answered=1, right=1, network=5, people=0.75)
    assert [o.answer_right for o in played] == [True, True, False, False]
    assert [o.network_right for o in played] == [True, False, False, True]
    assert S.score(played) == S.Score(played=4, you=2, network=2, people=pytest.approx(3.2))
    halfway = S.outcomes(IMAGES, ANSWERS[:2], evaluation, people)
    assert S.score(halfway) == S.Score(played=2, you=2, network=1, people=pytest.approx(1.25))
    assert S.score(S.outcomes(IMAGES, ANSWERS, evaluation, None)).people is None


def test_the_summary_says_who_beat_whom(evaluation, people):
    played = S.outcomes(IMAGES, ANSWERS, evaluation, people)
    assert S.summary(played, CLASS_NAMES) == [
        "You got 2 of 4 right, the network 2.",
        "You beat the network on 1 image: image 2 (a cat it called a dog).",
        "The network beat you on 1 image: image 4 (an airplane you called a ship).",
        "You were both right on 1 and both wrong on 1.",
        "The average person would have scored 3.2 of 4. The hardest image for people was image 1: "
        "50 % of them called it an automobile.",
    ]
    all_right = S.outcomes([2, 1], [1, 0], evaluation, None)
    no_people = S.summary(all_right, CLASS_NAMES)
    assert no_people[1:3] == ["You beat the network on no image.", "The network beat you on no image."]
    assert not any("person" in line for line in no_people)
    assert S.summary([], CLASS_NAMES) == []


def a_round(images, position, revealed) -> Round:
    return Round(1, "X", "random", tuple(images), position, revealed, "open", started=0.0)


def test_class_results_against_the_network():
    labels = np.arange(50) % 10
    network = labels.copy()
    network[1] = 9  # the network is wrong on image 1 ...
    network[3] = 0  # ... and on image 3
    plan = {  # position: answers of three students
        0: [0, 0, 5],  # class right (2 of 3), network right
        1: [1, 1, 1],  # class right, network wrong
        2: [7, 7, 2],  # class wrong, network right
        3: [4, 3, 4],  # class wrong (chose 4), network wrong
    }
    answers = [
        (position, f"s{student}", "n", answer)
        for position, chosen in plan.items()
        for student, answer in enumerate(chosen)
    ]
    assert S.class_counts(answers, 3).tolist() == [0, 0, 0, 1, 2, 0, 0, 0, 0, 0]
    played = S.class_outcomes(a_round([0, 1, 2, 3], 3, True), answers, labels, network)
    assert [o.answered for o in played] == [3, 3, 3, 3]
    assert [o.right for o in played] == [2, 3, 1, 1]
    assert [o.answer for o in played] == [0, 1, 7, 4]
    class_only, network_only = S.who_beat_whom(played)
    assert [o.index for o in class_only] == [1]
    assert [o.index for o in network_only] == [2]
    class_curve, network_curve = S.running_accuracy(played)
    assert class_curve == pytest.approx([0.6667, 0.8333, 0.6667, 0.5833], abs=1e-4)  # 2/3, 5/6, 6/9, 7/12
    assert network_curve == pytest.approx([1.0, 0.5, 0.6667, 0.5], abs=1e-4)


def test_only_shown_images_are_scored():
    answers = [(0, "s", "n", 0)]
    labels = network = np.arange(3)
    assert S.class_outcomes(a_round([0, 1, 2], 0, False), answers, labels, network) == []
    assert len(S.class_outcomes(a_round([0, 1, 2], 0, True), answers, labels, network)) == 1


def test_a_tie_is_no_class_answer():
    assert S.class_choice(np.array([2, 2, 0, 0, 0, 0, 0, 0, 0, 0])) is None
    assert S.class_choice(np.zeros(10)) is None
    assert S.class_choice(np.array([0, 3, 1, 0, 0, 0, 0, 0, 0, 0])) == 1


def test_student_scores():
    labels = np.arange(10)
    answers = [(0, "a", "Ada", 0), (0, "b", "Bo", 5), (1, "b", "Bo", 1), (1, "c", "Cy", 1)]
    assert S.student_scores(a_round([0, 1, 2], 1, False), answers, labels) == [
        ("a", "Ada", 1, 1),
        ("b", "Bo", 0, 1),  # image 1 is not revealed yet: it does not count
    ]
    assert S.student_scores(a_round([0, 1, 2], 1, True), answers, labels) == [
        ("a", "Ada", 1, 1),
        ("c", "Cy", 1, 1),
        ("b", "Bo", 1, 2),
    ]


def test_an_image_nobody_answered_is_no_score_of_0():
    """'the class 0 % right' for an image nobody answered would blame the class: it has no score yet."""
    silent = S.Outcome(position=0, index=5, true=3, answer=None, answered=0, right=0, network=3)
    spoken = S.Outcome(position=1, index=6, true=2, answer=2, answered=4, right=3, network=1)
    class_curve, network_curve = S.running_accuracy([silent, spoken])
    assert class_curve == [None, 0.75] and network_curve == [1.0, 0.5]
