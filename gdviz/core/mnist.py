"""MNIST handwritten digits: the real images, offline.

The app ships a slice of MNIST in ``gdviz/data/mnist.npz`` (see ``MNIST_PROVENANCE.md``
beside it): the first 10,000 training images and all 10,000 test images, 28×28 bytes each.
The full 60,000 training images can be used instead by pointing ``source=`` (or the
environment variable ``GDVIZ_MNIST_DIR``) at a folder holding the four standard IDX files.

``load`` returns each image as a row of 784 numbers (row after row of the 28×28 picture):

* ``scale="255"``: pixel / 255, so 0 is background and 1 full ink — what the book feeds its
  networks;
* ``scale="sigmoid"``: 0.01 + 0.99 × pixel / 255, i.e. within [0.01, 1]. Networks built on the
  sigmoid (the lecture decks) use this so that no input is exactly 0: an input of 0 makes its
  weight_delta 0, and that weight would never learn;
* ``scale=None``: the raw bytes 0..255 (uint8).

Everything returned is read-only. The decoded (and the scaled) data are kept once per process
and shared by every caller (every session of the app), so no caller may change them: writing
to a returned array raises ``ValueError``. Copy (``np.array(x)``) to get an array you may change.
"""

from __future__ import annotations

import functools
import gzip
import os
import zlib
from pathlib import Path

import numpy as np

from gdviz.core import checks

#: The bundled slice of MNIST.
BUNDLE = Path(__file__).resolve().parent.parent / "data" / "mnist.npz"
#: The environment variable naming a folder with the full set as IDX files.
ENV = "GDVIZ_MNIST_DIR"

SPLITS = ("train", "test")
SCALES = ("255", "sigmoid", None)
ROWS = COLS = 28
PIXELS = ROWS * COLS

#: The standard IDX file names of each split: (images, labels). Each may also end in ``.gz``.
IDX_FILES = {
    "train": ("train-images-idx3-ubyte", "train-labels-idx1-ubyte"),
    "test": ("t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"),
}
IMAGES_MAGIC = 2051  # 0x00000803: unsigned bytes, 3 dimensions
LABELS_MAGIC = 2049  # 0x00000801: unsigned bytes, 1 dimension


def load(split: str = "train", n: int | None = None, scale: str | None = "255",
         source: str | os.PathLike | None = None) -> tuple[np.ndarray, np.ndarray]:
    """The first ``n`` images of ``split`` and their labels.

    Returns ``(images, labels)``: images of shape (n, 784), float64 (or uint8 when ``scale``
    is None), and labels of shape (n,), int64 digits 0..9. Both are read-only.

    ``source`` is a folder of IDX files or an ``.npz`` bundle; when omitted, the folder named
    by ``$GDVIZ_MNIST_DIR`` is used if set, else the bundled slice. ``n`` defaults to all the
    images the source has for that split.
    """
    if split not in SPLITS:
        raise ValueError(f"split must be one of {', '.join(SPLITS)}, got {split!r}")
    if scale not in SCALES:
        raise ValueError(f"scale must be '255', 'sigmoid' or None, got {scale!r}")
    where = _where(source)
    images, labels = _decoded(split, where)
    available = len(labels)
    if n is None:
        n = available
    else:
        if isinstance(n, (int, np.integer)) and not isinstance(n, bool) and n > available:
            raise ValueError(f"n must be at most {available} (the {split} images in {where}), got {n}")
        n = checks.count("n", n, lo=1, hi=available)
    if scale is not None:
        images = _scaled(split, where, scale)
    return images[:n], labels[:n]  # views of read-only arrays are read-only for good


def available(split: str = "train", source: str | os.PathLike | None = None) -> int:
    """How many images ``load(split, source=source)`` can give."""
    if split not in SPLITS:
        raise ValueError(f"split must be one of {', '.join(SPLITS)}, got {split!r}")
    return len(_decoded(split, _where(source))[1])


def image(row) -> np.ndarray:
    """A row of 784 numbers back as a 28×28 picture (a view, not a copy)."""
    a = np.asarray(row)
    if a.size != PIXELS:
        raise ValueError(f"an image must have {PIXELS} numbers, got {a.size}")
    return a.reshape(ROWS, COLS)


