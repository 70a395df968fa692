"""Parts E and F: the sigmoid unit, backprop by hand, the matrix forward pass, logic gates.

Logs print one ``name:value`` per line, floats at full precision (``str``), arrays as lists.
Where the decks round by hand, the logs show their number beside ours (``deck:…``).
"""

from __future__ import annotations

import math

import numpy as np

from gdviz.core import gates
from gdviz.core import matrix_net as mn
from gdviz.core import sigmoid_unit as su
from gdviz.core.run import run
from gdviz.experiments import register
from gdviz.experiments.base import Experiment, Line, Param, diverged_line, fmt, fmt_value

BIG = 1e6  # what the CLI accepts for inputs, targets and weights; pages offer less
MAX_NODES = 20  # the most inputs/nodes per layer sigmoid-unit and matrix-forward accept (they print every value)
MAX_EPOCHS = 20_000  # logic-gates stops here (each epoch is a full pass over the 4 rows)


def show(v) -> str:
    """A value as the logs print it: floats via ``str``, arrays as (nested) lists of floats."""
    if isinstance(v, np.ndarray):
        return str(v.tolist())
    if isinstance(v, (tuple, list)):
        return str([float(a) for a in v])
    return str(float(v)) if isinstance(v, (float, np.floating)) else str(v)


def _blocks(result, lines_of):
    for k, r in enumerate(result.records):
        if k:
            yield "-----"
        yield from lines_of(r)
    if result.diverged_at:
        yield diverged_line(result)


# --- E: one sigmoid unit -------------------------------------------------------------------------

LEARN_RATE = Param("learn_rate", "learn_rate (η, eta)", 0.5, lo=-BIG, hi=BIG, ui=(0.01, 5.0, 0.01),
                   help="Each step adds learn_rate × delta × x to the weights.")
UNIT_PARAMS = (
    Param("x", "x (inputs)", (0.1, 0.3), kind="floats", lo=-BIG, hi=BIG, ui=(-1.0, 1.0, 0.05),
          help="One record of inputs."),
    Param("y", "y (target)", 0.2, lo=-BIG, hi=BIG, ui=(0.0, 1.0, 0.01),
          help="The output we want; a sigmoid can only reach values between 0 and 1."),
    Param("w", "w (weights)", (-0.8, 0.5), kind="floats", lo=-BIG, hi=BIG, ui=(-2.0, 2.0, 0.05),
          help="One weight per input, before the update."),
    LEARN_RATE,
)
UNIT_KEYS = ("x", "y", "w", "h", "y_hat", "error", "f_prime", "delta", "delta_w", "new_w")


def simulate_unit(s, iterations):
    if len(s["x"]) > MAX_NODES:
        raise ValueError(f"x must hold at most {MAX_NODES} inputs, got {len(s['x'])}")
    return run(su.step, su.SigmoidUnit(s["x"], s["y"], s["w"], s["learn_rate"]), iterations)


def log_unit(result, settings):
    yield from _blocks(result, lambda r: (f"{k}:{show(r[k])}" for k in UNIT_KEYS))


def _sum_of_products(w, x) -> str:
    return " + ".join(f"{fmt(a)} × {fmt(b)}" for a, b in zip(w, x))


def unit_arithmetic(r) -> list[Line]:
    """One delta-rule step of a sigmoid unit (a per-record record), numbers put in."""
    lines = [
        Line("predict", "h", "Σ wᵢ xᵢ", _sum_of_products(r["w"], r["x"]), fmt_value(r["h"])),
        Line("predict", "y_hat", "sigmoid(h) = 1 / (1 + e^(−h))", f"1 / (1 + e^(−{fmt(r['h'])}))",
             fmt_value(r["y_hat"])),
        Line("compare", "error", "y − y_hat", f"{fmt(r['y'])} − {fmt(r['y_hat'])}", fmt_value(r["error"])),
        error_line(r),
        Line("learn", "f_prime", "y_hat × (1 − y_hat)", f"{fmt(r['y_hat'])} × (1 − {fmt(r['y_hat'])})",
             fmt_value(r["f_prime"])),
        Line("learn", "delta", "error × f_prime", f"{fmt(r['error'])} × {fmt(r['f_prime'])}",
             fmt_value(r["delta"])),
    ]
    for i, (x, w, dw, nw) in enumerate(zip(r["x"], r["w"], r["delta_w"], r["new_w"])):
        lines.append(Line("learn", f"delta_w[{i}]", f"learn_rate × delta × x[{i}]",
                          f"{fmt(r['learn_rate'])} × {fmt(r['delta'])} × {fmt(x)}", fmt_value(dw)))
        lines.append(Line("learn", f"w[{i}]", f"w[{i}] + delta_w[{i}]", f"{fmt(w)} + {fmt(dw)}", fmt_value(nw)))
    return lines


