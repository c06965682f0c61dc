"""Every number the teaching text states, checked against where it comes from.

`claims()` below is THE list of checked claims: (file, sentence) pairs, each sentence written with its
numbers taken from their source as it is now - augment.py's ranges and crop, the recipes' layer
sizes and settings, the networks' parameter counts (built by Keras), the shipped model's card
(assets/models/default.json), the article recipe's own run (assets/reference/article_run.json),
BENCHMARKS.md's measurements and the article's 0.7844 (recipes.ARTICLE_ACCURACY). Each sentence must
be in its file word for word (line breaks aside). Change a range in augment.py and not the lesson,
or the lesson and not the code, and this test fails. When a lesson states a new number, add it here.
"""

from __future__ import annotations

import dataclasses
import inspect
import math
import re
from functools import cache

import numpy as np
import pytest

from cnn_lab.network import augment, image_map, photo
from cnn_lab.lessons import guesses, maths
from cnn_lab.classroom import peer_store, round_codes
from cnn_lab.runs.records import Device, Epoch
from cnn_lab.training import devices
from cnn_lab.lessons import gradient as G
from cnn_lab.runs.experiments import EXPERIMENTS, QUICK
from cnn_lab.runs.compare import chance_gap, differences, flatten, reference_runs, with_defaults
from cnn_lab.runs.folders import read_json
from cnn_lab.runs.eta import reference_epoch
from cnn_lab.network.data import read_sample
from cnn_lab.settings import BATCH_SIZE, CLASS_NAMES, PROJECT_ROOT
from cnn_lab.network.data import TRAINING_IMAGES as TRAINS_ON
from cnn_lab.runs.model_card import read_card
from cnn_lab.lessons.questions import LESSONS_WITH_QUESTIONS, read_questions
from cnn_lab.recipes import PRESETS, VALIDATION_SHARE, CNNConfig, held_out
from cnn_lab.settings import ARTICLE_ACCURACY, CROP
from cnn_lab.runs.reference import article_run
from cnn_lab.lessons.texts import lesson_items, read_lesson, spoken_words

VIEWS = PROJECT_ROOT / "dashboard" / "views"
EXPERIMENTS_DIR = PROJECT_ROOT / "assets" / "reference" / "experiments"
WORDS_PER_PAGE = 400  # about 3 minutes read aloud
TRAINING_IMAGES = 50_000  # CIFAR-10's training set
PLURAL = {
    "airplane": "airplanes",
    "automobile": "automobiles",
    "bird": "birds",
    "cat": "cats",
    "deer": "deer",
    "dog": "dogs",
    "frog": "frogs",
    "horse": "horses",
    "ship": "ships",
    "truck": "trucks",
}
QUESTIONS = "lessons/"
NUMBER_WORDS = ("zero", "one", "two", "three", "four", "five", "six")
AUGMENTS = {"article": "runs all seven", "crop_flip": "only crop and flip", "none": "do not augment"}


def text_of(file: str) -> str:
    """A file as one line: the claims are found whatever the line breaks."""
    return " ".join((PROJECT_ROOT / file).read_text(encoding="utf-8").split())


def measured(pattern: str) -> str:
    """A figure BENCHMARKS.md reports, found by a pattern with one group."""
    found = re.search(pattern, text_of("BENCHMARKS.md"))
    assert found, f"BENCHMARKS.md no longer reports {pattern!r}"
    return found.group(1)


def parameters(model: CNNConfig) -> int:
    """How many numbers training sets in a network, counted by Keras."""
    return _parameters(dataclasses.astuple(model))


@cache
def _parameters(fields: tuple) -> int:
    from cnn_lab.network.model import build_cnn

    return build_cnn(CNNConfig(*fields)).count_params()


def trained(model: CNNConfig) -> int:
    """How many numbers gradient steps set in a network (batch-norm's kept averages left out), counted by Keras."""
    return sum(int(np.prod(w.shape)) for w in built(model).trainable_weights)


def first_layer_parameters(model: CNNConfig) -> int:
    """How many numbers the first convolution layer holds (its filters and biases), counted by Keras."""
    return _first_layer_parameters(dataclasses.astuple(model))


@cache
def _first_layer_parameters(fields: tuple) -> int:
    from cnn_lab.network.model import build_cnn

    return build_cnn(CNNConfig(*fields)).get_layer("conv1").count_params()


def built(model: CNNConfig):
    """The network Keras builds from a recipe's model settings."""
    return _built(dataclasses.astuple(model))


@cache
def _built(fields: tuple):
    from cnn_lab.network.model import build_cnn

    return build_cnn(CNNConfig(*fields))


def relu_before_pooling(model: CNNConfig) -> bool:
    """Whether the first feature maps reach the first pooling through ReLU (the Channels page draws them so)."""
    layers = built(model).layers
    before = layers[[layer.name for layer in layers].index("pool1") - 1]
    return (
        getattr(before, "activation", None).__name__ == "relu"
        if hasattr(before, "activation")
        else (type(before).__name__ == "ReLU")
    )


def conv_has_bias(model: CNNConfig) -> bool:
    return built(model).get_layer("conv1").use_bias


def centre_rows() -> tuple[int, int]:
    """The first and last row (counted from 0) that the test-time crop keeps, by running it."""
    rows = augment.center_crop(np.arange(32).reshape(1, 32, 1, 1) * np.ones((1, 1, 32, 1)))
    return int(rows[0, 0, 0, 0]), int(rows[0, -1, 0, 0])


