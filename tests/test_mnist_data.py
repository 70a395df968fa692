"""The bundled MNIST slice and its loader: provenance, the real labels, read-only sharing,
and IDX files (good, truncated, wrong) written here for the purpose."""

import gzip
import hashlib
import re
from pathlib import Path

import numpy as np
import pytest

from gdviz.core import mnist
from tests.fixtures import mnist_bundle_only  # noqa: F401 (autouse: the bundled MNIST only)

PROVENANCE = Path(mnist.BUNDLE).with_name("MNIST_PROVENANCE.md")


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


# ---- the bundle ------------------------------------------------------------------------------

def test_bundle_sha256_matches_provenance():
    text = PROVENANCE.read_text(encoding="utf-8")
    recorded = re.search(r"SHA-256 of `mnist.npz` itself: `([0-9a-f]{64})`", text).group(1)
    assert sha256(Path(mnist.BUNDLE).read_bytes()) == recorded


def test_array_sha256s_match_provenance():
    text = PROVENANCE.read_text(encoding="utf-8")
    with np.load(mnist.BUNDLE, allow_pickle=False) as z:
        assert sorted(z.files) == ["x_test", "x_train", "y_test", "y_train"]
        for name in z.files:
            recorded = re.search(rf"\| `{name}` \|.*\| `([0-9a-f]{{64}})` \|", text).group(1)
            assert sha256(np.ascontiguousarray(z[name]).tobytes()) == recorded, name


def test_first_ten_labels_are_mnists():
    assert mnist.load("train", 10)[1].tolist() == [5, 0, 4, 1, 9, 2, 1, 3, 1, 4]
    assert mnist.load("test", 10)[1].tolist() == [7, 2, 1, 0, 4, 1, 4, 9, 5, 9]


def test_test_set_class_counts_are_the_published_ones():
    labels = mnist.load("test")[1]
    assert np.bincount(labels, minlength=10).tolist() == [980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009]


def test_first_training_image_row():
    # Row 5 of the first training image (a 5), as every MNIST reader shows it.
    raw = mnist.image(mnist.load("train", 1, scale=None)[0][0])
    assert raw[5, 12:24].tolist() == [3, 18, 18, 18, 126, 136, 175, 26, 166, 255, 247, 127]


@pytest.mark.parametrize("split", ["train", "test"])
def test_shapes_dtypes_and_ranges(split):
    assert mnist.available(split) == 10_000
    raw, labels = mnist.load(split, scale=None)
    assert raw.shape == (10_000, 784) and raw.dtype == np.uint8
    assert labels.shape == (10_000,) and labels.dtype.kind == "i"
    assert raw.min() == 0 and raw.max() == 255
    assert set(np.unique(labels).tolist()) == set(range(10))

    x, _ = mnist.load(split, 100)
    assert x.shape == (100, 784) and x.dtype == np.float64
    assert x.min() == 0.0 and x.max() == 1.0
    np.testing.assert_array_equal(x, raw[:100] / 255.0)

    s, _ = mnist.load(split, 100, scale="sigmoid")
    assert s.min() == pytest.approx(0.01) and s.max() == pytest.approx(1.0)
    np.testing.assert_allclose(s, 0.01 + 0.99 * raw[:100] / 255.0, rtol=0, atol=1e-15)


def test_n_takes_the_first_images():
    x5, y5 = mnist.load("train", 5)
    x, y = mnist.load("train")
    np.testing.assert_array_equal(x5, x[:5])
    np.testing.assert_array_equal(y5, y[:5])


@pytest.mark.parametrize("n", [0, -1, 10_001, 2.5, True, "10"])
def test_bad_n_is_named(n):
    with pytest.raises(ValueError, match=r"\bn\b"):
        mnist.load("train", n)


def test_bad_split_and_scale_are_named():
    with pytest.raises(ValueError, match="split"):
        mnist.load("validation")
    with pytest.raises(ValueError, match="scale"):
        mnist.load("train", 5, scale="256")
    with pytest.raises(ValueError, match="does not exist"):
        mnist.load("train", 5, source="/no/such/folder")


# ---- read-only sharing -----------------------------------------------------------------------

@pytest.mark.parametrize("scale", ["255", "sigmoid", None])
def test_returned_arrays_are_read_only_and_shared_data_stay_intact(scale):
    x, y = mnist.load("train", 20, scale=scale)
    before_x, before_y = np.array(x), np.array(y)
    with pytest.raises(ValueError):
        x[0, 0] = 7
    with pytest.raises(ValueError):
        y[0] = 3
    with pytest.raises(ValueError):
        x.setflags(write=True)  # a view of read-only data cannot be made writable
    with pytest.raises(ValueError):
        x += 1
    x2, y2 = mnist.load("train", 20, scale=scale)
    np.testing.assert_array_equal(x2, before_x)
    np.testing.assert_array_equal(y2, before_y)


def test_a_copy_may_be_changed_without_touching_the_data():
    x, _ = mnist.load("test", 3)
    mine = np.array(x)
    mine[:] = 42
    assert mnist.load("test", 3)[0].max() <= 1.0


# ---- labels, as the MNIST networks check them ------------------------------------------------

def test_check_labels_takes_digits_and_whole_floats():
    labels = mnist.load("train", 50)[1]
    np.testing.assert_array_equal(mnist.check_labels(labels, 50), labels)
    got = mnist.check_labels([5.0, 0.0, 9.0], 3)
    assert got.dtype == np.int64 and got.tolist() == [5, 0, 9]