# --- shared by the MNIST networks (single_layer, mnist_net) ---------------------------------

DIGITS = 10


def check_image(value) -> np.ndarray:
    """``value`` as one image of 784 numbers (not copied, non-finite allowed), or ValueError."""
    a = checks.shaped("image", value, (None,), "784 pixels")
    if a.size == PIXELS and a.ndim == 1:
        return a
    raise ValueError(f"image must be 784 pixels, got {a.size}")


def check_images(value, name: str = "images", finite: bool = True) -> np.ndarray:
    """``value`` as n×784 images (at least one; finite unless ``finite=False``), or ValueError
    naming ``name``. Not copied: freeze the result with ``checks.frozen`` where it is kept."""
    a = checks.shaped(name, value, (None, PIXELS), "n×784 (one row per image)")
    if len(a) == 0:
        raise ValueError(f"{name} must hold at least one image")
    if finite and not np.isfinite(a).all():
        raise ValueError(f"{name} must be finite")
    return a


def check_labels(value, n: int, name: str = "labels") -> np.ndarray:
    """``value`` as ``n`` digits 0..9 (int64; whole floats accepted), or ValueError naming ``name``."""
    a = np.asarray(value)
    if a.ndim != 1 or len(a) != n:
        raise ValueError(f"{name} must be {n} digits (one per image), got shape {a.shape}")
    if a.dtype.kind not in "iu":
        if a.dtype.kind != "f" or not np.all(a == np.round(a)):
            raise ValueError(f"{name} must be whole numbers 0..9")
    if a.min() < 0 or a.max() > DIGITS - 1:
        raise ValueError(f"{name} must be digits 0..9, got values from {a.min()} to {a.max()}")
    return a.astype(np.int64, copy=False)


#: Images per block of an image-by-image training pass done in blocks (single_layer's and
#: mnist_net's; for mnist_net 64, 128 and 256 were measured to cost the same).
BLOCK = 128


def gram_blocks(images: np.ndarray) -> tuple:
    """``(start, stop, images[start:stop] · images[start:stop]ᵀ)`` for each block of
    :data:`BLOCK` images: the dot products between the images of a block, which never change."""
    blocks = []
    for a in range(0, len(images), BLOCK):
        x = images[a:a + BLOCK]
        gram = x @ x.T
        gram.setflags(write=False)
        blocks.append((a, a + len(x), gram))
    return tuple(blocks)


# --- where the data come from -------------------------------------------------------------

def _where(source) -> str:
    """The resolved path to read: an .npz bundle or a folder of IDX files."""
    if source is None:
        source = os.environ.get(ENV) or BUNDLE
    path = Path(source).expanduser()
    if not path.exists():
        named = f" (from ${ENV})" if source == os.environ.get(ENV) else ""
        raise ValueError(f"MNIST source {str(path)!r}{named} does not exist")
    return str(path.resolve())


@functools.lru_cache(maxsize=8)
def _decoded(split: str, where: str) -> tuple[np.ndarray, np.ndarray]:
    """The raw images (N, 784) uint8 and labels (N,) int64 of one split, decoded once.

    The arrays are read-only, and so are all views handed out: a view of a read-only array
    cannot be made writable again. (A file changed on disk after the first load is not
    seen again until the process restarts.)
    """
    if os.path.isdir(where):
        images, labels = _read_idx_pair(Path(where), split)
    else:
        images, labels = _read_bundle(Path(where), split)
    # Freeze the memory's owner itself: a view can be made writable again whenever the
    # array owning its memory still is. (np.load hands out views of a private owner.)
    images = checks.lock(images.reshape(len(images), PIXELS))  # shared by every session: for good
    labels = checks.lock(labels.astype(np.int64))
    return images, labels


@functools.lru_cache(maxsize=4)
def _scaled(split: str, where: str, scale: str) -> np.ndarray:
    """All images of one split as float64 in ``scale``, computed once and shared (read-only).

    Scaling the 10,000 test images allocates 63 MB; doing it once per process instead of
    once per call keeps repeated evaluations quick. At most four such arrays are kept.
    """
    x = _decoded(split, where)[0] / 255.0
    if scale == "sigmoid":
        x = 0.01 + 0.99 * x
    x = checks.lock(x)
    return x


