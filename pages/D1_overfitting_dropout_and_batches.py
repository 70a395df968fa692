"""D1–D3 · Overfitting, dropout and mini-batches: a 784 → hidden → 10 relu network trained live on
MNIST, with the early-stopping point, kept runs to compare, and the hidden layer as pictures."""

import streamlit as st

from gdviz import experiments
from gdviz.experiments import mnist_hidden as D
from gdviz.experiments.base import Param
from gdviz.figures import mnist as mfigs
from gdviz.figures import mnist_net as figs
from gdviz.figures import theme
from gdviz.ui import controls, digit, page, presets, surprises, trainer

KEY = "mnistnet"
PAGE = "D1"  # the page's own widget keys (D1.alpha …): no other lesson's values leak in
KEPT = f"{KEY}_kept"
#: (signature, records) of the runs already kept, so a run is never kept twice.
KEPT_FROM = f"{KEY}_kept_from"
#: The last training's description, by signature (the label it gets when it is kept later).
LAST = f"{KEY}_last"
MAX_KEPT = 6
exps = [experiments.get(n) for n in ("mnist-overfit", "mnist-dropout", "mnist-batch", "mnist-batch-book")]
chart = page.CHART_CONFIG

page.lesson(
    "Overfitting, dropout and mini-batches", "D1–D3",
    "Now a hidden layer: 784 pixels → `hidden_size` relu units → 10 digits, learning from the first "
    "1,000 MNIST training images and tested on all 10,000 test images it never learns from. Press "
    "**Train** and watch two curves part ways. Training accuracy keeps climbing towards 100%: the "
    "network is learning *these* 1,000 images, noise and all. Test accuracy peaks early and then "
    "slides: what it memorises about particular images does not carry over to new ones. The ★ marks "
    "the best test point — stopping there is **early stopping**. **Dropout** switches off a random "
    "half of the hidden units for every training image, so no unit can rely on its neighbours to "
    "memorise; **mini-batches** average the updates of `batch_size` images before moving the weights. "
    "Keep a finished run, change a setting, train again, and compare.")

lecture = page.lecture()
ITERATIONS = Param("iterations", "iterations", exps[0].iterations, kind="int", lo=1, hi=D.MAX_ITERATIONS,
                   ui=(1, D.MAX_ITERATIONS, 1), help=f"The length of the run (at most {D.MAX_ITERATIONS}).")
# The main settings stay on the page; the finer ones (and on a projector the book's runs too) go
# into an expander, so the Train button and the curves follow the settings closely (a phone's one
# column, a projector's first screen). It opens by itself when one of them is not its default.
c = st.columns(4, vertical_alignment="center")
with c[0]:
    alpha = controls.page_slider(D.ALPHA, PAGE)
with c[1]:
    hidden_size = controls.page_slider(D.HIDDEN_SIZE, PAGE, label="hidden_size" if lecture else None)
with c[2]:
    iterations = controls.page_slider(ITERATIONS, PAGE)
with c[3]:
    dropout = controls.page_toggle("dropout", PAGE, "dropout", default=False, help=D.DROPOUT.help)
FINER = (D.BATCH_SIZE, D.TRAIN_IMAGES, D.KEEP_PROB, D.TEST_EVERY, D.RELU_DERIV, D.BATCH_UPDATE)
changed = not lecture and any(p.name in st.query_params for p in FINER)  # the link holds what is not default
if not lecture:
    presets.link_buttons(exps, iterations_default=ITERATIONS.default, label="The book's runs")
with st.expander("The book's runs and more settings" if lecture else
                 "More settings: batch_size, training images, keep probability, tests, relu2deriv", expanded=changed):
    if lecture:
        presets.link_buttons(exps, iterations_default=ITERATIONS.default, label="The book's runs")
    c = st.columns(4, vertical_alignment="center")
    with c[0]:
        batch_size = controls.page_slider(D.BATCH_SIZE, PAGE)
        train_images = controls.page_slider(D.TRAIN_IMAGES, PAGE)
    with c[1]:
        keep_prob = controls.page_slider(D.KEEP_PROB, PAGE, label="keep probability (with dropout)")
        test_every = controls.page_slider(D.TEST_EVERY, PAGE)
    with c[2]:
        relu_deriv = controls.page_choice(D.RELU_DERIV, PAGE, options=D.RELU_DERIVS, radio=True)
    with c[3]:
        batch_update = controls.page_choice(D.BATCH_UPDATE, PAGE, options=D.BATCH_UPDATES, radio=True,
                                            label="batch update (batch_size > 1)")

settings = exps[0].settings(alpha=alpha, hidden_size=hidden_size, dropout=dropout, batch_size=batch_size,
                            train_images=train_images, test_every=test_every, relu_deriv=relu_deriv,
                            keep_prob=keep_prob, batch_update=batch_update)
