"""Part C: whole datasets, correlation and backpropagation (chapter 6).

Datasets are settings too: ``streetlights`` is the light patterns row after row, flattened
(``1,0,1, 0,1,1, …``), and ``walk_vs_stop`` has one goal_pred per row, so its length says
how many rows there are. An iteration is one pass through the dataset.
"""

from __future__ import annotations

import numpy as np

from gdviz.core import backprop as bp
from gdviz.core import streetlights as ds
from gdviz.core.run import Run, run
from gdviz.experiments import register
from gdviz.experiments.base import Experiment, Line, Param, diverged_line, fmt, fmt_value
from gdviz.experiments.formatting import RecordTexts, Texts

BIG = 1e6  # what the CLI accepts for weights, alpha and inputs; pages offer less


def _flat(rows) -> tuple[float, ...]:
    return tuple(float(v) for row in rows for v in row)


def _goals(values) -> tuple[float, ...]:
    return tuple(float(v) for v in values)


STREETLIGHTS = Param("streetlights", "streetlights (rows, flattened)", _flat(ds.STREETLIGHTS), kind="floats",
                     lo=-BIG, hi=BIG, ui=(0.0, 1.0, 1.0),
                     help="The light patterns, one row per example, written row after row "
                          "(1 = on, 0 = off).")
WALK_VS_STOP = Param("walk_vs_stop", "walk_vs_stop", _goals(ds.WALK_VS_STOP), kind="floats",
                     lo=-BIG, hi=BIG, ui=(0.0, 1.0, 1.0),
                     help="The goal_pred of each row: 1 = walk, 0 = stop.")
WEIGHTS = Param("weights", "weights (start)", ds.BOOK_WEIGHTS, kind="floats", lo=-BIG, hi=BIG,
                ui=(-2.0, 2.0, 0.01), help="One starting weight per light.")
ALPHA = Param("alpha", "alpha (learning rate)", 0.1, lo=-BIG, hi=BIG, ui=(0.0, 1.0, 0.01),
              help="Each update moves the weights by alpha × weight_delta.")
MODE = Param("mode", "mode", "stochastic", kind="choice", choices=ds.MODES,
             help="stochastic: update after every example; full: one update per pass with the "
                  "mean weight_delta; batch: one update per batch_size examples.")
BATCH_SIZE = Param("batch_size", "batch_size", 2, kind="int", lo=1, hi=ds.MAX_ROWS, ui=(1.0, 6.0, 1.0),
                   help="Examples per update in batch mode (at most the number of rows).")

HIDDEN_SIZE = Param("hidden_size", "hidden_size", 4, kind="int", lo=1, hi=bp.MAX_HIDDEN, ui=(1.0, 16.0, 1.0),
                    help=f"Nodes in the hidden layer (at most {bp.MAX_HIDDEN}).")
SEED = Param("seed", "seed", 1, kind="int", lo=0, hi=bp.MAX_SEED, ui=(0.0, 100.0, 1.0),
             help="The random seed of the starting weights (the book uses 1).")
ACTIVATION = Param("activation", "hidden activation", "relu", kind="choice", choices=("relu", "linear"),
                   help="relu switches hidden nodes off below 0; linear leaves two stacked "
                        "weighted sums, which are still one weighted sum.")
NET_ALPHA = Param("alpha", "alpha (learning rate)", 0.2, lo=-BIG, hi=BIG, ui=(0.0, 1.0, 0.01),
                  help="Each update moves every weight by alpha × its weight_delta.")


def rows(settings) -> tuple[np.ndarray, np.ndarray]:
    """The dataset of ``settings`` as (streetlights rows × inputs, walk_vs_stop)."""
    goals = np.array(settings["walk_vs_stop"], dtype=np.float64)
    flat = np.array(settings["streetlights"], dtype=np.float64)
    n = len(goals)
    if n == 0:
        raise ValueError("walk_vs_stop must hold at least one goal_pred")
    if len(flat) == 0 or len(flat) % n:
        raise ValueError(f"streetlights must hold the same number of lights for each of the {n} rows "
                         f"of walk_vs_stop, got {len(flat)} numbers")
    return flat.reshape(n, -1), goals


