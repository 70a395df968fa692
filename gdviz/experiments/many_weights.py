"""Part B: many weights (chapter 5) — many inputs, freezing, many outputs, both.

Every experiment takes the same kinds of settings: ``alpha``, ``weights``, ``input``,
``true``, ``frozen`` (weight numbers, counted row by row, e.g. ``--set frozen=0,2``) and
``unfreeze_at`` (after that many iterations every weight learns; 0 = never). For
``multi-in-out`` the weights are given flat, row by row: one row per output (hurt?, win?,
sad?), one column per input (toes, wlrec, nfans).
"""

from __future__ import annotations

import numpy as np

from gdviz.core import many_weights as mw
from gdviz.core.run import MAX_ITERATIONS, run
from gdviz.experiments import register
from gdviz.experiments.base import Experiment, Line, Param, diverged_line, fmt, fmt_value

BIG = 1e6  # what the CLI accepts for any number; pages offer the smaller ui ranges

#: The alpha values the pages' sliders offer (the book's 0.01, 0.1 and 0.3 among them).
ALPHA_STEPS = (0.001, 0.003, 0.01, 0.02, 0.03, 0.05, 0.1, 0.2, 0.3, 0.5, 1.0)
ALPHA = Param("alpha", "alpha (learning rate)", 0.01, lo=-BIG, hi=BIG, ui=(0.0, 1.0, 0.001),
              help="Every weight moves by alpha × its weight_delta.", steps=ALPHA_STEPS)
UNFREEZE_AT = Param("unfreeze_at", "unfreeze every weight after iteration", 0, kind="int", lo=0, hi=MAX_ITERATIONS,
                    ui=(0, 100, 1), help="After this many iterations every weight learns again; 0 means never.")


def _frozen(n: int) -> Param:
    return Param("frozen", "frozen weights", (), kind="ints", lo=0, hi=mw.MAX_WEIGHTS - 1, ui=(0, n - 1, 1),
                 help="The weights that do not learn (numbered from 0, row by row): weight_delta 0.")


def _floats(name, label, default, ui, help):
    return Param(name, label, default, kind="floats", lo=-BIG, hi=BIG, ui=ui, help=help)


# Many inputs, one output (B1, B2): a game's toes, win/loss record and fans -> win?
IN_WEIGHTS = _floats("weights", "weights (start: a, b, c)", (0.1, 0.2, -0.1), (-2.0, 2.0, 0.01),
                     "One weight per input, where the run starts.")
IN_INPUT = _floats("input", "input (toes, wlrec, nfans)", (8.5, 0.65, 1.2), (-10.0, 10.0, 0.05),
                   "The inputs of the first game: average toes, win/loss record, fans (millions).")
IN_TRUE = Param("true", "true", 1.0, lo=-BIG, hi=BIG, ui=(-2.0, 2.0, 0.05),
                help="What happened: 1 = the team won.")
IN_PARAMS = (ALPHA, IN_WEIGHTS, IN_INPUT, IN_TRUE, _frozen(3), UNFREEZE_AT)

# One input, many outputs (B3): win/loss record -> hurt?, win?, sad?
OUT_WEIGHTS = _floats("weights", "weights (start: hurt?, win?, sad?)", (0.3, 0.2, 0.9), (-2.0, 2.0, 0.01),
                      "One weight per output.")
OUT_INPUT = Param("input", "input (wlrec)", 0.65, lo=-BIG, hi=BIG, ui=(-2.0, 2.0, 0.05),
                  help="The one input: the team's win/loss record.")
OUT_TRUE = _floats("true", "true (hurt, win, sad)", (0.1, 1.0, 0.1), (-2.0, 2.0, 0.05),
                   "What happened, one number per output.")
OUT_PARAMS = (ALPHA, OUT_WEIGHTS, OUT_INPUT, OUT_TRUE, _frozen(3), UNFREEZE_AT)

# Many inputs, many outputs (B4).
MAT_WEIGHTS = _floats("weights", "weights (row by row: hurt?, win?, sad?)",
                      (0.1, 0.1, -0.3, 0.1, 0.2, 0.0, 0.0, 1.3, 0.1), (-2.0, 2.0, 0.01),
                      "The weight matrix, flat and row by row: one row per output, one column per input.")
MAT_PARAMS = (ALPHA, MAT_WEIGHTS, IN_INPUT, OUT_TRUE, _frozen(9), UNFREEZE_AT)