# --- E: backprop by hand, 2-1-1 --------------------------------------------------------------------

BACKPROP_PARAMS = (
    Param("x", "x (inputs)", (0.1, 0.3), kind="floats", lo=-BIG, hi=BIG, ui=(-1.0, 1.0, 0.05),
          help="The two inputs."),
    Param("y", "y (target)", 1.0, lo=-BIG, hi=BIG, ui=(0.0, 1.0, 0.01), help="The output we want."),
    Param("w", "w (input → hidden)", (0.4, -0.2), kind="floats", lo=-BIG, hi=BIG, ui=(-2.0, 2.0, 0.05),
          help="The two weights into the hidden node."),
    Param("W", "W (hidden → output)", 0.1, lo=-BIG, hi=BIG, ui=(-2.0, 2.0, 0.05),
          help="The weight from the hidden node to the output."),
    LEARN_RATE,
)
BACKPROP_KEYS = ("x", "y", "w", "W", "h", "a", "h_output", "y_hat", "error", "f_prime_output",
                 "delta_output", "f_prime_hidden", "delta_hidden", "delta_W", "delta_w",
                 "new_W", "new_w")


def backprop_arithmetic(r) -> list[Line]:
    """One backprop step of the 2-1-1 network, numbers put in."""
    lines = [
        Line("predict", "h", "Σ wᵢ xᵢ", _sum_of_products(r["w"], r["x"]), fmt_value(r["h"])),
        Line("predict", "a", "sigmoid(h)", f"sigmoid({fmt_value(r['h'])})", fmt_value(r["a"])),
        Line("predict", "y_hat", "sigmoid(W × a)", f"sigmoid({fmt(r['W'])} × {fmt(r['a'])})",
             fmt_value(r["y_hat"])),
        Line("compare", "error", "y − y_hat", f"{fmt(r['y'])} − {fmt(r['y_hat'])}", fmt_value(r["error"])),
        error_line(r),
        Line("learn", "delta_output", "error × y_hat × (1 − y_hat)",
             f"{fmt(r['error'])} × {fmt(r['y_hat'])} × (1 − {fmt(r['y_hat'])})", fmt_value(r["delta_output"])),
        Line("learn", "delta_hidden", "W × delta_output × a × (1 − a)",
             f"{fmt(r['W'])} × {fmt(r['delta_output'])} × {fmt(r['a'])} × (1 − {fmt(r['a'])})",
             fmt_value(r["delta_hidden"])),
        Line("learn", "delta_W", "learn_rate × delta_output × a",
             f"{fmt(r['learn_rate'])} × {fmt(r['delta_output'])} × {fmt(r['a'])}", fmt_value(r["delta_W"])),
    ]
    for i, (x, dw) in enumerate(zip(r["x"], r["delta_w"])):
        lines.append(Line("learn", f"delta_w[{i}]", f"learn_rate × delta_hidden × x[{i}]",
                          f"{fmt(r['learn_rate'])} × {fmt(r['delta_hidden'])} × {fmt(x)}", fmt_value(dw)))
    return lines


def simulate_backprop(s, iterations):
    return run(su.backprop_step, su.TwoOneOne(s["x"], s["y"], s["w"], s["W"], s["learn_rate"]), iterations)


def _differs(a, b) -> bool:
    return not np.array_equal(np.asarray(a), np.asarray(b))


def log_backprop(result, settings):
    def lines(r):
        finite = np.all(np.isfinite(r["w"])) and np.isfinite(r["W"])
        deck = su.backprop_211(r["x"], r["y"], r["w"], r["W"], r["learn_rate"], su.DECK_DECIMALS) if finite else r
        for k in BACKPROP_KEYS:
            line = f"{k}:{show(r[k])}"
            if _differs(r[k], deck[k]):
                line += f" deck:{show(deck[k])}"
            yield line
    yield from _blocks(result, lines)


# --- F: the matrix forward pass --------------------------------------------------------------------

