"""A drawn digit becomes an MNIST-like image: cropped, averaged into 20×20, centred by mass."""

import numpy as np
import pytest

from gdviz.core import drawing, mnist


def canvas_with(rows: slice, cols: slice, size: int = 280) -> np.ndarray:
    rgba = np.zeros((size, size, 4), dtype=np.uint8)
    rgba[..., 3] = 255
    rgba[rows, cols, :3] = 255
    return rgba


def test_a_blank_canvas_is_no_digit():
    assert drawing.to_mnist(np.zeros((280, 280, 4), dtype=np.uint8)) is None


def test_a_stroke_is_scaled_to_fit_20_pixels_and_centred_by_mass():
    x = drawing.to_mnist(canvas_with(slice(40, 240), slice(100, 140))).reshape(28, 28)
    ink_rows = np.flatnonzero(x.any(axis=1))
    ink_cols = np.flatnonzero(x.any(axis=0))
    assert len(ink_rows) == 20 and len(ink_cols) == 4  # 200×40 px → 20×4, aspect kept
    ys, xs = np.indices(x.shape)
    assert (ys * x).sum() / x.sum() == pytest.approx(14, abs=0.5)
    assert (xs * x).sum() / x.sum() == pytest.approx(14, abs=0.5)
    assert x.max() == pytest.approx(1.0) and x.min() == 0.0
    assert not x.flags.writeable


def test_an_off_centre_drawing_lands_in_the_same_place():
    a = drawing.to_mnist(canvas_with(slice(0, 100), slice(0, 30)))
    b = drawing.to_mnist(canvas_with(slice(150, 250), slice(200, 230)))
    np.testing.assert_allclose(a, b)


def test_mnist_digits_survive_the_preparation():
    """MNIST images were made this way, so preparing one again changes it little."""
    images, _ = mnist.load("test", 50)
    for img in images:
        again = drawing.to_mnist((img.reshape(28, 28) * 255).astype(np.uint8))
        assert np.corrcoef(img, again)[0, 1] > 0.9


@pytest.mark.parametrize("bad", [np.zeros((5,)), np.zeros((4, 4, 2)), np.full((4, 4), np.nan), "x"])
def test_bad_canvases_are_refused_clearly(bad):
    with pytest.raises(ValueError, match="canvas"):
        drawing.to_mnist(bad)
