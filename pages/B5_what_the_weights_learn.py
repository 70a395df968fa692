"""B5 · What the weights learn: a 784→10 layer trained on real MNIST, its weights drawn as pictures."""

import streamlit as st

from gdviz import experiments
from gdviz.experiments import mnist_weights as B
from gdviz.experiments.base import Param
from gdviz.figures import mnist as figs
from gdviz.ui import controls, digit, downloads, page, player, presets, trainer

KEY = "mnist"
#: Passes offered by the slider (the biggest run is computed once per server, in the background).
MAX_PASSES = 20
#: Runs of at most this many image-passes are trained within the rerun (what a pass costs: `make bench`).
IN_RERUN = 10_000
TEST_IMAGE = Param("test_image", "test image (index)", 0, kind="int", lo=0, hi=9999, ui=(0, 9999, 1),
                   help="Which of the 10,000 MNIST test images to score with the current weights.")
exp = experiments.get("mnist-weights")

page.lesson(
    "What the weights learn", "B5",
    "Here the network has 784 inputs — one per pixel of a 28×28 handwritten digit — and 10 outputs, "
    "one per digit. Every output has its own 784 weights, so we can lay them out as a 28×28 picture. "
    "Training is the rule you already know, applied image after image: each output's `delta` times "
    "each pixel gives that weight's `weight_delta`. Starting from all-zero weights, a picture of a "
    "**3** makes output 3 like the pixels the 3 inked and makes the other nine outputs dislike them. "
    "After a pass or two each output's weights look like a smudged, average version of its digit, "
    "with blue where *other* digits tend to put ink.")

PAGE = "B5"  # the page's own widget keys (B5.alpha …): no other lesson's values leak in
PASSES = Param("passes", "passes", exp.iterations, kind="int", lo=1, hi=MAX_PASSES, ui=(1, MAX_PASSES, 1),
               help=f"How many passes over the training images the run has (at most {MAX_PASSES}).")
lecture = page.lecture()


def preset(values: dict) -> None:
    controls.set_link(values)
    player.reset(KEY)


def preset_row() -> None:
    presets.row("Preset", [exp], lambda e: {**e.settings(), PASSES.name: e.iterations}, on_click=preset)


if lecture:  # the first screen of a projector: the run's two main settings, then the pictures
    alpha, passes = controls.page_row(PAGE, B.ALPHA, PASSES)
    with st.expander("Preset, training images and the test image"):
        preset_row()
        train_images, test_index = controls.page_row(PAGE, B.TRAIN_IMAGES, TEST_IMAGE)
else:
    preset_row()
    alpha, train_images, passes, test_index = controls.page_row(PAGE, B.ALPHA, B.TRAIN_IMAGES, PASSES, TEST_IMAGE)


settings = exp.settings(alpha=alpha, train_images=train_images)
#: The run's setting, as every cache below knows it: the settings and the run's length.
RUN = (*settings.items(), (PASSES.name, passes))


@st.cache_resource(show_spinner=False)
def shared_runs():
    return trainer.SharedRuns(24)  # every session's finished runs, by setting (records are read-only)


def train(setting: tuple):
    """One record per pass, computed once per setting for the whole server: a small run within
    this rerun, a bigger one in the background (the job computing it is returned at once)."""
    s = dict(setting)
    work = s["train_images"] * s["passes"]  # image-passes: the queue bounds their sum
    return shared_runs().get(setting, lambda: (B.pass_step, B.start(settings)), s["passes"],
                             owner=trainer.session_owner(), inline=work <= IN_RERUN, work=work)


@st.cache_data(show_spinner=False, max_entries=400)
def weight_maps(setting: tuple, i: int, lecture: bool, _records):
    """The ten pictures of pass ``i``: building a 10-subplot figure costs more than the rest of the
    page, so each one is built once per setting and kept. ``_records`` (not part of the cache key:
    the setting is) is the run the page holds — fetching it again could find it evicted."""
    return figs.weight_maps(_records[i]["new_weights"], figs.weight_range(_records), lecture=lecture)


@st.cache_data(show_spinner=False, max_entries=400)
def accuracy_error(setting: tuple, i: int, lecture: bool, _records):
    return figs.accuracy_error(_records, i, lecture=lecture)


# A small run (the defaults: 1,000 images × 5 passes) is trained within the rerun, a bigger one
# in the background while the page shows its progress.
run = train(RUN)
if isinstance(run, trainer.Job):  # a big setting: the page answers now and redraws when it is trained
    controls.show_notices()
    trainer.wait_for(run, label="pass")
    st.stop()
page.diverged(run, "the weights")
test_images, test_labels = B.test_set()  # read-only, loaded once per server (by the core)
chart = page.CHART_CONFIG


@st.cache_data(show_spinner=False, max_entries=200)
def one_image(setting: tuple, i: int, k: int, _records) -> dict:
    """The record of learning from training image ``k`` with the weights after pass ``i``."""
    s = dict(setting)
    return B.one_image(_records[i]["new_weights"], s["train_images"], s["alpha"], k)


@st.cache_data(show_spinner=False, max_entries=200)
def change_maps(setting: tuple, i: int, k: int, lecture: bool, _records):
    one = one_image(setting, i, k, _records)
    change = B.weight_change(one)
    top = float(abs(change).max()) or 1e-9
    return figs.weight_maps(change, top, lecture=lecture, title="its change to each picture")


