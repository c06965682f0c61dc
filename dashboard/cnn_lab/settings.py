"""The lab's settings in one home: where it keeps things, the environment variables it reads, and
the numbers of CIFAR-10 and of the article that the code is built around.

Every other module imports these names; none writes a path, a `CNN_LAB_*` name, 32, 24, 10 or
78.4 % itself. A setting read from the environment is read when it is used (a test or a teacher can
change it between two runs), through the small functions at the end.
"""

from __future__ import annotations

import os
from pathlib import Path

# Where things are
PROJECT_ROOT = Path(__file__).resolve().parents[2]  # the checkout: dashboard/, lessons/, assets/, runs/
ASSETS = PROJECT_ROOT / "assets"
SAMPLE_PATH = ASSETS / "cifar10_sample.npz"  # 1,000 genuine CIFAR-10 test images, shipped
SHIPPED_MODEL = ASSETS / "models" / "default.keras"  # the model a fresh checkout classifies with
REFERENCE = ASSETS / "reference"  # the shipped reference runs, the one home for them:
ARTICLE_RUN = REFERENCE / "article_run.json"  # `cnn-lab train --preset article`, start to finish
REFERENCE_EXPERIMENTS = REFERENCE / "experiments"  # the one-click experiments' own runs (not runs/: git ignores it)
LESSON_TEXTS = PROJECT_ROOT / "lessons"  # lessons/<name>.md and <name>_questions.toml
LOCAL_DATA = PROJECT_ROOT / "data"  # where a teacher may drop CIFAR-10 and CIFAR-10H by hand
DEFAULT_RUNS = PROJECT_ROOT / "runs"

# The environment variables the lab reads
RUNS_VARIABLE = "CNN_LAB_RUNS"  # the folder that holds the runs
DATA_VARIABLE = "CNN_LAB_DATA"  # CIFAR-10: an archive or a folder
OFFLINE_VARIABLE = "CNN_LAB_OFFLINE"  # "1": never download
HUMAN_LABELS_VARIABLE = "CNN_LAB_HUMAN_LABELS"  # CIFAR-10H's cifar10h-counts.npy
MODEL_VARIABLE = "CNN_LAB_MODEL"  # a .keras file to use instead of the shipped model
TEACHER_TOKEN_VARIABLE = "CNN_LAB_TEACHER_TOKEN"  # the teacher's token (or teacher_token in secrets.toml)
STARTED_VARIABLE = "CNN_LAB_STARTED"  # set by the launcher: when the page asked for the run

# CIFAR-10 and the article
IMAGE_SIZE = 32  # CIFAR-10 pictures are 32 x 32 pixels, 3 colours
CHANNELS = 3
PIXELS = (IMAGE_SIZE, IMAGE_SIZE, CHANNELS)  # the shape of one picture
CROP = 24  # the network sees 24 x 24 crops of them (random in training, the centre in tests)
CLASS_NAMES = ("airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck")
NUM_CLASSES = len(CLASS_NAMES)
TEST_IMAGES = 10_000  # the official test set
BATCH_SIZE = 64  # the article's train_batch_size
ARTICLE_ACCURACY = 0.7844  # the article's result on the CIFAR-10 test set: 7844 / 10000
ARTICLE_LINE = f"{100 * ARTICLE_ACCURACY:.1f} %"  # how the pages write it: "78.4 %"


def runs_dir() -> Path:
    """The folder that holds the runs: $CNN_LAB_RUNS, else runs/ in the checkout."""
    return Path(os.environ.get(RUNS_VARIABLE) or DEFAULT_RUNS).expanduser()


def shipped_or_chosen_model() -> Path:
    """The model the lab starts from: $CNN_LAB_MODEL, else the shipped one."""
    return Path(os.environ.get(MODEL_VARIABLE) or SHIPPED_MODEL)


def file_version(path: str | os.PathLike) -> tuple[str, int, int]:
    """The one key for "this version of this file" (a model, above all): its full path, its
    modification time in nanoseconds and its size. Whatever is computed from a file is kept under
    this key, so a file written again (a run's model after another epoch) is read again."""
    path = Path(path).resolve()
    stat = path.stat()
    return str(path), stat.st_mtime_ns, stat.st_size