MATRIX_PARAMS = (
    Param("I", "I (inputs)", (0.9, 0.1, 0.8), kind="floats", lo=-BIG, hi=BIG, ui=(0.0, 1.0, 0.01),
          help="The input layer's values."),
    Param("W_input_hidden", "W_input_hidden (row j = links into hidden node j)",
          (0.9, 0.3, 0.4, 0.2, 0.8, 0.2, 0.1, 0.5, 0.6), kind="floats", lo=-BIG, hi=BIG,
          ui=(-1.0, 1.0, 0.05), help="Row by row: one row per hidden node, one column per input."),
    Param("W_hidden_output", "W_hidden_output (row k = links into output node k)",
          (0.3, 0.7, 0.5, 0.6, 0.5, 0.2, 0.8, 0.1, 0.9), kind="floats", lo=-BIG, hi=BIG,
          ui=(-1.0, 1.0, 0.05), help="Row by row: one row per output node, one column per hidden node."),
    Param("deck_decimals", "decimals the deck keeps", 3, kind="int", lo=0, hi=10, ui=(0, 6, 1),
          help="The deck rounds the hidden outputs to this many decimals before the next layer."),
)
MATRIX_KEYS = ("X_hidden", "O_hidden", "X_output", "O_output")


def _matrix(name: str, values, n_cols: int) -> np.ndarray:
    if not values or len(values) % n_cols:
        raise ValueError(f"{name} must hold a whole number of rows of {n_cols} values "
                         f"(one per node of the layer before), got {len(values)} values")
    rows = len(values) // n_cols
    if rows > MAX_NODES:
        raise ValueError(f"{name} must have at most {MAX_NODES} rows (nodes), got {rows}")
    return np.array(values, dtype=np.float64).reshape(rows, n_cols)


def matrix_net_of(s) -> mn.MatrixNet:
    """The 3-layer network the settings describe (weights given row by row)."""
    I = s["I"]
    if not 1 <= len(I) <= MAX_NODES:
        raise ValueError(f"I must hold 1 to {MAX_NODES} inputs, got {len(I)}")
    W1 = _matrix("W_input_hidden", s["W_input_hidden"], len(I))
    W2 = _matrix("W_hidden_output", s["W_hidden_output"], W1.shape[0])
    return mn.MatrixNet((W1, W2))


def simulate_matrix(s, iterations):
    net = matrix_net_of(s)
    record = mn.forward(net, s["I"])
    record["deck"] = mn.forward(net, s["I"], round_hidden=s["deck_decimals"])
    return run(lambda state: (state, record), None, iterations)


def log_matrix(result, settings):
    d = settings["deck_decimals"]
    r = result.records[0]
    for k in MATRIX_KEYS:
        yield f"{k}:{show(r[k])}"
    yield f"deck (O_hidden rounded to {d} decimals before the next layer, every value shown to {d} decimals):"
    for k in MATRIX_KEYS:
        yield f"{k}:{show(np.round(r['deck'][k], d))}"


# --- F: logic gates ---------------------------------------------------------------------------------

GATE_PARAMS = (
    Param("gate", "gate", "xor", kind="choice", choices=("and", "or", "xor"),
          help="The truth table to learn."),
    Param("hidden", "hidden nodes", "2", kind="choice", choices=("0", "2"),
          help="0: one sigmoid unit (one line). 2: a 2-2-1 network (two lines)."),
    Param("learn_rate", "learn_rate (η, eta)", gates.XOR_LEARN_RATE, lo=-BIG, hi=BIG, ui=(0.1, 20.0, 0.1),
          help="One full-batch step per epoch on the mean error of the four rows."),
    Param("seed", "seed", gates.XOR_SEED, kind="int", lo=0, hi=2**32 - 1, ui=(0, 100, 1),
          help="Where the random starting weights come from."),
    Param("start", "start line (w1, w2, b)", (), kind="floats", lo=-BIG, hi=BIG,
          help="The starting line w1·x1 + w2·x2 + b = 0: the unit's, or hidden node 1's (the other "
               "weights from the seed). Empty: every starting weight from the seed."),
)
EVERY = 100  # the gates log prints one line every EVERY epochs (and the last one)


