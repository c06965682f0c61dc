#!/usr/bin/env bash
# What benchmarks/gpu.py needs on a borrowed GPU machine that has JAX but no Keras, no network and no CIFAR-10,
# made ready here, online, from the project's root, in git-ignored folders that can travel with the tree:
#
# - .whl/: Keras at the version the lab is tested with, and namex and optree, the two small packages Keras needs
#   that such a machine lacks (it has numpy, ml-dtypes, h5py, rich, absl-py and packaging with JAX); about 3 MB.
# - .device/part1 ... .device/part4: the full CIFAR-10 archive (163 MiB) cut in 4 pieces (41 MiB each), because
#   one call to that machine takes at most 64 MiB, the tree (about 11 MiB) included; with a sha256 to check it.
#
#     bash benchmarks/gpu_carry.sh [../shared/data/cifar-10-python.tar.gz]     # PYTHON_VERSION=3.12 by default
#
# There, on one machine kept warm between the calls (each call carrying one piece, or .whl and the last piece):
#     mkdir -p /tmp/cifar && cp .device/partN/* /tmp/cifar/                     # calls 1 to 3, N = 1, 2, 3
#     cp .device/part4/* /tmp/cifar/ && cat /tmp/cifar/cifar-10-python.tar.gz.[1-4] > /tmp/cifar-10-python.tar.gz \
#       && (cd /tmp && sha256sum -c cifar/cifar-10-python.tar.gz.sha256) \
#       && python3 -m pip install -q --no-index --no-deps --target /tmp/site .whl/*.whl \
#       && PYTHONPATH=/tmp/site KERAS_BACKEND=jax python3 benchmarks/gpu.py --data /tmp/cifar-10-python.tar.gz
set -euo pipefail
archive=${1:-../shared/data/cifar-10-python.tar.gz}
python_version=${PYTHON_VERSION:-3.12}
keras_version=$(python -c "import importlib.metadata as m; print(m.version('keras'))")
rm -rf .whl && mkdir .whl
python -m pip download --quiet --no-deps --only-binary=:all: --python-version "$python_version" --implementation cp \
  --platform manylinux_2_28_x86_64 --platform manylinux_2_27_x86_64 --platform manylinux_2_17_x86_64 \
  --platform manylinux2014_x86_64 -d .whl "keras==$keras_version" namex optree
rm -rf .device && mkdir .device
split --number=4 --numeric-suffixes=1 --suffix-length=1 "$archive" .device/cifar-10-python.tar.gz.
for n in 1 2 3 4; do mkdir .device/part$n && mv .device/cifar-10-python.tar.gz.$n .device/part$n/; done
sha256sum < "$archive" | sed 's|-$|cifar-10-python.tar.gz|' > .device/part4/cifar-10-python.tar.gz.sha256
du -sh .whl .device/part*
