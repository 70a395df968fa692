"""Part A: one weight (chapter 4) — hot and cold, gradient descent, divergence and alpha."""

from __future__ import annotations

from gdviz.core import one_weight as ow
from gdviz.core.run import run
from gdviz.experiments import register
from gdviz.experiments.base import Experiment, Line, Param, diverged_line, fmt, fmt_value
from gdviz.experiments.formatting import RecordTexts, Texts

BIG = 1e6  # what the CLI accepts for weight/input/goal_pred; pages offer less

#: The alpha values the pages offer: several orders of magnitude, zero and negatives.
ALPHA_CHOICES = (-1.0, -0.1, -0.01, 0.0, 0.001, 0.003, 0.01, 0.03, 0.1, 0.2, 0.3, 0.5,
                 0.75, 1.0, 1.5, 2.0, 3.0, 5.0, 10.0)
STEP_CHOICES = (0.0001, 0.001, 0.003, 0.01, 0.03, 0.1, 0.2, 0.3, 0.5, 1.0, 2.0, 5.0, 10.0)

WEIGHT = Param("weight", "weight (start)", 0.5, lo=-BIG, hi=BIG, ui=(-3.0, 3.0, 0.05),
               help="The weight the run starts from.")
INPUT = Param("input", "input", 0.5, lo=-BIG, hi=BIG, ui=(-3.0, 3.0, 0.05),
              help="The one input. 0 stops learning; a negative input reverses the direction; "
                   "a big input makes big steps.")
GOAL = Param("goal_pred", "goal_pred", 0.8, lo=-BIG, hi=BIG, ui=(-2.0, 2.0, 0.05),
             help="The prediction we want (the book's goal_pred).")
ALPHA = Param("alpha", "alpha (learning rate)", 1.0, lo=-BIG, hi=BIG,
              help="Each step moves the weight by alpha × weight_delta.", steps=ALPHA_CHOICES)
STEP_AMOUNT = Param("step_amount", "step_amount", 0.001, lo=0.0, hi=BIG,
                    help="How far hot and cold moves the weight each time, whatever the error.",
                    steps=STEP_CHOICES)


def simulate_gd(s, iterations):
    state = ow.OneWeight(s["weight"], s["input"], s["goal_pred"], s["alpha"])
    return run(ow.gd_step, state, iterations)


def simulate_hot_cold(s, iterations):
    state = ow.HotCold(s["weight"], s["input"], s["goal_pred"], s["step_amount"])
    return run(ow.hot_cold_step, state, iterations)


def _columns(many, names):
    return [[s[n] for s in many] for n in names]


def simulate_gd_many(many, iterations):
    return ow.gd_many(*_columns(many, ("weight", "input", "goal_pred", "alpha")), iterations)


def simulate_hot_cold_many(many, iterations):
    return ow.hot_cold_many(*_columns(many, ("weight", "input", "goal_pred", "step_amount")), iterations)


def log_error_prediction(result, settings):
    for r in result.records:
        yield f"Error:{r['error']} Prediction:{r['pred']}"
    if result.diverged_at:
        yield diverged_line(result)


def log_several_steps(result, settings):
    for r in result.records:
        yield "-----"
        yield f"Weight:{r['weight']}"
        yield f"Error:{r['error']} Prediction:{r['pred']}"
        yield f"Delta:{r['delta']} Weight Delta:{r['weight_delta']}"
    if result.diverged_at:
        yield diverged_line(result)


def _gd(name, title, lesson, summary, button, iterations, log=log_error_prediction, **defaults):
    return Experiment(name, title, lesson, summary, (WEIGHT, INPUT, GOAL, ALPHA), iterations,
                      simulate_gd, log, defaults=defaults, button=button, simulate_many=simulate_gd_many)


def _hc(name, title, summary, button, iterations, **defaults):
    return Experiment(name, title, "A1", summary, (WEIGHT, INPUT, GOAL, STEP_AMOUNT), iterations,
                      simulate_hot_cold, log_error_prediction, defaults=defaults, button=button,
                      simulate_many=simulate_hot_cold_many)


register(
    _hc("hot-cold", "Hot and cold learning", "Probe above and below, step 0.001 toward the lower error.",
        "Book: step 0.001, 1101 iterations", 1101),
    _hc("hot-cold-overshoot", "Hot and cold with a big step",
        "step_amount 0.2: it jumps back and forth around 0.8 and never settles.",
        "step 0.2: never settles", 40, step_amount=0.2),
    _hc("hot-cold-stuck", "Hot and cold with a huge step",
        "step_amount 10: it alternates between 0.25 and 5.25 for ever.",
        "step 10: hopeless", 20, step_amount=10.0),
    _gd("gradient-descent", "Learning is reducing error", "A2",
        "weight 0.5, input 0.5, goal_pred 0.8, alpha 1: the error falls every iteration.",
        "Book: input 0.5, alpha 1", 20),
    _gd("several-steps", "Several steps of learning", "A2",
        "weight 0, input 1.1: a big first step overshoots, then it comes back, less each time.",
        "Book: weight 0, input 1.1", 4, log=log_several_steps, weight=0.0, input=1.1),
    _gd("stopping", "Input 0 stops learning", "A2",
        "With input 0 the prediction is 0 whatever the weight: weight_delta is 0 and nothing moves.",
        "Stopping: input 0", 20, input=0.0),
    _gd("negative-reversal", "A negative input reverses the direction", "A2",
        "With input −0.5 the weight must go down to raise the prediction, and weight_delta says so.",
        "Negative reversal: input −0.5", 20, input=-0.5),
    _gd("scaling", "A big input makes a big step", "A2",
        "With input 1.3 every step is scaled up by the input: it overshoots and swings.",
        "Scaling: input 1.3", 20, input=1.3),
    _gd("divergence", "Divergence", "A3",
        "input 2, alpha 1: each step overshoots further up the far wall; the error explodes.",
        "Book: input 2, alpha 1", 20, input=2.0),
    _gd("alpha", "Alpha fixes it", "A3",
        "The same start with alpha 0.1 walks calmly down the bowl.",
        "Book: input 2, alpha 0.1", 20, input=2.0, alpha=0.1),
)


