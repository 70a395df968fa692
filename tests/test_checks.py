"""gdviz.core.checks: the guards every run and every public function relies on."""

import math

import numpy as np
import pytest

from gdviz.core import checks


@pytest.mark.parametrize("bad", [float("inf"), -float("inf"), float("nan"), np.float64("nan"),
                                 np.array([1.0, np.inf]), [1.0, float("nan")], (0.0, -math.inf),
                                 {"inner": float("nan")}, np.array([[np.nan]]), np.float32("inf")])
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
