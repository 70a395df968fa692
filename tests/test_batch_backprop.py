"""C3's batch kernel (every grid value's run at once) gives exactly the runs of the plain
``pass_step`` loop: every record, every number to the last bit, the same place of divergence."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pytest

from gdviz import experiments
from gdviz.core import backprop as bp
from gdviz.core import checks
from gdviz.core.run import run
from gdviz.experiments import streetlights as S
from gdviz.ui import runs


def assert_same(want, got, path="record"):
    """Exactly equal: the same keys in the same order, types, shapes, dtypes and bytes."""
    if isinstance(want, Mapping):
        assert isinstance(got, Mapping) and list(got) == list(want), path
        for k in want:
            assert_same(want[k], got[k], f"{path}.{k}")
    elif isinstance(want, (list, tuple)):
        assert isinstance(got, (list, tuple)) and len(got) == len(want), path
        for i, (a, b) in enumerate(zip(want, got)):
            assert_same(a, b, f"{path}[{i}]")
    elif isinstance(want, np.ndarray):
        assert isinstance(got, np.ndarray), path
        assert (got.dtype, got.shape) == (want.dtype, want.shape), path
        assert got.tobytes() == want.tobytes(), (path, want, got)
    else:
        assert type(got) is type(want), (path, type(want), type(got))
        assert got == want or (want != want and got != got), (path, want, got)


def assert_runs(want, got):
    assert got.diverged_at == want.diverged_at
    assert len(got.records) == len(want.records)
    assert_same(want.records, got.records)


SETTINGS = [dict(alpha=a, hidden_size=h, seed=seed, activation=act)
            for act in ("relu", "linear") for h, seed in ((4, 1), (1, 0), (8, 20), (3, 7))
            for a in (0.01, 0.2, 0.7, 1.0, 2.5, 40.0)]


@pytest.mark.parametrize("data", [(), "book"])
def test_the_batch_is_the_reference_on_many_settings_including_diverging_ones(data):
    exp = experiments.get("backprop")
    extra = {"streetlights": S._flat(S.BOOK_STREETLIGHTS), "walk_vs_stop": S.BOOK_WALK_VS_STOP} if data else {}
    settings = [exp.settings(**s, **extra) for s in SETTINGS]
    got = S.simulate_backprop_many(settings, 25)
    diverged = 0
    for s, g in zip(settings, got):
        want = S.simulate_backprop_step(s, 25)
        assert_runs(want, g)
        diverged += want.diverged_at is not None
        assert_runs(want, exp.simulate(s, 25))  # the experiment's own simulate is the kernel too
    assert diverged >= 6  # the linear network overflows at the big alphas


def test_a_run_that_cannot_be_made_is_none_and_the_others_are_made():
    exp = experiments.get("backprop")
    good = exp.settings(alpha=0.3)
    bad = {**good, "walk_vs_stop": (1.0, 0.0, 1.0, 0.0, 1.0)}  # 5 goals for 12 lights: refused
    got = S.simulate_backprop_many([good, bad, good], 5)
    assert got[1] is None
    assert_runs(S.simulate_backprop_step(good, 5), got[0])
    assert_runs(S.simulate_backprop_step(good, 5), got[2])


def test_the_kernel_refuses_states_of_different_shapes():
    with pytest.raises(ValueError, match="one shape"):
        bp.pass_runs([bp.network(hidden_size=2), bp.network(hidden_size=3)], 2)


def test_the_batch_runs_are_read_only_and_shared_as_they_are():
    exp = experiments.get("backprop")
    r = S.simulate_backprop_many([exp.settings()], 3)[0]
    ex = r.records[1]["examples"][2]
    with pytest.raises(TypeError):
        ex["pred"] = 0.0
    assert all(checks.immutable(v) for v in ex.values() if isinstance(v, np.ndarray))
    assert runs.frozen_run(r) is r  # nothing copied before the server keeps it


def test_the_grid_runs_through_the_shared_cache_serve_the_committed_run_too():
    """C3's grid: the committed run (base) is taken from the cache the grid's batch filled."""
    exp = experiments.get("backprop")
    s = exp.settings(seed=13, hidden_size=5)  # a setting no other test asks for
    grid = S.many(S.activations_run)(exp, runs.simulate(exp), runs.shared_many(exp))
    made = grid([{**s, "alpha": a} for a in S.NET_ALPHA_STEPS], 12)
    base = S.activations_run(exp, {**s, "alpha": S.NET_ALPHA_STEPS[3]}, 12, simulate=runs.simulate(exp))
    assert base.runs["relu"] is made[3].runs["relu"] and base.runs["linear"] is made[3].runs["linear"]
    ref = S.many(S.activations_run)(exp)([{**s, "alpha": a} for a in S.NET_ALPHA_STEPS], 12)
    for m, w in zip(made, ref):
        for act in ("relu", "linear"):
            assert_runs(w.runs[act], m.runs[act])