def gd_arithmetic(r) -> list[Line]:
    """predict -> compare -> learn for one gradient-descent record, numbers put in."""
    return [
        Line("predict", "pred", "input × weight", f"{fmt(r['input'])} × {fmt(r['weight'])}", fmt_value(r["pred"])),
        Line("compare", "error", "(pred − goal_pred)²", f"({fmt(r['pred'])} − {fmt(r['goal_pred'])})²",
             fmt_value(r["error"])),
        Line("compare", "delta", "pred − goal_pred", f"{fmt(r['pred'])} − {fmt(r['goal_pred'])}", fmt_value(r["delta"])),
        Line("learn", "weight_delta", "delta × input", f"{fmt(r['delta'])} × {fmt(r['input'])}",
             fmt_value(r["weight_delta"])),
        Line("learn", "weight", "weight − alpha × weight_delta",
             f"{fmt(r['weight'])} − {fmt(r['alpha'])} × {fmt(r['weight_delta'])}", fmt_value(r["new_weight"])),
    ]


_HC_MOVE = {"up": "weight + step_amount", "down": "weight − step_amount", "stay": "weight (a tie: no move)"}
_HC_SIGN = {"up": "+", "down": "−", "stay": "+ 0 ×"}


def hot_cold_arithmetic(r, texts: Texts | None = None) -> list[Line]:
    """The three predictions of hot and cold and the move they decide. ``texts``: a
    :class:`~gdviz.experiments.formatting.Texts` shared by a run's calls (the same text)."""
    return [Line(*row) for row in hot_cold_rows(r, texts)]


def hot_cold_rows(r, texts: Texts | None = None, batch=None) -> list[list[str]]:
    """:func:`hot_cold_arithmetic` as ``[phase, name, formula, numbers, value]`` rows (what the
    lesson instrument sends; no :class:`Line` made per row). ``batch``: ``(record_texts, k)``, the
    record's numbers already written as the ``k``-th of a
    :class:`~gdviz.experiments.formatting.RecordTexts` (default: written here)."""
    ex, k = batch or (RecordTexts([r]), 0)

    def f(name):
        return ex.get(name, 6, bracket_negative=True, ascii_exponent=True)[k][0]

    def v(name):
        return ex.get(name, 6, ascii_exponent=True)[k][0]

    x, w, step, goal = f("input"), f("weight"), f("step_amount"), f("goal_pred")
    pred, up, down = f("pred"), f("up_pred"), f("down_pred")
    return [
        ["predict", "pred", "input × weight", f"{x} × {w}", v("pred")],
        ["compare", "error", "(pred − goal_pred)²", f"({pred} − {goal})²", v("error")],
        ["predict", "up_pred", "input × (weight + step_amount)", f"{x} × ({w} + {step})", v("up_pred")],
        ["compare", "up_error", "(goal_pred − up_pred)²", f"({goal} − {up})²", v("up_error")],
        ["predict", "down_pred", "input × (weight − step_amount)", f"{x} × ({w} − {step})", v("down_pred")],
        ["compare", "down_error", "(goal_pred − down_pred)²", f"({goal} − {down})²", v("down_error")],
        ["learn", "weight", _HC_MOVE[r["move"]], f"{w} {_HC_SIGN[r['move']]} {step}", v("new_weight")],
    ]


def iterations_param(default: int, most: int) -> Param:
    """How many iterations a page's run has (the timeline's length), at most ``most``."""
    return Param("iterations", "iterations", int(default), kind="int", lo=1, hi=most, ui=(1, most, 1),
                 help=f"The length of the run (at most {most}).")


#: A3's second alpha, compared with the first on the same start.
COMPARE_ALPHA = Param("compare_alpha", "compare with alpha", 0.1, lo=-BIG, hi=BIG, steps=ALPHA_CHOICES,
                      help="A second run from the same start with this alpha, drawn beside the first.")


def pair_settings(s) -> tuple[dict, dict]:
    """A3's settings (with ``compare_alpha``) as the two runs' settings."""
    base = {k: s[k] for k in ("weight", "input", "goal_pred", "alpha")}
    return base, {**base, "alpha": s["compare_alpha"]}
