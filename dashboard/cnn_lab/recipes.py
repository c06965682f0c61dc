"""Training recipes: what to train and how, as plain data that is saved beside every run.
(No Keras here: reading a recipe costs nothing.)

- `article`: the article's recipe as it is: its augmentation, Adam at 1e-3, batches of 64.
- `fast`: the Train page's default on a GPU, tuned to pass the article's 78.4 % as soon as possible:
  batch-norm, crop and flip, a warm-up then cosine learning rate, label smoothing.
- `lesson`: for a lesson on a CPU: fast's ideas, narrower and shorter, with the mirror average, so that
  a 2-core computer passes 78.4 % in under 3 minutes; its test accuracy is drawn twice an epoch.
- `best`: the shipped model, `assets/models/default.keras`: the same ideas, wider and longer,
  and the test-time prediction averaged with that of the mirrored image.
"""

from __future__ import annotations

import dataclasses

from cnn_lab.settings import BATCH_SIZE, CROP

VALIDATION_SHARE = 10  # a run that holds out a validation set keeps 1 in 10 of its training images apart
AUGMENT_MODES = ("article", "crop_flip", "none")  # the article's pipeline; crop and flip only; nothing


@dataclasses.dataclass
class CNNConfig:
    filters: tuple = (64, 128, 256)  # output channels of the 3 convolution layers
    kernel_sizes: tuple = (3, 3, 3)  # each convolution looks at a k x k tile
    dense: tuple = (256, 128)  # units of the 2 fully connected layers
    batch_norm: bool = False  # normalise each convolution's output (faster, steadier training)
    dropout: float = 0.0  # fraction of fully connected inputs dropped while training
    input_size: int = CROP

    def __post_init__(self):
        self.filters, self.kernel_sizes, self.dense = map(tuple, (self.filters, self.kernel_sizes, self.dense))
        if len(self.filters) != 3 or len(self.kernel_sizes) != 3 or len(self.dense) != 2:
            raise ValueError("the article's CNN has 3 convolution layers and 2 fully connected layers")
        if not 0 <= self.dropout < 1:
            raise ValueError("dropout must be in [0, 1)")


@dataclasses.dataclass
class TrainConfig:
    preset: str = "article"
    model: CNNConfig = dataclasses.field(default_factory=CNNConfig)
    epochs: int = 10
    batch_size: int = BATCH_SIZE
    learning_rate: float = 1e-3  # the peak rate when a schedule is used
    schedule: str = "constant"  # or "cosine": a linear warm-up, then a cosine decay to 0
    warmup_epochs: float = 0.0
    weight_decay: float = 0.0  # AdamW's decoupled decay; 0 means plain Adam
    label_smoothing: float = 0.0
    augment: str = "article"  # one of AUGMENT_MODES
    flip_tta: bool = False  # average the predictions for the image and its mirror image
    limit: int | None = None  # train on the first N training images only
    # The last N of those images are held out as a validation set: never trained on, tested after every epoch,
    # to choose by (which epoch, which settings) without looking at the test set. 0: none, as in the article.
    validation: int = 0
    seed: int = 0
    # The test accuracy is measured `checks_per_epoch` times an epoch: at its end on every test image,
    # and in between on the first `check_images` of them (None: all), so that the curve moves in a lesson.
    checks_per_epoch: int = 1
    check_images: int | None = None

    def __post_init__(self):
        if isinstance(self.model, dict):
            self.model = CNNConfig(**self.model)
        if self.augment not in AUGMENT_MODES:
            raise ValueError(f"augmentation must be one of {', '.join(AUGMENT_MODES)}")
        if self.schedule not in ("constant", "cosine"):
            raise ValueError("schedule must be 'constant' or 'cosine'")
        if self.epochs < 1 or self.batch_size < 1 or self.learning_rate <= 0:
            raise ValueError("epochs, batch size and learning rate must be positive")
        if self.limit is not None and self.limit < 1:
            raise ValueError("--limit must be a positive number of images")
        if self.validation < 0:
            raise ValueError("--validation must be 0 or a positive number of images")
        if self.checks_per_epoch < 1 or (self.check_images is not None and self.check_images < 1):
            raise ValueError("the test accuracy is measured at least once an epoch, on at least one image")

    def to_dict(self) -> dict:
        return dataclasses.asdict(self)

    @classmethod
    def from_dict(cls, d: dict) -> TrainConfig:
        return cls(**d)


FAST = TrainConfig(
    preset="fast",
    model=CNNConfig(filters=(64, 128, 256), batch_norm=True),
    epochs=8,
    batch_size=64,
    learning_rate=2e-3,
    schedule="cosine",
    warmup_epochs=0.3,
    label_smoothing=0.1,
    augment="crop_flip",
)

