"""The training loop: what `cnn-lab train` runs, in this process.

    train(config, data, folder)           # a new run, in its folder
    train(None, None, folder, resume=True) # going on from its last finished epoch
    extend(folder, epochs)                # a longer goal for a run, before resuming it

A run reports only through its folder (cnn_lab.runs.folders): every finished epoch is checkpointed there, and the live
progress (curve points, images/s, ETA, what it is doing) goes to progress.json about twice a second. A stop is a
file in the folder (folders.request_stop), seen at the next batch.
"""

import dataclasses
import datetime
import logging
import os
import traceback
from pathlib import Path

import numpy as np

from cnn_lab.settings import NUM_CLASSES
from cnn_lab.runs import folders
from cnn_lab.runs.records import Status
from cnn_lab.network.data import DataError, load_cifar10
from cnn_lab.recipes import TrainConfig
from cnn_lab.training.devices import (
    data_parallel,
    describe_device,
    device_words,
    fitting,
    one_device,
    precision,
    speed_settings,
)
from cnn_lab.training.optimizer import build_optimizer, restore_optimizer
from cnn_lab.training.progress import Progress

log = logging.getLogger(__name__)


class RunBusy(RuntimeError):
    """A run is already training on this computer."""


def one_hot(labels) -> np.ndarray:
    return np.eye(NUM_CLASSES, dtype="float32")[labels]


def plan(folder: Path, config: TrainConfig, data_source: str | None) -> None:
    """Write the config.json of a run that has not started: `train(None, None, folder)` trains what it says."""
    folders.write_json(Path(folder) / "config.json", {"train": config.to_dict(), "data_source": data_source})


def planned(folder: Path) -> bool:
    """Whether `folder` holds a run planned by plan() that has not started (train() adds when it started)."""
    saved = folders.read_json(Path(folder) / "config.json")
    return isinstance(saved, dict) and "train" in saved and "started" not in saved


def planned_config(folder: Path) -> tuple[TrainConfig, str | None]:
    """The config and data source plan() wrote in `folder`."""
    saved = folders.read_json(Path(folder) / "config.json")
    return TrainConfig.from_dict(saved["train"]), saved.get("data_source")


def train(
    config: TrainConfig | None,
    data_source: str | None,
    folder: Path,
    resume: bool = False,
    report=None,
    download: bool = False,
    started: float | None = None,
) -> str:
    """Train (or resume) the run in `folder` in this process; returns how it ended: finished or stopped.
    `started`: when Start was pressed (time.time()), if before this call: the run's clock starts there.
    With no `config`, a new run trains the one its folder's config.json plans (plan()).

    Stops at the next batch once folders.request_stop(folder) is called. A failure is logged with its
    traceback, recorded in status.json (error and traceback) and raised again.
    """
    folder = Path(folder)
    if resume and (pid := folders.running_elsewhere(folder)):
        raise RunBusy(f"run {folder.name} is training in another process (id {pid})")
    folder.mkdir(parents=True, exist_ok=True)
    started_here = folders.read_json(folder / "status.json", {}).get("pid") != os.getpid()
    folders.write_status(folder, Status.STARTING)
    if resume and started_here:
        folders.clear_stop(folder)  # a stop left over from before: the page clears it before it starts a child
    progress = Progress(folder, report, started)
    try:
        status = _train(config, data_source, folder, resume, progress, download)
    except BaseException as e:
        if isinstance(e, (KeyboardInterrupt, SystemExit)):
            folders.write_status(folder, Status.STOPPED)
            raise
        if isinstance(e, DataError):  # the data's fault, said in one plain line (by the command, by the page)
            folders.write_status(folder, Status.FAILED, error=str(e))
            progress.update(message="training failed")
            raise
        log.exception("training run %s failed", folder.name)
        folders.write_status(folder, Status.FAILED, error=f"{type(e).__name__}: {e}", traceback=traceback.format_exc())
        progress.update(message="training failed")
        raise
    folders.clear_stop(folder)
    return status


