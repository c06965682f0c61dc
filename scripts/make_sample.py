"""Make assets/cifar10_sample.npz: the first 100 test images of each class, exactly as released.

    python scripts/make_sample.py ../shared/data/cifar-10-python.tar.gz

The arrays: x (1000, 32, 32, 3) uint8, y (1000,) uint8, test_index (1000,): x[i] is the
official test image number test_index[i]. Nothing here is generated: it is a subset.
"""

import argparse

import numpy as np

from cnn_lab.network.data import DataError, read_source

from cnn_lab.settings import SAMPLE_PATH

PER_CLASS = 100

parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
parser.add_argument(
    "archive",
    nargs="?",
    default="../shared/data/cifar-10-python.tar.gz",
    help="the official cifar-10-python.tar.gz (or its extracted folder)",
)
args = parser.parse_args()
try:
    data = read_source(args.archive)
except (DataError, OSError) as e:
    parser.error(f"{args.archive}: {e}")
if data.is_sample:
    parser.error(f"{args.archive} is the bundled sample: the sample is made from the full CIFAR-10")
index = np.sort(np.concatenate([np.flatnonzero(data.y_test == c)[:PER_CLASS] for c in range(10)]))
np.savez_compressed(SAMPLE_PATH, x=data.x_test[index], y=data.y_test[index], test_index=index)
print(f"wrote {SAMPLE_PATH}: {len(index)} images, {SAMPLE_PATH.stat().st_size / 1e6:.1f} MB")
