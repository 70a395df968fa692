"""F3 · Looking inside: back-query — train the lecture's sigmoid network on MNIST, then ask it
what each digit looks like to it."""

import streamlit as st

from gdviz import experiments
from gdviz.experiments import mnist_sigmoid as F
from gdviz.figures import back_query as figs
from gdviz.figures import theme
from gdviz.ui import controls, page, presets, trainer

KEY = "backquery"
exp = experiments.get("mnist-sigmoid")

page.lesson(
    "Looking inside: back-query", "F3",
    "The lecture's network for handwritten digits: 784 pixels → a layer of sigmoid nodes → 10 "
    "outputs, one per digit. Pixels are squeezed into 0.01–1.0 and the targets are 0.01 and 0.99, "
    "because a sigmoid never reaches 0 or 1. It learns one image at a time with "
    "`ΔW = η · (E ∘ O ∘ (1 − O)) · O_prevᵀ`. Press **Train** and watch the test accuracy climb. "
    "Then the unusual part: **back-query** runs the network *backwards*. Start from an answer "
    "(0.99 for one digit, 0.01 for the rest), undo the sigmoid with its inverse (the logit), pass "
    "the result back through the transposed weights, and repeat down to the pixels. The picture "
    "you get is what that output node responds to: the network's idea of the digit.")

PAGE = "F3"  # the page's own widget keys (F3.hidden …): no other lesson's values leak in
lecture = page.lecture()
if lecture:  # the first screen of a projector: two settings, Train, and the ten pictures
    hidden, epochs = controls.page_row(PAGE, F.HIDDEN, F.EPOCHS)
    with st.expander("Preset, learning rate and training images"):
        presets.link_buttons([exp], iterations_key=None, label="Preset from the deck")
        learning_rate, train_images = controls.page_row(PAGE, F.LEARNING_RATE, F.TRAIN_IMAGES)
else:
    presets.link_buttons([exp], iterations_key=None, label="Preset from the deck")
    hidden, learning_rate, epochs, train_images = controls.page_row(PAGE, F.HIDDEN, F.LEARNING_RATE, F.EPOCHS,
                                                                    F.TRAIN_IMAGES)
settings = exp.settings(hidden=hidden, learning_rate=learning_rate, epochs=epochs, train_images=train_images)
target = F.steps(settings)


@st.cache_resource(show_spinner=False)
def training_set(n: int):
    return F.training_set(n)  # read-only, shared by every session


#: The "fed forward again" table, in the page's type (st.table follows lecture mode's sizes; its
#: narrow columns wrap their headers instead of cutting them off).
TABLE_CSS = """<style>
[data-testid="stTable"] th, [data-testid="stTable"] td { white-space: normal; }
</style>"""
TABLE_LECTURE_CSS = """<style>
[data-testid="stMain"] [data-testid="stTable"] th, [data-testid="stMain"] [data-testid="stTable"] td {
  font-size: 1.45rem !important; padding: 0.2rem 0.5rem; }
</style>"""


def render(t: trainer.Training) -> None:
    net = t.state.net
    rows = F.epochs_of(t.records)
    last = rows[-1] if rows else None

    def metrics() -> None:
        m = st.columns(4)
        m[0].metric("epoch", f"{t.state.seen // train_images} of {epochs}" if t.records else f"0 of {epochs}")
        m[1].metric("images learned", f"{t.state.seen:,}")
        m[2].metric("Test-Acc (last epoch)", theme.num(last["test_accuracy"], 4) if last else "—")
        m[3].metric("Train-Acc (last epoch)", theme.num(last["train_accuracy"], 4) if last else "—")

    images10 = F.back_query_digits(net)
    st.subheader("What each output node imagines")
    st.plotly_chart(figs.back_query_maps(images10, lecture=lecture), key=f"{KEY}_maps",
                    config=page.CHART_CONFIG)
    metrics()  # under the pictures: on a phone or a projector the pictures follow the buttons at once
    st.caption("Each picture is back-query of one digit with the current weights: dark where the network "
               "wants ink, light where ink counts against that digit. Before training they are noise; after "
               "one epoch the outlines of the digits show through the speckle.")
    left, right = st.columns([1, 1]) if not lecture else (st.container(), st.container())
    with left:
        st.subheader("Accuracy while it learns")
        if t.records:
            st.plotly_chart(figs.accuracy_curve(t.records, len(t.records) - 1, lecture=lecture,
                                                epochs=epochs), key=f"{KEY}_acc",
                            config=page.CHART_CONFIG)
        else:
            st.info(f"Press **Train**: {epochs} epoch(s) of {train_images:,} images, shown in chunks of "
                    f"{F.CHUNK:,}. The test uses all 10,000 test images after each epoch.")
    images, labels = training_set(train_images)
    summary = F.back_query_summary(net, images10, images, labels)
    with right:
        st.subheader("Fed forward again")
        st.caption("Each imagined picture, given back to the network as an input: which digit does it "
                   "answer, with what output? And which digit's average training image does it resemble most, "
                   "by correlation? They need not agree: the picture shows what pushes one output up, not a "
                   "typical digit.")
        st.html(TABLE_CSS + (TABLE_LECTURE_CSS if lecture else ""))
        st.table(
            {"digit": [r["digit"] for r in summary],
             "answers": [r["answer"] for r in summary],
             "output": [f"{r['output']:.4f}" for r in summary],
             "like average": [r["closest"] for r in summary],
             "correlation": ["—" if r["closest_correlation"] is None else f"{r['closest_correlation']:.3f}"
                             for r in summary]},
            hide_index=True)


trainer.trainer(KEY, (hidden, learning_rate, train_images), lambda: F.start(settings), F.step, target,
                render, label="chunk", step_help=f"Learn from the next {F.CHUNK:,} images.")
