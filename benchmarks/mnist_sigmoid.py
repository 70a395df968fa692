"""What the F3 MNIST sigmoid network costs: a chunk, an epoch, a test, a back-query.

Run alone: ``.venv/bin/python -m benchmarks.mnist_sigmoid``. The matrix products go through
NumPy's BLAS; its thread count (``OPENBLAS_NUM_THREADS`` / ``OMP_NUM_THREADS``, read when
NumPy loads) changes the figures a lot on a busy machine, so the table says which it was.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from benchmarks import table, timed  # noqa: E402
from gdviz.core import mnist_sigmoid as ms  # noqa: E402




def _threads() -> str:
    for name in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS"):
        if os.environ.get(name):
            return f"{name}={os.environ[name]}"
    return f"BLAS threads unset ({os.cpu_count()} CPUs)"


def rows() -> list[tuple[str, str, str]]:
    out = [("mnist-sigmoid BLAS", _threads(), "")]
    for hidden in (100, 200):
        s = ms.start(hidden, ms.LEARNING_RATE, 10_000, chunk=1000)
        # one chunk of 1,000 images that does not end an epoch (no test, no back-query)
        chunk = timed(lambda: ms.step(s), repeat=5)
        t = time.perf_counter()
        state = s
        for _ in range(ms.steps_for(s, 1)):
            state, record = ms.step(state)
        epoch = time.perf_counter() - t
        test = timed(lambda: ms.evaluate(state.net, state.test_images, state.test_labels), repeat=3)
        back = timed(lambda: ms.back_query_digits(state.net), repeat=5)
        out += [
            (f"mnist-sigmoid chunk (hidden {hidden})", "1,000 images, learned one at a time", f"{chunk:.3f} s"),
            (f"mnist-sigmoid epoch (hidden {hidden})", "10,000 images + test + back-query",
             f"{epoch:.2f} s (test accuracy {record['test_accuracy']})"),
            (f"mnist-sigmoid test (hidden {hidden})", "accuracy on 10,000 test images", f"{test:.3f} s"),
            (f"mnist-sigmoid back-query (hidden {hidden})", "all ten digits", f"{back * 1e3:.2f} ms"),
        ]
    return out


def main() -> None:
    table("F3: the 784-hidden-10 sigmoid network on MNIST", ("what", "detail", "time"), rows())


if __name__ == "__main__":
    main()
