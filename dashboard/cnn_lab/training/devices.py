"""What a run trains on, and how it makes the most of it: the devices, data-parallel training over several of
them, the arithmetic's precision, and compiled steps."""

import contextlib
import os
from collections.abc import Sequence

from cnn_lab.runs.records import Device


def local_devices() -> list[str]:
    """The devices a run trains on: every GPU the backend reports, else its CPU devices (one, unless
    the backend was told to split the CPU: XLA_FLAGS=--xla_force_host_platform_device_count=N for JAX,
    logical devices for TensorFlow)."""
    import keras

    backend = keras.config.backend()
    if backend == "jax":
        import jax

        found = [d for d in jax.devices() if d.platform != "cpu"] or jax.devices("cpu")
        return [f"{d.platform}:{d.id}" for d in found]
    if backend == "tensorflow":
        import tensorflow as tf

        return [d.name for d in tf.config.list_logical_devices("GPU") or tf.config.list_logical_devices("CPU")]
    return ["cpu:0"]  # another backend: CNN Lab trains it on one device


def data_parallel(devices: Sequence[str]):
    """The context in which Keras builds, compiles and trains a network on all of `devices`, data-parallel:
    each step's batch (the recipe's batch size, the global batch) is split evenly between them and their
    gradients are averaged, so one step does what it does on one device, and the learning rate, set for
    that global batch, stays as it is. Keras's own distribution API: DataParallel on JAX,
    tf.distribute.MirroredStrategy on TensorFlow. One device: nothing changes."""
    import keras

    if len(devices) < 2:
        return contextlib.nullcontext()
    backend = keras.config.backend()
    if backend == "jax":
        return keras.distribution.DataParallel(devices=list(devices)).scope()
    if backend == "tensorflow":
        import tensorflow as tf

        return tf.distribute.MirroredStrategy(list(devices)).scope()
    return contextlib.nullcontext()


def fitting(devices: Sequence[str]):
    """The context in which a network built in data_parallel(devices) trains, as Keras's guides do it: on JAX
    the same distribution again (it splits each batch between the devices as fit takes it); on TensorFlow
    none, as the model keeps the strategy it was built in, and the callbacks' tests then run outside that
    strategy's scope (inside it, a network built for one device cannot run)."""
    import keras

    return data_parallel(devices) if keras.config.backend() == "jax" else contextlib.nullcontext()


def one_device(devices: Sequence[str]):
    """The context in which Keras builds a network that runs on the first of `devices` alone, even when it is
    called inside a data-parallel run (TensorFlow's models keep the strategy they were built in: without
    one, a model called during a mirrored fit would run every image on each device and return it twice).
    On JAX a network built outside data_parallel already is such a network."""
    import keras

    if len(devices) < 2 or keras.config.backend() != "tensorflow":
        return contextlib.nullcontext()
    import tensorflow as tf

    return tf.distribute.OneDeviceStrategy(devices[0]).scope()


def describe_device() -> Device:
    """What trains: the GPU's name, or the CPU's, said plainly, and the devices a run uses."""
    import keras

    backend = keras.config.backend()
    name = None
    try:
        devices = local_devices()
    except Exception:  # a broken driver still leaves a usable CPU
        devices = ["cpu:0"]
    try:
        if backend == "tensorflow":
            import tensorflow as tf

            gpus = tf.config.list_physical_devices("GPU")
            if gpus:
                name = tf.config.experimental.get_device_details(gpus[0]).get("device_name", "GPU")
        elif backend == "jax":
            import jax

            gpu = [d for d in jax.devices() if d.platform == "gpu"]
            name = gpu[0].device_kind if gpu else None
    except Exception:  # a broken driver still leaves a usable CPU
        name = None
    if name:
        return Device("GPU", name, backend, tuple(devices))
    cpu = "CPU"
    try:
        cpu = next(line.split(":", 1)[1].strip() for line in open("/proc/cpuinfo") if line.startswith("model name"))
    except (OSError, StopIteration):
        pass
    return Device("CPU", f"{cpu}, {os.cpu_count()} cores", backend, tuple(devices))


def device_words(device: Device) -> str:
    """What trains, in words: "the GPU (NVIDIA H200; Keras on jax)", "2 GPU devices (NVIDIA H200, data-parallel;
    Keras on jax)", "the CPU (..., 16 cores; Keras on tensorflow)"."""
    count = len(device.devices) or 1
    kind = f"the {device.kind}" if count == 1 else f"{count} {device.kind} devices"
    parallel = ", data-parallel" if count > 1 else ""
    return f"{kind} ({device.name}{parallel}; Keras on {device.backend or 'its backend'})"


def has_bfloat16() -> bool:
    """Whether the GPU computes in bfloat16 at full speed: NVIDIA's from Ampere (compute capability 8.0) on."""
    import keras

    try:
        if keras.config.backend() == "jax":
            import jax

            gpu = next(d for d in jax.devices() if d.platform == "gpu")
            return float(getattr(gpu, "compute_capability", "0")) >= 8.0
        import tensorflow as tf

        details = tf.config.experimental.get_device_details(tf.config.list_physical_devices("GPU")[0])
        return details.get("compute_capability", (0, 0)) >= (8, 0)
    except (StopIteration, IndexError, ValueError, ImportError):
        return False


def speed_settings(device: Device) -> dict:
    """How a run makes the most of its device. On a GPU: compiled steps (XLA), 16 steps per call (a small
    network's step is shorter than the call's own cost), and bfloat16 arithmetic where the GPU has it,
    the weights kept in float32. On a CPU: none of them, except that JAX always compiles its steps.

    TensorFlow has a step of its own without XLA (XLA made a step 4x slower on this CPU). JAX has none:
    Keras's jit_compile=False on JAX runs every operation of a step one at a time, uncompiled, which is
    slow, and on several devices aborts the process: each operation is then a program of its own, and
    XLA's CPU devices can start two such programs' collectives in different orders and wait on each
    other until XLA gives up (issue 29)."""
    gpu = device.kind == "GPU"
    return {
        "precision": "mixed_bfloat16" if gpu and has_bfloat16() else "float32",
        "jit_compile": gpu or device.backend == "jax",
        "steps_per_execution": 16 if gpu else 1,
    }


@contextlib.contextmanager
def precision(policy: str):
    """The context in which new layers compute in `policy` ("float32", "mixed_bfloat16"); the one
    before is back after it."""
    import keras

    before = keras.config.dtype_policy()
    keras.config.set_dtype_policy(policy)
    try:
        yield
    finally:
        keras.config.set_dtype_policy(before)