def dataset_state(s) -> ds.Dataset:
    x, y = rows(s)
    n, lights = len(y), len(s["weights"])
    if x.shape[1] != lights:
        raise ValueError(f"streetlights must hold {lights} lights (one per weight) for each of the {n} rows "
                         f"of walk_vs_stop, {n * lights} numbers; got {x.size}")
    return ds.Dataset(np.array(s["weights"]), x, y, s["alpha"], s["mode"], s["batch_size"])


def simulate_dataset_step(s, iterations):
    """The reference: :func:`gdviz.core.streetlights.pass_step`, one pass after another."""
    return run(ds.pass_step, dataset_state(s), iterations)


def simulate_dataset(s, iterations):
    """The run as :func:`simulate_dataset_step` makes it (bit for bit), computed by the batch
    kernel (read-only records, nothing to copy before a server shares it)."""
    return ds.pass_runs([dataset_state(s)], iterations)[0]


def simulate_dataset_many(many_settings, iterations) -> list:
    """:func:`simulate_dataset` for each of ``many_settings``, those of one shape, mode and batch
    size computed at once; None where a run cannot be made."""
    return _batched(dataset_state, lambda st: (st.streetlights.shape, st.mode, st.group),
                    ds.pass_runs, many_settings, iterations)


def log_dataset(result, settings):
    """The book's whole-dataset log: per pass, each row's ``Prediction:`` (made before that row
    is learned), then the pass's summed ``Error:`` and a blank line; the final weights last."""
    for r in result.records:
        for e in r["examples"]:
            yield f"Prediction:{e['pred']}"
        yield f"Error:{r['error']}"
        yield ""
    if result.diverged_at:
        yield diverged_line(result)
    else:
        yield f"Weights:{[float(w) for w in result.records[-1]['new_weights']]}"


def log_one(result, settings):
    """The book's first chapter-6 log: one ``Error:… Prediction:…`` line per example seen (with a
    single pattern, one line per iteration)."""
    for r in result.records:
        for e in r["examples"]:
            yield f"Error:{e['error']} Prediction:{e['pred']}"
    if result.diverged_at:
        yield diverged_line(result)


def backprop_state(s) -> bp.Network:
    x, y = rows(s)
    return bp.network(x, y, s["alpha"], s["hidden_size"], s["seed"], s["activation"])


def simulate_backprop_step(s, iterations):
    """The reference: :func:`gdviz.core.backprop.pass_step`, one pass after another."""
    return run(bp.pass_step, backprop_state(s), iterations)


def simulate_backprop(s, iterations):
    """The run as :func:`simulate_backprop_step` makes it (bit for bit), computed by the batch
    kernel (read-only records, nothing to copy before a server shares it)."""
    return bp.pass_runs([backprop_state(s)], iterations)[0]


def simulate_backprop_many(many_settings, iterations) -> list:
    """:func:`simulate_backprop` for each of ``many_settings``, those of one shape and activation
    computed at once; None where a run cannot be made."""
    return _batched(backprop_state, lambda st: (st.streetlights.shape, st.hidden_size, st.activation),
                    bp.pass_runs, many_settings, iterations)


def _batched(state_of, group_of, kernel, many_settings, iterations) -> list:
    """Each setting's state (None where it is refused), the states grouped by ``group_of`` and
    each group run by ``kernel(states, iterations)``."""
    out: list = [None] * len(many_settings)
    groups: dict = {}
    for k, s in enumerate(many_settings):
        try:
            state = state_of(s)
        except ValueError:
            continue
        groups.setdefault(group_of(state), []).append((k, state))
    for members in groups.values():
        for (k, _), r in zip(members, kernel([st for _, st in members], iterations)):
            out[k] = r
    return out


def log_backprop(result, settings):
    for r in result.records:
        if r["pass"] % 10 == 0:
            yield f"Error:{r['error']}"
    if result.diverged_at:
        yield diverged_line(result)


_C1 = (WEIGHTS, ALPHA, MODE, BATCH_SIZE, STREETLIGHTS, WALK_VS_STOP)
_C3 = (NET_ALPHA, HIDDEN_SIZE, SEED, ACTIVATION, STREETLIGHTS, WALK_VS_STOP)
_ONE = {"streetlights": _flat(ds.STREETLIGHTS[:1]), "walk_vs_stop": _goals(ds.WALK_VS_STOP[:1])}
_C2_DATA = {"streetlights": _flat(ds.NO_CORRELATION), "walk_vs_stop": _goals(ds.NO_CORRELATION_GOALS)}

