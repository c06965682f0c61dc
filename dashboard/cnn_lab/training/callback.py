"""What a run does between its batches: publishes the progress, honours a stop request within a batch, tests
on part of the test set a few times an epoch, and tests, validates and checkpoints every finished epoch."""

import dataclasses
import time

import keras
import numpy as np

from cnn_lab.runs import folders
from cnn_lab.runs.records import Epoch
from cnn_lab.network.evaluation import SAVED, Evaluation
from cnn_lab.network.model import predict
from cnn_lab.settings import ARTICLE_ACCURACY
from cnn_lab.training.optimizer import save_optimizer


class TrainingCallback(keras.callbacks.Callback):
    """Publishes the progress, honours a stop request within a batch, tests and checkpoints every epoch."""

    def __init__(self, progress, model, cnn, data, folder, optimizer, history, steps, config, doing, validation):
        super().__init__()
        self.doing, self.validation = doing, validation  # validation: (images, labels) held out, or None
        self.progress, self.classifier, self.cnn, self.data, self.folder = progress, model, cnn, data, folder
        self.optimizer, self.history, self.steps, self.config = optimizer, history, steps, config
        self.recent: list[tuple[float, int]] = []  # (time, images) of the last batches
        self.evaluation_saved = None  # the file of the last checkpoint's evaluation
        self.smoothed = None
        checks = config.checks_per_epoch  # the in-between tests: after these batches of each epoch
        self.check_at = {round(j * steps / checks) for j in range(1, checks)} - {0, steps}

    def stopping(self) -> bool:
        return folders.stop_requested(self.folder)

    def on_epoch_begin(self, epoch, logs=None):
        self.epoch_start, self.previous, self.testing_seconds, self.last_k = time.time(), (0.0, 0.0), 0.0, 0

    def on_train_batch_end(self, batch, logs=None):
        # `batch` is the last step of the call: several steps per call on a GPU (steps_per_execution)
        now, k = time.time(), min(batch + 1, self.steps)
        done, before = k - self.last_k, self.last_k
        if done <= 0:
            return
        loss, accuracy = float(logs["loss"]), float(logs["accuracy"])
        # Keras reports means over the epoch so far; recover the mean of this call's own steps.
        this = tuple((k * now_ - before * then) / done for now_, then in zip((loss, accuracy), self.previous))
        self.previous = (loss, accuracy)
        ema = 0.9 if self.smoothed else 0.0
        self.smoothed = tuple(ema * s + (1 - ema) * v for s, v in zip(self.smoothed or this, this))
        self.recent = (self.recent + [(now, done * self.config.batch_size)])[-50:]
        speed = None
        if len(self.recent) > 1:
            speed = sum(n for _, n in self.recent[1:]) / max(1e-9, now - self.recent[0][0])
        epoch = len(self.history)
        left = (self.config.epochs - epoch) * self.steps - k
        self.progress.point(
            {
                "step": epoch * self.steps + k,
                "epoch": epoch + k / self.steps,
                "loss": self.smoothed[0],
                "accuracy": self.smoothed[1],
            }
        )
        self.progress.update(
            publish=False,
            epoch=epoch,
            batch=k,
            loss=loss,
            accuracy=accuracy,
            images_per_second=speed,
            eta_seconds=left * self.config.batch_size / speed if speed else None,
        )
        self.progress.maybe_publish()
        if self.stopping():
            self.model.stop_training = True
        elif any(self.last_k < b <= k for b in self.check_at):  # a check's batch was reached (or passed)
            self.check(epoch + k / self.steps)
        self.last_k = k

    def test(self, images: int | None = None, on=None):
        """(probabilities, correct) on the first `images` test images (all by default), or on `on` (images,
        labels); (None, None) if stopped. The float32 network that is saved is tested, with the weights
        trained so far."""
        if hasattr(self.model, "jax_state_sync"):  # JAX keeps the weights out of the model within an epoch
            self.model.jax_state_sync()
        if self.classifier.get_layer("cnn") is not self.cnn:  # trained apart (bfloat16, devices): copy over
            self.classifier.get_layer("cnn").set_weights(self.cnn.get_weights())
        x, y = on if on is not None else (self.data.x_test[:images], self.data.y_test[:images])
        probabilities = predict(self.classifier, x, should_stop=self.stopping)
        return (None, None) if probabilities is None else (probabilities, int(np.sum(probabilities.argmax(1) == y)))

    def check(self, at: float):
        """An in-between test, on the first check_images test images: a point of the curve. If it
        reaches the article's line, every test image is tested at once: only that full figure can
        say the line is passed."""
        began = time.time()
        images = min(self.config.check_images or len(self.data.x_test), len(self.data.x_test))
        self.progress.update(message=f"testing on {images:,} images")
        _, correct = self.test(images)
        if correct is None:
            return
        point = {"epoch": at, "test_accuracy": correct / images, "test_images": images}
        self.progress.state["checks"].append({**point, "seconds": self.progress.elapsed()})
        if point["test_accuracy"] >= ARTICLE_ACCURACY and self.progress.state["crossed"] is None:
            if images < len(self.data.x_test):
                self.progress.update(message=f"testing on all {len(self.data.x_test):,} test images")
                _, correct = self.test()
            if correct is not None:
                self.passed(at, correct)
        self.progress.update(message=self.doing)
        took = time.time() - began  # not training time: out of the speed and the epoch's images/s
        self.testing_seconds += took
        self.recent = [(t + took, n) for t, n in self.recent]

    def passed(self, at: float, correct: int):
        """Record the moment the article's line is passed, if this full-test-set figure passes it."""
        images = len(self.data.y_test)
        if self.progress.state["crossed"] is None and correct / images >= ARTICLE_ACCURACY:
            self.progress.state["crossed"] = {
                "epoch": round(at, 3),
                "seconds": self.progress.elapsed(),
                "test_accuracy": correct / images,
                "test_correct": correct,
                "test_images": images,
            }

    def on_epoch_end(self, epoch, logs=None):
        if self.stopping():
            return  # a stopped epoch is not finished: the last checkpoint stays the last one
        train_seconds = time.time() - self.epoch_start - self.testing_seconds
        self.progress.update(message=f"epoch {epoch + 1}: testing on {len(self.data.x_test):,} images")
        probabilities, correct = self.test()
        record = Epoch(
            epoch=epoch + 1,
            loss=float(logs["loss"]),
            accuracy=float(logs["accuracy"]),
            test_accuracy=None if correct is None else correct / len(self.data.y_test),
            test_correct=correct,
            test_images=len(self.data.y_test),
            seconds=round(time.time() - self.epoch_start, 2),
            images_per_second=round(self.steps * self.config.batch_size / train_seconds, 1),
            elapsed=self.progress.elapsed(),  # on the run's clock, since Start
        )
        if correct is not None:
            self.passed(epoch + 1, correct)
        if self.validation is not None and correct is not None:
            self.progress.update(message=f"epoch {epoch + 1}: validating on {len(self.validation[1]):,} images")
            _, right = self.test(on=self.validation)
            if right is not None:  # stopped while validating: the epoch is kept, as after a stopped test
                held_out = len(self.validation[1])
                record = dataclasses.replace(
                    record, validation_accuracy=right / held_out, validation_correct=right, validation_images=held_out
                )
        self.history.append(record)
        self.checkpoint()
        if probabilities is not None:  # the Results pages of this checkpoint open at once
            self.keep_evaluation(Evaluation(probabilities, self.data.y_test, tuple(self.data.class_names)))
        self.progress.update(epoch=epoch + 1, batch=0, message=f"epoch {epoch + 1} of {self.config.epochs} done")

    def keep_evaluation(self, evaluation):
        """Save this checkpoint's test pass as its evaluation; the previous checkpoint's is stale."""
        saved = SAVED.save(self.folder / "model.keras", self.data, evaluation)
        if self.evaluation_saved not in (None, saved):
            self.evaluation_saved.unlink(missing_ok=True)
        self.evaluation_saved = saved

    def checkpoint(self):
        folders.write_atomic(self.folder / "model.keras", lambda p: self.classifier.save(p))
        save_optimizer(self.optimizer, self.model.trainable_variables, self.folder / "optimizer.npz")
        folders.write_history(self.folder, self.history)
