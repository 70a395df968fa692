"""C1 and C2's batch kernel (every grid value's run at once) gives exactly the runs of the plain
``pass_step`` loop: every record, every number to the last bit, the same place of divergence."""

from __future__ import annotations

import numpy as np
import pytest

from gdviz import experiments
from gdviz.core import checks
from gdviz.core import streetlights as ds
from gdviz.experiments import streetlights as S
from gdviz.ui import runs
from tests.test_batch_backprop import assert_runs

ALPHAS = (0.01, 0.1, 0.3, 0.7, 1.0, 2.0, 5.0, 40.0)


@pytest.mark.parametrize("name", ["streetlights", "streetlight-one", "no-correlation"])
def test_the_batch_is_the_reference_on_many_settings_including_diverging_ones(name):
    exp = experiments.get(name)
    rows = len(exp.settings()["walk_vs_stop"])
    modes = [("stochastic", 1), ("full", 1)] + [("batch", b) for b in range(1, rows + 1)]
    settings = [exp.settings(alpha=a, mode=m, batch_size=b, weights=w)
                for m, b in modes for a in ALPHAS for w in (S.BOOK_WEIGHTS, (-1.5, 0.0, 2.0))]
    got = S.simulate_dataset_many(settings, 30)
    diverged = 0
    for s, g in zip(settings, got):
        want = S.simulate_dataset_step(s, 30)
        assert_runs(want, g)
        diverged += want.diverged_at is not None
    assert diverged >= (4 if rows > 1 else 0)  # one pattern alone does not overflow in 30 iterations
    assert_runs(S.simulate_dataset_step(settings[5], 30), exp.simulate(settings[5], 30))


def test_other_lights_and_a_refused_setting():
    exp = experiments.get("streetlights")
    left = exp.settings(walk_vs_stop=S.LEFT_WALK_VS_STOP, mode="batch", batch_size=4)
    bad = exp.settings(walk_vs_stop=(1.0, 0.0, 1.0, 1.0))  # 4 goals for 18 lights
    got = S.simulate_dataset_many([left, bad, {**left, "alpha": 0.9}], 12)
    assert got[1] is None
    assert_runs(S.simulate_dataset_step(left, 12), got[0])
    assert_runs(S.simulate_dataset_step({**left, "alpha": 0.9}, 12), got[2])


def test_the_kernel_refuses_mixed_modes():
    x, y = np.array(ds.STREETLIGHTS, float), np.array(ds.WALK_VS_STOP, float)
    with pytest.raises(ValueError, match="one shape, mode"):
        ds.pass_runs([ds.Dataset(np.array(ds.BOOK_WEIGHTS), x, y, 0.1, m) for m in ("stochastic", "full")], 2)


def test_the_batch_runs_are_read_only_and_serve_the_committed_run():
    exp = experiments.get("streetlights")
    s = exp.settings(weights=(0.25, -0.5, 1.25))  # a setting no other test asks for
    grid = S.many(S.modes_run)(exp, runs.simulate(exp), runs.shared_many(exp))
    made = grid([{**s, "alpha": a} for a in S.ALPHA_STEPS], 9)
    base = S.modes_run(exp, {**s, "alpha": S.ALPHA_STEPS[2]}, 9, simulate=runs.simulate(exp))
    assert all(base.runs[m] is made[2].runs[m] for m in S.MODES)
    ex = made[0].runs["batch"].records[3]["examples"][1]
    with pytest.raises(TypeError):
        ex["pred"] = 0.0
    assert all(checks.immutable(v) for v in ex.values() if isinstance(v, np.ndarray))
