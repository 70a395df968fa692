"""Part F3: the lecture's 784 → hidden → 10 sigmoid network on MNIST, and back-query.

One iteration of this experiment is one *chunk* of ``CHUNK`` training images (see
:mod:`gdviz.core.mnist_sigmoid`); a run trains ``epochs`` epochs, i.e. :func:`steps` chunks,
or fewer when ``iterations`` is smaller. Each epoch's last record carries the test accuracy and
the ten back-queried digits.
"""

from __future__ import annotations

from gdviz.core import mnist
from gdviz.core import mnist_sigmoid as ms
from gdviz.core.run import run
from gdviz.experiments import register
from gdviz.experiments.base import Experiment, Param, diverged_line

#: Training images per iteration (one chunk); what a chunk costs on this machine: `make bench`.
CHUNK = ms.CHUNK
#: The most iterations a run may have: every epoch of the biggest run, chunk by chunk.
MAX_STEPS = ms.MAX_EPOCHS * -(-10_000 // CHUNK)

# Measured on the 10,000 bundled training images, tested on the 10,000 test images, seed 0:
# 200 hidden, η 0.2, 5 epochs → 0.9262, 0.9388, 0.9439, 0.9479, 0.9502. The deck's own
# settings (200 hidden, η 0.1) give 0.9456 after 5 epochs here; its 0.9711 needs all 60,000
# training images. 100 hidden, η 0.2: 0.9419 after 5 epochs.
HIDDEN = Param("hidden", "hidden nodes", ms.HIDDEN, kind="int", lo=1, hi=ms.MAX_HIDDEN, ui=(10, ms.MAX_HIDDEN, 10),
               help="How many sigmoid nodes sit between the 784 pixels and the 10 digit outputs. "
                    f"More nodes can tell more shapes apart but each image costs more (at most {ms.MAX_HIDDEN}).")
LEARNING_RATE = Param("learning_rate", "learning rate (η)", ms.LEARNING_RATE, lo=0.001, hi=ms.MAX_LEARNING_RATE,
                      ui=(0.01, 1.0, 0.01),
                      help="How far each image moves the weights: ΔW = η · (E ∘ O ∘ (1 − O)) · O_prevᵀ. "
                           "Around 0.1–0.3 learns well; much larger makes each image undo the last ones.")
EPOCHS = Param("epochs", "epochs", 5, kind="int", lo=1, hi=ms.MAX_EPOCHS, ui=(1, 10, 1),
               help=f"How many times the network goes through all its training images, in the same order "
                    f"(at most {ms.MAX_EPOCHS}).")
TRAIN_IMAGES = Param("train_images", "training images", 10_000, kind="int", lo=100, hi=10_000,
                     ui=(100, 10_000, 100),
                     help="How many of the first MNIST training images it learns from (100 to 10,000, all "
                          "the app ships). It is always tested on all 10,000 test images.")
PARAMS = (HIDDEN, LEARNING_RATE, EPOCHS, TRAIN_IMAGES)


def start(settings) -> ms.MnistSigmoid:
    """The untrained network and its data for ``settings`` (seed 0, chunks of ``CHUNK``)."""
    return ms.start(settings["hidden"], settings["learning_rate"], settings["train_images"], chunk=CHUNK)


# --- what the F3 page does with a training (pages call these, never the core) -----------------

#: One chunk of training.
step = ms.step
#: One row per finished epoch of a run's records.
epochs_of = ms.epochs_of
#: The ten back-queried digit images of a network.
back_query_digits = ms.back_query_digits
#: Each back-queried image fed forward again and compared with the mean training images.
back_query_summary = ms.back_query_summary


def training_set(n: int):
    """The first ``n`` training images as the network sees them (0.01 … 1.0) and their labels."""
    return mnist.load("train", n, scale="sigmoid")


def steps(settings) -> int:
    """The iterations (chunks) that train ``settings["epochs"]`` epochs."""
    return settings["epochs"] * -(-settings["train_images"] // CHUNK)


def simulate(settings, iterations):
    """Train chunk by chunk; the run's last record always has ``net`` and ``back_query``."""
    state = start(settings)
    n = min(iterations, steps(settings))
    count = [0]

    def stepper(s):
        new, record = ms.step(s)
        count[0] += 1
        if count[0] == n and record["net"] is None:  # stopped mid-epoch: describe where it stopped
            record = {**record, **ms.snapshot(new.net, new.test_images, new.test_labels)}
        return new, record

    return run(stepper, state, n)


def log(result, settings):
    """A line per epoch (and for a run stopped mid-epoch, a line where it stopped), then a line
    per digit about its back-queried image. Every float at full precision.

    Train-Err (mean ½ Σ (t − o)²) and Train-Acc count each of the epoch's images just before it
    was learned; Test-Err and Test-Acc are on all the test images after the epoch.
    """
    records = result.records
    for row in ms.epochs_of(records):
        yield (f"Epoch:{row['epoch']} Train-Err:{row['train_error']} Train-Acc:{row['train_accuracy']} "
               f"Test-Err:{row['test_error']} Test-Acc:{row['test_accuracy']}")
    last = records[-1]
    if not last["epoch_done"]:
        yield (f"Stopped in epoch {last['epoch']} after {last['epoch_images']} of its images: "
               f"Test-Err:{last['test_error']} Test-Acc:{last['test_accuracy']}")
    if result.diverged_at:
        yield diverged_line(result)
        return
    yield (f"Back-query after {last['images_seen']} images (epoch {last['epoch']}): each digit's imagined "
           "image, then that image fed forward again")
    images, labels = mnist.load("train", settings["train_images"], scale="sigmoid")
    for row in ms.back_query_summary(last["net"], last["back_query"], images, labels):
        yield (f"digit:{row['digit']} mean:{row['mean']} min:{row['min']} max:{row['max']} "
               f"answer:{row['answer']} output:{row['output']} "
               f"correlation_with_mean_image:{row['correlation']} "
               f"closest_mean_image:{row['closest']} ({row['closest_correlation']})")


register(
    Experiment(
        "mnist-sigmoid", "Looking inside: back-query", "F3",
        "784 pixels → 200 sigmoid hidden nodes → 10 digits, learned one image at a time on the "
        "10,000 bundled MNIST training images; then each digit's answer is run backwards to draw "
        "the image the network associates with it.",
        PARAMS, MAX_STEPS, simulate, log, max_iterations=MAX_STEPS,
        button="200 hidden, η 0.2, 5 epochs"),
)
