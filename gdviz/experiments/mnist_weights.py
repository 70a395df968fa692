"""Part B5: what the weights learn — one layer from 784 pixels to 10 digits, on real MNIST."""

from __future__ import annotations

from gdviz.core import mnist
from gdviz.core import single_layer as sl
from gdviz.core.run import run
from gdviz.experiments import register
from gdviz.experiments.base import Experiment, Param, diverged_line

#: At most this many passes, so one request cannot keep a server shared by a class busy for
#: long (what a pass costs on this machine: `make bench`).
MAX_PASSES = 50

# alpha 0.001 was measured best among 0.0005 … 0.01 on the first 1,000 training images: test
# accuracy 0.80 after 5 passes (0.005: 0.78, 0.01: 0.72), and the smoothest weight pictures.
# Above about 0.02 a single image can overshoot (its 784 pixels add up their pulls) and the
# weights blow up; the log then says so.
#: The alphas B5's slider offers (the page's select slider: ``ALPHA.grid()``).
ALPHA_STEPS = (0.0001, 0.0005, 0.001, 0.005, 0.01)
ALPHA = Param("alpha", "alpha (learning rate)", 0.001, lo=0.0, hi=1.0, ui=(0.0001, 0.03, 0.0001),
              help="Each image moves every weight by alpha × weight_delta. Larger alphas learn "
                   "noisier pictures; above about 0.02 the weights blow up.", steps=ALPHA_STEPS)
TRAIN_IMAGES = Param("train_images", "training images", 1000, kind="int", lo=100, hi=10_000,
                     ui=(100, 10_000, 100),
                     help="How many of the first MNIST training images to learn from (100 to 10,000). "
                          "The test is always on all 10,000 test images.")


def start(settings) -> sl.SingleLayer:
    """All-zero weights, the first ``train_images`` training images, all 10,000 test images."""
    images, labels = mnist.load("train", settings["train_images"])
    test_images, test_labels = mnist.load("test")
    return sl.SingleLayer(sl.init_weights(), images, labels, settings["alpha"], test_images, test_labels)


# --- what the B5 page does with a run (pages call these, never the core) ----------------------

#: One pass over the training images: B5's runs are made of these steps.
pass_step = sl.pass_step
#: ``pred``: the ten scores of one image with the given weights.
scores = sl.scores


def test_set():
    """All 10,000 test images and their labels (read-only, shared)."""
    return mnist.load("test")


def one_image(weights, train_images: int, alpha: float, k: int) -> dict:
    """The record of learning from training image ``k`` (of the first ``train_images``) with
    ``weights``: its pred, delta, weights before and after."""
    images, labels = mnist.load("train", train_images)
    return sl.step(sl.SingleLayer(weights, images, labels, alpha, index=k))[1]


def weight_change(record: dict):
    """What one image's step did to the ten pictures: ``new_weights − weights``."""
    return record["new_weights"] - record["weights"]


def simulate(settings, iterations):
    return run(sl.pass_step, start(settings), iterations)


def log(result, settings):
    """Chapter 8's line per pass: errors cut to 5 characters, accuracies as Python prints them."""
    for r in result.records:
        yield (f"I:{r['j']} Train-Err:{str(r['train_error'])[0:5]} Train-Acc:{r['train_accuracy']}"
               f" Test-Err:{str(r['test_error'])[0:5]} Test-Acc:{r['test_accuracy']}")
    if result.diverged_at:
        yield diverged_line(result)


register(
    Experiment(
        "mnist-weights", "What the weights learn (MNIST)", "B5",
        "784 pixels → 10 digits, learned image by image from all-zero weights; each digit's 784 "
        "weights become a 28×28 picture of that digit. Tested on the 10,000 test images.",
        (ALPHA, TRAIN_IMAGES), 5, simulate, log, max_iterations=MAX_PASSES,
        button="1,000 images, alpha 0.001, 5 passes"),
)