register(
    Experiment("streetlight-one", "One streetlight pattern", "C1",
               "Before the whole table, the weights learn a single pattern: left and right lights on "
               "means stop. The prediction shrinks toward 0 a fifth of the way each iteration.",
               _C1, 20, simulate_dataset, log_one, defaults=_ONE,
               button="Book: one pattern, 20 iterations", simulate_many=simulate_dataset_many),
    Experiment("streetlights", "The streetlight problem", "C1",
               "One weight vector learns the whole dataset, one example at a time: the middle "
               "light's weight goes to 1, the others to 0.",
               _C1, 40, simulate_dataset, log_dataset, button="Book: 40 passes, alpha 0.1", simulate_many=simulate_dataset_many),
    Experiment("streetlights-full", "The streetlight problem, full gradient descent", "C1",
               "The same data, one update per pass with the mean weight_delta: fewer, calmer steps.",
               _C1, 40, simulate_dataset, log_dataset, defaults={"mode": "full"},
               button="Full: one update per pass", simulate_many=simulate_dataset_many),
    Experiment("streetlights-batch", "The streetlight problem, mini-batches", "C1",
               "The same data, one update per 2 examples with the batch's mean weight_delta.",
               _C1, 40, simulate_dataset, log_dataset, defaults={"mode": "batch", "batch_size": 2},
               button="Mini-batch: 2 examples per update", simulate_many=simulate_dataset_many),
    Experiment("no-correlation", "When there is no correlation", "C2",
               "No light on its own says walk or stop: every weight is pushed up as much as down "
               "and the error of one weight vector stalls above 1.",
               _C1, 40, simulate_dataset, log_dataset, defaults=_C2_DATA,
               button="No correlation: 40 passes", simulate_many=simulate_dataset_many),
    Experiment("backprop", "Backpropagation in a 3-layer network", "C3",
               "A relu hidden layer makes an intermediate dataset that does correlate; "
               "the error falls toward 0.",
               _C3, 60, simulate_backprop, log_backprop, defaults=_C2_DATA,
               button="Book: seed 1, hidden 4, alpha 0.2", simulate_many=simulate_backprop_many),
    Experiment("backprop-linear", "Backpropagation without relu", "C3",
               "The same network with a linear hidden layer: it is one weighted sum again and "
               "the error stays above 1.",
               _C3, 60, simulate_backprop, log_backprop, defaults={**_C2_DATA, "activation": "linear"},
               button="Linear hidden layer: cannot learn", simulate_many=simulate_backprop_many),
)


# ------------------------------------------------------------------ the arithmetic panels


def _vec(values, digits: int = 4) -> str:
    return "[" + ", ".join(fmt_value(v, digits) for v in np.ravel(values)) + "]"


def _dot(a, b, digits: int = 4) -> str:
    return " + ".join(f"{fmt(x, digits)}×{fmt(w, digits)}" for x, w in zip(np.ravel(a), np.ravel(b)))


def pass_arithmetic(r, alpha: float) -> list[Line]:
    """One pass of a single weight vector: every example's pred and error, and each update."""
    lines = []
    for e in r["examples"]:
        i = e["example"]
        lines.append(Line("predict", f"pred ({i})", "input · weights", _dot(e["input"], e["weights"]),
                          fmt_value(e["pred"])))
        lines.append(Line("compare", f"error ({i})", "(pred − goal_pred)²",
                          f"({fmt(e['pred'])} − {fmt(e['goal_pred'])})²", fmt_value(e["error"])))
        if e["update"]:
            lines.append(Line("learn", "weights", "weights − alpha × weight_delta",
                              f"{_vec(e['weights'], 3)} − {fmt(alpha)} × {_vec(e['batch_weight_delta'], 3)}",
                              _vec(e["new_weights"], 4)))
    lines.append(Line("compare", "error (pass)", "sum of the errors",
                      " + ".join(fmt(e["error"]) for e in r["examples"]), fmt_value(r["error"])))
    return lines