def gate_start(s):
    """The learner the settings start from: a GateUnit (hidden "0") or a GateNet (hidden "2")."""
    start = tuple(s.get("start") or ())
    if start and len(start) != 3:
        raise ValueError(f"start must be 3 numbers (w1, w2, b of the starting line), got {len(start)}")
    if s["hidden"] == "0":
        if start:
            return gates.GateUnit(s["gate"], start[:2], start[2], s["learn_rate"])
        return gates.gate_unit(s["gate"], s["seed"], s["learn_rate"])
    net = gates.gate_net(s["gate"], s["seed"], s["learn_rate"])
    if start:
        W1, b1 = np.array(net.W1), np.array(net.b1)
        W1[0], b1[0] = start[:2], start[2]
        net = gates.GateNet(s["gate"], W1, b1, net.W2, net.b2, s["learn_rate"])
    return net


def simulate_gates(s, iterations):
    learner = gate_start(s)
    return run(gates.unit_step if s["hidden"] == "0" else gates.net_step, learner, iterations)


def log_gates(result, settings):
    records = result.records
    for r in records:
        if r["epoch"] % EVERY == 0 or r is records[-1]:
            yield f"Epoch:{r['epoch']} Accuracy:{r['accuracy']} Error:{r['E']}"
    if result.diverged_at:
        yield diverged_line(result)
        return
    last = records[-1]
    if settings["hidden"] == "0":
        yield f"w:{show(last['new_w'])}"
        yield f"b:{show(last['new_b'])}"
    else:
        for k in ("W1", "b1", "W2", "b2"):
            yield f"{k}:{show(last['new_' + k])}"
        for j in range(2):
            line = (float(last["new_W1"][j, 0]), float(last["new_W1"][j, 1]), float(last["new_b1"][j]))
            yield f"hidden_line_{j + 1}:{show(line)}"
    yield f"y_hat:{show(last['y_hat'])}"


register(
    Experiment("sigmoid-unit", "One sigmoid unit, one step", "E",
               "x = [0.1, 0.3], y = 0.2, w = [−0.8, 0.5], η = 0.5: every value of one delta-rule step.",
               UNIT_PARAMS, 1, simulate_unit, log_unit, button="Deck: x [0.1, 0.3], y 0.2"),
    Experiment("backprop-worked", "Backpropagation by hand (2-1-1)", "E",
               "Target 1, η = 0.5, x = [0.1, 0.3], w = [0.4, −0.2], W = 0.1: every value of one "
               "backprop step, beside the deck's rounded arithmetic.",
               BACKPROP_PARAMS, 1, simulate_backprop, log_backprop, button="Deck: 2-1-1 worked example"),
    Experiment("matrix-forward", "The forward pass as matrices (3-3-3)", "F",
               "X = W · I, O = sigmoid(X), layer by layer; unrounded and as the deck rounds by hand.",
               MATRIX_PARAMS, 1, simulate_matrix, log_matrix, max_iterations=1,
               button="Deck: 3-3-3 network"),
    Experiment("logic-gates", "Logic gates: one line or two", "F",
               "One sigmoid unit learns AND and OR but never all of XOR; a 2-2-1 network solves XOR.",
               GATE_PARAMS, gates.XOR_EPOCHS, simulate_gates, log_gates, max_iterations=MAX_EPOCHS,
               button="XOR with a hidden layer (2-2-1)"),
)


# --- the pages' lesson instrument: live settings and their runs computed as one batch ---------------
#
# A live slider needs one run per value of its grid. Stepped one by one, F1's grid runs of 1000
# epochs would take seconds; the core's *_grid functions step them all at once (a leading grid
# axis, bit for bit the single runs; `make bench` measures the instrument's payloads). A page hands a ``*_runs`` function
# below to ``gdviz.ui.runs.cached_many``, which keeps the batch's runs for the next cursor step.

from collections.abc import Callable, Mapping, Sequence  # noqa: E402


class _Records(Sequence):
    """A run's records made on demand (the batch holds them as arrays)."""

    def __init__(self, make: Callable[[int], dict], n: int):
        self._make, self._n = make, n

    def __len__(self) -> int:
        return self._n

    def __getitem__(self, k):
        if isinstance(k, slice):
            return [self._make(i) for i in range(*k.indices(self._n))]
        if k < 0:
            k += self._n
        if not 0 <= k < self._n:
            raise IndexError(k)
        return self._make(k)