def _multi_input(s):
    return mw.MultiInput(s["weights"], s["input"], s["true"], s["alpha"], frozen=s["frozen"])


def _multi_output(s):
    return mw.MultiOutput(s["weights"], s["input"], s["true"], s["alpha"], frozen=s["frozen"])


def _multi_in_out(s):
    rows, cols = len(s["true"]), len(s["input"])
    if len(s["weights"]) != rows * cols:
        raise ValueError(f"weights must have {rows}×{cols} = {rows * cols} numbers (row by row: one row "
                         f"per true value, one column per input), got {len(s['weights'])}")
    return mw.MultiInOut([s["weights"][r * cols:(r + 1) * cols] for r in range(rows)],
                         s["input"], s["true"], s["alpha"], frozen=s["frozen"])


def unfreezing(unfreeze_at: int):
    """A step over ``(iteration, network)`` that unfreezes every weight once ``unfreeze_at``
    iterations are done (0: never). Still pure: the iteration count is part of the state."""

    def step(state):
        k, net = state
        if unfreeze_at and k > unfreeze_at and net.frozen.any():
            net = mw.with_frozen(net, None)
        net, record = mw.step(net)
        return (k + 1, net), record

    return step


def _simulate(make):
    def simulate(s, iterations):
        return run(unfreezing(s["unfreeze_at"]), (1, make(s)), iterations)

    return simulate


def _deltas(r) -> str:
    """The weight_deltas list as the book prints it: a frozen weight's is a plain 0."""
    return "[" + ", ".join("0" if f else repr(v) for v, f in
                           zip(r["weight_deltas"].tolist(), r["frozen"].tolist())) + "]"


def log_multi_input(result, settings):
    for k, r in enumerate(result.records, 1):
        yield f"Iteration:{k}"
        yield f"Pred:{r['pred']}"
        yield f"Error:{r['error']}"
        yield f"Delta:{r['delta']}"
        yield f"Weights:{r['weights'].tolist()}"
        yield "Weight_Deltas:"
        yield _deltas(r)
        yield ""
    if result.diverged_at:
        yield diverged_line(result)


def log_multi_output(result, settings):
    for r in result.records:
        yield f"Weights:{r['new_weights'].tolist()}"
        yield f"Weight Deltas:{r['weight_deltas'].tolist()}"
    if result.diverged_at:
        yield diverged_line(result)


def log_multi_in_out(result, settings):
    for r in result.records:
        yield str(r["new_weights"].tolist())
    if result.diverged_at:
        yield diverged_line(result)


def _in(name, title, lesson, summary, button, iterations, **defaults):
    return Experiment(name, title, lesson, summary, IN_PARAMS, iterations, _simulate(_multi_input),
                      log_multi_input, defaults=defaults, button=button)


register(
    _in("multi-input", "Gradient descent with many inputs", "B1",
        "Three inputs, one prediction, one shared delta; each weight moves by delta × its input.",
        "Book: alpha 0.01", 3),
    _in("multi-input-diverge", "Many inputs, alpha too big", "B1",
        "alpha 0.1: weight a (input 8.5) overshoots further each time and the error explodes.",
        "alpha 0.1: diverges", 20, alpha=0.1),
    _in("freeze", "Freezing one weight", "B2",
        "Weight a is frozen; b and c alone bring the error down, and a's curve slides under it.",
        "Book: freeze a, alpha 0.3", 3, alpha=0.3, frozen=(0,)),
    _in("freeze-then-unfreeze", "Unfreezing after convergence", "B2",
        "Freeze a until the error is 0 (iteration 45), unfreeze it at 50: a never moves, "
        "because error 0 means weight_delta 0.",
        "Unfreeze a after 50", 60, alpha=0.3, frozen=(0,), unfreeze_at=50),
    Experiment("multi-output", "Gradient descent with many outputs", "B3",
               "One input, three predictions, one delta each; each weight moves by input × its delta.",
               OUT_PARAMS, 1, _simulate(_multi_output), log_multi_output, defaults={"alpha": 0.1},
               button="Book: one input, three outputs"),
    Experiment("multi-in-out", "Gradient descent with many inputs and outputs", "B4",
               "A 3×3 weight matrix; each weight moves by its output's delta × its input.",
               MAT_PARAMS, 1, _simulate(_multi_in_out), log_multi_in_out,
               button="Book: 3 inputs, 3 outputs, alpha 0.01"),
)


# ---- the arithmetic panels of the pages ----------------------------------------------------

WEIGHT_NAMES = ("a", "b", "c")