def backprop_arithmetic(r, phase: str, texts: Texts | None = None) -> list[Line]:
    """One phase of learning one example in the 3-layer network, the numbers put in.

    ``texts``: a :class:`~gdviz.experiments.formatting.Texts` shared by the calls for one run
    (each distinct number formatted once); the text is the same without it."""
    if phase not in bp.PHASES:
        raise ValueError(f"phase must be one of {', '.join(bp.PHASES)}, got {phase!r}")
    return backprop_arithmetic_phases(r, texts, (phase,))[phase]


def backprop_arithmetic_phases(r, texts: Texts | None = None, phases=bp.PHASES) -> dict[str, list[Line]]:
    """:func:`backprop_arithmetic` for several phases of one example (all four by default): the
    example's numbers are read once for all of them."""
    return {phase: [Line(*row) for row in rows] for phase, rows in backprop_rows(r, texts, phases).items()}


def backprop_rows(r, texts: Texts | None = None, phases=bp.PHASES, batch=None) -> dict[str, list[list[str]]]:
    """:func:`backprop_arithmetic_phases` as ``[phase, name, formula, numbers, value]`` rows (what
    the lesson instrument sends; no :class:`Line` made per row). ``batch``: ``(record_texts, k)``,
    the example's numbers already written as the ``k``-th record of a
    :class:`~gdviz.experiments.formatting.RecordTexts` (default: written here)."""
    texts = texts or Texts()
    ex, k = batch or (RecordTexts([r]), 0)

    def get(name, digits, bracket=True, plus_zero=False):  # ascii exponents throughout
        return ex.get(name, digits, bracket_negative=bracket, ascii_exponent=True, plus_zero=plus_zero)[k]

    f6, f1 = texts.fn(6, bracket_negative=True, ascii_exponent=True), texts.fn(1, bracket_negative=True,
                                                                             ascii_exponent=True)
    # + 0.0: no "−0"
    layer_1 = (np.ravel(r["layer_1"]) + 0.0).tolist()
    hidden = np.shape(r["weights_0_1"])[1]
    act = "relu" if r["activation"] == "relu" else "linear"
    out = {}
    for phase in phases:
        rows = out[phase] = []
        if phase == "forward":
            l0, w01 = get("layer_0", 3, plus_zero=True), get("weights_0_1", 3)
            v6 = get("layer_1", 6, False, True)
            for j in range(hidden):
                dot = " + ".join(f"{a}×{w}" for a, w in zip(l0, w01[j::hidden]))
                rows.append(["forward", f"layer_1[{j}]", f"{act}(layer_0 · weights_0_1[:,{j}])",
                             f"{act}({dot})", v6[j]])
            rows.append(["forward", "layer_2", "layer_1 · weights_1_2",
                         " + ".join(f"{x}×{w}" for x, w in zip(get("layer_1", 3, plus_zero=True),
                                                                get("weights_1_2", 3))),
                         get("pred", 6, False)[0]])
        elif phase == "compare":
            d2 = get("layer_2_delta", 6)[0]
            rows.append(["compare", "layer_2_delta", "layer_2 − goal_pred",
                         f"{get('pred', 6)[0]} − {get('goal_pred', 6)[0]}", get("layer_2_delta", 6, False)[0]])
            rows.append(["compare", "error", "(layer_2 − goal_pred)²", f"{d2}²", get("error", 6, False)[0]])
        elif phase == "backward":
            d2, w12, d1 = get("layer_2_delta", 6)[0], get("weights_1_2", 6), get("layer_1_delta", 6, False)
            for j, w in enumerate(w12):
                slope = 1.0 if act == "linear" else float(layer_1[j] > 0)
                rows.append(["backward", f"layer_1_delta[{j}]", f"layer_2_delta × weights_1_2[{j}] × {act}'",
                             f"{d2} × {w} × {f1(slope)}", d1[j]])
        elif phase == "update":
            alpha = f6(r["alpha"])
            d2, w12, l1 = get("layer_2_delta", 6)[0], get("weights_1_2", 6), get("layer_1", 6, plus_zero=True)
            n12 = get("new_weights_1_2", 6, False)
            for j, w in enumerate(w12):
                rows.append(["update", f"weights_1_2[{j}]", "w − alpha × layer_1 × layer_2_delta",
                             f"{w} − {alpha} × {l1[j]} × {d2}", n12[j]])
            l0 = "[" + ", ".join(get("layer_0", 2, False, True)) + "]"
            w01, n01, d1 = get("weights_0_1", 3, False), get("new_weights_0_1", 3, False), get("layer_1_delta", 4)
            for j in range(hidden):
                rows.append(["update", f"weights_0_1[:,{j}]", f"w − alpha × layer_0 × layer_1_delta[{j}]",
                             f"[{', '.join(w01[j::hidden])}] − {alpha} × {l0} × {d1[j]}",
                             "[" + ", ".join(n01[j::hidden]) + "]"])
        else:
            raise ValueError(f"phase must be one of {', '.join(bp.PHASES)}, got {phase!r}")
    return out


