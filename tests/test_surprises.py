"""The notes on where the book's code surprises readers: each topic's text, with the page's numbers."""

import pytest

from gdviz.ui import surprises


def test_every_topic_has_a_title_and_a_general_text():
    assert set(surprises.TOPICS) == {"relu2deriv", "relu_threshold", "weight_deltas", "outer_prod"}
    for topic in surprises.TOPICS:
        assert surprises.TITLES[topic].startswith("Where the book's code surprises readers")
        assert len(surprises.text(topic)) > 200


def test_relu2deriv_compares_the_mask_from_output_and_input():
    same = surprises.text("relu2deriv", {"weighted_sum": [-0.3, 0.5, 0.0, 1.2], "layer_1": [0.0, 0.5, 0.0, 1.2]})
    assert "[0, 1, 0, 1], read from the input [0, 1, 0, 1]: the same" in same
    # a linear hidden layer (C3's "linear" switch): the output is the input, the masks still agree
    differ = surprises.text("relu2deriv", {"weighted_sum": [-0.3, 0.5], "layer_1": [0.2, 0.5]})
    assert "[1, 1], read from the input [0, 1]: **not** the same" in differ


def test_threshold_counts_the_units_that_pass_blame():
    t = surprises.text("relu_threshold", {"layer_1": [0.0, 0.7, -0.0, 0.0, 2.5], "relu_deriv": "book"})
    assert "3 of the 5 hidden units are off" in t
    assert "all 5 pass blame back; with `>` only the 2 that are on" in t and "the book's `>=`" in t
    assert "strict `>`" in surprises.text("relu_threshold", {"layer_1": [1.0], "relu_deriv": "strict"})


def test_weight_deltas_shows_delta_times_each_input():
    t = surprises.text("weight_deltas", {"input": [8.5, 0.65, 1.2], "delta": -0.14})
    assert "`weight_deltas` = [−1.19, −0.091, −0.168]" in t


def test_outer_prod_shows_both_orders_row_by_row():
    t = surprises.text("outer_prod", {"input": [2.0, 3.0], "delta": [1.0, -1.0, 0.5]})
    assert "| row 0 | [2, 3] | [2, −2, 1] |" in t  # one row per output / the book's row per input
    assert "| row 2 | [1, 1.5] |  |" in t
    assert "would not even" in t  # 2 inputs, 3 outputs: the book's order has the wrong shape


def test_unknown_topic_is_named():
    with pytest.raises(ValueError, match="topic must be one of"):
        surprises.text("relu")


def test_outer_prod_note_takes_one_input_as_a_number():
    """B3's first network has one input: its record holds a number, not a list."""
    from gdviz.ui import surprises  # noqa: PLC0415

    body = surprises.text("outer_prod", {"input": 0.65, "delta": [0.1, -0.2, 0.3]})
    assert "0.065" in body or "0.0650" in body
