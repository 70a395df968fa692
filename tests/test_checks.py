"""gdviz.core.checks: the guards every run and every public function relies on."""

import math

import numpy as np
import pytest

from gdviz.core import checks


@pytest.mark.parametrize("bad", [float("inf"), -float("inf"), float("nan"), np.float64("nan"),
                                 np.array([1.0, np.inf]), [1.0, float("nan")], (0.0, -math.inf),
                                 {"inner": float("nan")}, np.array([[np.nan]]), np.float32("inf"),
                                 np.array([1.0] * 40 + [np.inf]), np.array([[0.0, -np.inf]] * 16),
                                 np.array([np.nan], dtype=np.float32), np.array([1 + 0j, complex(np.inf, 0)])])
def test_all_finite_finds_every_kind_of_overflow(bad):
    assert not checks.all_finite({"x": 1.0, "bad": bad})


def test_all_finite_accepts_big_but_finite_numbers_and_non_numbers():
    assert checks.all_finite({"a": 1e308, "b": -1e308, "c": np.array([1e308]), "d": None, "e": "text",
                              "f": True, "g": 7, "h": np.int64(3), "i": (1.0, 2.0), "j": np.array(["x"])})


def test_number_and_count_name_the_parameter():
    with pytest.raises(ValueError, match="alpha"):
        checks.number("alpha", "abc")
    with pytest.raises(ValueError, match="alpha"):
        checks.number("alpha", float("nan"))
    with pytest.raises(ValueError, match="iterations"):
        checks.count("iterations", 0, lo=1)


def test_shaped_names_the_parameter_and_lets_a_diverged_array_through():
    with pytest.raises(ValueError, match=r"^weights_0_1 must be 784×hidden_size, got shape 3×2$"):
        checks.shaped("weights_0_1", np.zeros((3, 2)), (784, None), "784×hidden_size")
    with pytest.raises(ValueError, match=r"^image must be numbers \(784 pixels\)$"):
        checks.shaped("image", ["a"], (None,), "784 pixels")
    w = np.array([[np.inf, 1.0]])
    assert checks.shaped("w", w, (1, 2), "1×2") is w  # not copied, not checked for inf


def test_frozen_shares_what_nobody_can_change_and_copies_the_rest():
    owner = np.arange(6.0)
    owner.setflags(write=False)
    view = owner[1:]
    assert not checks.immutable(view)  # the owner's write flag can be switched back on
    locked = checks.frozen(view)
    owner.setflags(write=True)
    owner[1] = 99.0
    assert locked[0] == 1.0 and checks.immutable(locked)
    with pytest.raises(ValueError):
        locked.setflags(write=True)
    shared = np.frombuffer(b"\x00" * 16)  # read-only, backed by bytes (like the loader's arrays)
    assert checks.frozen(shared) is shared

    writable = np.arange(3.0)
    peek = writable[:]
    peek.setflags(write=False)  # read-only, but changes whenever `writable` does
    kept = []
    for a in (writable, peek):
        assert not checks.immutable(a)
        f = checks.frozen(a)
        assert f is not a and not f.flags.writeable and np.array_equal(f, a)
        kept.append(f)
    writable[0] = 9.0
    assert [f[0] for f in kept] == [0.0, 0.0]  # the frozen copies did not follow