# ------------------------------------------------------------------ what the C pages need
# The pages never import the core: the datasets, the pressure table, the phases of backprop and
# the runs a page shows together come from here.

#: The alpha values C1 and C2's live slider offers (the book's 0.1 among them).
ALPHA_STEPS = (0.01, 0.02, 0.05, 0.1, 0.2, 0.3, 0.5, 0.7, 1.0)
#: C3's (the book's 0.2 among them).
NET_ALPHA_STEPS = (0.01, 0.02, 0.05, 0.1, 0.2, 0.3, 0.5, 0.7, 1.0)
LIVE_ALPHA = Param("alpha", "alpha (learning rate)", 0.1, lo=-BIG, hi=BIG, ui=(0.0, 1.0, 0.01), steps=ALPHA_STEPS,
                   help="Each update moves the weights by alpha × weight_delta (0.01 … 1; the book uses 0.1).")
LIVE_NET_ALPHA = Param("alpha", "alpha (learning rate)", 0.2, lo=-BIG, hi=BIG, ui=(0.0, 1.0, 0.01),
                       steps=NET_ALPHA_STEPS,
                       help="Each update moves every weight by alpha × its weight_delta (0.01 … 1; the book uses 0.2).")
C_BATCH_SIZE = Param("batch_size", "batch_size (mini-batch run)", 2, kind="int", lo=1, hi=ds.MAX_ROWS,
                     ui=(1.0, 6.0, 1.0), help="Examples per update in the mini-batch run (1 … 6).")
C_HIDDEN_SIZE = Param("hidden_size", "hidden_size", 4, kind="int", lo=1, hi=bp.MAX_HIDDEN, ui=(1.0, 8.0, 1.0),
                      help="Nodes in the hidden layer (1 … 8 on the page; the book uses 4).")
C_SEED = Param("seed", "seed", 1, kind="int", lo=0, hi=bp.MAX_SEED, ui=(0.0, 20.0, 1.0),
               help="The random seed of the starting weights (the book uses 1).")

MODES = ds.MODES
PHASES = bp.PHASES
BOOK_STREETLIGHTS = tuple(tuple(float(v) for v in row) for row in ds.STREETLIGHTS)
BOOK_WALK_VS_STOP = _goals(ds.WALK_VS_STOP)
BOOK_WEIGHTS = tuple(float(w) for w in ds.BOOK_WEIGHTS)
#: The book's lights with the left lamp as the answer (C1's second set of lights).
LEFT_WALK_VS_STOP = tuple(row[0] for row in BOOK_STREETLIGHTS)
LIGHT_ROWS, LIGHT_COLUMNS = len(BOOK_STREETLIGHTS), len(BOOK_STREETLIGHTS[0])


def pressure(weights, streetlights, walk_vs_stop) -> dict:
    """The up/down pressure table (see :func:`gdviz.core.streetlights.pressure`)."""
    return ds.pressure(weights, streetlights, walk_vs_stop)


class Runs:
    """Several runs a page shows together, with one of them *shown* (its records lead: the
    lesson instrument's timeline and arithmetic follow them). ``runs``: label → run."""

    def __init__(self, shown: str, runs: dict, settings: dict, *, steps: bool = False):
        self.shown, self.runs, self.settings = shown, runs, settings
        main = runs[shown]
        self.passes, self.diverged_at = main.records, main.diverged_at
        #: The instrument's frames: one per pass, or (``steps``) one per phase of every example.
        self.records = tuple({"pass": p, "example": e, "phase": ph} for p, rec in enumerate(main.records)
                             for e in range(len(rec["examples"])) for ph in PHASES) if steps else main.records

    def __len__(self) -> int:
        return len(self.records)


