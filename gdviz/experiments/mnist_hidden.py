"""Part D (chapter 8): a hidden layer on MNIST — memorising, dropout, mini-batches."""

from __future__ import annotations

from gdviz.core import mnist
from gdviz.core import mnist_batch_book as batch_book
from gdviz.core import mnist_net as net
from gdviz.core.run import run
from gdviz.experiments import register
from gdviz.experiments.base import Experiment, Param, diverged_line

#: At most this many iterations, so one request cannot keep a shared server busy for long
#: (what an iteration costs on this machine: `make bench`).
MAX_ITERATIONS = 1000

#: The mini-batch preset's alpha, measured on 1,000 images, hidden 100, dropout on, batch 100,
#: 300 iterations (test accuracy at the end): 0.001 → 0.61, 0.01 → 0.78, 0.05 → 0.80,
#: 0.1 → 0.81, 0.2 → 0.81, 0.3 → 0.82 (noisier), 0.5 → 0.80, 1.0 diverges on the first
#: iteration. 0.1 learns about as well as the best and stays far from the blow-up.
BATCH_ALPHA = 0.1

#: The alphas D1's slider offers (``ALPHA.grid()``): several orders of magnitude, so a student
#: can reach both image-by-image alphas and the mini-batch ones, and the blow-up.
ALPHA_STEPS = (0.0005, 0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1.0)
ALPHA = Param("alpha", "alpha (learning rate)", 0.005, lo=0.0, hi=10.0, ui=(0.0005, 0.05, 0.0005),
              help="How far each update moves the weights. Image-by-image learning needs a "
                   "small alpha; too large and the numbers blow up.", steps=ALPHA_STEPS)
BATCH_ALPHA_PARAM = Param("alpha", "alpha (learning rate)", BATCH_ALPHA, lo=0.0, hi=10.0,
                          ui=(0.005, 1.0, 0.005),
                          help="How far each update moves the weights. The update uses the batch's "
                               "average, so a much larger alpha than image-by-image is safe.")
HIDDEN_SIZE = Param("hidden_size", "hidden_size (hidden units)", 40, kind="int", lo=1, hi=net.MAX_HIDDEN,
                    ui=(10, 250, 10),
                    help="How many relu units sit between the 784 pixels and the 10 outputs. "
                         "Each one has 784 incoming weights, which can be drawn as a 28×28 picture.")
DROPOUT = Param("dropout", "dropout", False, kind="bool",
                help="On: while training, each hidden unit is switched off for an image by a coin "
                     "flip (about half of them), and the survivors count double. Never during the test.")
KEEP_PROB = Param("keep_prob", "dropout: keep probability", 0.5, lo=0.05, hi=1.0, ui=(0.1, 0.9, 0.1),
                  help="With dropout on, the chance that a hidden unit stays on for an image; kept units "
                       "count 1/keep_prob times. 0.5 is the book's coin flip (kept units count double).",
                  steps=(0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0))
BATCH_SIZE = Param("batch_size", "batch_size", 1, kind="int", lo=1, hi=net.MAX_BATCH, ui=(1, 1000, 1),
                   help="1: the weights change after every image. More: the images go through in "
                        "groups and the weights change once per group, by the group's average update.")
TRAIN_IMAGES = Param("train_images", "training images", 1000, kind="int", lo=100, hi=10_000,
                     ui=(100, 10_000, 100),
                     help="How many of the first MNIST training images to learn from (100 to 10,000). "
                          "The test always uses all 10,000 test images.")
TEST_EVERY = Param("test_every", "test every … iterations", 10, kind="int", lo=1, hi=MAX_ITERATIONS,
                   ui=(1, 50, 1),
                   help="Score the 10,000 test images on every this-many-th iteration (and on the "
                        "last). Scoring costs more than an iteration of learning on 1,000 images.")
RELU_DERIV = Param("relu_deriv", "relu2deriv", "book", kind="choice", choices=net.RELU_DERIVS,
                   help="book: output >= 0, which is true for every relu output, so blame passes "
                        "through every hidden unit (the book's numbers). strict: output > 0, the "
                        "true relu slope — switched-off units pass nothing back.")

BATCH_UPDATES = ("mean", "book")
BATCH_UPDATE = Param("batch_update", "batch update", "mean", kind="choice", choices=BATCH_UPDATES,
                     help="With batch_size > 1. mean: real mini-batches, one update per batch by the "
                          "batch's average. book: the book's printed batch code, which repeats the same "
                          "averaged update once per image of the batch (batch_size updates per batch).")
#: The book's printed batch program (mnist-batch-book): its alpha.
BOOK_BATCH_ALPHA = 0.001

PARAMS = (ALPHA, HIDDEN_SIZE, DROPOUT, BATCH_SIZE, TRAIN_IMAGES, TEST_EVERY, RELU_DERIV, KEEP_PROB, BATCH_UPDATE)
BATCH_PARAMS = (BATCH_ALPHA_PARAM,) + PARAMS[1:]


def stepper(settings):
    """The step function the settings ask for: the book's printed batch loop
    (``batch_update == "book"``) or :func:`gdviz.core.mnist_net.step`."""
    return batch_book.step if settings.get("batch_update") == "book" else net.step


