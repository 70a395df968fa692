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

presets.buttons([exp], KEY, iterations_key=None, label="Preset from the deck")
c = st.columns(4)
with c[0]:
    hidden = controls.number_slider(F.HIDDEN)
with c[1]:
    learning_rate = controls.number_slider(F.LEARNING_RATE)
with c[2]:
    epochs = controls.number_slider(F.EPOCHS)
with c[3]:
    train_images = controls.number_slider(F.TRAIN_IMAGES)
settings = exp.settings(hidden=hidden, learning_rate=learning_rate, epochs=epochs, train_images=train_images)
target = F.steps(settings)


@st.cache_resource(show_spinner=False)
def training_set(n: int):
    return F.training_set(n)  # read-only, shared by every session


def render(t: trainer.Training) -> None:
    lecture = page.lecture()
    net = t.state.net
    rows = F.epochs_of(t.records)
    last = rows[-1] if rows else None
    m = st.columns(4)
    m[0].metric("epoch", f"{t.state.seen // train_images} of {epochs}" if t.records else f"0 of {epochs}")
    m[1].metric("images learned", f"{t.state.seen:,}")
    m[2].metric("Test-Acc (last epoch)", theme.num(last["test_accuracy"], 4) if last else "—")
    m[3].metric("Train-Acc (last epoch)", theme.num(last["train_accuracy"], 4) if last else "—")

    images10 = F.back_query_digits(net)
    st.subheader("What each output node imagines")
    st.plotly_chart(figs.back_query_maps(images10, lecture=lecture), key=f"{KEY}_maps",
                    config={"displayModeBar": False})
    st.caption("Each picture is back-query of one digit with the current weights: dark where the network "
               "wants ink, light where ink counts against that digit. Before training they are noise; after "
               "one epoch the outlines of the digits show through the speckle.")
    left, right = st.columns([1, 1])
    with left:
        st.subheader("Accuracy while it learns")
        if t.records:
            st.plotly_chart(figs.accuracy_curve(t.records, len(t.records) - 1, lecture=lecture,
                                                epochs=epochs), key=f"{KEY}_acc",
                            config={"displayModeBar": False})
        else:
            st.info(f"Press **Train**: {epochs} epoch(s) of {train_images:,} images, shown in chunks of "
                    f"{F.CHUNK:,}. The test uses all 10,000 test images after each epoch.")
    images, labels = training_set(train_images)
    summary = F.back_query_summary(net, images10, images, labels)
    with right:
        st.subheader("Fed forward again")
        st.caption("Each imagined picture, given back to the network as an input: which digit does it "
                   "answer? And which digit's average training image does it resemble most (correlation)? "
                   "They need not agree: the picture shows what pushes one output up, not a typical digit.")
        st.dataframe(
            {"digit": [r["digit"] for r in summary],
             "network answers": [r["answer"] for r in summary],
             "its own output": [round(r["output"], 4) for r in summary],
             "most like the average": [r["closest"] for r in summary],
             "correlation": [None if r["closest_correlation"] is None else round(r["closest_correlation"], 3)
                             for r in summary]},
            hide_index=True, width="stretch")


trainer.trainer(KEY, (hidden, learning_rate, train_images), lambda: F.start(settings), F.step, target,
                render, label="chunk", step_help=f"Learn from the next {F.CHUNK:,} images.")