def multi_input_arithmetic(r, names=WEIGHT_NAMES) -> list[Line]:
    """predict -> compare -> learn for a many-inputs record (B1, B2), numbers put in."""
    w, x = r["weights"].tolist(), [float(v) for v in r["input"]]
    names = [names[i] if i < len(names) else f"w{i}" for i in range(len(w))]
    lines = [
        Line("predict", "pred", f"input · ({', '.join(names)})",
             " + ".join(f"{fmt(xi)}×{fmt(wi)}" for xi, wi in zip(x, w)), fmt_value(r["pred"])),
        Line("compare", "error", "(pred − true)²", f"({fmt(r['pred'])} − {fmt(r['true'])})²", fmt_value(r["error"])),
        Line("compare", "delta", "pred − true", f"{fmt(r['pred'])} − {fmt(r['true'])}", fmt_value(r["delta"])),
    ]
    frozen = r["frozen"].tolist()
    for i, n in enumerate(names):
        if frozen[i]:
            lines.append(Line("learn", f"weight_delta {n}", "0 (frozen)", "—", "0"))
        else:
            lines.append(Line("learn", f"weight_delta {n}", f"delta × input[{i}]", f"{fmt(r['delta'])} × {fmt(x[i])}",
                              fmt_value(r["weight_deltas"][i])))
    nw = r["new_weights"].tolist()
    for i, n in enumerate(names):
        if frozen[i]:
            lines.append(Line("move", n, f"{n} (frozen: stays)", fmt(w[i]), fmt_value(nw[i])))
        else:
            lines.append(Line("move", n, f"{n} − alpha × weight_delta",
                              f"{fmt(w[i])} − {fmt(r['alpha'])} × {fmt(r['weight_deltas'][i])}", fmt_value(nw[i])))
    return lines


def _vec(v, digits: int = 6) -> str:
    return "[" + ", ".join(fmt_value(x, digits) for x in v) + "]"


def matrix_arithmetic(r, outputs=("hurt?", "win?", "sad?"), digits: int | None = None,
                      short: bool = False) -> list[Line]:
    """One line per output: its pred, error, delta, row of weight_deltas and new weights (B3, B4).
    ``digits``: significant digits of the vectors (default 6 for one input, else 4); ``short``
    writes "delta × input" without the input vector (for big lecture fonts)."""
    W = np.asarray(r["weights"], dtype=float)
    x = np.atleast_1d(np.asarray(r["input"], dtype=float))
    W = W if W.ndim == 2 else W.reshape(-1, 1)
    D = np.asarray(r["weight_deltas"], dtype=float).reshape(W.shape)
    N = np.asarray(r["new_weights"], dtype=float).reshape(W.shape)
    pred, true = np.atleast_1d(r["pred"]), np.atleast_1d(r["true"])
    error, delta = np.atleast_1d(r["error"]), np.atleast_1d(r["delta"])
    m = W.shape[0]
    d = digits or (6 if W.shape[1] == 1 else 4)  # a row of three numbers must fit on one line
    outputs = [outputs[o] if o < len(outputs) and m == len(outputs) else f"output {o}" for o in range(m)]
    lines = []
    for o, name in enumerate(outputs):
        lines.append(Line("predict", f"pred {name}", "weights · input",
                          " + ".join(f"{fmt(wv)}×{fmt(xv)}" for wv, xv in zip(W[o], x)), fmt_value(pred[o])))
    for o, name in enumerate(outputs):
        lines.append(Line("compare", f"error {name}", "(pred − true)²", f"({fmt(pred[o])} − {fmt(true[o])})²",
                          fmt_value(error[o])))
        lines.append(Line("compare", f"delta {name}", "pred − true", f"{fmt(pred[o])} − {fmt(true[o])}",
                          fmt_value(delta[o])))
    for o, name in enumerate(outputs):
        lines.append(Line("learn", name, "delta × input", f"{fmt(delta[o])} × input" if short else f"{fmt(delta[o])} × {_vec(x, d)}",
                          _vec(D[o], d)))
    for o, name in enumerate(outputs):
        lines.append(Line("move", name, "weights − alpha × weight_deltas",
                          f"{_vec(W[o], d)} − {fmt(r['alpha'])} × {_vec(D[o], d)}" if W.shape[1] == 1 else
                          f"alpha = {fmt(r['alpha'])}", _vec(N[o], d)))
    return lines