def _read_bundle(path: Path, split: str) -> tuple[np.ndarray, np.ndarray]:
    x_name, y_name = f"x_{split}", f"y_{split}"
    try:
        with np.load(path, allow_pickle=False) as z:
            if x_name not in z.files or y_name not in z.files:
                raise ValueError(f"{path} is not an MNIST bundle: it has no {x_name}/{y_name}")
            x, y = z[x_name], z[y_name]
    except ValueError:
        raise
    except Exception as err:  # a damaged zip or .npy: say which file
        raise ValueError(f"{path} cannot be read as an MNIST bundle: {err}") from None
    if x.dtype != np.uint8 or x.ndim not in (2, 3) or x.shape[1:] not in ((ROWS, COLS), (PIXELS,)):
        raise ValueError(f"{path}: {x_name} must be uint8 images of 28×28 pixels, got {x.dtype} {x.shape}")
    if y.ndim != 1 or y.dtype.kind not in "iu" or len(y) != len(x) or len(y) == 0:
        raise ValueError(f"{path}: {y_name} must be {len(x)} whole-number labels, got {y.dtype} {y.shape}")
    if y.min() < 0 or y.max() > 9:
        raise ValueError(f"{path}: {y_name} has labels outside 0..9")
    return x, y


def _read_idx_pair(folder: Path, split: str) -> tuple[np.ndarray, np.ndarray]:
    images_stem, labels_stem = IDX_FILES[split]
    images = _read_idx(_find(folder, images_stem), IMAGES_MAGIC)
    labels = _read_idx(_find(folder, labels_stem), LABELS_MAGIC)
    if len(images) != len(labels):
        raise ValueError(f"{folder}: {images_stem} has {len(images)} images but {labels_stem} has {len(labels)} labels")
    if labels.max() > 9:
        raise ValueError(f"{_find(folder, labels_stem)}: labels must be digits 0..9, found {labels.max()}")
    return images, labels


def _find(folder: Path, stem: str) -> Path:
    for name in (stem + ".gz", stem):
        if (folder / name).is_file():
            return folder / name
    raise ValueError(f"{folder} has no {stem}.gz or {stem} (the standard MNIST IDX file)")


def _read_idx(path: Path, magic: int) -> np.ndarray:
    """Read one IDX file, checking every byte of its header against its size.

    An IDX file is a 4-byte big-endian magic number (2051 for images, 2049 for labels), then
    one 4-byte big-endian size per dimension, then the bytes themselves.
    """
    data = path.read_bytes()
    if data[:2] == b"\x1f\x8b":  # gzip, whatever the file's name says
        try:
            data = gzip.decompress(data)
        except (OSError, EOFError, zlib.error) as err:
            raise ValueError(f"{path} is not a valid gzip file (truncated or damaged?): {err}") from None
    what = "images" if magic == IMAGES_MAGIC else "labels"
    ndim = 3 if magic == IMAGES_MAGIC else 1
    header = 4 + 4 * ndim
    if len(data) < header:
        raise ValueError(f"{path} is too short to be an IDX {what} file ({len(data)} bytes)")
    found = int.from_bytes(data[:4], "big")
    if found != magic:
        raise ValueError(f"{path} is not an IDX {what} file: its magic number is {found}, expected {magic}")
    dims = [int.from_bytes(data[4 + 4 * i: 8 + 4 * i], "big") for i in range(ndim)]
    if dims[0] == 0:
        raise ValueError(f"{path} holds no {what}")
    if ndim == 3 and dims[1:] != [ROWS, COLS]:
        raise ValueError(f"{path}: images must be {ROWS}×{COLS} pixels, the header says {dims[1]}×{dims[2]}")
    expected = header + int(np.prod(dims))
    if len(data) < expected:
        raise ValueError(f"{path} is truncated: the header promises {dims[0]} {what} ({expected} bytes), "
                         f"the file has {len(data)} bytes")
    if len(data) > expected:
        raise ValueError(f"{path} has {len(data) - expected} bytes more than its header describes")
    return np.frombuffer(data, dtype=np.uint8, offset=header).reshape(dims)