def batch_mix_is_usually(commonest: tuple[int, int], rarest: tuple[int, int], batches: int = 2000) -> bool:
    """Whether, in most (3 in 4) batches drawn as the Dataset page's button draws them from CIFAR-10's
    balanced 50,000, the commonest class has between `commonest` images and the rarest between `rarest`."""
    labels, rng = np.repeat(np.arange(10), TRAINING_IMAGES // 10), np.random.default_rng(0)
    counts = np.array(
        [np.bincount(labels[maths.random_batch(len(labels), rng=rng)], minlength=10) for _ in range(batches)]
    )
    most, least = counts.max(axis=1), counts.min(axis=1)
    inside = lambda v, span: (span[0] <= v) & (v <= span[1])  # noqa: E731
    return inside(most, commonest).mean() >= 0.75 and inside(least, rarest).mean() >= 0.75


def saturation_lifts_negatives() -> bool:
    """Whether, on the bundled sample, saturation at x 1 after the article's darkest brightness (-0.2) lifts
    values below 0 back to 0, exactly those in a pixel whose brightest colour is not below 0; whether saturation
    (up to x 2) and hue alone keep values inside 0 to 1; and whether saturation comes after brightness
    (augment.ArticleAugmentation.apply)."""
    from keras import ops

    images = read_sample().x_test[:40].astype("float32") / 255
    one = np.ones(len(images), "float32")
    darker = ops.convert_to_numpy(augment.adjust_brightness(images, -augment.BRIGHTNESS_DELTA * one))
    lifted = ops.convert_to_numpy(augment.adjust_saturation(darker, one))
    was_negative, brightest = darker < 0, darker.max(axis=-1, keepdims=True)
    raised = was_negative & (lifted >= -1e-6)
    inside = all(
        0 - 1e-6 <= ops.convert_to_numpy(f(images, v * one)).min()
        and ops.convert_to_numpy(f(images, v * one)).max() <= 1 + 1e-6
        for f, v in ((augment.adjust_saturation, augment.SATURATION[1]), (augment.adjust_hue, augment.HUE_DELTA))
    )
    order = inspect.getsource(augment.ArticleAugmentation.apply)
    return (
        raised.sum() > 0
        and np.array_equal(raised, was_negative & (brightest >= 0))
        and inside
        and order.index("adjust_brightness") < order.index("adjust_saturation")
    )


def still_learning(history: list[Epoch]) -> bool:
    """Whether a run's test accuracy still set new highs in its last 5 epochs."""
    scores = [h.test_accuracy for h in history]
    return max(scores[-5:]) > max(scores[:-5])


def article(decimals: int = 2) -> str:
    return f"{100 * ARTICLE_ACCURACY:.{decimals}f} %"


def claims() -> list[tuple[str, str]]:
    """(file, sentence) for every checked claim, with its numbers from their sources as they are now."""
    fast, best, paper, lesson = PRESETS["fast"], PRESETS["best"], PRESETS["article"], PRESETS["lesson"]
    card = read_card(PROJECT_ROOT / "assets" / "models" / "default.keras")
    per_class = {name: 100 * value for name, value in card["per_class"].items()}
    easy = sorted(per_class, key=per_class.get, reverse=True)
    hard = sorted(per_class, key=per_class.get)
    positions = (32 - CROP + 1) ** 2
    first, last = centre_rows()
    low, high = augment.CONTRAST
    contrast = f"(× {low:g} to × {high:.1f})"
    sizes = [CROP // 2**i for i in range(len(CNNConfig().filters) + 1)]
    assert lesson.label_smoothing == fast.label_smoothing, "lessons/train.md: 'They' (Lesson and Fast) smooth alike"
    smooth = fast.label_smoothing
    on_right, on_other = 1 - smooth + smooth / 10, smooth / 10
    floor = -(on_right * math.log(on_right) + 9 * on_other * math.log(on_other))  # the smoothed loss's minimum
    sample = read_sample()
    gpu = devices.speed_settings(Device("GPU", "a GPU"))
    lesson_seconds = int(measured(r"again on the final main[^|]*\|[^|]*\|[^|]*\| \*\*(\d+) s\*\*"))
    per_student = measured(r"\*\*\+([\d.]+) MB per session\*\*")
    reference = article_run()
    check_counts = {len(read_questions(lesson)) for lesson in LESSONS_WITH_QUESTIONS}
    best_epoch = max(reference.history, key=lambda epoch: epoch.test_accuracy)
    layer1, layer2 = (built(paper.model).get_layer(name) for name in ("conv1", "conv2"))
    noise = chance_gap(reference_runs())
    validated = read_json(EXPERIMENTS_DIR / "lesson_validation" / "history.json")
    lesson_run = read_json(EXPERIMENTS_DIR / "lesson" / "history.json")
    batch_norm_in_the_lab_s_networks = (
        all(r.model.batch_norm for r in (lesson, fast, best)) and not paper.model.batch_norm
    )
    no_augmentation = read_json(
        PROJECT_ROOT / "assets" / "reference" / "experiments" / "no_augmentation" / "history.json"
    )
    red_grey, green_grey = (
        int(maths.greyscale_uint8(np.array([[c]], np.uint8))[0, 0]) for c in ([255, 0, 0], [0, 130, 0])
    )
    valid = maths.conv2d(np.zeros((32, 32)), np.zeros((3, 3))).shape  # no padding: where a 3 x 3 filter fits
    return [
        # --- the augmentation: augment.py's ranges, and which recipe uses them
        ("lessons/augmentation.md", f"a {CROP} × {CROP} window out of the 32 × 32 photo, at one of {positions} places"),
        ("lessons/augmentation.md", f"(by up to ±{augment.HUE_DELTA:g} of a turn)"),
        ("lessons/augmentation.md", f"towards its average {contrast}"),
        (
            "lessons/augmentation_clip.md",
            "saturation, which comes after brightness, even lifts some values below 0 back to 0"
            if saturation_lifts_negatives()
            else "(saturation no longer lifts the values below 0)",
        ),
        ("lessons/augmentation.md", f"add up to ±{augment.BRIGHTNESS_DELTA:g} to every value"),
        ("lessons/augmentation.md", f"(× {augment.SATURATION[0]:g} to × {augment.SATURATION[1]:g})"),
        ("lessons/augmentation.md", f"The **article** recipe on the Train page {AUGMENTS[paper.augment]}"),
        (
            "lessons/augmentation.md",
            f"The **Fast** recipe and the shipped model {AUGMENTS[fast.augment]}"
            if fast.augment == best.augment
            else "(Fast and the shipped model differ)",
        ),
        (
            "lessons/augmentation.md",
            f"{positions} × 2 = {2 * positions} versions of each photo, so over the "
            f"shipped model's {best.epochs} epochs some came back",
        ),
        (
            "lessons/augmentation_clip.md",
            f"a value at 0.9 plus {augment.BRIGHTNESS_DELTA:g} would be {0.9 + augment.BRIGHTNESS_DELTA:g}",
        ),
        (
            "lessons/augmentation_clip.md",
            f"Contrast {contrast} only pulls values towards the average"
            if high <= 1
            else "(contrast above 1 pushes values out too)",
        ),
        (
            "lessons/augmentation_test.md",
            f"the **centre** {CROP} × {CROP} of the picture — rows and columns {first} to {last}, counting from 0",
        ),
        (
            "lessons/augmentation_test.md",
            "The shipped model also looks at the mirror image"
            if best.flip_tta
            else "(the shipped model does not average the mirror image)",
        ),
        (
            "README.md",
            "`article` recipe; the Train page's defaults, `lesson` on a CPU and `fast` on a GPU, and the shipped "
            "model crop and flip only"
            if lesson.augment == fast.augment == best.augment == "crop_flip"
            else "(README: recipes changed)",
        ),
        # --- what the network gets
        ("lessons/images_are_numbers_shape.md", f"32 rows, 32 columns, 3 colours — {32 * 32 * 3:,} numbers"),
        ("lessons/images_are_numbers_shape.md", f"the centre {CROP} × {CROP} × 3 = {CROP * CROP * 3:,} numbers"),
        ("lessons/photo.md", f"all 32 × 32 × 3 = {32 * 32 * 3:,} numbers"),
        ("lessons/photo.md", f"its convolutions see {CROP} × {CROP} × 3 = {CROP * CROP * 3:,} of them"),
        (
            "lessons/photo.md",
            "(*Lanczos* resampling)"
            if "Image.LANCZOS" in inspect.getsource(photo.to_cifar)
            else "(photo.to_cifar no longer resizes with Lanczos)",
        ),
        # --- batches
        ("lessons/dataset_batch.md", f"`train_batch_size` is {BATCH_SIZE}"),
        (
            "lessons/dataset_batch.md",
            f"{TRAINING_IMAGES // fast.batch_size} batches of {fast.batch_size} and a last "
            f"one of {TRAINING_IMAGES % fast.batch_size}",
        ),
        ("lessons/dataset_batch.md", f"The shipped model used batches of {card['train']['batch_size']}"),
        ("lessons/train.md", f"({paper.batch_size} in the article)"),
        ("lessons/dataset_batch.md", f"a **batch** of {BATCH_SIZE} images"),
        (
            "lessons/dataset_batch.md",
            "the commonest class usually gets 9 to 12 images, the rarest only 1 to 4"
            if batch_mix_is_usually(commonest=(9, 12), rarest=(1, 4))
            else "(the batch mix changed)",
        ),
        # --- loss, optimizer, label smoothing
        (
            "lessons/train.md",
            f"90 % on the right class costs {-math.log(0.9):.2f}, 10 % costs {-math.log(0.1):.1f}; "
            f"a blind guess among 10 classes costs {math.log(10):.1f}",
        ),
        (
            "lessons/train.md",
            f'not "100 % cat" but {100 * on_right:.0f} % cat and {100 * on_other:.0f} % for each other class',
        ),
        ("lessons/train.md", f"Its loss cannot go below {floor:.2f}."),
        (
            "lessons/train.md",
            "The Lesson and Fast recipes add **batch-norm** after each convolution"
            if batch_norm_in_the_lab_s_networks
            else "(batch-norm: the recipes changed)",
        ),
        (
            "lessons/train.md",
            "*Adam* (*AdamW* for the shipped model)"
            if best.weight_decay and not fast.weight_decay
            else "(the optimizers changed)",
        ),
        (
            "lessons/train.md",
            "the Lesson and Fast recipes raise the rate during a short warm-up, then lower it smoothly to 0"
            if all(r.schedule == "cosine" and r.warmup_epochs for r in (lesson, fast))
            else "(the Lesson or Fast schedule changed)",
        ),
        (
            "lessons/train.md",
            f"(the Lesson recipe also halfway, on {lesson.check_images:,} of them)"
            if lesson.checks_per_epoch == 2
            else "(the Lesson recipe's tests changed)",
        ),
        (
            "lessons/train.md",
            "Like the shipped model, the Lesson recipe averages its answers for the photo and its mirror image"
            if lesson.flip_tta and best.flip_tta
            else "(the mirror average changed)",
        ),
        # --- the network
        ("lessons/network.md", " → ".join(map(str, sizes))),
        (
            "lessons/network.md",
            f"{trained(paper.model):,} in the article's network, {trained(best.model):,} in the shipped model",
        ),
        (
            "lessons/photo_why.md",
            f"one {sizes[2]} × {sizes[2]} feature map per filter ({lesson.model.filters[-1]} in the Lesson network, "
            f"{fast.model.filters[-1]} in the Fast and article networks, {best.model.filters[-1]} in the shipped model)"
            if fast.model.filters[-1] == paper.model.filters[-1]
            else "(Fast and article differ)",
        ),
        (
            "README.md",
            "3 convolution layers of {} filters of 3×3".format(
                ", ".join(map(str, CNNConfig().filters[:-1])) + f" and {CNNConfig().filters[-1]}"
            ),
        ),
        ("README.md", f"fully connected layers of {CNNConfig().dense[0]} and {CNNConfig().dense[1]} units"),
        (
            "README.md",
            f"On a GPU a run's steps are compiled (XLA), {gpu['steps_per_execution']} to a call, and in bfloat16 "
            "where the GPU has it (from compute capability 8.0)"
            if gpu["jit_compile"] and inspect.getsource(devices.has_bfloat16).count(">= (8, 0)")
            else "(README: the GPU settings changed)",
        ),
        (
            "BENCHMARKS.md",
            f"{best.model.filters[0]} {best.model.kernel_sizes[0]}×{best.model.kernel_sizes[0]}, "
            f"{best.model.filters[1]} {best.model.kernel_sizes[1]}×{best.model.kernel_sizes[1]}, "
            f"{best.model.filters[2]} {best.model.kernel_sizes[2]}×{best.model.kernel_sizes[2]}",
        ),
        ("BENCHMARKS.md", f"{parameters(best.model) / 1e6:.2f} M parameters"),
        ("BENCHMARKS.md", f"batch {best.batch_size}, {best.epochs} epochs"),
        # --- the shipped model's results: its card
        (
            "lessons/results.md",
            f"{PLURAL[easy[0]]} ({per_class[easy[0]]:.1f} %) and {PLURAL[easy[1]]} "
            f"({per_class[easy[1]]:.1f} %) are the easiest classes and {PLURAL[hard[0]]} "
            f"({per_class[hard[0]]:.1f} %) the hardest; {PLURAL[hard[1]]} and {PLURAL[hard[2]]} "
            f"are hard too",
        ),
        ("BENCHMARKS.md", f"**{card['correct']} / {card['total']} ({100 * card['accuracy']:.2f} %)**"),
        ("BENCHMARKS.md", "per class | " + ", ".join(f"{name} {value:.1f}" for name, value in per_class.items())),
        # --- the article's result: recipes.ARTICLE_ACCURACY
        ("lessons/home.md", f"**{article()}** ({round(ARTICLE_ACCURACY * 10000)} of 10000)"),
        ("lessons/home.md", f"climb towards the article's {article()}"),
        ("lessons/train.md", f"the article reached **{article()}**"),
        ("lessons/results.md", f"`{round(ARTICLE_ACCURACY * 10000)}/10000 ({article()[:-2]}%)`"),
        ("README.md", f"({article()} = {round(ARTICLE_ACCURACY * 10000)}/10000 on the CIFAR-10 test set)"),
        ("BENCHMARKS.md", f"the article | {round(ARTICLE_ACCURACY * 10000)} / 10000 ({article(1)})"),
        # --- the article's recipe as this lab trained it: assets/reference/article_run.json
        ("BENCHMARKS.md", f"`cnn-lab train --preset article`: {reference.summary()}"),
        ("BENCHMARKS.md", f"in {sum(epoch.seconds for epoch in reference.history):,.0f} s"),
        ("BENCHMARKS.md", f"(its best, epoch {best_epoch.epoch}: {100 * best_epoch.test_accuracy:.2f} %)"),
        # --- measurements: BENCHMARKS.md
        (
            "dashboard/ui/state.py",
            f"the Lesson recipe passes the article's {article(1)} in about {round(lesson_seconds / 60)} minutes",
        ),
        ("README.md", f"student adds about {per_student} MB"),
        # --- you vs the network: cnn_lab.classroom.round_codes
        ("lessons/you_vs_network_rules.md", f"Each round is {round_codes.ROUND_LENGTH} CIFAR-10 test images"),
        (
            "lessons/you_vs_network_rules.md",
            f"images where fewer than {100 * round_codes.HARD_FOR_PEOPLE:.0f} % of people gave the true class",
        ),
        ("lessons/you_vs_network_rules.md", f"at least {100 * round_codes.EASY_FOR_PEOPLE:.0f} % of people were right"),
        # --- peer instruction: cnn_lab.classroom.peer_store
        ("lessons/class_question.md", f"It works in {NUMBER_WORDS[len(peer_store.STEPS)]} steps"),
        (
            "README.md",
            f"type it with {peer_store.MIN_OPTIONS} to {peer_store.MAX_OPTIONS} answers, the right one and why",
        ),
        ("README.md", f"press its number key (1 to {peer_store.MAX_OPTIONS}), once"),
        # --- the check questions at the end of each lesson page (lessons/*_questions.toml)
        (
            "README.md",
            f"Each lesson page ends with {min(check_counts)} check questions"
            if len(check_counts) == 1
            else "(the lesson pages have different numbers of check questions)",
        ),
        (QUESTIONS + "images_are_numbers_questions.toml", f"32 × 32 × 3 = {32 * 32 * 3:,}"),
        (QUESTIONS + "images_are_numbers_questions.toml", f"Red's weight is {maths.GREY_WEIGHTS[0]:.4f}"),
        (QUESTIONS + "images_are_numbers_questions.toml", f"Green's weight is {maths.GREY_WEIGHTS[1]:.4f}"),
        (QUESTIONS + "images_are_numbers_questions.toml", f"Blue's weight is {maths.GREY_WEIGHTS[2]:.4f}"),
        (
            QUESTIONS + "dataset_questions.toml",
            f"{TRAINING_IMAGES:,} training images shared equally by 10 classes",
        ),
        (QUESTIONS + "dataset_questions.toml", f'answer = "{TRAINING_IMAGES // 10:,}"'),
        (QUESTIONS + "dataset_questions.toml", f"A batch of {BATCH_SIZE} training images"),
        (QUESTIONS + "dataset_questions.toml", f"{BATCH_SIZE} ÷ 10 = {BATCH_SIZE / 10:g}"),
        (
            QUESTIONS + "augmentation_questions.toml",
            f"at {32 - CROP + 1} rows (0 to {32 - CROP}) and {32 - CROP + 1} columns: "
            f"{32 - CROP + 1} × {32 - CROP + 1} = {positions}",
        ),
        (QUESTIONS + "augmentation_questions.toml", f"{CROP * CROP} = {CROP} × {CROP} is the number of pixels"),
        (QUESTIONS + "augmentation_questions.toml", f"its convolutions always see {CROP} × {CROP}"),
        (QUESTIONS + "convolution_questions.toml", f"make of a {sizes[0]} × {sizes[0]} map"),
        (QUESTIONS + "convolution_questions.toml", f'answer = "{sizes[1]} × {sizes[1]}"'),
        (QUESTIONS + "convolution_questions.toml", f"That takes two poolings: {sizes[0]} → {sizes[1]} → {sizes[2]}"),
        (QUESTIONS + "channels_questions.toml", f"{paper.model.filters[0]} is how many filters the article's"),
        (
            QUESTIONS + "channels_questions.toml",
            f"3 × 3 × 3 = {3 * 3 * 3}, plus a bias added to the sum"
            if first_layer_parameters(paper.model) == (3 * 3 * 3 + 1) * paper.model.filters[0]
            else "(the article's first layer changed)",
        ),
        (
            QUESTIONS + "network_questions.toml",
            f"In the article's network, {sizes[0]} × {sizes[0]} × {paper.model.filters[0]} goes into pool1",
        ),
        (QUESTIONS + "network_questions.toml", f'answer = "{sizes[1]} × {sizes[1]} × {paper.model.filters[0]}"'),
        (
            "lessons/convolution_real.md",
            f"its first layer has {best.model.filters[0]} filters of {best.model.kernel_sizes[0]} × "
            f"{best.model.kernel_sizes[0]} × 3 = {best.model.kernel_sizes[0] ** 2 * 3} weights",
        ),
        # --- channels, bias and ReLU: the article's network as Keras builds it
        (
            "lessons/channels.md",
            "3 × 3 × 3 = 27 weights" if layer1.kernel.shape[:3] == (3, 3, 3) else "(conv1 changed)",
        ),
        (
            "lessons/channels.md",
            f"The article's first layer has {paper.model.filters[0]} such filters: {CROP} × {CROP} × 3 goes in, "
            f"{' × '.join(map(str, layer1.output.shape[1:]))} comes out"
            if layer1.use_bias
            else "(the article's first layer has no bias)",
        ),
        (
            "lessons/channels.md",
            f"A filter of the second layer spans all {paper.model.filters[0]} maps at once: "
            f"{' × '.join(map(str, layer2.kernel.shape[:3]))} weights and a bias"
            if layer2.use_bias
            else "(the article's second layer has no bias)",
        ),
        (
            "lessons/convolution_real.md",
            "its feature map **after ReLU**"
            if all(relu_before_pooling(r.model) for r in (paper, lesson, fast, best))
            else "(a network's first maps are not pooled after ReLU)",
        ),
        (
            "lessons/convolution_real.md",
            "In the Lesson, Fast and shipped networks a **batch-norm** layer sits between the sums and ReLU"
            if batch_norm_in_the_lab_s_networks
            else "(batch-norm: the recipes changed)",
        ),
        (
            "lessons/convolution_real.md",
            "so their filters have no bias of their own"
            if not any(conv_has_bias(r.model) for r in (lesson, fast, best)) and conv_has_bias(paper.model)
            else "(the batch-norm networks' filters have biases)",
        ),
        (
            QUESTIONS + "convolution_questions.toml",
            f"A 3 × 3 filter's map of a 32 × 32 picture would be {valid[0]} × {valid[1]}",
        ),
        (QUESTIONS + "convolution_questions.toml", f"at {valid[0]} places along each side (32 − 3 + 1)"),
        (
            QUESTIONS + "channels_questions.toml",
            f"{CROP} × {CROP} × 3 goes into the article's first layer of {paper.model.filters[0]} filters",
        ),
        (QUESTIONS + "channels_questions.toml", f'answer = "{" × ".join(map(str, layer1.output.shape[1:]))}"'),
        # --- how it learns: cnn_lab/lessons/gradient.py's one-weight network, the recipes' optimizers
        (
            "lessons/gradient.md",
            f"90 % on it costs {-math.log(0.9):.2f}, 10 % costs {-math.log(0.1):.1f}",
        ),
        (
            "lessons/gradient.md",
            "**one weight** *w*, four training photos, three of them cats"
            if (G.PHOTOS, G.CATS) == (4, 3)
            else "(the one-weight network's photos changed)",
        ),
        (
            "lessons/gradient.md",
            'the loss is lowest where the network says "cat" with 3/4'
            if float(G.p_cat(G.BEST)) == pytest.approx(3 / 4) and abs(float(G.gradient(G.BEST))) < 1e-12
            else "(the bottom moved)",
        ),
        ("lessons/gradient_more.md", f"The article's network has {trained(paper.model):,} parameters"),
        (
            "lessons/gradient_more.md",
            f"with it (the lab's other recipes), one surer than {100 * on_right:.0f} % is pushed back",
        ),
        (
            "lessons/gradient_more.md",
            f"(in the article's recipe), the slope for each score is simply its probability, less 1 for the true "
            f"class; label smoothing aims at {on_right:.2f} instead of 1"
            if not paper.label_smoothing and lesson.label_smoothing == fast.label_smoothing == best.label_smoothing
            else "(the recipes' label smoothing changed)",
        ),
        (
            "lessons/gradient_more.md",
            "The lab's recipes step with **Adam**"
            if not any(r.weight_decay for r in (paper, lesson, fast)) and best.weight_decay
            else "(the recipes' optimizers changed)",
        ),
        (
            QUESTIONS + "gradient_questions.toml",
            f"its slope is 0.99 − 1 = {G.score_gradient([math.log(99), 0], 0)[0]:.2f}".replace("-", "−"),
        ),
        (
            QUESTIONS + "gradient_questions.toml",
            f"pushes with a slope of {G.score_gradient([math.log(1 / 9), 0], 0)[0]:.1f}: ninety times harder".replace(
                "-", "−"
            )
            if round((1 - 0.1) / (1 - 0.99)) == 90
            else "(ninety)",
        ),
        (
            QUESTIONS + "gradient_questions.toml",
            "try a rate of 20 above" if 20 in G.RATES and G.jumps_past_the_bottom(G.descend(-3, 20, 6)) else "(20)",
        ),
        # --- run-to-run noise: the two shipped runs of the Lesson recipe that differ only in their seed
        (
            "lessons/compare.md",
            f"after {lesson.epochs} epochs one reached {100 * noise['accuracies'][0]:.2f} %, the other "
            f"{100 * noise['accuracies'][1]:.2f} %, {noise['points']:.2f} points apart, but along the way they were "
            f"up to {round(noise['widest'])} points apart"
            if noise
            and differences([flatten(read_json(f / "config.json")["train"]) for f in noise["runs"]]) == {"seed": [0, 1]}
            else "(the shipped pair of seeds changed)",
        ),
        # --- the "what would change" check questions: their numbers from the shipped runs and the code
        (
            QUESTIONS + "augmentation_questions.toml",
            f"without augmentation training reached {100 * no_augmentation[-1]['accuracy']:.2f} % while the test "
            f"peaked at {100 * max(h['test_accuracy'] for h in no_augmentation):.2f} %; with it the test ended at "
            f"{100 * reference.test_accuracy:.2f} %",
        ),
        (
            QUESTIONS + "augmentation_questions.toml",
            f"({100 * max(h['test_accuracy'] for h in no_augmentation):.2f} % at best)",
        ),
        (
            QUESTIONS + "images_are_numbers_questions.toml",
            f"pure red (255, 0, 0) and a dark green (0, 130, 0) both become grey {red_grey}"
            if red_grey == green_grey
            else "(red and dark green differ in grey)",
        ),
        (QUESTIONS + "images_are_numbers_questions.toml", f"{32 * 32:,} numbers instead of {32 * 32 * 3:,}"),
        # --- a validation set
        (
            "lessons/compare.md",
            f"after {len(validated)} epochs it was right on {100 * validated[-1]['validation_accuracy']:.2f} % of "
            f"them and on {100 * validated[-1]['test_accuracy']:.2f} % of the test images, "
            f"{100 * (lesson_run[-1]['test_accuracy'] - validated[-1]['test_accuracy']):.2f} points below the same "
            f"recipe trained on all {TRAINING_IMAGES:,} "
            f"({100 * (noise['accuracies'][1] - validated[-1]['test_accuracy']):.2f} below its seed-1 run)"
            if differences(
                [
                    flatten(with_defaults(read_json(EXPERIMENTS_DIR / n / "config.json")["train"]))
                    for n in ("lesson", "lesson_validation")
                ]
            )
            == {"validation": [0, 5000]}
            else "(the shipped validation pair changed)",
        ),
        ("lessons/dataset.md", f"can hold out its last 1 in {VALIDATION_SHARE} training images to validate with"),
        ("dashboard/views/train.py", f"Hold out the last 1 in {VALIDATION_SHARE} training images for validation"),
        (
            "dashboard/views/train.py",
            f"the Lesson recipe so ended at {100 * validated[-1]['test_accuracy']:.2f} %, below the article's line"
            if validated[-1]["test_accuracy"] < ARTICLE_ACCURACY
            else "(the validation run passed the line)",
        ),
        (
            "dashboard/views/train.py",
            f"({held_out(TRAINS_ON['full']):,} of the full CIFAR-10's {TRAINS_ON['full']:,})"
            if TRAINS_ON["full"] == TRAINING_IMAGES and TRAINS_ON["sample"] == len(sample.x_train)
            else "(data.TRAINING_IMAGES is wrong)",
        ),
        # --- issue 25's corrections: each sentence against its source
        (
            "lessons/you_vs_network_rules.md",
            f"only the centre {CROP} × {CROP} of each, and the shipped model also its mirror image"
            if best.flip_tta
            else "(the shipped model no longer averages the mirror image)",
        ),
        ("README.md", f"# accuracy: {card['test_result']} on the full test set"),
        (
            "dashboard/cnn_lab/runs/experiments.py",
            "in the article's network, with no batch-norm and no "
            if not QUICK.model.batch_norm and not QUICK.warmup_epochs and QUICK.schedule == "constant"
            else "(the quick experiments' recipe changed)",
        ),
        (
            "dashboard/cnn_lab/runs/experiments.py",
            "The Lesson recipe does peak at this rate: its "
            if lesson.learning_rate == EXPERIMENTS["rate_1e-2"].change[1] and lesson.warmup_epochs
            else "(the Lesson recipe's peak rate changed)",
        ),
        (
            "dashboard/cnn_lab/runs/experiments.py",
            "batch-norm and its warm-up keep such steps in check." if lesson.model.batch_norm else "(no batch-norm)",
        ),
        (
            QUESTIONS + "augmentation_questions.toml",
            "only the article recipe recolours; Lesson, Fast and the shipped model crop and flip"
            if paper.augment == "article" and lesson.augment == fast.augment == best.augment == "crop_flip"
            else "(the recipes' augmentation changed)",
        ),
        ("dashboard/views/train.py", f"Fast: {article(1)} in epoch {reference_epoch(fast.to_dict())} of {fast.epochs}"),
        (
            "dashboard/views/train.py",
            f"Adam at {paper.learning_rate:.0e} and batches of {paper.batch_size}; the {paper.epochs} epochs".replace(
                "e-0", "e-"
            ),
        ),
        (
            "dashboard/views/train.py",
            f"it ended at {100 * reference.test_accuracy:.2f} % (best {100 * best_epoch.test_accuracy:.2f} %), "
            f"still learning, below the article's {article()}"
            if reference.config.epochs == paper.epochs and still_learning(reference.history)
            else "(the article's reference run changed)",
        ),
        (
            "dashboard/cnn_lab/lessons/guesses.py",
            "counts as about 0 here: a tenth of the largest sum on this tile, and never "
            if guesses.ABOUT_ZERO == 0.1
            else "(ABOUT_ZERO changed)",
        ),
        (
            "dashboard/cnn_lab/lessons/guesses.py",
            "less than 2 % of the largest this filter can make." if guesses.ABOUT_ZERO_FLOOR == 0.02 else "(the floor)",
        ),
        # --- the map (cnn_lab/network/image_map.py)
        ("lessons/network_map.md", f"last hidden layer: {best.model.dense[-1]} numbers for the shipped model"),
        ("lessons/network_map.md", f"Nobody can look at {best.model.dense[-1]} numbers at once"),
        (
            "lessons/network_map_reading.md",
            f"the {CROP * CROP * 3:,} numbers of the centre the network sees ({CROP} × {CROP} pixels × 3 colours)",
        ),
        ("lessons/network_map_reading.md", f"where its {image_map.NEIGHBOURS} nearest test images are on average"),
        ("dashboard/views/network_map.py", f"of an image's {image_map.NEIGHBOURS} nearest dots are of its class"),
        (
            QUESTIONS + "network_map_questions.toml",
            f"CIFAR-10 has {TRAINING_IMAGES // len(CLASS_NAMES):,} training images of each class",
        ),
        # --- what a filter wants (cnn_lab/network/filter_wants.py)
        (
            "lessons/filter_wants.md",
            f"for any filter of {', '.join(wants()['layers'][:-1])} or {wants()['layers'][-1]} of the model you use",
        ),
        ("lessons/filter_wants.md", f"Each {wants()['pool']} × {wants()['pool']} pooling also halves the grid"),
        (
            "dashboard/cnn_lab/lessons/filter_guesses.py",
            f"Each {wants()['pool']} × {wants()['pool']} pooling halves the grid, so every step of the next ",
        ),
        (
            QUESTIONS + "filter_wants_questions.toml",
            f"with the article's {wants()['article_kernel']} × {wants()['article_kernel']} kernels in all "
            f"{NUMBER_WORDS[len(paper.model.kernel_sizes)]} layers, conv1 sees {wants()['article']['conv1']} × "
            f"{wants()['article']['conv1']} pixels and conv3 {wants()['article']['conv3']} × "
            f"{wants()['article']['conv3']}",
        ),
        (
            QUESTIONS + "filter_wants_questions.toml",
            f"after {NUMBER_WORDS[wants()['pools_before_conv3']]} {wants()['pool']} × {wants()['pool']} poolings, "
            f"one step of conv3's kernel jumps {wants()['conv3_step']} pixels of the picture",
        ),
        (
            QUESTIONS + "filter_wants_questions.toml",
            f"conv3 sees the whole {wants()['image']} × {wants()['image']} picture "
            f"and conv1 only the {CROP} × {CROP} centre",
        ),
        (QUESTIONS + "filter_wants_questions.toml", f"Every layer works on the same {CROP} × {CROP} centre"),
        ("lessons/filter_wants_picture.md", f"and repeat, {wants()['steps']} steps."),
        ("lessons/filter_wants_picture.md", f"Every {wants()['blur_every']} steps the picture is blurred a little"),
        ("lessons/filter_wants_picture.md", f"the picture is shifted by up to {wants()['jitter']} pixels"),
        ("lessons/filter_wants_patches.md", f"The {wants()['top']} largest win"),
        ("dashboard/views/filter_wants.py", f"and the {wants()['top']} test images whose"),
        ("dashboard/cnn_lab/network/filter_wants.py", f"Start from a grey picture ({wants()['grey']} in every colour)"),
        ("dashboard/cnn_lab/network/filter_search.py", f"The {wants()['top']} largest win."),
        # --- fool the network (cnn_lab/network/fool.py)
        *fool_claims(sample),
        # --- the bundled sample
        ("dashboard/views/train.py", f"({len(sample.x_train)} training, {len(sample.x_test)} test images)"),
        ("README.md", f"{len(sample.x_train) + len(sample.x_test):,} genuine CIFAR-10 test images"),
    ]


def missing(checked: list[tuple[str, str]]) -> list[str]:
    return [f"{file}: {sentence!r}" for file, sentence in checked if sentence not in text_of(file)]


def test_every_claim_is_in_its_file_with_the_numbers_of_its_source():
    assert missing(claims()) == []


def test_a_range_changed_in_augment_py_alone_fails(monkeypatch):
    for name, changed in [
        ("CONTRAST", (0.2, 1.0)),
        ("HUE_DELTA", 0.08),
        ("BRIGHTNESS_DELTA", 0.3),
        ("SATURATION", (0.0, 1.5)),
    ]:
        with monkeypatch.context() as m:
            m.setattr(augment, name, changed)
            assert any("augmentation" in line for line in missing(claims())), name


def test_a_layer_size_changed_alone_fails(monkeypatch):
    from dataclasses import replace

    wider = replace(PRESETS["best"].model, filters=(96, 192, 256))
    monkeypatch.setitem(PRESETS, "best", replace(PRESETS["best"], model=wider))
    wrong = missing(claims())
    assert any("photo_why" in line for line in wrong) and any("network.md" in line for line in wrong)


def test_the_articles_accuracy_is_written_one_way():
    """Every 78.4... % in the text is the article's 0.7844, rounded; no page types 0.784 again."""
    files = [
        *PROJECT_ROOT.glob("lessons/*.md"),
        PROJECT_ROOT / "README.md",
        PROJECT_ROOT / "BENCHMARKS.md",
        *PROJECT_ROOT.glob("dashboard/**/*.py"),
    ]
    for path in files:
        text = path.read_text(encoding="utf-8")
        for found in re.findall(r"(?<![\d.])78\.4\d*(?= ?%)", text):
            decimals = len(found.split(".")[1])
            assert found == f"{100 * ARTICLE_ACCURACY:.{decimals}f}", f"{path.name}: {found} %"
        if path.name != "settings.py":
            assert not re.search(r"(?<![\d.])0\.784", text), f"{path.name} types the article's accuracy again"


def test_the_only_ten_classes_note_names_the_ten_classes():
    listed = read_lesson("photo_only_ten").split(":**", 1)[1].split(".", 1)[0]
    assert [name.strip() for name in listed.split(",")] == list(CLASS_NAMES)


def test_every_kind_of_layer_the_lab_builds_is_explained():
    from cnn_lab.network.model import build_cnn, classifier

    said = lesson_items("network_layers")
    for name, recipe in PRESETS.items():
        model = classifier(build_cnn(recipe.model), recipe.flip_tta)
        kinds = {"Rescaling", "Cropping2D"} | {type(layer).__name__ for layer in model.get_layer("cnn").layers}
        assert kinds <= set(said), f"{name}: {kinds - set(said)}"
    assert {"relu", "softmax"} <= set(said)


def page_lessons() -> dict[str, list[str]]:
    """The lessons each page shows, as its code names them."""
    shown = re.compile(r"""(?:section|lesson|read_lesson|lesson_items|class_activity)\(\s*["'](\w+)["']""")
    return {page.stem: shown.findall(page.read_text(encoding="utf-8")) for page in sorted(VIEWS.glob("*.py"))}


@pytest.mark.parametrize("page", sorted(page_lessons()))
def test_no_page_takes_more_than_3_minutes_to_read_aloud(page):
    names = page_lessons()[page]
    words = sum(spoken_words(read_lesson(name)) for name in names)
    assert words <= WORDS_PER_PAGE, f"{page}: {words} words in {names}"


def test_every_lesson_is_shown_by_a_page():
    shown = {name for names in page_lessons().values() for name in names}
    assert {path.stem for path in PROJECT_ROOT.glob("lessons/*.md")} <= shown


@pytest.mark.full_data
def test_the_shipped_model_is_right_more_often_than_its_probabilities_say(full_archive):
    """lessons/mistakes.md: the shipped model's probabilities run low (label smoothing, the mirror average)."""
    from cnn_lab.network.data import load_cifar10
    from cnn_lab.network.evaluation import evaluate
    from cnn_lab.network.model import load_classifier

    data = load_cifar10(str(full_archive))
    result = evaluate(load_classifier(PROJECT_ROOT / "assets" / "models" / "default.keras"), data.x_test, data.y_test)
    mean_top = float(result.probabilities.max(axis=1).mean())
    assert mean_top < result.accuracy - 0.05, (mean_top, result.accuracy)
    assert PRESETS["best"].label_smoothing and PRESETS["best"].flip_tta
    assert "The shipped model's run low: it is right more often than its probabilities say" in text_of(
        "lessons/mistakes.md"
    )


def test_the_maps_answer_is_worked_out_from_its_last_hidden_layer_alone():
    """lessons/network_map.md: the numbers the map is made from are the only input of the answer (the softmax
    layer), in the shipped model and in every recipe's network."""
    import keras

    from cnn_lab.network.image_map import hidden_layer
    from cnn_lab.network.model import build_cnn, cnn_of, load_classifier

    networks = [cnn_of(load_classifier(PROJECT_ROOT / "assets" / "models" / "default.keras"))]
    networks += [build_cnn(recipe.model) for recipe in PRESETS.values()]
    for cnn in networks:
        last, hidden = cnn.layers[-1], hidden_layer(cnn)
        assert isinstance(last, keras.layers.Dense) and last.activation is keras.activations.softmax
        assert cnn.layers[cnn.layers.index(last) - 1] is hidden  # nothing between them: no dropout, no skip
    assert hidden_layer(networks[0]).units == PRESETS["best"].model.dense[-1]
    assert "and its answer is worked out from these numbers alone" in text_of("lessons/network_map.md")


@pytest.mark.full_data
def test_the_shipped_models_mirror_image_changes_fewer_than_1_answer_in_20(full_archive):
    """lessons/network_map.md: the map uses the centre crop's numbers; the shipped model also averages with the
    mirror image (flip-TTA), and that average changes fewer than 1 answer in 20 on the test set."""
    from cnn_lab.network.augment import center_crop
    from cnn_lab.network.data import load_cifar10
    from cnn_lab.network.evaluation import evaluate
    from cnn_lab.network.explain import has_flip_tta
    from cnn_lab.network.model import cnn_of, load_classifier

    data = load_cifar10(str(full_archive))
    model = load_classifier(PROJECT_ROOT / "assets" / "models" / "default.keras")
    assert has_flip_tta(model)
    cnn = cnn_of(model)
    crops = center_crop(data.x_test.astype(np.float32) / 255.0, cnn.input_shape[1])
    centre_only = np.asarray(cnn.predict(crops, batch_size=1000, verbose=0)).argmax(1)
    with_mirror = evaluate(model, data.x_test, data.y_test).predictions
    changed = float(np.mean(centre_only != with_mirror))
    assert 0 < changed < 1 / 20, changed
    assert "averages the two answers: that changes fewer than 1 answer in 20" in text_of("lessons/network_map.md")


@pytest.mark.full_data
def test_on_the_shipped_map_most_cats_sit_near_other_cats_and_on_the_pixels_map_few(full_archive):
    """lessons/network_map_reading.md: "far fewer share a class" on the pixels' map, and after training "most cats sit
    near other cats": most cats have a majority of cats among their 10 nearest dots on the network's map."""
    from sklearn.neighbors import NearestNeighbors

    from cnn_lab.network.data import load_cifar10

    data = load_cifar10(str(full_archive))
    cat = CLASS_NAMES.index("cat")
    majority = {}
    for path in (PROJECT_ROOT / "assets" / "models" / "default.keras", None):
        found = image_map.SAVED_MAPS.load(path, data)
        _, near = NearestNeighbors(n_neighbors=11).fit(found.positions).kneighbors(found.positions)
        cats = found.labels == cat
        majority[path is None] = float(((found.labels[near[cats, 1:]] == cat).sum(1) > 5).mean())
        if path is None:
            assert (
                found.agreement
                < 0.5 * image_map.SAVED_MAPS.load(PROJECT_ROOT / "assets" / "models" / "default.keras", data).agreement
            )
    assert majority[False] > 0.5 and majority[True] < 0.05, majority
    text = text_of("lessons/network_map_reading.md")
    assert (
        "far fewer share a class" in text
        and "the network learned numbers in which most cats sit near other cats" in text
    )


# --- what a filter wants: the behaviour behind its pages' sentences


def patch_sizes(cnn) -> dict[str, tuple[int, int]]:
    """{convolution layer: (the side of the patch one number of its map sees, the pixels between two of its
    places)}, worked out here from the layers Keras built: one pixel to start with; a k x k kernel or pooling
    adds (k - 1) steps to the patch, and its stride multiplies the step."""
    import keras

    size, step, found = 1, 1, {}
    for layer in cnn.layers:
        if isinstance(layer, (keras.layers.Conv2D, keras.layers.MaxPooling2D)):
            k = layer.kernel_size[0] if isinstance(layer, keras.layers.Conv2D) else layer.pool_size[0]
            size, step = size + (k - 1) * step, step * layer.strides[0]
            if isinstance(layer, keras.layers.Conv2D):
                found[layer.name] = (size, step)
    return found


@cache
def wants() -> dict:
    """The numbers the "What a filter wants" page states, from filter_wants.py and the networks Keras builds."""
    import keras

    from cnn_lab.network import filter_search
    from cnn_lab.network import filter_wants as fw
    from cnn_lab.settings import IMAGE_SIZE

    paper = built(PRESETS["article"].model)
    networks = [built(recipe.model) for recipe in PRESETS.values()]
    layers = {tuple(fw.blocks(cnn)) for cnn in networks}
    pools = {
        (layer.pool_size, layer.strides)
        for cnn in networks
        for layer in cnn.layers
        if isinstance(layer, keras.layers.MaxPooling2D)
    }
    assert len(layers) == 1 and len(pools) == 1, (layers, pools)  # every network the lab builds alike
    ((size, stride),) = pools
    assert size[0] == size[1] == stride[0] == stride[1], "a 2 x 2 pooling that halves the grid"
    article = {name: field for name, (field, _) in patch_sizes(paper).items()}
    assert article == {name: fw.receptive_field(paper, name).size for name in article}
    kernels = set(PRESETS["article"].model.kernel_sizes)
    names = [layer.name for layer in paper.layers]
    return {
        "layers": list(layers.pop()),
        "pool": size[0],
        "article": article,
        "article_kernel": kernels.pop() if len(kernels) == 1 else "(the article's kernels differ)",
        "pools_before_conv3": sum(name.startswith("pool") for name in names[: names.index("conv3")]),
        "conv3_step": patch_sizes(paper)["conv3"][1],
        "image": IMAGE_SIZE,
        "steps": fw.STEPS,
        "blur_every": fw.BLUR_EVERY,
        "jitter": fw.JITTER,
        "top": filter_search.TOP,
        "grey": fw.GREY,
    }


@cache
def shipped_cnn():
    from cnn_lab.network.model import cnn_of, load_classifier

    return cnn_of(load_classifier(PROJECT_ROOT / "assets" / "models" / "default.keras"))


def test_the_shipped_models_patches_are_those_its_guess_gives():
    """The guess's feedback (cnn_lab/lessons/filter_guesses.py) for the shipped model: each layer's patch grows
    as its layers say (5, 10, 20 pixels for its 5 x 5, 3 x 3, 3 x 3 kernels), and conv3's is not the whole picture."""
    from cnn_lab.lessons.filter_guesses import patch_guess
    from cnn_lab.network import filter_wants as fw

    cnn = shipped_cnn()
    by_hand = patch_sizes(cnn)
    assert by_hand == patch_sizes(built(PRESETS["best"].model))  # the shipped model is the Best recipe's network
    fields = {name: fw.receptive_field(cnn, name) for name in fw.blocks(cnn)}
    assert {name: (f.size, f.step) for name, f in fields.items()} == by_hand
    side, k = cnn.input_shape[1], PRESETS["best"].model.kernel_sizes
    guess = patch_guess("conv3", fields, side)
    assert guess.answer == f"{by_hand['conv3'][0]} × {by_hand['conv3'][0]} pixels" and by_hand["conv3"][0] < side
    assert f"conv1 ({k[0]} × {k[0]}) makes it {by_hand['conv1'][0]} × {by_hand['conv1'][0]}" in guess.why
    assert f"conv3 ({k[2]} × {k[2]}) makes it {by_hand['conv3'][0]} × {by_hand['conv3'][0]}" in guess.why
    text = text_of("lessons/filter_wants.md")
    assert "conv1's kernel sees a patch as big as itself." in text and "the patches add up." in text


def test_the_picture_starts_grey_and_only_the_patch_the_middle_place_sees_changes():
    """lessons/filter_wants_picture.md: "Start from a grey picture", "Pixels stay between 0 and 1", and at one
    place "the rest stays grey", on the shipped model."""
    from cnn_lab.network import filter_wants as fw

    cnn = shipped_cnn()
    start = fw.favourite_input(cnn, "conv2", 0, "centre", steps=0)
    assert np.all(start.picture == fw.GREY) and fw.GREY == 0.5
    made = fw.favourite_input(cnn, "conv2", 0, "centre", steps=2 * fw.BLUR_EVERY)
    middle = cnn.get_layer("conv2").output.shape[1] // 2
    top, left, height, width = fw.receptive_field(cnn, "conv2").window(middle, middle, cnn.input_shape[1])
    inside = np.zeros(made.picture.shape[:2], bool)
    inside[top : top + height, left : left + width] = True
    assert np.all(made.picture[~inside] == fw.GREY) and np.abs(made.picture[inside] - fw.GREY).mean() > 0.05
    assert 0 <= made.picture.min() and made.picture.max() <= 1 and made.reached > made.at_grey
    text = text_of("lessons/filter_wants_picture.md")
    assert "Start from a grey picture." in text and "Pixels stay between 0 and 1." in text
    assert "only the pixels in the patch the middle place sees count; the rest stays grey." in text


def test_at_grey_the_answer_is_often_below_0_where_relu_has_no_slope():
    """lessons/filter_wants_picture.md and the check question: on the shipped model, at grey the answer before
    ReLU is below 0 for a quarter of the filters or more in every layer, and after ReLU such a filter's answer
    has slope 0 for every pixel: nothing to climb."""
    from keras import ops

    from cnn_lab.network import filter_wants as fw
    from cnn_lab.network.gradients import value_and_gradient

    cnn = shipped_cnn()
    grey = np.full((1, *cnn.input_shape[1:]), fw.GREY, np.float32)
    for name, block in fw.blocks(cnn).items():
        maps = ops.convert_to_numpy(fw.before_relu(cnn, block, grey))[0]
        middle = maps[maps.shape[0] // 2, maps.shape[1] // 2]
        assert (middle < 0).mean() >= 0.25, name
        below = int(np.flatnonzero(middle < 0)[0])
        answer = fw.answer_to_raise(cnn, name, below, "centre")
        value, slope = value_and_gradient(lambda x, answer=answer: ops.relu(answer(x)), grey)
        assert value == 0 and not np.abs(slope).any()
        assert np.abs(value_and_gradient(answer, grey)[1]).any()  # before ReLU there is a slope
    assert "at grey it is often below 0, where ReLU gives 0 and no way up." in text_of(
        "lessons/filter_wants_picture.md"
    )


def test_conv1_everywhere_only_the_mean_colour_counts_away_from_the_edge():
    """lessons/filter_wants_picture.md: conv1's mean answer over the grid has the same slope for every pixel of a
    colour away from the picture's edge (a plain weighted sum), so a pattern gains nothing there."""
    from cnn_lab.network import filter_wants as fw
    from cnn_lab.network.gradients import value_and_gradient

    cnn = shipped_cnn()
    picture = np.random.default_rng(0).uniform(0, 1, (1, *cnn.input_shape[1:])).astype(np.float32)
    k = cnn.get_layer("conv1").kernel_size[0]
    rows, _ = fw.inside_places(cnn, "conv1")
    field = fw.receptive_field(cnn, "conv1")
    first, last = (
        field.start + rows[0] * field.step + k - 1,
        field.start + rows[-1] * field.step,
    )  # seen by every offset
    for f in (0, 7):
        _, slope = value_and_gradient(fw.answer_to_raise(cnn, "conv1", f, "everywhere"), picture)
        inner = slope[0, first : last + 1, first : last + 1].reshape(-1, 3)
        np.testing.assert_allclose(inner, np.broadcast_to(inner[0], inner.shape), rtol=1e-4, atol=1e-7)
        assert last - first > 10 and not np.allclose(slope[0, 0, 0], inner[0])  # the edge differs
    text = text_of("lessons/filter_wants_picture.md")
    assert "conv1's answer is a plain weighted sum, so here, away from the edge, only the mean colour counts" in text


# --- fool the network: the behaviour behind its pages' sentences


@cache
def fool_shipped():
    """The shipped model, as the Fool the network page loads it."""
    from cnn_lab.network.model import load_classifier

    return load_classifier(PROJECT_ROOT / "assets" / "models" / "default.keras")


def fool_claims(sample) -> list[tuple[str, str]]:
    """The Fool the network page's numbers: from cnn_lab/network/fool.py, the settings and the shipped model."""
    from cnn_lab.network.fool import MAX_LEVELS, STEPS_PER_LEVEL
    from cnn_lab.settings import CHANNELS, IMAGE_SIZE

    numbers, border = IMAGE_SIZE * IMAGE_SIZE * CHANNELS, (IMAGE_SIZE - CROP) // 2
    levels = np.iinfo(np.uint8).max + 1  # a picture's numbers are uint8
    one_level = round(1 / fool_shipped().get_layer("scale").scale)  # the saved model's first step: pixels / 255
    lesson, questions, view = "lessons/fool.md", QUESTIONS + "fool_questions.toml", "dashboard/views/fool.py"
    return [
        (
            lesson,
            f"A picture is {IMAGE_SIZE} × {IMAGE_SIZE} × {CHANNELS} = {numbers:,} numbers, each one of {levels} "
            f"levels from 0 to {levels - 1}",
        ),
        ("dashboard/cnn_lab/network/fool.py", f"by one level (1/{one_level})"),
        (
            "dashboard/cnn_lab/lessons/fool_guesses.py",
            f"Each number of a picture is one of {levels} levels (0 to {levels - 1})",
        ),
        (questions, f"A change of 2 of {one_level} levels makes the network say"),
        (lesson, f"after {STEPS_PER_LEVEL} steps that limit grows to 2 levels, then 3, and so on up to {MAX_LEVELS}"),
        (lesson, f"or gives up after {MAX_LEVELS * STEPS_PER_LEVEL} steps"),
        (lesson, f"The network only sees the middle {CROP} × {CROP}, so the {border}-pixel border is never changed"),
        (questions, f"Why does the search never change the {border}-pixel border of the picture?"),
        (questions, f"The network only sees the middle {CROP} × {CROP}, so the border cannot change its answer"),
        (questions, f"The saved model cuts out the centre {CROP} × {CROP} before the network's first layer"),
        (view, f"scattered over the middle {CROP} × {CROP}; the {border}-pixel border is plain grey"),
        ("lessons/fool_why.md", f"On the {len(sample.x_test)} test pictures of the lab's sample"),
    ]


def test_fool_never_changes_the_border_and_the_border_cannot_change_the_answer():
    """lessons/fool.md and its questions: the saved model answers exactly the same whatever the 4-pixel border holds
    (its slope there is 0), and the search leaves the border as it was."""
    from cnn_lab.network.fool import crop_box, fool
    from cnn_lab.network.photo import ranking

    model, pictures = fool_shipped(), read_sample().x_test[:4]
    border = (32 - CROP) // 2
    assert crop_box(model) == slice(border, 32 - border)
    outside = np.ones((32, 32, 3), bool)
    outside[border:-border, border:-border] = False
    scrambled = pictures.copy()
    scrambled[:, outside] = np.random.default_rng(0).integers(0, 256, scrambled[:, outside].shape, dtype=np.uint8)
    assert (scrambled != pictures).any()
    np.testing.assert_allclose(model.predict_on_batch(scrambled), model.predict_on_batch(pictures), atol=1e-7)
    for pixels in pictures[:2]:
        attempt = fool(model, pixels, ranking(model.predict_on_batch(pixels[None])[0])[1])
        assert attempt.values_changed > 0 and not attempt.difference[outside].any()
    assert "so the 4-pixel border is never changed" in text_of("lessons/fool.md")
    assert "the border's slope is 0" in text_of(QUESTIONS + "fool_questions.toml")


def test_fool_moves_each_number_at_most_one_level_a_step_and_widens_the_limit_one_level_at_a_time():
    """lessons/fool.md and its questions: each step moves each number at most one level; the limit is 1 level for
    the first STEPS_PER_LEVEL steps, and a search that cannot reach its class stops when the limit is spent."""
    from cnn_lab.network.fool import STEPS_PER_LEVEL, fool
    from cnn_lab.network.photo import ranking

    model, pixels = fool_shipped(), read_sample().x_test[0]
    far = ranking(model.predict_on_batch(pixels[None])[0])[-1]  # the least likely class: out of reach here
    previous = pixels
    for steps in (1, 2, 3):  # one step per level: the limit grows each step, and each step adds one to the last
        attempt = fool(model, pixels, far, max_levels=steps, steps_per_level=1)
        assert not attempt.fooled and attempt.steps == attempt.budget == steps
        assert np.abs(attempt.changed.astype(int) - previous.astype(int)).max() == 1  # this step: one level at most
        previous = attempt.changed
    attempt = fool(model, pixels, far, max_levels=1)  # the page's steps: 1 level for the first STEPS_PER_LEVEL
    assert not attempt.fooled and attempt.steps == STEPS_PER_LEVEL and attempt.largest_change == 1
    assert "Each step moves each number the network sees by at most one level" in text_of("lessons/fool.md")
    assert "The numbers of the picture, at most one level per step" in text_of(QUESTIONS + "fool_questions.toml")


def test_fool_gives_a_real_picture_that_the_saved_model_classifies_the_same_each_time():
    """The changed picture is uint8 (whole levels, nothing lost when saved), the saved model itself gives the
    probabilities shown for it, and the same picture, model and target give the same changed picture."""
    from cnn_lab.network.fool import fool
    from cnn_lab.network.photo import ranking

    model, pixels = fool_shipped(), read_sample().x_test[1]
    target = ranking(model.predict_on_batch(pixels[None])[0])[1]
    first, second = fool(model, pixels, target), fool(model, pixels, target)
    assert first.changed.dtype == np.uint8 and first.fooled
    assert np.array_equal(first.changed, second.changed) and first.steps == second.steps
    saved = np.asarray(model.predict_on_batch(first.changed[None]), np.float64)[0]
    np.testing.assert_allclose(first.after, saved, atol=1e-6)
    assert ranking(saved)[0] == target
    assert "and the saved model itself classifies the changed picture" in text_of("lessons/fool.md")
    assert "The saved model itself classified the changed picture, pixel for pixel." in text_of(
        "dashboard/views/fool.py"
    )
    docstring = text_of("dashboard/cnn_lab/network/fool.py")
    assert "the same picture, model and target give the same changed picture" in docstring
    assert "the picture the search works on is always a real uint8 picture" in docstring


def test_two_levels_make_the_shipped_model_say_its_second_choice_for_more_than_half_of_the_sample():
    """lessons/fool_why.md: on the sample's 200 test pictures, a change of at most 2 levels makes the shipped model
    say its second choice for more than half of them (114 when this was written); and where it does, the search
    nudged over a thousand numbers in more than 9 pictures in 10 (112 of those 114)."""
    from cnn_lab.network.fool import fool
    from cnn_lab.network.photo import ranking

    model, sample = fool_shipped(), read_sample()
    second_choices = [ranking(p)[1] for p in model.predict_on_batch(sample.x_test)]
    nudged = []
    for pixels, target in zip(sample.x_test, second_choices):
        attempt = fool(model, pixels, target, max_levels=2)
        assert attempt.largest_change <= 2
        if attempt.fooled:
            nudged.append(attempt.values_changed)
    assert len(nudged) > len(sample.x_test) / 2, len(nudged)
    assert np.mean(np.array(nudged) > 1000) > 0.9, sorted(nudged)[:20]
    said = text_of("lessons/fool_why.md")
    assert f"On the {len(sample.x_test)} test pictures of the lab's sample, a change of at most 2 levels" in said
    assert "shipped model say its second choice for more than half of them" in said
    assert "over a thousand tiny nudges, all pushing the same way, add up too" in said


@pytest.mark.full_data
def test_the_maps_hover_pictures_reach_the_browser_as_one_jpeg_of_3_9_mb(full_archive):
    """README.md: hover on the map shows the image SCALE times its size, the 10,000 test images sent once as one
    JPEG (cnn_lab.network.images.sprite) of 3.9 MB."""
    from cnn_lab.network.data import load_cifar10
    from cnn_lab.network.images import sprite
    from ui.hover_pictures import SCALE

    data = load_cifar10(str(full_archive))
    megabytes = len(sprite(data.x_test)) / 1e6
    readme = " ".join(text_of("README.md").split())
    assert f"Hover shows an image beside the pointer, {SCALE} times its size" in readme
    assert f"the {len(data.x_test):,} test images reach the browser once, as one {megabytes:.1f} MB JPEG" in readme


def test_the_readmes_map_numbers_are_the_shipped_maps():
    """README.md, "The map.": its two shares of neighbours in class are the shipped maps' (assets/maps/), and its
    PCA and grid sizes are the code's."""
    import inspect

    from cnn_lab.network.image_map import PCA_DIMENSIONS, SHIPPED_MAPS, mosaic, neighbour_agreement

    def share(pattern: str) -> int:
        (path,) = SHIPPED_MAPS.glob(pattern)
        with np.load(path) as saved:
            return round(100 * neighbour_agreement(saved["positions"], saved["labels"]))

    network, pixels = share("[!p]*-map.npz"), share("pixels-*-map.npz")
    readme = " ".join(text_of("README.md").split())
    assert (
        f"on the shipped model {network} % of an image's 10 nearest dots share its class, against {pixels} % on the "
        "pixels' map" in readme
    )
    assert f"(PCA to {PCA_DIMENSIONS} numbers, then scikit-learn's t-SNE)" in readme
    assert f"lays a grid {inspect.signature(mosaic).parameters['cells'].default} squares across over the map" in readme


def test_the_readmes_class_question_delay_is_the_slowest_measured():
    """README.md's teacher guide: "30 pages all had it within N s" is the slowest step of BENCHMARKS.md's runs of
    benchmarks/class_question_load.py, a class on its own devices."""
    import re

    benchmarks = text_of("BENCHMARKS.md")
    section = benchmarks[
        benchmarks.index("**A class on its own devices**") : benchmarks.index("**Every student a chromium")
    ]
    slowest = max(float(s) for s in re.findall(r"\| \*\*([\d.]+) s\*\* \|", section))
    assert f"every step reached all 30 pages within {slowest:g} s" in " ".join(section.split())
    assert f"30 pages all had it within {slowest:g} s" in " ".join(text_of("README.md").split())