def mode_settings(exp: Experiment, s, mode: str) -> dict:
    return exp.settings(**{**{p.name: s[p.name] for p in exp.params}, "mode": mode})


def modes_run(exp: Experiment, s, iterations: int, *, simulate=None) -> Runs:
    """C1: the three modes of descent from the same settings ``s``; ``s["mode"]`` is the one shown.
    ``simulate(settings, iterations)`` makes each run (default ``exp.simulate``; a page passes
    the shared one, ``gdviz.ui.runs.simulate(exp)``)."""
    go = simulate or exp.simulate
    return Runs(s["mode"], {m: go(mode_settings(exp, s, m), iterations) for m in MODES}, s)


def activations_run(exp: Experiment, s, iterations: int, *, simulate=None) -> Runs:
    """C3: the network with ``s["activation"]`` (shown) and the same network with the other one."""
    go = simulate or exp.simulate
    other = "linear" if s["activation"] == "relu" else "relu"
    base = {p.name: s[p.name] for p in exp.params}
    return Runs(s["activation"], {s["activation"]: go(exp.settings(**base), iterations),
                                  other: go(exp.settings(**{**base, "activation": other}), iterations)}, s,
                steps=True)


def single_run(exp: Experiment, s, iterations: int, *, simulate=None) -> Runs:
    go = simulate or exp.simulate
    return Runs(s["mode"], {s["mode"]: go(exp.settings(**{p.name: s[p.name] for p in exp.params}), iterations)}, s)


def many(one):
    """The runs of a live slider's grid from ``one(exp, s, iterations, simulate=...)``; None where
    a run cannot be made. ``many(one)(exp, simulate)``: a page passes the shared ``simulate``
    (a class drags the same slider over the same values). With ``simulate_many`` (``(list of
    settings, iterations) -> runs``, e.g. ``gdviz.ui.runs.shared_many(exp)``) every run the grid
    needs is asked for in one call (a batch kernel makes them at once)."""
    def make(exp: Experiment, simulate=None, simulate_many=None):
        def runs(many_settings, iterations):
            if simulate_many is not None:
                return _many_at_once(one, exp, many_settings, iterations, simulate_many)
            out = []
            for s in many_settings:
                try:
                    out.append(one(exp, s, iterations, simulate=simulate))
                except ValueError:
                    out.append(None)
            return out
        return runs
    return make


_NO_RUN = Run(())


def _many_at_once(one, exp: Experiment, many_settings, iterations: int, simulate_many) -> list:
    """:func:`many` with every underlying run made by one ``simulate_many`` call: ``one`` is
    called once to learn which runs each setting needs (in order), then again with them."""
    asked: list[list] = []
    for s in many_settings:
        wants: list = []
        try:
            one(exp, s, iterations, simulate=lambda settings, n: wants.append(settings) or _NO_RUN)
        except ValueError:
            wants = None
        asked.append(wants)
    made = iter(simulate_many([w for wants in asked if wants for w in wants], iterations))
    out = []
    for s, wants in zip(many_settings, asked):
        if wants is None:
            out.append(None)
            continue
        mine = [next(made) for _ in wants]
        if any(r is None for r in mine):
            out.append(None)
            continue
        handed = iter(mine)
        out.append(one(exp, s, iterations, simulate=lambda settings, n: next(handed)))
    return out


#: C1: learn one pattern first (the book's first chapter-6 program), then the whole table.
LESSON = Param("lesson", "what the weights learn", "table", kind="choice", choices=("one", "table"),
               help="one: a single light pattern, learnt alone (the book's first program of the chapter); "
                    "table: all six patterns, a pass at a time.")
LESSON_TEXT = {"one": "1 · one pattern alone", "table": "2 · the whole table"}
LESSON_EXPERIMENT = {"one": "streetlight-one", "table": "streetlights"}


def passes_param(default: int, most: int) -> Param:
    """How many passes a C page's run has (the timeline's length), at most ``most``."""
    return Param("iterations", "passes (iterations)", int(default), kind="int", lo=1, hi=most, ui=(1, most, 1),
                 help=f"The length of the run in passes through the dataset (at most {most}).")


def light_param(i: int, j: int) -> str:
    return f"light_{i}_{j}"


def walk_param(i: int) -> str:
    return f"walk_{i}"
