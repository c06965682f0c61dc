"""Training images/s of one recipe's step under TensorFlow's thread settings, `steps_per_execution` and XLA.

    python benchmarks/step_settings.py [--preset lesson] [--images 12800] [--rounds 3] [--data PATH] [--quick]
    KERAS_BACKEND=jax python benchmarks/step_settings.py ...   # JAX: its defaults row runs uncompiled (eager)

Each setting is timed in a process of its own (TensorFlow reads its thread settings once, when it
starts): the recipe's network with its augmentation inside the step, as `cnn-lab train` compiles it,
one epoch to trace, then one timed epoch. The settings take turns, `--rounds` times, and each is
reported by its best round: this machine has spells of running at half speed that come and go at
random, and a spell can only make a round slower. The first row, Keras's defaults, is the baseline
measured in the same run; the last column is each row against it.
"""

import argparse
import json
import os
import subprocess
import sys

from common import save, table

SETTINGS = [  # (what, environment, steps per execution, jit_compile)
    ("defaults (TensorFlow's thread pools as they are)", {}, 1, False),
    ("2 intra-op threads, 1 inter-op thread", {"TF_NUM_INTRAOP_THREADS": "2", "TF_NUM_INTEROP_THREADS": "1"}, 1, False),
    ("steps_per_execution 4", {}, 4, False),
    ("steps_per_execution 16", {}, 16, False),
    ("compiled (jit_compile, XLA)", {}, 1, True),  # what a run on JAX always does (training.devices.speed_settings)
]

TIME_ONE = """
import json, sys, time
import keras
from cnn_lab.network.data import load_cifar10
from cnn_lab.network.model import build_cnn, trainer
from cnn_lab.recipes import preset
from cnn_lab.training.loop import one_hot
from cnn_lab.training.optimizer import build_optimizer

name, data_source, images, steps_per_execution = sys.argv[1], sys.argv[2] or None, int(sys.argv[3]), int(sys.argv[4])
jit_compile = sys.argv[5] == "True"
config, data = preset(name), load_cifar10(data_source)
x, y = data.x_train[:images], one_hot(data.y_train[:images])
net = trainer(build_cnn(config.model), config.augment, seed=0)
net.compile(
    optimizer=build_optimizer(config, -(-images // config.batch_size)),
    loss=keras.losses.CategoricalCrossentropy(label_smoothing=config.label_smoothing),
    metrics=["accuracy"],
    steps_per_execution=steps_per_execution,
    jit_compile=jit_compile,
)
net.fit(x[: 10 * config.batch_size], y[: 10 * config.batch_size], batch_size=config.batch_size, verbose=0)
start = time.perf_counter()
net.fit(x, y, batch_size=config.batch_size, epochs=1, verbose=0)
print(json.dumps(len(x) / (time.perf_counter() - start)))
"""


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--preset", default="lesson")
    ap.add_argument("--images", type=int, default=12800)
    ap.add_argument("--rounds", type=int, default=3, help="each setting is reported by its best round")
    ap.add_argument("--data")
    ap.add_argument("--quick", action="store_true", help="a small check that the benchmark runs")
    a = ap.parse_args()
    images = 1024 if a.quick else a.images
    speeds = {what: [] for what, *_ in SETTINGS}
    for round_ in range(1, (1 if a.quick else a.rounds) + 1):
        for what, environment, steps, jit in SETTINGS:
            done = subprocess.run(
                [sys.executable, "-c", TIME_ONE, a.preset, a.data or "", str(images), str(steps), str(jit)],
                env={**os.environ, **environment},
                capture_output=True,
                text=True,
            )
            if done.returncode:
                raise SystemExit(f"{what}: {done.stderr.strip().splitlines()[-1]}")
            speeds[what].append(json.loads(done.stdout.strip().splitlines()[-1]))
            print(f"  round {round_}, {what}: {speeds[what][-1]:,.0f} images/s", flush=True)
    baseline = max(speeds[SETTINGS[0][0]])
    rows = [
        {
            "setting": what,
            "best images/s": max(s),
            "rounds": " ".join(f"{v:,.0f}" for v in s),
            "against the defaults": max(s) / baseline,
        }
        for what, s in speeds.items()
    ]
    backend = os.environ.get("KERAS_BACKEND", "tensorflow")
    table(rows, f"Training step of the {a.preset} recipe on {backend}, {images:,} images, augmentation inside")
    save("step_settings" + ("_quick" if a.quick else ""), {"preset": a.preset, "images": images, "rows": rows})


if __name__ == "__main__":
    main()