# A whole run inside a lesson on a CPU: fast's ideas on a network of half the width (a quarter of the work), with
# a higher peak rate over 7 epochs, the mirror average, and the test accuracy measured twice an epoch (the
# in-between check on 2,000 images). Chosen by measuring: BENCHMARKS.md lists every variant tried.
LESSON = dataclasses.replace(
    FAST,
    preset="lesson",
    model=CNNConfig(filters=(32, 64, 128), batch_norm=True),
    epochs=7,
    batch_size=128,
    learning_rate=1e-2,
    warmup_epochs=0.5,
    flip_tta=True,
    checks_per_epoch=2,
    check_images=2000,
)

PRESETS = {
    "article": TrainConfig(preset="article", epochs=20),
    "fast": FAST,
    "lesson": LESSON,
    # the shipped model: fast's ideas, wider and longer, with dropout, weight decay and the mirror average
    "best": dataclasses.replace(
        FAST,
        preset="best",
        model=CNNConfig(filters=(96, 192, 384), kernel_sizes=(5, 3, 3), dense=(256, 128), batch_norm=True, dropout=0.3),
        epochs=32,
        batch_size=128,
        warmup_epochs=2,
        weight_decay=0.02,
        flip_tta=True,
    ),
}


def preset(name: str, **overrides) -> TrainConfig:
    """A copy of a preset with some fields changed (None values are ignored)."""
    if name not in PRESETS:
        raise ValueError(f"unknown preset {name!r}; choose from {', '.join(PRESETS)}")
    fields = {k: v for k, v in overrides.items() if v is not None}
    return dataclasses.replace(PRESETS[name], **fields)


def held_out(training_images: int) -> int:
    """How many of a run's training images a validation set takes: 1 in VALIDATION_SHARE (5,000 of 50,000)."""
    return training_images // VALIDATION_SHARE


def scaled(config: TrainConfig, batch_size: int) -> TrainConfig:
    """The recipe at another batch size, its learning rate scaled with the batch (linear scaling): a GPU's
    larger batches take fewer, bigger steps."""
    rate = config.learning_rate * batch_size / PRESETS[config.preset].batch_size
    return dataclasses.replace(config, batch_size=batch_size, learning_rate=rate)


AUGMENT_WORDS = {
    "article": "crop, flip, hue, contrast, brightness, saturation",
    "crop_flip": "crop and flip only",
    "none": "no augmentation",
}


def differences(config: TrainConfig, base: TrainConfig | None = None) -> list[str]:
    """How a recipe differs from another (the article's by default), one line each: what the
    Results page lists, so that a better accuracy is not read as "the same network, trained better"."""
    base = base or PRESETS["article"]
    m, b = config.model, base.model
    said = []

    def differs(what, mine, theirs):
        if mine != theirs:
            said.append(f"{what}: {mine} (the article's recipe: {theirs})")

    differs("convolution filters", ", ".join(map(str, m.filters)), ", ".join(map(str, b.filters)))
    sizes = lambda kernel_sizes: ", ".join(f"{k}×{k}" for k in kernel_sizes)  # noqa: E731
    differs("filter sizes", sizes(m.kernel_sizes), sizes(b.kernel_sizes))
    differs("fully connected units", ", ".join(map(str, m.dense)), ", ".join(map(str, b.dense)))
    differs("batch-norm after each convolution", "yes" if m.batch_norm else "no", "yes" if b.batch_norm else "no")
    differs(
        "dropout before the fully connected layers",
        f"{m.dropout:g}" if m.dropout else "none",
        f"{b.dropout:g}" if b.dropout else "none",
    )
    differs("optimizer", _optimizer(config), _optimizer(base))
    differs("learning rate", _rate(config), _rate(base))
    differs(
        "label smoothing",
        f"{config.label_smoothing:g}" if config.label_smoothing else "none",
        f"{base.label_smoothing:g}" if base.label_smoothing else "none",
    )
    differs("augmentation", AUGMENT_WORDS[config.augment], AUGMENT_WORDS[base.augment])
    differs("batch size", config.batch_size, base.batch_size)
    differs("epochs", config.epochs, base.epochs)
    differs(
        "the answer averaged with that for the mirror image",
        "yes" if config.flip_tta else "no",
        "yes" if base.flip_tta else "no",
    )
    if config.limit:
        said.append(f"trained on the first {config.limit:,} training images only")
    if config.validation:
        said.append(f"{config.validation:,} of its training images held out for validation, never trained on")
    return said


def _optimizer(config: TrainConfig) -> str:
    return f"AdamW, weight decay {config.weight_decay:g}" if config.weight_decay else "Adam"


def _rate(config: TrainConfig) -> str:
    if config.schedule == "constant":
        return f"{config.learning_rate:g} throughout"
    warmup = (
        f"a {config.warmup_epochs:g}-epoch warm-up to {config.learning_rate:g}"
        if config.warmup_epochs
        else f"{config.learning_rate:g} at first"
    )
    return f"{warmup}, then a cosine decay to 0"
