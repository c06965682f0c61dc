"""More than one device: a run trains data-parallel on all of them through Keras's distribution API,
and one step on two devices changes the weights exactly as one step on one device with the same global
batch; a whole run of `cnn-lab train` (in-epoch test, checkpoint, Stop, resume) goes through on two devices.
Checked on the CPU split into two virtual devices, in a child process per backend (a backend's devices are
fixed when it starts): XLA_FLAGS=--xla_force_host_platform_device_count=2 for JAX, two logical devices for
TensorFlow. On GPUs the same code runs, with one device per GPU."""

import importlib.util
import json
import os
import subprocess
import sys

import numpy as np
import pytest
from conftest import ROOT

from cnn_lab.settings import SAMPLE_PATH
from cnn_lab.runs.folders import snapshot
from cnn_lab.runs.records import Device
from cnn_lab.training.devices import device_words

# The child: two devices, one SGD step with the recipe's global batch on both, then on the first alone.
CHILD = """
import keras
import numpy as np

if keras.config.backend() == "tensorflow":  # TensorFlow: two logical devices on the one CPU
    import tensorflow as tf

    cpu = tf.config.list_physical_devices("CPU")[0]
    tf.config.set_logical_device_configuration(cpu, [tf.config.LogicalDeviceConfiguration()] * 2)
from cnn_lab.network.model import CNNConfig, build_cnn, trainer
from cnn_lab.training.devices import data_parallel, describe_device, local_devices
from cnn_lab.training.loop import one_hot

devices = local_devices()
assert len(devices) == 2 and list(describe_device().devices) == devices, devices
rng = np.random.default_rng(0)
images, labels = rng.integers(0, 256, (16, 32, 32, 3), dtype=np.uint8), rng.integers(0, 10, 16)


def one_step(devices):
    keras.utils.set_random_seed(0)
    with data_parallel(devices):
        cnn = build_cnn(CNNConfig(filters=(4, 8, 8), dense=(16, 16)))
        net = trainer(cnn, "none", seed=0)
        net.compile(optimizer=keras.optimizers.SGD(0.1), loss=keras.losses.CategoricalCrossentropy())
        before = [np.asarray(w) for w in cnn.weights]
        net.fit(images, one_hot(labels), batch_size=16, epochs=1, shuffle=False, verbose=0)
        kernel = cnn.weights[0].value  # where the weights live: a JAX array's devices, or TensorFlow's mirrors
        places = len(kernel.sharding.device_set) if hasattr(kernel, "sharding") else len(getattr(kernel, "values", [0]))
        return before, [np.asarray(w) for w in cnn.weights], places


start_two, two, places_two = one_step(devices)
start_one, one, places_one = one_step(devices[:1])
assert (places_two, places_one) == (2, 1), (places_two, places_one)
assert all(np.array_equal(a, b) for a, b in zip(start_two, start_one)), "the two runs started apart"
assert max(np.abs(a - b).max() for a, b in zip(two, start_two)) > 1e-3, "the step changed nothing"
for a, b in zip(two, one):
    np.testing.assert_allclose(a, b, atol=1e-6)
print("ok")
"""


def two_devices(backend: str) -> dict:
    """The environment of a child process whose backend sees the CPU as two devices."""
    if importlib.util.find_spec(backend) is None:
        pytest.skip(f"needs {backend}: pip install {backend}")
    path = os.pathsep.join([str(ROOT / "dashboard"), os.environ.get("PYTHONPATH", "")])
    env = dict(os.environ, KERAS_BACKEND=backend, PYTHONPATH=path)
    env["XLA_FLAGS"] = (env.get("XLA_FLAGS", "") + " --xla_force_host_platform_device_count=2").strip()
    return env


@pytest.mark.parametrize("backend", ["tensorflow", "jax"])
def test_one_step_on_two_devices_is_one_step_on_one(backend):
    env = two_devices(backend)
    out = subprocess.run([sys.executable, "-c", CHILD], capture_output=True, text=True, timeout=300, cwd=ROOT, env=env)
    assert out.returncode == 0 and out.stdout.strip().endswith("ok"), out.stderr[-3000:]