class GridRun:
    """One member of a batch, read like a :class:`gdviz.core.run.Run`: ``records``,
    ``diverged_at``, ``len()``, and ``column(key)`` as an array (no records made)."""

    def __init__(self, out: dict, g: int, n: int, diverged_at: int | None, make: Callable[[dict, int, int], dict]):
        self._out, self._g = out, g
        self.diverged_at = diverged_at
        self.records = _Records(lambda k: make(out, g, k), n)

    def __len__(self) -> int:
        return len(self.records)

    def array(self, key: str) -> np.ndarray:
        """A field over the run (one value per record), without making the records."""
        return self._out[key][: len(self.records), self._g]

    def column(self, key: str) -> list:
        return self.array(key).tolist()


def _cut(out: dict, keys: Sequence[str], iterations: int) -> list[tuple[int, int | None]]:
    """Each member's (records kept, diverged_at): a run stops at its first non-finite record."""
    ok = np.ones(next(iter(out.values())).shape[:2], dtype=bool)
    for k in keys:
        a = out[k]
        ok &= np.isfinite(a).reshape(a.shape[0], a.shape[1], -1).all(axis=-1)
    result = []
    for g in range(ok.shape[1]):
        bad = np.flatnonzero(~ok[:, g])
        result.append((int(bad[0]) + 1, int(bad[0]) + 1) if bad.size else (iterations, None))
    return result


def _col(members, name) -> np.ndarray:
    return np.array([float(m[name]) for m in members])


# E1: one sigmoid unit, its inputs and weights live
E1_LIVE = (
    Param("x1", "x1 (input 1)", 0.1, ui=(-1.0, 1.0, 0.1), help="The first input of the record."),
    Param("x2", "x2 (input 2)", 0.3, ui=(-1.0, 1.0, 0.1), help="The second input of the record."),
    Param("w1", "w1 (weight 1)", -0.8, ui=(-2.0, 2.0, 0.1), help="The starting weight of input 1."),
    Param("w2", "w2 (weight 2)", 0.5, ui=(-2.0, 2.0, 0.1), help="The starting weight of input 2."),
)
E_TARGET = Param("y", "y (target)", 0.2, ui=(0.0, 1.0, 0.01), help="The output we want (a sigmoid reaches 0 … 1).")
E_RATE = Param("learn_rate", "learn_rate (η)", 0.5, ui=(0.01, 5.0, 0.01), help=LEARN_RATE.help)
E_MOST_ITERATIONS = 200


def e_iterations(default: int) -> Param:
    return Param("iterations", "iterations", default, kind="int", ui=(1, E_MOST_ITERATIONS, 1),
                 help=f"How many steps the run has (at most {E_MOST_ITERATIONS}).")


def unit_settings(flat: Mapping) -> dict:
    """The sigmoid-unit experiment's settings from a page's flat ones (x1, x2, w1, w2, y, learn_rate)."""
    return {"x": (float(flat["x1"]), float(flat["x2"])), "y": float(flat["y"]),
            "w": (float(flat["w1"]), float(flat["w2"])), "learn_rate": float(flat["learn_rate"])}


def _unit_record(out, g, k) -> dict:
    x = out["_x"][g]
    r = {"x": x, "y": float(out["_y"][g]), "learn_rate": float(out["_lr"][g]), "index": 0,
         "w": out["w"][k, g], "delta_w": out["delta_w"][k, g], "new_w": out["new_w"][k, g]}
    for name in ("h", "y_hat", "error", "f_prime", "delta", "E"):
        r[name] = float(out[name][k, g])
    return r


def unit_runs(members: list[dict], iterations: int) -> list[GridRun]:
    """The sigmoid unit's run for each flat setting, at once (bit for bit the single runs)."""
    x = np.array([[m["x1"], m["x2"]] for m in members], dtype=float)
    w = np.array([[m["w1"], m["w2"]] for m in members], dtype=float)
    out = su.unit_grid(x, _col(members, "y"), w, _col(members, "learn_rate"), iterations)
    out.update(_x=x, _y=_col(members, "y"), _lr=_col(members, "learn_rate"))
    cuts = _cut(out, ("h", "y_hat", "error", "f_prime", "delta", "E", "new_w"), iterations)
    return [GridRun(out, g, n, d, _unit_record) for g, (n, d) in enumerate(cuts)]