book_batch = batch_size > 1 and batch_update == "book"
notes = []
if book_batch:
    notes.append(f"**The book's printed batch code**: a batch of {batch_size} goes forward together, then the "
                 f"batch's averaged update is applied {batch_size} times, once per image of the batch, all from "
                 f"the same batch delta. So each batch moves the weights about as far as one real mini-batch "
                 f"step with {batch_size}× the alpha: the book's alpha 0.001 behaves much like 0.1 in real "
                 "mini-batches (after one pass of the presets, Test-Acc 0.3832 against 0.3984; real "
                 "mini-batches at 0.001 reach only 0.0674). That is why the book can use so small an alpha. "
                 "The book's printed log is reproduced to the last digit. Images left over after the last "
                 "whole batch are not learned.")
    if batch_size > train_images:
        st.error(f"The book's batch code learns whole batches only: batch_size ({batch_size}) must be at most "
                 f"the number of training images ({train_images}).")
        st.stop()
elif batch_size > 1:
    notes.append(f"**Real mini-batches**: one update per batch of {batch_size}, by the batch's average "
                 "delta. The book's printed batch code updates inside its per-image loop, so its batch numbers "
                 "are not these (set **batch update** to *book* to run it as printed). A batch's matrix "
                 "products run in single precision (float32, as deep-learning libraries do) — about twice as "
                 "fast, and a millionth of an update off.")
if dropout and keep_prob != 0.5:
    notes.append(f"Dropout keeps each hidden unit with probability {keep_prob} and scales the kept ones by "
                 f"1/{keep_prob}; the book's coin flips are the case 0.5, so other rates use their own random "
                 "draws.")
if relu_deriv == "book":
    notes.append("`relu2deriv` as the book writes it, `output >= 0`, is true for every relu output (0 "
                 "included), so blame flows back through switched-off units too. That is what reproduces the "
                 "book's numbers; choose **strict** (`output > 0`) for the true slope.")


CHANGE, WEIGHTS = "what training changed", "the weights themselves"


@st.cache_resource(show_spinner=False, max_entries=8)
def initial_weights(hidden: int):
    return D.initial_weights_0_1(hidden)  # the book's seed-1 start: the same for every session


def describe() -> str:
    how = "per image" if batch_size == 1 else f"batch {batch_size}"
    drop = (", dropout" + ("" if keep_prob == 0.5 else f" keep {keep_prob}")) if dropout else ""
    how += " (book's code)" if book_batch else ""
    return (f"hidden {hidden_size}, alpha {alpha}, {how}{drop}, "
            f"{train_images:,} images{'' if relu_deriv == 'book' else ', strict relu2deriv'}")


def keep(t: trainer.Training, label: str | None = None) -> None:
    """Draw ``t``'s curves on the chart from now on (once: a run already kept is not added again)."""
    kept = st.session_state.setdefault(KEPT, [])
    kept_from = st.session_state.setdefault(KEPT_FROM, [])
    if not t.records or any(sig == t.signature and n == len(t.records) for sig, n in kept_from):
        return
    kept.append((f"run {len(kept) + 1} ({label or describe()}, I:0–{len(t.records) - 1})", list(t.records)))
    kept_from.append((t.signature, len(t.records)))
    del kept[:-MAX_KEPT], kept_from[:-MAX_KEPT]


def clear() -> None:
    st.session_state[KEPT] = []
    st.session_state[KEPT_FROM] = []
    st.session_state.pop(f"{KEY}_auto_kept", None)


def restore(t: trainer.Training) -> None:
    if t.state.best is not None:
        t.playing = False
        st.session_state[f"{KEY}_restored"] = (t.state.best.j, t.state.best.test_accuracy)
        t.state = D.restore_best(t.state)