# The command line on two devices. For TensorFlow the child splits the CPU into two logical devices first
# (JAX's are split by XLA_FLAGS); with STOP_AFTER=N the teacher presses Stop right after epoch N's checkpoint.
COMMAND_LINE = """
import os
import sys

import keras

if keras.config.backend() == "tensorflow":
    import tensorflow as tf

    cpu = tf.config.list_physical_devices("CPU")[0]
    tf.config.set_logical_device_configuration(cpu, [tf.config.LogicalDeviceConfiguration()] * 2)
from cnn_lab.runs import folders
from cnn_lab.cli.main import main

if stop_after := int(os.environ.get("STOP_AFTER", 0)):
    write_json = folders.write_json

    def write_and_stop(path, value, indent=1):
        write_json(path, value, indent)
        if path.name == "history.json" and len(value) == stop_after:
            folders.request_stop(path.parent)  # what the Train page's Stop does

    folders.write_json = write_and_stop
sys.exit(main(sys.argv[1:]))
"""


@pytest.mark.parametrize("backend", ["tensorflow", "jax"])
def test_a_whole_run_of_the_command_line_on_two_devices_stops_and_resumes(backend, tmp_path):
    """Issue 29: under JAX this run aborted the process in its first step (XLA's collectives on two CPU
    devices waited on each other for 40 s), because the lab trained JAX uncompiled on a CPU."""
    env = two_devices(backend)
    folder = tmp_path / "run"
    train = [sys.executable, "-c", COMMAND_LINE, "train", "--data", str(SAMPLE_PATH), "--run-dir", str(folder)]
    args = ["--preset", "lesson", "--epochs", "3", "--limit", "512"]  # 4 batches of 128 an epoch, tested halfway

    def run(*more, **extra):
        out = subprocess.run(
            [*train, *more], capture_output=True, text=True, timeout=600, cwd=ROOT, env={**env, **extra}
        )
        assert out.returncode == 0, out.stdout[-3000:] + out.stderr[-3000:]
        return out.stdout

    said = run(*args, STOP_AFTER="1")
    assert "2 CPU devices" in said and "data-parallel" in said, said[-2000:]
    assert "the first 512 of the bundled sample's" in said, said[-2000:]  # not "the bundled sample: 800 ..."
    s = snapshot(folder)
    assert s.status == "stopped" and [h.epoch for h in s.history] == [1], s
    assert len(s.device.devices) == 2, s.device
    assert [c.epoch for c in s.checks] == [0.5]  # the in-epoch test of epoch 1 (epoch 2's was stopped)
    assert (folder / "model.keras").is_file() and (folder / "optimizer.npz").is_file()

    run("--resume")
    s = snapshot(folder)
    assert s.status == "finished" and [h.epoch for h in s.history] == [1, 2, 3], s
    assert [c.epoch for c in s.checks] == [0.5, 1.5, 2.5]
    assert all(h.test_images == 200 and h.test_correct is not None for h in s.history)
    with np.load(folder / "optimizer.npz") as saved:  # the optimizer went on from its checkpoint: 3 x 4 steps
        assert int(saved["iteration"]) == 12
    assert json.loads((folder / "config.json").read_text())["train"]["limit"] == 512


def test_device_words_say_what_trains():
    cpu = Device("CPU", "Xeon, 2 cores", "jax", ("cpu:0",))
    assert device_words(cpu) == "the CPU (Xeon, 2 cores; Keras on jax)"
    gpus = Device("GPU", "NVIDIA H200", "jax", ("cuda:0", "cuda:1"))
    assert device_words(gpus) == "2 GPU devices (NVIDIA H200, data-parallel; Keras on jax)"
    assert device_words(Device("GPU", "T4", "tensorflow")) == "the GPU (T4; Keras on tensorflow)"