# E2: the 2-1-1 network, its inputs and three weights live
E2_LIVE = (
    Param("x1", "x1 (input 1)", 0.1, ui=(-1.0, 1.0, 0.1), help="The first input."),
    Param("x2", "x2 (input 2)", 0.3, ui=(-1.0, 1.0, 0.1), help="The second input."),
    Param("w1", "w1 (input 1 → hidden)", 0.4, ui=(-2.0, 2.0, 0.1), help="Starting weight from input 1 to the hidden node."),
    Param("w2", "w2 (input 2 → hidden)", -0.2, ui=(-2.0, 2.0, 0.1), help="Starting weight from input 2 to the hidden node."),
    Param("W", "W (hidden → output)", 0.1, ui=(-2.0, 2.0, 0.1), help="Starting weight from the hidden node to the output."),
)
E2_TARGET = Param("y", "y (target)", 1.0, ui=(0.0, 1.0, 0.01), help="The output we want.")


def backprop_settings(flat: Mapping) -> dict:
    """The backprop-worked experiment's settings from a page's flat ones."""
    return {"x": (float(flat["x1"]), float(flat["x2"])), "y": float(flat["y"]),
            "w": (float(flat["w1"]), float(flat["w2"])), "W": float(flat["W"]),
            "learn_rate": float(flat["learn_rate"])}


_BP_SCALARS = ("h", "a", "h_output", "y_hat", "error", "f_prime_output", "delta_output", "f_prime_hidden",
               "delta_hidden", "delta_W", "E", "W", "new_W")


def _bp_record(out, g, k) -> dict:
    r = {"x": out["_x"][g], "y": float(out["_y"][g]), "learn_rate": float(out["_lr"][g]),
         "w": out["w"][k, g], "delta_w": out["delta_w"][k, g], "new_w": out["new_w"][k, g]}
    for name in _BP_SCALARS:
        r[name] = float(out[name][k, g])
    return r


def backprop_runs(members: list[dict], iterations: int) -> list[GridRun]:
    """The 2-1-1 network's run for each flat setting, at once (bit for bit the single runs)."""
    x = np.array([[m["x1"], m["x2"]] for m in members], dtype=float)
    w = np.array([[m["w1"], m["w2"]] for m in members], dtype=float)
    out = su.backprop_grid(x, _col(members, "y"), w, _col(members, "W"), _col(members, "learn_rate"), iterations)
    out.update(_x=x, _y=_col(members, "y"), _lr=_col(members, "learn_rate"))
    cuts = _cut(out, _BP_SCALARS + ("new_w",), iterations)
    return [GridRun(out, g, n, d, _bp_record) for g, (n, d) in enumerate(cuts)]


def deck_step(r) -> dict | None:
    """Record ``r``'s step as the deck works it by hand (each value rounded before it is used),
    or None when the record overflowed."""
    if not (all(map(math.isfinite, r["w"])) and math.isfinite(r["W"])):
        return None
    return su.backprop_211(r["x"], r["y"], r["w"], r["W"], r["learn_rate"], su.DECK_DECIMALS)


def error_line(r) -> Line:
    """The error the charts plot, ``E = ½ (y − ŷ)²``, from the record's ``error = y − ŷ``."""
    return Line("compare", "E", "½ × error²", f"0.5 × {fmt(r['error'])}²", fmt_value(r["E"]))


# F2: the matrix forward pass, its three inputs live
F2_LIVE = tuple(Param(f"I{k}", f"I[{k}] (input {k})", d, ui=(0.0, 1.0, 0.05), help=f"The value of input node {k}.")
                for k, d in zip((1, 2, 3), MATRIX_PARAMS[0].default))
F2_DECIMALS = MATRIX_PARAMS[3]
F2_TARGET = Param("target", "target node (0.99 there, 0.01 elsewhere)", 1, kind="int", ui=(1, 3, 1),
                  help="The output node whose target is 0.99; the others' are 0.01.")
#: The six cells the F2 page steps through: (layer, node).
CELLS = tuple(("hidden", j) for j in range(3)) + tuple(("output", j) for j in range(3))


def matrix_settings(flat: Mapping) -> dict:
    """The matrix-forward experiment's settings from a page's flat ones (I1, I2, I3, deck_decimals)."""
    s = {p.name: p.default for p in MATRIX_PARAMS}
    s["I"] = MATRIX_PARAMS[0].check(tuple(float(flat[f"I{k}"]) for k in (1, 2, 3)))
    if "deck_decimals" in flat:
        s["deck_decimals"] = MATRIX_PARAMS[3].check(flat["deck_decimals"])
    return s


def matrix_runs(members: list[dict], iterations: int) -> list:
    return [simulate_matrix(matrix_settings(m), iterations) for m in members]