def next_image(n: int) -> None:
    st.session_state[f"_{KEY}_train_image"] = (st.session_state.get(f"_{KEY}_train_image", 0) + 1) % n


def render(i: int) -> None:
    r = run.records[i]
    w = r["new_weights"]
    st.subheader(f"The weight pictures of digits 0–9 after pass {i + 1}")

    def metrics() -> None:
        m = st.columns(4)
        m[0].metric("Train-Acc", figs.num(r["train_accuracy"], 4))
        m[1].metric("Test-Acc", figs.num(r["test_accuracy"], 4))
        m[2].metric("Train-Err", figs.num(r["train_error"], 4))
        m[3].metric("Test-Err", figs.num(r["test_error"], 4))

    st.plotly_chart(weight_maps(RUN, i, lecture, run.records), key=f"{KEY}_weights", config=chart)
    metrics()  # under the pictures: on a phone or a projector the pictures follow the buttons at once
    st.caption("One colour scale for the whole run (white is 0), so the pictures only change when the "
               "weights do. The border stays white: those pixels are blank in every image, so their "
               "weights never receive a weight_delta. Train-Err and Test-Err are the squared error summed "
               "over the ten outputs, averaged over the images.")

    st.subheader("Dot products as similarity")
    cols = st.columns([1, 1.5] if lecture else [1, 1.4, 1.3])
    with cols[0]:
        d = digit.choose(KEY, test_images, test_labels, test_index)
        if d is not None:
            st.plotly_chart(figs.image_map(d.pixels, label=d.label, lecture=lecture), key=f"{KEY}_image",
                            config=chart)
    if d is not None:
        x = d.pixels
        pred = B.scores(w, x)
        top = figs.winner(pred)
        with cols[1]:
            st.plotly_chart(figs.score_bars(pred, label=d.label, yrange=figs.score_range(run.records, x),
                                            lecture=lecture), key=f"{KEY}_scores", config=chart)
        where = st.columns([1.2, 1]) if lecture else [cols[2], st.container()]
        with where[0]:
            st.plotly_chart(figs.contributions_map(w, x, top, zmax=figs.contribution_range(run.records, x),
                                                   lecture=lecture), key=f"{KEY}_contrib", config=chart)
        where[1].caption(
            f"Each score is a dot product: multiply the image ({d.what}) by one digit's weight picture, "
            f"pixel by pixel, and add everything up. The picture of image × weights is that product for the "
            f"winner, digit {top}: its cells add up to exactly the bar of {top} ({figs.num(pred[top], 4)}). "
            f"Orange cells are ink that landed on positive weights (evidence for {top}), blue cells ink "
            f"on negative weights (evidence against). The image looks most like the picture that scores "
            f"highest.")

    st.subheader("What one image does")
    if st.session_state.get(f"_{KEY}_train_image", 0) >= train_images:  # fewer images than before
        st.session_state[f"_{KEY}_train_image"] = 0
    cols = st.columns([1.6, 1], vertical_alignment="bottom")
    k = cols[0].slider("training image (index)", 0, train_images - 1, key=f"_{KEY}_train_image",
                       help="The next image to learn from, with the weights as they are after this pass.")
    cols[1].button("Next image ▸", key=f"{KEY}_next_image", on_click=next_image, args=(train_images,),
                   help="Step one image: show what the following training image would change.")
    one = one_image(RUN, i, k, run.records)
    cols = st.columns([1, 1.5] if lecture else [1, 1.4, 1.6])
    with cols[0]:
        st.plotly_chart(figs.image_map(one["image"], label=one["label"], lecture=lecture), key=f"{KEY}_one_image",
                        config=chart)
    with cols[1]:
        st.plotly_chart(figs.score_bars(one["pred"], label=one["label"], lecture=lecture), key=f"{KEY}_one_pred",
                        config=chart)
    (st.container() if lecture else cols[2]).markdown(
        f"Image {k} is a **{one['label']}**. Its error is {figs.num(one['error'], 4)}; "
        f"each output's `delta = pred − goal_pred`, times each pixel, gives that output's "
        f"`weight_delta`, and the pictures move by `−alpha × weight_delta`.")
    st.plotly_chart(change_maps(RUN, i, k, lecture, run.records), key=f"{KEY}_one_change",
                    config=chart)
    st.caption(f"Each picture's change is −alpha × weight_delta. The image is copied into all ten pictures, "
               f"scaled by each output's delta: added (orange) to "
               f"the picture of {one['label']} if its score was too low, subtracted (blue) from every picture "
               f"that scored it too high. Thousands of such copies average out into the pictures above.")

    st.subheader("Accuracy and error per pass")
    st.plotly_chart(accuracy_error(RUN, i, lecture, run.records), key=f"{KEY}_acc", config=chart)
    st.caption(f"Train numbers are counted during the pass, on the {train_images:,} training images; test "
               "numbers use the weights after the pass, on all 10,000 test images, which it never learns from.")


player.player(KEY, len(run), render, label="pass")
with st.expander("The log, as the book prints it"):
    lines = list(exp.log(run, settings))
    st.code("\n".join(lines), language=None)
    downloads.log_buttons(exp.name, run.records, lines)