def start(settings, iterations: int, test_last: bool = True) -> net.MnistNet:
    """The network at the book's start, on the settings' data (all 10,000 test images)."""
    if settings.get("batch_update") == "book" and settings["batch_size"] > settings["train_images"]:
        raise ValueError(f"batch_size must be at most train_images ({settings['train_images']}) with the "
                         f"book's batch update: it learns whole batches only, got {settings['batch_size']}")
    images, labels = mnist.load("train", settings["train_images"])
    test_images, test_labels = mnist.load("test")
    return net.start(images, labels, test_images, test_labels, hidden_size=settings["hidden_size"],
                     alpha=settings["alpha"], dropout=settings["dropout"], batch_size=settings["batch_size"],
                     test_every=settings["test_every"], final_j=iterations - 1 if test_last else None,
                     relu_deriv=settings["relu_deriv"], keep_prob=settings["keep_prob"])


# --- what the D1 page does with a training (pages call these, never the core) -----------------

#: The relu derivatives on offer: the book's ``output >= 0`` and the strict ``output > 0``.
RELU_DERIVS = net.RELU_DERIVS
#: Early stopping after the fact: the network with its best test point's weights put back.
restore_best = net.restore_best


def test_set():
    """All 10,000 test images and their labels (read-only, shared)."""
    return mnist.load("test")


def initial_weights_0_1(hidden_size: int):
    """``weights_0_1`` at the book's seed-1 start (the same for every session)."""
    return net.init_weights(hidden_size)[0]


def training_change(weights_0_1, start_weights_0_1):
    """What training wrote into ``weights_0_1``: the weights minus their starting values."""
    return weights_0_1 - start_weights_0_1


def outputs(state: net.MnistNet, image):
    """``(layer_1, layer_2)`` of one image with the state's current weights, as the test
    scores it (no dropout): the hidden activations and the ten scores."""
    return net.outputs((state.weights_0_1, state.weights_1_2), image)


def simulate(settings, iterations):
    return run(stepper(settings), start(settings, iterations), iterations)


def simulate_book_dropout(settings, iterations):
    """As the book's dropout and batch programs: the test runs on multiples of test_every only."""
    return run(stepper(settings), start(settings, iterations, test_last=False), iterations)


def line(r, test_first: bool = False) -> str:
    """One of the book's lines: ``I:j`` then the train and test figures (errors cut to 5
    characters, accuracies as Python prints them); the test part only when it ran."""
    train = f"Train-Err:{str(r['train_error'])[0:5]} Train-Acc:{r['train_accuracy']}"
    parts = [train]
    if r["test_accuracy"] is not None:
        test = f"Test-Err:{str(r['test_error'])[0:5]} Test-Acc:{r['test_accuracy']}"
        parts = [test, train] if test_first else [train, test]
    return f"I:{r['j']} " + " ".join(parts)


def log_overfit(result, settings):
    """The overfitting program's log: a line for each tested iteration (the last included)."""
    for r in result.records:
        if r["test_accuracy"] is not None:
            yield line(r)
    yield from _diverged(result, test_first=False)


def log_dropout(result, settings):
    """The dropout program's log: test figures first, on every test_every-th iteration."""
    for r in result.records:
        if r["test_accuracy"] is not None and r["j"] % settings["test_every"] == 0:
            yield line(r, test_first=True)
    yield from _diverged(result, test_first=True)


def log_batch(result, settings):
    """As the dropout log, plus the last iteration's line."""
    for r in result.records:
        if r["test_accuracy"] is not None:
            yield line(r, test_first=True)
    yield from _diverged(result, test_first=True)


def _diverged(result, test_first):
    if result.diverged_at:
        last = result.records[-1]
        if last["test_accuracy"] is None:  # its line was not printed above
            yield line(last, test_first)
        yield diverged_line(result)


register(
    Experiment(
        "mnist-overfit", "A hidden layer memorises MNIST", "D1",
        "784 pixels → 40 relus → 10 digits, learned image by image from 1,000 training images. "
        "Training accuracy climbs to 100% while test accuracy peaks early and then sags: the "
        "network memorises its images instead of learning digits. The best test point marks "
        "where to stop early.",
        PARAMS, 350, simulate, log_overfit, max_iterations=MAX_ITERATIONS,
        button="hidden 40, alpha 0.005, 350 iterations"),
    Experiment(
        "mnist-dropout", "Dropout", "D2",
        "The same network with 100 hidden units, and while training each hidden unit is "
        "switched off at random for each image. Training gets harder, but test accuracy ends "
        "much higher and no longer falls away.",
        PARAMS, 300, simulate_book_dropout, log_dropout,
        defaults={"hidden_size": 100, "dropout": True}, max_iterations=MAX_ITERATIONS,
        button="hidden 100, dropout, 300 iterations"),
    Experiment(
        "mnist-batch", "Mini-batch gradient descent", "D3",
        "Dropout network, but the images go through 100 at a time and the weights change once "
        "per batch, by the batch's average update: 10 updates per iteration instead of 1,000, "
        "a larger alpha, and each iteration much cheaper.",
        BATCH_PARAMS, 300, simulate, log_batch,
        defaults={"hidden_size": 100, "dropout": True, "batch_size": 100}, max_iterations=MAX_ITERATIONS,
        button=f"batch 100, hidden 100, dropout, alpha {BATCH_ALPHA}, 300 iterations"),
    Experiment(
        "mnist-batch-book", "The book's batch code, as printed", "D3",
        "The book's printed batch program: batches of 100 go forward together, but the batch's "
        "averaged update is then applied once per image of the batch — 100 updates per batch, "
        "all from the same batch delta. Its log is the book's; it is not real mini-batching.",
        PARAMS, 300, simulate_book_dropout, log_dropout,
        defaults={"hidden_size": 100, "dropout": True, "batch_size": 100, "alpha": BOOK_BATCH_ALPHA,
                  "batch_update": "book"},
        max_iterations=MAX_ITERATIONS,
        button=f"book's batch code: batch 100, alpha {BOOK_BATCH_ALPHA}, 300 iterations"),
)
