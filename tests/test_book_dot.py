"""book_dot.dot: the book's order of additions, the same on every CPU."""

import numpy as np
import pytest

from gdviz.core import book_dot


def _left_to_right(a, b):
    total = 0.0
    for x, y in zip(a, b):
        total = total + x * y
    return total


def test_equals_a_plain_python_sum_from_the_left_bit_for_bit():
    rng = np.random.default_rng(3)
    a = rng.normal(size=(5, 19))
    b = rng.normal(size=(19, 4))
    got = book_dot.dot(a, b)
    for i in range(5):
        for j in range(4):
            assert got[i, j] == _left_to_right(a[i], b[:, j])
    v = rng.normal(size=19)
    assert [float(x) for x in book_dot.dot(a, v)] == [_left_to_right(row, v) for row in a]
    assert float(book_dot.dot(a[0], v)) == _left_to_right(a[0], v)
    np.testing.assert_allclose(got, a @ b, rtol=1e-13, atol=1e-15)


def test_no_fused_multiply_add():
    # a*b rounded is 1 + 2**-29; fused with the -1 before it, it would keep the 2**-60.
    a = 1 + 2.0**-30
    assert float(book_dot.dot(np.array([1.0, a]), np.array([-1.0, a]))) == 2.0**-29


def test_shapes_that_do_not_fit_are_refused():
    with pytest.raises(ValueError, match="do not fit"):
        book_dot.dot(np.ones((2, 3)), np.ones((4, 1)))
    with pytest.raises(ValueError, match="do not fit"):
        book_dot.dot(np.ones(3), np.ones((3, 2, 2)))
