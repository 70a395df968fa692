"""frozen.replace_unchecked: the one way a step copies its frozen state."""

import dataclasses
import math

import numpy as np
import pytest

from gdviz.core import mnist
from gdviz.core import one_weight as ow
from gdviz.core import single_layer as sl
from gdviz.core.frozen import replace_unchecked


def test_the_copy_changes_only_what_it_is_told_and_leaves_the_state_alone():
    s = ow.OneWeight(0.5, 2.0, 0.8, 0.1)
    new = replace_unchecked(s, weight=0.25)
    assert type(new) is ow.OneWeight and new is not s
    assert (new.weight, new.input, new.goal_pred, new.alpha) == (0.25, 2.0, 0.8, 0.1)
    assert s.weight == 0.5  # the original is untouched
    with pytest.raises(dataclasses.FrozenInstanceError):
        new.weight = 1.0  # still frozen


def test_values_a_fresh_state_refuses_are_let_through():
    s = ow.OneWeight(0.5, 2.0, 0.8, 0.1)
    with pytest.raises(ValueError, match="weight"):
        ow.OneWeight(math.inf, 2.0, 0.8, 0.1)
    assert replace_unchecked(s, weight=math.inf).weight == math.inf  # a diverged step must be shown


def test_arrays_and_caches_are_shared_not_copied():
    x, y = mnist.load("train", 130)
    s = sl.SingleLayer(sl.init_weights(), x, y, 0.001)
    after_pass, _ = sl.pass_step(s)  # makes the Gram-block cache
    again = replace_unchecked(after_pass, index=0)
    assert again.images is s.images and again._blocks is after_pass._blocks and again._blocks
    np.testing.assert_array_equal(again.weights, after_pass.weights)


def test_a_name_that_is_not_a_field_is_an_error():
    s = ow.OneWeight(0.5, 2.0, 0.8, 0.1)
    with pytest.raises(TypeError, match="OneWeight has no field wieght"):
        replace_unchecked(s, wieght=0.3)


def test_steps_go_on_from_a_copy_exactly_as_from_a_checked_state():
    s = ow.OneWeight(0.5, 2.0, 0.8, 0.1)
    copy, _ = ow.gd_step(s)
    fresh = ow.OneWeight(copy.weight, 2.0, 0.8, 0.1)
    assert ow.gd_step(copy)[1] == ow.gd_step(fresh)[1]