def matrix_weights(settings: Mapping) -> tuple[np.ndarray, np.ndarray]:
    """W_input_hidden and W_hidden_output of the settings as matrices (row j = links into node j)."""
    net = matrix_net_of(settings)
    return net.weights[0], net.weights[1]


def one_hot_errors(O_output, node: int):
    """Targets (0.99 at ``node``, 0.01 elsewhere, as prepared for a sigmoid) and ``T − O_output``."""
    O = np.asarray(O_output, dtype=float)
    T = np.full(O.shape, mn.LOW)
    T[node] = mn.HIGH
    return T, T - O


def cell_arithmetic(r, W1, W2, cell: int, decimals: int) -> list[Line]:
    """Cell ``cell`` (0–5: hidden nodes 1–3, then output nodes 1–3) of the forward pass, numbers put in."""
    layer, j = CELLS[cell]
    W, I, X, O, I_name = ((W1, r["I"], "X_hidden", "O_hidden", "I") if layer == "hidden"
                          else (W2, r["O_hidden"], "X_output", "O_output", "O_hidden"))
    k = j + 1
    terms = " + ".join(f"W[{k},{i + 1}]·{I_name}[{i + 1}]" for i in range(len(I)))
    lines = [Line("forward", f"{X}[{k}]", terms, " + ".join(f"{fmt(w)} × {fmt(v)}" for w, v in zip(W[j], I)),
                  fmt_value(r[X][j])),
             Line("forward", f"{O}[{k}]", f"sigmoid({X}[{k}]) = 1 / (1 + e^(−{X}[{k}]))",
                  f"1 / (1 + e^(−{fmt(r[X][j])}))", fmt_value(r[O][j]))]
    d = r["deck"]
    if layer == "hidden":
        lines.append(Line("deck", f"{O}[{k}]", f"rounded to {decimals} decimals", fmt(r[O][j]),
                          f"{d[O][j]:.{decimals}f}"))
    else:
        hid = d["O_hidden"]
        lines.append(Line("deck", f"{X}[{k}]", f"with O_hidden rounded to {decimals} decimals",
                          " + ".join(f"{fmt(w)} × {v:.{decimals}f}" for w, v in zip(W[j], hid)),
                          f"{d[X][j]:.{decimals}f}"))
        lines.append(Line("deck", f"{O}[{k}]", f"sigmoid({X}[{k}]), {decimals} decimals",
                          f"sigmoid({d[X][j]:.{decimals}f})", f"{d[O][j]:.{decimals}f}"))
    return lines



# F1: logic gates, the starting line live
F1_LIVE = (
    Param("w1", "w1 (start)", -1.0, ui=(-3.0, 3.0, 0.25), help="The starting line's weight of x1."),
    Param("w2", "w2 (start)", 0.5, ui=(-3.0, 3.0, 0.25), help="The starting line's weight of x2."),
    Param("b", "b (start)", 0.5, ui=(-3.0, 3.0, 0.25), help="The starting line's bias."),
)
F1_GATE = Param("gate", "gate", "and", kind="choice", choices=("and", "or", "xor"), help="The truth table to learn.")
F1_HIDDEN = Param("hidden", "learner", "0", kind="choice", choices=("0", "2"),
                  help="One sigmoid unit (2-1: one line), or a 2-2-1 network (two hidden units: two lines). "
                       "With the hidden layer the sliders set hidden node 1's starting line.")
F1_EPOCHS = Param("epochs", "epochs", 1000, kind="int", choices=(100, 200, 500, 1000, 2000),
                  help="How long the run is. The timeline shows about 100 frames of it: every epoch up to 100, "
                       "else every 2nd, 5th, 10th or 20th (and epoch 1), so Play shows every frame it has.")
F1_FRAMES = 100


def gate_settings(flat: Mapping) -> dict:
    """The logic-gates experiment's settings from a page's flat ones (w1, w2, b the starting line)."""
    s = {p.name: p.default for p in GATE_PARAMS}
    for name in ("gate", "hidden", "learn_rate", "seed"):
        if name in flat:
            s[name] = next(p for p in GATE_PARAMS if p.name == name).check(flat[name])
    s["start"] = GATE_PARAMS[4].check((float(flat["w1"]), float(flat["w2"]), float(flat["b"])))
    return s


