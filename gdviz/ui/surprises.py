"""Where the book's code surprises readers: four short notes a lesson page can open.

Readers of the book keep tripping over the same four spots in its code. Each note says what the
code does, why it still works (or where it does not), and, when the page passes them, shows the
page's own numbers. :func:`text` is pure (Markdown, testable without Streamlit); :func:`show`
draws it in a closed expander.

Topics and the live numbers each one reads (all optional; without them the note is general):

* ``"relu2deriv"`` — the slope of relu taken from the layer's output, not its input.
  ``weighted_sum`` (the hidden layer's inputs) and ``layer_1`` (its outputs), same length.
* ``"relu_threshold"`` — ``>=`` in chapter 8 against ``>`` in chapter 6.
  ``layer_1`` (one image's hidden outputs) and ``relu_deriv`` (``"book"`` or ``"strict"``).
* ``"weight_deltas"`` — a name used before it exists in chapter 5's first learning cell.
  ``input``, ``delta`` (a number) and ``weight_deltas``.
* ``"outer_prod"`` — the argument order of ``outer_prod``.
  ``input`` and ``delta`` (one per output).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import streamlit as st

from gdviz.figures.theme import num

TITLES = {
    "relu2deriv": "Where the book's code surprises readers: relu2deriv is asked about the output",
    "relu_threshold": "Where the book's code surprises readers: >= in chapter 8, > in chapter 6",
    "weight_deltas": "Where the book's code surprises readers: weight_deltas before it exists",
    "outer_prod": "Where the book's code surprises readers: the order of outer_prod's arguments",
}
TOPICS = tuple(TITLES)


def _vec(values: Sequence, digits: int = 3) -> str:
    return "[" + ", ".join(num(float(v), digits) for v in values) + "]"


def _flags(values: Sequence) -> str:
    return "[" + ", ".join("1" if v else "0" for v in values) + "]"


def _relu2deriv(live: Mapping) -> str:
    out = ("To send blame back through the hidden layer the code needs relu's slope at every hidden "
           "unit: 1 where the unit was on, 0 where it was off. The book computes it from `layer_1`, "
           "the relu's *output*, not from the weighted sum that went *into* the relu. For relu that "
           "gives the same answer: an output is above 0 exactly when its input was above 0, and every "
           "negative input comes out as 0. So `output > 0` marks the same units as `input > 0`, and "
           "the update is the true gradient. The shortcut is special to relu (and to sigmoid, whose "
           "slope can also be written from its output); for most functions the slope needs the input.")
    ws, l1 = live.get("weighted_sum"), live.get("layer_1")
    if ws is not None and l1 is not None:
        ws, l1 = [float(v) for v in ws], [float(v) for v in l1]
        from_out = [v > 0 for v in l1]
        from_in = [v > 0 for v in ws]
        same = "the same" if from_out == from_in else "**not** the same"
        out += (f"\n\nHere: the weighted sums are {_vec(ws)}, relu makes them {_vec(l1)}. The slope read "
                f"from the output is {_flags(from_out)}, read from the input {_flags(from_in)}: {same}.")
    return out


def _relu_threshold(live: Mapping) -> str:
    out = ("Chapter 6 writes relu and its slope with `>`; chapter 8 writes both with `>=`. For relu "
           "itself that changes nothing: at exactly 0 both give 0. For the slope it changes a lot. The "
           "slope is asked about relu's output, and an output is never below 0, so `output >= 0` is "
           "true for *every* hidden unit. The \"slope\" is then 1 everywhere, and blame flows back "
           "through switched-off units as if they were on: their incoming weights keep changing on "
           "images where they took no part. The network still learns (the output layer's update is "
           "unchanged; the hidden weights move as if an off unit were a plain weighted sum), and "
           "chapter 8's printed numbers come from exactly this. The true slope is `output > 0` (on D1: "
           "**relu2deriv = strict**).")
    l1 = live.get("layer_1")
    if l1 is not None:
        l1 = [float(v) for v in l1]
        off = sum(v <= 0 for v in l1)
        mode = live.get("relu_deriv")
        out += (f"\n\nHere: {off} of the {len(l1)} hidden units are off (output 0). "
                f"With `>=` all {len(l1)} pass blame back; with `>` only the {len(l1) - off} that are on.")
        if mode in ("book", "strict"):
            out += (" This run uses " + ("the book's `>=`." if mode == "book" else "the strict `>`."))
    return out


def _weight_deltas(live: Mapping) -> str:
    out = ("In chapter 5's first program with several inputs, the update loop reads `weight_deltas`, "
           "but no line of that program makes it: the helper that would (an elementwise multiply of a "
           "number by a list) is defined and never called. Typed in as printed, the program stops with "
           "a NameError; the next program, with several steps, adds the missing call. What is meant is "
           "one number per weight: the shared `delta` times that weight's own input, "
           "`weight_deltas[i] = delta × input[i]`. This page computes exactly that.")
    inp, delta, wd = live.get("input"), live.get("delta"), live.get("weight_deltas")
    if inp is not None and delta is not None:
        inp = [float(v) for v in inp]
        wd = [float(delta) * v for v in inp] if wd is None else [float(v) for v in wd]
        out += (f"\n\nHere: `delta` = {num(float(delta), 4)}, `input` = {_vec(inp)}, so "
                f"`weight_deltas` = {_vec(wd, 4)}.")
    return out


def _outer_prod(live: Mapping) -> str:
    out = ("`outer_prod(a, b)` builds a table with one row per entry of `a` and one column per entry "
           "of `b`, each cell the product of its row's and column's entries. The weights are stored "
           "one row per *output* and one column per *input*, so the table of weight_deltas that "
           "matches them is `outer_prod(delta, input)`. The printed book calls `outer_prod(input, delta)` "
           "(its notebooks were corrected later), "
           "which is the same table turned on its side: with three inputs and three outputs the "
           "shapes still fit, so nothing complains, but each weight is moved by another weight's "
           "weight_delta. This page uses the matching order (each weight: its output's delta times "
           "its input).")
    inp, delta = live.get("input"), live.get("delta")
    if inp is not None and delta is not None:
        inp, delta = _floats(inp), _floats(delta)  # one input (B3's first network) is a single number
        right = [[d * x for x in inp] for d in delta]
        swapped = [[x * d for d in delta] for x in inp]
        out += ("\n\nHere, row by row (one row per output):\n\n"
                "| | matching order: `outer_prod(delta, input)` | book's order: `outer_prod(input, delta)` |\n"
                "|---|---|---|\n")
        rows = max(len(right), len(swapped))
        for i in range(rows):
            a = _vec(right[i], 4) if i < len(right) else ""
            b = _vec(swapped[i], 4) if i < len(swapped) else ""
            out += f"| row {i} | {a} | {b} |\n"
        if len(inp) != len(delta):
            out += ("\nWith a different number of inputs and outputs the book's order would not even "
                    "have the weights' shape.")
    return out


_TEXTS = {"relu2deriv": _relu2deriv, "relu_threshold": _relu_threshold,
          "weight_deltas": _weight_deltas, "outer_prod": _outer_prod}


def _floats(v) -> list[float]:
    return [float(v)] if isinstance(v, (int, float)) else [float(x) for x in v]


def text(topic: str, live_numbers: Mapping | None = None) -> str:
    """The note for ``topic`` as Markdown, with the page's ``live_numbers`` where given."""
    if topic not in _TEXTS:
        raise ValueError(f"topic must be one of {', '.join(TOPICS)}, got {topic!r}")
    return _TEXTS[topic](live_numbers or {})


def show(topic: str, live_numbers: Mapping | None = None, *, expanded: bool = False) -> None:
    """Draw the note for ``topic`` in an expander (closed unless ``expanded``)."""
    body = text(topic, live_numbers)
    with st.expander(TITLES[topic], expanded=expanded):
        st.markdown(body)
