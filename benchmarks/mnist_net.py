"""Part D's network (784 → hidden → 10 relus) on MNIST: what an iteration costs.

Measured in one run, on the same data (the first 1,000 training images, all 10,000 test
images):

* a plain image-by-image loop written straight from the book's algorithm (here, not in the
  core) against the core's fast pass — after checking that both print the same lines;
* the core's per-image pass against its mini-batch pass (batch 100);
* one scoring of the 10,000 test images.

``rows()`` gives (name, detail, figure) rows; ``python -m benchmarks.mnist_net`` prints them.
Each time is the best of 5 interleaved repeats: on a shared machine a busy neighbour can
slow a multi-threaded BLAS call many times over, and the best run shows the code's own cost.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from benchmarks import table  # noqa: E402
from gdviz.core import mnist  # noqa: E402
from gdviz.core import mnist_net as net  # noqa: E402
from gdviz.experiments.mnist_hidden import line  # noqa: E402

TRAIN_IMAGES = 1000
CHECKED_ITERATIONS = 3
REPEAT = 5


# --- the plain loop, from the book's algorithm -----------------------------------------------

class PlainLoop:
    """Chapter 8's program as the book writes it: one image at a time, all 784 pixels."""

    def __init__(self, hidden_size: int, alpha: float, dropout: bool):
        self.rs = np.random.RandomState(1)
        self.weights_0_1 = 0.2 * self.rs.random_sample((784, hidden_size)) - 0.1
        self.weights_1_2 = 0.2 * self.rs.random_sample((hidden_size, 10)) - 0.1
        self.alpha, self.dropout = alpha, dropout

    @staticmethod
    def relu(x):
        return (x >= 0) * x

    @staticmethod
    def relu2deriv(output):
        return output >= 0

    def train(self, images, labels):
        """One iteration; returns (error, correct count)."""
        error, correct_cnt = 0.0, 0
        w01, w12, alpha = self.weights_0_1, self.weights_1_2, self.alpha
        for i in range(len(images)):
            layer_0 = images[i:i + 1]
            layer_1 = self.relu(np.dot(layer_0, w01))
            if self.dropout:
                dropout_mask = self.rs.randint(2, size=layer_1.shape)
                layer_1 *= dropout_mask * 2
            layer_2 = np.dot(layer_1, w12)
            error += np.sum((labels[i:i + 1] - layer_2) ** 2)
            correct_cnt += int(np.argmax(layer_2) == np.argmax(labels[i:i + 1]))
            layer_2_delta = labels[i:i + 1] - layer_2
            layer_1_delta = layer_2_delta.dot(w12.T) * self.relu2deriv(layer_1)
            if self.dropout:
                layer_1_delta *= dropout_mask
            w12 += alpha * layer_1.T.dot(layer_2_delta)
            w01 += alpha * layer_0.T.dot(layer_1_delta)
        return error, correct_cnt

    def test(self, images, labels):
        error, correct_cnt = 0.0, 0
        for i in range(len(images)):
            layer_0 = images[i:i + 1]
            layer_2 = np.dot(self.relu(np.dot(layer_0, self.weights_0_1)), self.weights_1_2)
            error += np.sum((labels[i:i + 1] - layer_2) ** 2)
            correct_cnt += int(np.argmax(layer_2) == np.argmax(labels[i:i + 1]))
        return error, correct_cnt


def plain_lines(data, hidden_size, alpha, dropout, iterations):
    x, y, tx, ty = data
    goals, test_goals = np.eye(10)[y], np.eye(10)[ty]
    plain = PlainLoop(hidden_size, alpha, dropout)
    lines = []
    for j in range(iterations):
        error, correct = plain.train(x, goals)
        test_error, test_correct = plain.test(tx, test_goals)
        lines.append("I:" + str(j) + " Train-Err:" + str(error / float(len(x)))[0:5]
                     + " Train-Acc:" + str(correct / float(len(x)))
                     + " Test-Err:" + str(test_error / float(len(tx)))[0:5]
                     + " Test-Acc:" + str(test_correct / float(len(tx))))
    return lines


def core_lines(data, hidden_size, alpha, dropout, iterations):
    s = net.start(*data, hidden_size=hidden_size, alpha=alpha, dropout=dropout, test_every=1)
    lines = []
    for _ in range(iterations):
        s, r = net.step(s)
        lines.append(line(r))
    return lines


# --- timing ------------------------------------------------------------------------------------

def interleaved(fns: dict, repeat: int = REPEAT) -> dict:
    """Best (lowest) seconds of each function over ``repeat`` rounds, the functions taking turns."""
    times = {name: [] for name in fns}
    for _ in range(repeat):
        for name, fn in fns.items():
            t = time.perf_counter()
            fn()
            times[name].append(time.perf_counter() - t)
    return {name: min(ts) for name, ts in times.items()}


def ms(seconds: float) -> str:
    return f"{seconds * 1e3:,.1f} ms"


def rows() -> list[tuple[str, str, str]]:
    x, y = mnist.load("train", TRAIN_IMAGES)
    tx, ty = mnist.load("test")
    data = (x, y, tx, ty)
    goals = np.eye(10)[y]
    out = []
    plain_d2 = None
    for hidden_size, dropout, what in ((40, False, "D1: hidden 40"), (100, True, "D2: hidden 100, dropout")):
        same = (plain_lines(data, hidden_size, 0.005, dropout, CHECKED_ITERATIONS)
                == core_lines(data, hidden_size, 0.005, dropout, CHECKED_ITERATIONS))
        plain = PlainLoop(hidden_size, 0.005, dropout)
        state = net.start(x, y, hidden_size=hidden_size, dropout=dropout)
        t = interleaved({"plain": lambda: plain.train(x, goals), "fast": lambda: net.step(state)})
        detail = f"{what}, {TRAIN_IMAGES:,} images, per image, no test"
        out.append(("plain loop (book's algorithm)", detail, ms(t["plain"]) + " / iteration"))
        out.append(("fast core (mnist_net.step)", detail, ms(t["fast"]) + " / iteration"))
        plain_d2 = t["plain"]
        out.append(("  speed-up", f"printed lines for {CHECKED_ITERATIONS} iterations "
                    + ("identical" if same else "DIFFERENT (bug!)"), f"{t['plain'] / t['fast']:.1f}×"))

    per_image = net.start(x, y, hidden_size=100, dropout=True, alpha=0.005)
    batch = net.start(x, y, hidden_size=100, dropout=True, alpha=0.1, batch_size=100)
    t = interleaved({"per_image": lambda: net.step(per_image), "batch": lambda: net.step(batch)})
    detail = f"hidden 100, dropout, {TRAIN_IMAGES:,} images"
    out.append(("core, per image", detail + ", 1,000 updates", ms(t["per_image"]) + " / iteration"))
    out.append(("core, mini-batch 100", detail + ", 10 updates", ms(t["batch"]) + " / iteration"))
    out.append(("  speed-up", "core per image ÷ mini-batch", f"{t['per_image'] / t['batch']:.1f}×"))
    out.append(("  speed-up", "plain loop (D2 row above) ÷ mini-batch", f"{plain_d2 / t['batch']:.1f}×"))

    for hidden_size in (40, 100):
        w = net.init_weights(hidden_size)[:2]
        t = interleaved({"test": lambda: net.evaluate(w, tx, ty)})
        out.append(("one test", f"all {len(tx):,} test images, hidden {hidden_size}", ms(t["test"])))
    return out




if __name__ == "__main__":
    table("Part D: 784 → hidden → 10 on MNIST", ("what", "detail", "time"), rows())