@pytest.mark.parametrize("bad", [[10], [-1], [1.5], [[1, 2]], ["a"]])
def test_check_labels_rejects_non_digits(bad):
    with pytest.raises(ValueError, match="labels"):
        mnist.check_labels(bad, len(bad))


# ---- IDX files -------------------------------------------------------------------------------

def idx_bytes(array: np.ndarray, magic: int) -> bytes:
    header = magic.to_bytes(4, "big") + b"".join(d.to_bytes(4, "big") for d in array.shape)
    return header + np.ascontiguousarray(array, dtype=np.uint8).tobytes()


def write_idx(folder: Path, split: str, images: np.ndarray, labels: np.ndarray, gz: bool = True):
    images_stem, labels_stem = mnist.IDX_FILES[split]
    for stem, data in ((images_stem, idx_bytes(images, 2051)), (labels_stem, idx_bytes(labels, 2049))):
        if gz:
            (folder / (stem + ".gz")).write_bytes(gzip.compress(data))
        else:
            (folder / stem).write_bytes(data)


def small_set(n=12, seed=0):
    rng = np.random.RandomState(seed)
    return rng.randint(0, 256, size=(n, 28, 28)).astype(np.uint8), rng.randint(0, 10, size=n).astype(np.uint8)


@pytest.mark.parametrize("gz", [True, False])
def test_idx_files_load(tmp_path, gz):
    images, labels = small_set()
    write_idx(tmp_path, "test", images, labels, gz=gz)
    raw, y = mnist.load("test", source=tmp_path, scale=None)
    np.testing.assert_array_equal(raw, images.reshape(12, 784))
    np.testing.assert_array_equal(y, labels)
    x, _ = mnist.load("test", 5, source=tmp_path)
    np.testing.assert_array_equal(x, images[:5].reshape(5, 784) / 255.0)
    assert not x.flags.writeable and not y.flags.writeable
    assert mnist.available("test", source=tmp_path) == 12


def test_idx_files_of_real_images_give_the_bundle_back(tmp_path):
    raw, labels = mnist.load("train", 30, scale=None)
    write_idx(tmp_path, "train", raw.reshape(30, 28, 28), labels)
    np.testing.assert_array_equal(mnist.load("train", source=tmp_path)[0], mnist.load("train", 30)[0])


def test_environment_variable_points_at_idx_files(tmp_path, monkeypatch):
    images, labels = small_set(7, seed=1)
    write_idx(tmp_path, "train", images, labels)
    monkeypatch.setenv(mnist.ENV, str(tmp_path))
    assert mnist.load("train")[1].tolist() == labels.tolist()
    with pytest.raises(ValueError, match=r"n must be at most 7"):
        mnist.load("train", 8)
    with pytest.raises(ValueError, match="t10k-images-idx3-ubyte"):  # no test files there
        mnist.load("test")


@pytest.mark.parametrize("gz, name, cut, match", [
    (False, "t10k-images-idx3-ubyte", 100, r"t10k-images-idx3-ubyte.*truncated"),  # a plain idx file
    (True, "t10k-labels-idx1-ubyte.gz", 10, r"t10k-labels-idx1-ubyte\.gz"),  # a gzip cut short
])
def test_a_truncated_file_is_named(tmp_path, gz, name, cut, match):
    images, labels = small_set()
    write_idx(tmp_path, "test", images, labels, gz=gz)
    path = tmp_path / name
    path.write_bytes(path.read_bytes()[:-cut])
    with pytest.raises(ValueError, match=match):
        mnist.load("test", source=tmp_path)


def test_wrong_magic_is_named(tmp_path):
    images, labels = small_set()
    write_idx(tmp_path, "test", images, labels, gz=False)
    # the labels file where the images file should be: magic 2049, not 2051
    (tmp_path / "t10k-images-idx3-ubyte").write_bytes(idx_bytes(labels, 2049))
    with pytest.raises(ValueError, match=r"t10k-images-idx3-ubyte.*magic number is 2049, expected 2051"):
        mnist.load("test", source=tmp_path)


@pytest.mark.parametrize("problem, message", [
    ("extra bytes", "more than its header"),
    ("label 10", "0..9"),
    ("fewer labels", "11 labels"),
    ("wrong size", "28×28"),
    ("tiny", "too short"),
])
def test_other_broken_idx_files_are_refused(tmp_path, problem, message):
    images, labels = small_set()
    if problem == "label 10":
        labels[3] = 10
    if problem == "fewer labels":
        labels = labels[:11]
    write_idx(tmp_path, "test", images, labels, gz=False)
    path = tmp_path / "t10k-images-idx3-ubyte"
    if problem == "extra bytes":
        path.write_bytes(path.read_bytes() + b"\0")
    if problem == "wrong size":
        path.write_bytes(idx_bytes(np.zeros((12, 27, 29), np.uint8), 2051))
    if problem == "tiny":
        path.write_bytes(b"\0\0\x08")
    with pytest.raises(ValueError, match=message):
        mnist.load("test", source=tmp_path)


def test_damaged_bundle_is_named(tmp_path):
    bad = tmp_path / "broken.npz"
    bad.write_bytes(Path(mnist.BUNDLE).read_bytes()[:5000])
    with pytest.raises(ValueError, match="broken.npz"):
        mnist.load("test", source=bad)