def _train(config, data_source, folder: Path, resume: bool, progress: Progress, download: bool) -> str:
    import keras

    from cnn_lab.network.model import build_cnn, classifier, cnn_of, load_classifier, trainer
    from cnn_lab.training.callback import TrainingCallback

    if resume:
        saved = folders.read_json(folder / "config.json")
        if saved is None or not (folder / "model.keras").is_file():
            raise ValueError(f"{folder}: no run to resume there (no config.json or model.keras)")
        config = TrainConfig.from_dict(saved["train"])
        data_source = data_source or saved.get("data_source")
    elif config is None and planned(folder):
        config, plan_source = planned_config(folder)
        data_source = data_source or plan_source
    config = config or TrainConfig()
    progress.update(message="loading the data")
    data = load_cifar10(data_source, download=download)
    x_train, y_train = data.x_train[: config.limit], data.y_train[: config.limit]
    if config.validation:  # the last images, held out: tested after every epoch, never trained on
        if config.validation >= len(x_train):
            raise DataError(
                f"cannot hold out {config.validation:,} images for validation from {len(x_train):,} training images"
            )
        held = len(x_train) - config.validation
        validation = (x_train[held:], y_train[held:])
        x_train, y_train = x_train[:held], y_train[:held]
    else:
        validation = None
    steps = -(-len(x_train) // config.batch_size)
    device = describe_device()
    if not resume:
        folders.write_json(
            folder / "config.json",
            {
                "train": config.to_dict(),
                "data": data.description,
                "data_source": data_source,
                "is_sample": data.is_sample,
                "device": device.to_dict(),
                "started": datetime.datetime.now().isoformat(timespec="seconds"),
            },
        )
    if (count := len(device.devices)) > 1:  # every step's batch splits evenly between the devices
        if config.batch_size % count:
            raise ValueError(
                f"a batch of {config.batch_size} does not split evenly between {count} devices: "
                f"choose a batch size that is a multiple of {count}"
            )
        x_train, y_train = (a[: len(a) - len(a) % count] for a in (x_train, y_train))
        steps = -(-len(x_train) // config.batch_size)
    progress.update(
        device=device.to_dict(), batches_per_epoch=steps, message=f"building the network on {device_words(device)}"
    )
    history = folders.read_history(folder) if resume else []
    speed = speed_settings(device)
    # What is tested and saved: a float32 network on one device, whatever the training's arithmetic and
    # devices. A model saved in bfloat16 would compute in bfloat16, slowly, on the CPU of whoever opens it;
    # one built for several devices would run every test image on each of them (TensorFlow's mirrored
    # predict returns each image once per device). The trained weights are copied into it before each test.
    separate = speed["precision"] != "float32" or len(device.devices) > 1
    if separate:
        with one_device(device.devices), precision("float32"):
            model = classifier(build_cnn(config.model), config.flip_tta)
    keras.utils.set_random_seed(config.seed)
    with data_parallel(device.devices), precision(speed["precision"]):
        cnn = build_cnn(config.model)  # in the run's precision; a resumed run's weights go into it
        if resume:
            cnn.set_weights(cnn_of(load_classifier(folder / "model.keras")).get_weights())
        net = trainer(cnn, config.augment, seed=config.seed)
        optimizer = build_optimizer(config, steps)
        net.compile(
            optimizer=optimizer,
            metrics=["accuracy"],
            loss=keras.losses.CategoricalCrossentropy(label_smoothing=config.label_smoothing),
            jit_compile=speed["jit_compile"],
            steps_per_execution=speed["steps_per_execution"],
        )
        if not separate:
            model = classifier(cnn, config.flip_tta)
        if resume and (folder / "optimizer.npz").is_file():
            optimizer.build(net.trainable_variables)
            restore_optimizer(optimizer, net.trainable_variables, folder / "optimizer.npz")
    folders.write_status(folder, Status.RUNNING)
    doing = f"training on {data.training_on(len(x_train))}"  # what the run says between its tests
    if validation is not None:
        doing += f"; {len(validation[0]):,} more held out for validation"
    progress.update(epoch=len(history), message=doing)

    callback = TrainingCallback(
        progress, model, cnn, data, folder, optimizer, history, steps, config, doing, validation
    )
    if len(history) < config.epochs and not folders.stop_requested(folder):
        with fitting(device.devices):
            net.fit(
                x_train,
                one_hot(y_train),
                batch_size=config.batch_size,
                epochs=config.epochs,
                initial_epoch=len(history),
                shuffle=True,
                verbose=0,
                callbacks=[callback],
            )
    status = Status.FINISHED if len(history) >= config.epochs else Status.STOPPED
    progress.update(
        eta_seconds=0 if status is Status.FINISHED else None,
        message=f"{status} after {len(history)} of {config.epochs} epochs",
    )
    folders.write_status(folder, status)
    return status


def extend(folder: Path, epochs: int) -> TrainConfig:
    """Make a run's goal `epochs` epochs, so that resuming it trains on to there; returns its new config.

    A constant learning rate simply continues. A cosine schedule was planned for the run's epochs and
    has decayed to 0 by the end: stretching it would change the rate of the epochs already trained,
    so a longer run of that recipe is a new run (ValueError, in plain words). Fewer epochs than the
    run has trained are refused too."""
    folder = Path(folder)
    saved = folders.read_json(folder / "config.json")
    if not saved or "train" not in saved:
        raise ValueError(f"{folder}: no run there (no config.json)")
    config = TrainConfig.from_dict(saved["train"])
    done = len(folders.read_history(folder))
    if epochs < done:
        raise ValueError(f"run {folder.name} has already trained {done} epochs: --epochs {epochs} would undo them")
    if epochs != config.epochs and config.schedule != "constant":
        raise ValueError(
            f"run {folder.name}'s learning rate follows a {config.schedule} schedule planned for {config.epochs} "
            f"epochs, which brings it down to 0 at the end; training on past that would need another schedule. "
            f"Start a new run with --epochs {epochs} instead"
        )
    if epochs != config.epochs:
        config = dataclasses.replace(config, epochs=epochs)
        folders.write_json(folder / "config.json", {**saved, "train": config.to_dict()})
    return config