def render(t: trainer.Training) -> None:
    lecture = page.lecture()
    s = t.state
    recs = t.records
    if t.diverged_at:
        st.error(f"**Diverged at iteration {t.diverged_at}** (I:{t.diverged_at - 1}): the weights "
                 "overflowed to inf/nan. The curves stop there; try a smaller alpha.", icon=":material/error:")
    tested = [r for r in recs if r["test_accuracy"] is not None]
    best = figs.best_point(recs)

    def metrics() -> None:
        m = st.columns(4)
        m[0].metric("iterations done", f"{len(recs)} of {iterations}")
        m[1].metric("Train-Acc", theme.num(recs[-1]["train_accuracy"], 4) if recs else "—")
        m[2].metric("Test-Acc (last test)", theme.num(tested[-1]["test_accuracy"], 4) if tested else "—")
        m[3].metric("best Test-Acc", f"{theme.num(best[1], 4)} at I:{best[0]}" if best else "—")

    kept = st.session_state.get(KEPT, [])
    st.plotly_chart(figs.curves(recs, iterations, kept=kept, lecture=lecture), key=f"{KEY}_curves", config=chart)
    metrics()  # under the curves: on a phone or a projector the curves follow the buttons at once
    b = st.columns([1, 1, 1, 1.4] if lecture else [1.3, 1.3, 1.6, 3])
    b[0].button("Keep this run", key=f"{KEY}_keep", disabled=not recs, width="stretch", on_click=keep, args=(t,),
                help=f"Draw this run's test curves on the chart for comparison (the last {MAX_KEPT} are kept). "
                     "A run is also kept by itself when you change a setting.")
    b[1].button("Clear kept runs", key=f"{KEY}_clear", disabled=not kept, width="stretch", on_click=clear)
    b[2].button("Restore best", key=f"{KEY}_restore", disabled=s.best is None, width="stretch",
                on_click=restore, args=(t,),
                help="Restore the best weights — early stopping after the fact: put back the weights of the "
                     "★ point. Training on continues from there.")
    restored = st.session_state.get(f"{KEY}_restored")
    if restored and s.best is not None and s.weights_0_1 is s.best.weights_0_1:
        b[3].success(f"Weights restored from I:{restored[0]} (Test-Acc {restored[1]:.4f}).")
    auto = st.session_state.get(f"{KEY}_auto_kept")
    if kept:
        st.caption("Kept runs: test accuracy and error as solid lines, train accuracy dotted, one colour per run."
                   + (f" When you changed a setting, the run so far ({auto}) was kept by itself: it is "
                      f"{kept[-1][0].split(' (')[0]} on the chart." if auto else ""))

    for n in notes:  # what the chosen settings mean (shown under the curves they shape)
        st.caption(n)

    st.subheader("Inside the network")
    show = st.radio("draw", [CHANGE, WEIGHTS], key=f"_{KEY}_show", horizontal=True, label_visibility="collapsed")
    if show == CHANGE and not recs:
        st.info("Nothing trained yet, so nothing has changed: press **Train** (or **Step**) and the "
                f"{hidden_size} hidden units' pictures of what training wrote appear here.",
                icon=":material/hourglass_empty:")
    elif show == CHANGE:
        start_w01 = initial_weights(hidden_size)
        st.plotly_chart(figs.hidden_maps(D.training_change(s.weights_0_1, start_w01), lecture=lecture,
                                         title="weights_0_1 − start: what training changed"),
                        key=f"{KEY}_hidden", config=chart)
        st.caption(f"One picture per hidden unit ({hidden_size}, unit 0 top left): its 784 incoming weights "
                   "minus their starting values. "
                   "The book starts every weight at a random value between −0.1 and 0.1, and that speckle "
                   "hides what was learned. Subtracting the start leaves only what training wrote: strokes "
                   "where digits put ink, a blank border where no image ever has ink (those weights never "
                   "receive a weight_delta). Units that learn something general show smooth strokes; "
                   "memorising units show sharp, noisy patches. Compare a run with dropout.")
    else:
        st.plotly_chart(figs.hidden_maps(s.weights_0_1, lecture=lecture), key=f"{KEY}_hidden", config=chart)
        st.caption("Each hidden unit's 784 incoming weights drawn as a 28×28 picture (colours clipped at the "
                   "99.5th percentile so one extreme weight does not wash the rest out). The random start "
                   "dominates: switch to *what training changed* to see the learned part.")
    left, right = (st.container(), st.container()) if lecture else st.columns([1, 1.2])
    with left:
        st.plotly_chart(figs.output_map(s.weights_1_2, lecture=lecture), key=f"{KEY}_output", config=chart)
    with right:
        images, labels = D.test_set()  # read-only, loaded once per server (by the core)
        index = st.slider("test image (index)", 0, len(images) - 1, 0, key=f"_{KEY}_image",
                          help="Which test image to run through the network (its current weights, no dropout).")
        d = digit.choose(KEY, images, labels, index)
        if d is not None:
            layer_1, layer_2 = D.outputs(s, d.pixels)
            cols = st.columns([1, 1.5] if lecture else [1, 1.6])
            cols[0].plotly_chart(mfigs.image_map(d.pixels, label=d.label, lecture=lecture), key=f"{KEY}_img",
                                 config=chart)
            cols[1].plotly_chart(mfigs.score_bars(layer_2, label=d.label, lecture=lecture), key=f"{KEY}_scores",
                                 config=chart)
            surprises.show("relu_threshold", {"layer_1": layer_1, "relu_deriv": relu_deriv})

    with st.expander("The log, as the book prints it"):
        lines = [D.line(r, test_first=dropout) for r in recs if r["test_accuracy"] is not None] or ["(no test yet)"]
        st.code("\n".join(lines), language=None)


#: What the training depends on: its settings and its length (a change starts a fresh training).
SIGNATURE = (*settings.items(), (ITERATIONS.name, iterations))
previous = trainer.current(KEY)
if previous is not None and previous.signature != SIGNATURE and previous.records:
    # A setting changed: the trainer starts afresh, so the run trained so far (a finished one
    # took many seconds) is kept on the chart first, under the settings it was trained with.
    label = st.session_state.get(LAST, {}).get(previous.signature)
    keep(previous, label)
    st.session_state[f"{KEY}_auto_kept"] = label or "the previous run"
st.session_state[LAST] = {SIGNATURE: describe()}
trainer.trainer(KEY, SIGNATURE, lambda: D.start(settings, iterations), D.stepper(settings), iterations, render,
                step_help="Train one more iteration (one pass over the training images).")
