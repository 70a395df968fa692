"""One number formatter (experiments.formatting.num) behind the labels and the arithmetic panels."""

from gdviz.experiments.base import fmt, fmt_value
from gdviz.experiments.formatting import num
from gdviz.figures import theme


def test_the_three_spellings_of_a_number():
    # labels: true minus signs everywhere; arithmetic: the sign bracketed, the exponent's sign as typed
    assert theme.num(-1.5e-05) == num(-1.5e-05) == "−1.5e−05"
    assert fmt(-1.5e-05) == "(−1.5e-05)" and fmt_value(-1.5e-05) == "−1.5e-05"
    assert fmt(0.123456789) == fmt_value(0.123456789) == theme.num(0.123456789) == "0.123457"
    assert fmt(-0.0) == "(−0)" and theme.num(-0.0) == "−0"
    assert fmt(float("-inf")) == "(−inf)" and fmt_value(float("-inf")) == theme.num(float("-inf")) == "−inf"
    assert fmt(float("nan")) == theme.num(float("nan")) == "nan" and theme.num(None) == "—"
    assert theme.num(2 / 3, 3) == "0.667" and fmt(-2 / 3, 3) == "(−0.667)"


def test_remembered_texts_keep_minus_zero_and_nan_apart():
    """num remembers texts by value: -0.0 == 0.0 as keys, nan never equals itself; each still prints right."""
    from gdviz.experiments.formatting import num

    assert [num(0.0), num(-0.0), num(0.0), num(-0.0)] == ["0", "−0", "0", "−0"]
    assert [num(float("nan")), num(float("nan"))] == ["nan", "nan"]
    assert [num(-2.5, 3, bracket_negative=True), num(-2.5, 3)] == ["(−2.5)", "−2.5"]
