"""B2 · Freezing weights: the frozen weight's curve slides under its dot; the error surface."""

import streamlit as st

from gdviz import experiments
from gdviz.experiments import many_weights as B
from gdviz.experiments.base import Param
from gdviz.figures import many_weights as figs
from gdviz.figures.theme import num
from gdviz.ui import arithmetic, controls, downloads, page, player

KEY = "frz"
ALPHA_CHOICES = (0.001, 0.003, 0.01, 0.03, 0.1, 0.2, 0.3, 0.5)
NAMES = figs.WEIGHT_NAMES
PAIRS = {"a-b": (0, 1), "a-c": (0, 2), "b-c": (1, 2)}
PAIR = Param("surface", "error surface of weights", "a-b", kind="choice", choices=tuple(PAIRS),
             help="Which two weights the error surface is drawn over (the third is held still).")
exp = experiments.get("freeze")

page.lesson(
    "Freezing weights", "B2",
    "Tick a weight to **freeze** it: its weight_delta is set to 0 and it never moves. Watch the frozen "
    "weight's chart: its dot stays put, yet its curve slides sideways under it until the dot sits at the "
    "bottom. Why? Each curve is a cut through *one* error surface over all three weights, taken where "
    "the other weights are now. When b and c move, the cut along a moves too — and since they share one "
    "error, bringing it to 0 puts every cut's bottom under its dot. Un-freeze a once the error is 0 and "
    "it will not move: error 0 means delta 0, so weight_delta 0. The surface of two weights, below, "
    "shows the cuts as lines through one landscape.")


def _preset(values: dict) -> None:
    controls.set_values(values)
    player.reset(KEY)


row = st.container(horizontal=True, vertical_alignment="center", gap="small")
row.markdown("**Presets from the book:**")
for name in ("freeze", "freeze-then-unfreeze"):
    e = experiments.get(name)
    s = e.settings()
    values = {"alpha": s["alpha"], "unfreeze_at": s["unfreeze_at"], "iterations": e.iterations,
              **{f"frozen_{n}": i in s["frozen"] for i, n in enumerate(NAMES)}}
    row.button(e.button, key=f"preset_{name}", on_click=_preset, args=(values,), help=e.summary)

c = st.columns([1, 1, 1, 3])
flags = []
for i, n in enumerate(NAMES):
    with c[i]:
        flags.append(controls.toggle(f"frozen_{n}", f"freeze {n}", default=(i == 0),
                                     help=f"Weight {n} does not learn: its weight_delta is 0."))
c = st.columns(3)
with c[0]:
    alpha = controls.choice_slider(B.ALPHA, ALPHA_CHOICES, default=0.3)
with c[1]:
    unfreeze_at = controls.number_slider(B.UNFREEZE_AT)
with c[2]:
    iterations = controls.iterations_slider(exp.iterations, 100)

frozen = tuple(i for i, f in enumerate(flags) if f)
settings = exp.settings(alpha=alpha, frozen=frozen, unfreeze_at=unfreeze_at)
run = exp.shared_run(settings, iterations)
page.diverged(run)

c = st.columns([2, 1, 3])
with c[0]:
    pair = controls.choice_slider(PAIR, tuple(PAIRS), format_func=lambda p: p.replace("-", " and "))
with c[1]:
    three_d = controls.toggle("surface_3d", "3-D surface", help="Show the error surface in 3-D instead of contours.")


def render(i: int) -> None:
    r = run.records[i]
    lecture = page.lecture()
    st.plotly_chart(figs.slices(run.records, i, lecture=lecture, history=True), key=f"{KEY}_slices",
                    config={"displayModeBar": False})
    state = "frozen: " + (", ".join(n for n, f in zip(NAMES, r["frozen"].tolist()) if f) or "none")
    m = st.columns(4)
    m[0].metric("pred", num(r["pred"]))
    m[1].metric("error", num(r["error"], 4))
    m[2].metric("delta", num(r["delta"], 4))
    m[3].metric("this iteration", state)
    left, right = st.columns([3, 2])
    with left:
        wi, wj = PAIRS[pair]
        st.plotly_chart(figs.error_surface(run.records, i, wi, wj, three_d=three_d, lecture=lecture),
                        key=f"{KEY}_surface", config={"displayModeBar": False})
    with right:
        st.markdown("**One surface, many cuts.** Each curve above is this landscape seen along one "
                    "weight, through the current point. A frozen weight's coordinate never changes, so "
                    "the path runs parallel to the other axis — and as the point slides into the valley, "
                    "the cut through it along the frozen weight bottoms out right under the dot.")
        st.caption("Colours are capped so the valley shows in detail; higher ground is all yellow.")
    arithmetic.show(B.multi_input_arithmetic(r), title=f"The arithmetic of iteration {i + 1}")


player.player(KEY, len(run), render)
with st.expander("The log, as the book prints it"):
    lines = list(exp.log(run, settings))
    st.code("\n".join(lines), language=None)
    downloads.log_buttons(exp.name, run.records, lines)