# ---- the pages' live sliders: one per starting weight ------------------------------------------
# A page's instrument draws one slider per weight (the setting ``weights`` is a list); each has
# a small grid holding the book's starting values.

#: B1, B2: 41 values, 0.05 apart (the book's 0.1, 0.2, -0.1 among them).
WEIGHT_UI = (-1.0, 1.0, 0.05)
#: B3: 31 values, 0.1 apart (the matrix's 1.3 among them); 0.05 apart would be 61 per weight,
#: 549 runs for the nine weights of the matrix.
WIDE_WEIGHT_UI = (-1.5, 1.5, 0.1)
OUTPUTS = ("hurt", "win", "sad")
INPUTS = ("toes", "wlrec", "nfans")


def _start(name: str, label: str, default: float, ui, help: str) -> Param:
    return Param(name, label, default, lo=-BIG, hi=BIG, ui=ui, help=help)


START_IN = tuple(_start(f"weight_{n}", f"weight {n} (start)", w, WEIGHT_UI,
                        f"Where weight {n} (the weight of input {i}) starts; -1 … 1 in steps of 0.05.")
                 for n, w, i in zip(WEIGHT_NAMES, IN_WEIGHTS.default, INPUTS))
START_OUT = tuple(_start(f"weight_{o}", f"weight {o}? (start)", w, WIDE_WEIGHT_UI,
                         f"Where the weight from wlrec to {o}? starts; -1.5 … 1.5 in steps of 0.1.")
                  for o, w in zip(OUTPUTS, OUT_WEIGHTS.default))
START_MAT = tuple(_start(f"weight_{o}_{i}", f"{o}? ← {i}", MAT_WEIGHTS.default[3 * r + c], WIDE_WEIGHT_UI,
                         f"Where the weight from input {i} to output {o}? starts (row {o}?, column {i}); "
                         "-1.5 … 1.5 in steps of 0.1 (finer steps would make 9 × 61 runs per change).")
                  for r, o in enumerate(OUTPUTS) for c, i in enumerate(INPUTS))


def start_weights(exp: Experiment) -> tuple[Param, ...]:
    """One setting per starting weight of ``exp`` (named in the link, e.g. ``weight_a``)."""
    w = exp.param("weights")
    return START_MAT if w is MAT_WEIGHTS else START_OUT if w is OUT_WEIGHTS else START_IN


def named(exp: Experiment, settings) -> dict:
    """``settings`` with each starting weight also under its own name (``weight_a`` ...)."""
    return {**settings, **{p.name: float(v) for p, v in zip(start_weights(exp), settings["weights"])}}


def joined(exp: Experiment, settings) -> dict:
    """The experiment's own settings (nothing else) from named starting weights: ``weights``
    put back together."""
    out = {p.name: settings[p.name] for p in exp.params}
    out["weights"] = tuple(float(settings[p.name]) for p in start_weights(exp))
    return out


def page_link(exp: Experiment, iterations: int, *, freeze: bool = False) -> dict:
    """What a page's link says for ``exp``'s preset: alpha, each starting weight by name,
    iterations (and, with ``freeze``, one true/false per weight and unfreeze_at)."""
    s = exp.settings()
    out = {"alpha": s["alpha"], **{p.name: float(v) for p, v in zip(start_weights(exp), s["weights"])},
           "iterations": int(iterations)}
    if freeze:
        out.update({f"frozen_{n}": i in s["frozen"] for i, n in enumerate(WEIGHT_NAMES)})
        out["unfreeze_at"] = s["unfreeze_at"]
    return out


def iterations_param(default: int, most: int) -> Param:
    """How many iterations a page's run has (the timeline's length), at most ``most``."""
    return Param("iterations", "iterations", int(default), kind="int", lo=1, hi=most, ui=(1, most, 1),
                 help=f"The length of the run (at most {most}).")


def named_simulate(exp: Experiment, simulate=None):
    """``(settings with named starting weights, iterations) -> run`` through ``simulate``
    (default ``exp.simulate``; a page passes the shared one, ``gdviz.ui.runs.simulate(exp)``)."""
    go = simulate or exp.simulate
    return lambda s, iterations: go(joined(exp, s), iterations)


def named_simulate_many(exp: Experiment):
    """The runs of a live slider's grid (named starting weights); a run that cannot be made is None."""
    def many(many_settings, iterations):
        out = []
        for s in many_settings:
            try:
                out.append(exp.simulate(joined(exp, s), iterations))
            except ValueError:
                out.append(None)
        return out

    return many
