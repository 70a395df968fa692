"""gdviz: the home page (run with `make run`); the lessons are the files in pages/."""

import gdviz.ui.warm  # noqa: F401  (first, before any session runs page code: see gdviz/ui/warm.py)
import streamlit as st

from gdviz.ui import controls, nav, page

page.setup()
st.title("gdviz — gradient descent you can watch")
st.markdown(
    "A neural network learns by nudging its weights, a little at a time, in the direction that "
    "makes its error smaller. Here you can **see** every nudge: drag a slider for a weight, an "
    "input or the learning rate alpha, press **Step** or **Play**, and watch the error bowl, its "
    "slope, the weights and the error curve change — with the arithmetic of each step written out "
    "with the real numbers.")
st.markdown(
    "The lessons follow *Grokking Deep Learning* (chapters 4–8) and reproduce its experiments to "
    "the last printed digit. Every setting lives in the page's link, so a teacher can share a link "
    "that opens the exact setting; **Lecture mode** (in the sidebar) makes everything readable "
    "from the back of a lecture hall.")
for part, pages in nav.by_part().items():
    st.subheader(nav.PARTS[part])
    for lp in pages:
        st.page_link(lp.relpath, label=f"**{lp.part}{lp.number} · {lp.title}**")
        if lp.blurb:
            st.caption(lp.blurb)
controls.show_notices()