def frame_records(n: int, epochs: int) -> list[int]:
    """Which records (0-based) a run of ``epochs`` epochs (``n`` kept) shows as frames: every
    k-th epoch with k = epochs // 100 (at least 1), epoch 1 first and the last kept one last."""
    k = max(1, epochs // F1_FRAMES)
    return sorted({0, n - 1, *range(k - 1, n, k)})


def _gate_unit_record(out, g, k) -> dict:
    return {"epoch": k + 1, "w": out["w"][k, g], "b": float(out["b"][k, g]), "y_hat": out["y_hat"][k, g],
            "E": float(out["E"][k, g]), "accuracy": float(out["accuracy"][k, g]),
            "new_w": out["new_w"][k, g], "new_b": float(out["new_b"][k, g])}


def _gate_net_record(out, g, k) -> dict:
    W1, b1 = out["W1"][k, g], out["b1"][k, g]
    return {"epoch": k + 1, "W1": W1, "b1": b1, "W2": out["W2"][k, g], "b2": out["b2"][k, g],
            "y_hat": out["y_hat"][k, g], "E": float(out["E"][k, g]), "accuracy": float(out["accuracy"][k, g]),
            "hidden_lines": tuple((float(W1[j, 0]), float(W1[j, 1]), float(b1[j])) for j in range(2))}


def gate_runs(members: list[dict], epochs: int) -> list:
    """The logic-gates run of each flat setting; those sharing gate and learner at once."""
    out_runs: list = [None] * len(members)
    groups: dict = {}
    for i, m in enumerate(members):
        s = gate_settings(m)
        groups.setdefault((s["gate"], s["hidden"]), []).append((i, s))
    for (gate, hidden), items in groups.items():
        lr = np.array([s["learn_rate"] for _, s in items])
        if hidden == "0":
            out = gates.unit_grid(gate, [s["start"][:2] for _, s in items], [s["start"][2] for _, s in items], lr, epochs)
            keys, make = ("w", "b", "y_hat", "E", "new_w", "new_b"), _gate_unit_record
        else:
            nets = [gate_start(s) for _, s in items]
            out = gates.net_grid(gate, [n.W1 for n in nets], [n.b1 for n in nets], [n.W2 for n in nets],
                                 [n.b2 for n in nets], lr, epochs)
            keys, make = ("W1", "b1", "W2", "b2", "y_hat", "E"), _gate_net_record
        for (i, _), (g, (n, d)) in zip(items, enumerate(_cut(out, keys, epochs))):
            out_runs[i] = GridRun(out, g, n, d, make)
    return out_runs


def gate_arithmetic(r, gate: str) -> list[Line]:
    """Epoch ``r``'s line(s) and the learner's answer for each row of the truth table."""
    x, y = gates.truth_table(gate)
    lines = []
    if "hidden_lines" in r:
        for j, (a, b, c) in enumerate(r["hidden_lines"]):
            lines.append(Line("line", f"hidden {j + 1}", "w1·x1 + w2·x2 + b = 0",
                              f"{fmt(a, 4)}·x1 + {fmt(b, 4)}·x2 + {fmt(c, 4)} = 0", "ŷ of the node is 0.5 on it"))
        with np.errstate(over="ignore", invalid="ignore"):
            hidden = 1.0 / (1.0 + np.exp(-(x @ np.asarray(r["W1"]).T + np.asarray(r["b1"]))))
        for row, h, t, p in zip(x, hidden, y, r["y_hat"]):
            ok = "✓" if (p > 0.5) == (t > 0.5) else "✗"
            lines.append(Line("answer", f"ŷ({row[0]:g}, {row[1]:g})", "sigmoid(W2 · hidden + b2)",
                              f"hidden = ({fmt(h[0], 3)}, {fmt(h[1], 3)})", f"{p:.3f} (target {t:g} {ok})"))
    else:
        w1, w2, b = float(r["w"][0]), float(r["w"][1]), float(r["b"])
        lines.append(Line("line", "the unit", "w1·x1 + w2·x2 + b = 0",
                          f"{fmt(w1, 4)}·x1 + {fmt(w2, 4)}·x2 + {fmt(b, 4)} = 0", "ŷ is 0.5 on it"))
        for row, t, p in zip(x, y, r["y_hat"]):
            ok = "✓" if (p > 0.5) == (t > 0.5) else "✗"
            lines.append(Line("answer", f"ŷ({row[0]:g}, {row[1]:g})", f"sigmoid(w1·{row[0]:g} + w2·{row[1]:g} + b)",
                              f"sigmoid({fmt_value(w1 * row[0] + w2 * row[1] + b, 4)})", f"{p:.3f} (target {t:g} {ok})"))
    return lines
