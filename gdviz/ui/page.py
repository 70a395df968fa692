"""Page setup shared by every page: config, lecture mode, style, the lesson header."""

from __future__ import annotations

import streamlit as st

from gdviz.ui import link, nav, room
from gdviz.ui.link import LECTURE, NOTICE_SLOT, RAW_QUERY, lecture  # noqa: F401  (page.lecture() …)

#: Every chart drawn with st.plotly_chart: a toolbar with only the camera, which saves a PNG at twice
#: the pixels in the page's look (lecture fonts included) for a slide. The lesson instrument's charts
#: save PNG and SVG.
CHART_CONFIG = {"displaylogo": False, "modeBarButtons": [["toImage"]],
                "toImageButtonOptions": {"format": "png", "scale": 2, "filename": "gdviz-chart"}}

_CSS = """
<style>
[data-testid="stMainBlockContainer"] { padding-top: 2.2rem; max-width: 1500px; }
.gd-arith-wrap { overflow-x: auto; max-width: 100%; }
.gd-arith { font-family: "DejaVu Sans Mono", Menlo, Consolas, monospace; border-collapse: collapse;
            width: 100%; font-size: 0.98rem; }
.gd-arith td { padding: 0.18rem 0.6rem; border-bottom: 1px solid #e6e6e6; white-space: nowrap; }
.gd-arith td.phase { font-family: sans-serif; font-weight: 700; text-transform: uppercase;
                     font-size: 0.8rem; letter-spacing: 0.05em; }
.gd-arith td.val { font-weight: 700; text-align: right; }
.gd-arith td.num { white-space: normal; overflow-wrap: break-word; }  /* long sums wrap; the result stays in view */
.gd-arith tr.predict td.phase { color: #0072B2; }
.gd-arith tr.compare td.phase { color: #D55E00; }
.gd-arith tr.learn td.phase { color: #009E73; }
.gd-arith tr.move td.phase { color: #009E73; }
.gd-status { font-size: 1.05rem; }
/* a long lesson title in the sidebar wraps instead of ending in "…" */
[data-testid="stSidebar"] [data-testid="stPageLink-NavLink"] span,
[data-testid="stSidebar"] [data-testid="stPageLink-NavLink"] [data-testid="stMarkdownContainer"],
[data-testid="stSidebar"] [data-testid="stPageLink-NavLink"] p { white-space: normal; overflow: visible; text-overflow: clip; }
</style>
"""

_LECTURE_CSS = """
<style>
[data-testid="stMain"] { color: #000; }
[data-testid="stMain"] [data-testid="stMarkdownContainer"] p,
[data-testid="stMain"] [data-testid="stMarkdownContainer"] li,
[data-testid="stMain"] [data-testid="stWidgetLabel"] p,
[data-testid="stMain"] [data-testid="stCaptionContainer"],
[data-testid="stMain"] .stButton button p,
[data-testid="stMain"] [data-testid="stExpander"] summary p { font-size: 1.45rem !important; line-height: 1.45; }
[data-testid="stMain"] h1 { font-size: 3.2rem !important; }
[data-testid="stMain"] h2, [data-testid="stMain"] h3 { font-size: 2.2rem !important; }
[data-testid="stMain"] code { font-size: 1.3rem !important; }
.gd-arith { font-size: 1.6rem; }
.gd-arith td.phase { font-size: 1.1rem; }
[data-testid="stMain"] [data-testid="stMetricValue"], [data-testid="stMain"] [data-testid="stMetricValue"] div,
[data-testid="stMain"] [data-testid="stMetricValue"] [data-testid="stMarkdownContainer"] p { font-size: 3rem !important; font-weight: 600; }
[data-testid="stMain"] [data-testid="stMetricLabel"] [data-testid="stMarkdownContainer"] p { font-size: 1.4rem !important; }
[data-testid="stMain"] [data-testid="stSliderThumbValue"],
[data-testid="stMain"] [data-testid="stSliderTickBarMin"],
[data-testid="stMain"] [data-testid="stSliderTickBarMax"] { font-size: 1.3rem !important; }
</style>
"""


def setup() -> None:
    """Run first on every page: config, URL snapshot, the sidebar (lessons, lecture mode), style."""
    # A projector (lecture mode, a shared lecture link too) opens with the sidebar closed, so the
    # lesson fills the screen; "auto" closes it on a phone and opens it on a laptop.
    lecture_link = [v.lower() for v in st.query_params.get_all(LECTURE)] == ["true"]
    closed = lecture_link or (LECTURE not in st.query_params and bool(st.session_state.get(LECTURE)))
    st.set_page_config(page_title="gdviz — gradient descent, visible", page_icon="📉", layout="wide",
                       initial_sidebar_state="collapsed" if closed else "auto")
    # Bound widgets drop invalid URL values silently; keep what the URL said so the page can
    # tell the user which values it ignored and why.
    st.session_state[RAW_QUERY] = {k: st.query_params.get_all(k) for k in st.query_params.keys()}
    link.start_run()
    st.session_state[NOTICE_SLOT] = None
    room.follow_first()  # a follower whose teacher moved on switches before anything is drawn
    with st.sidebar:
        on = _lecture_toggle()
        query = {LECTURE: "true"} if on else None
        st.page_link(str(nav.ROOT / "app.py"), label="gdviz · home", query_params=query)
        for part, pages in nav.by_part().items():
            st.caption(nav.PARTS[part])
            for lp in pages:
                st.page_link(lp.relpath, label=f"{lp.part}{lp.number} · {lp.title}", query_params=query)
    st.html(_CSS)
    if lecture():
        st.html(_LECTURE_CSS)
    room.setup()  # present to the room / follow the teacher (issue 15)


def _lecture_toggle() -> bool:
    """Lecture mode: kept in the session (so it follows from page to page) and in the URL (so a
    shared link opens in it). The toggle only edits that value: Streamlit forgets a widget's
    state, and a bound widget's URL value, when the page changes."""
    text = link.claim(LECTURE)
    if text is not None and text != st.session_state.get(_LECTURE_URL):
        st.session_state[_LECTURE_URL] = text
        if text.lower() in ("true", "false"):
            st.session_state[LECTURE] = text.lower() == "true"
        else:
            link.ignore(LECTURE, text, "it must be true or false", "false")
    on = bool(st.session_state.get(LECTURE, False))
    st.session_state[_LECTURE_WIDGET] = on
    st.toggle("Lecture mode", key=_LECTURE_WIDGET, on_change=_lecture_changed,
              help="Large text, thick lines, high contrast: for a projector at the back of a hall.")
    if on:
        st.query_params[LECTURE] = "true"
        st.session_state[_LECTURE_URL] = "true"
    elif LECTURE in st.query_params:
        del st.query_params[LECTURE]
        st.session_state[_LECTURE_URL] = None
    return on


def _lecture_changed() -> None:
    st.session_state[LECTURE] = st.session_state[_LECTURE_WIDGET]


_LECTURE_URL = "_gdviz_lecture_url"
_LECTURE_WIDGET = "_gdviz_lecture_toggle"


def header(title: str, lesson: str, intro: str) -> None:
    """The lesson's title, its section of the curriculum and a short explanation."""
    if lecture():  # one line: the first screen of a projector belongs to the charts
        st.markdown(f"## {lesson} · {title}")
    else:
        st.title(title)
        st.caption(f"Lesson {lesson} · Grokking Deep Learning")
    if lecture():  # on a projector the teacher tells the story: controls and charts come first
        with st.expander("About this lesson"):
            st.markdown(intro)
    else:
        st.markdown(intro)


def lesson(title: str, lesson_code: str, intro: str) -> None:
    """Set the page up and draw its header, with a slot for notices about the link's values."""
    setup()
    header(title, lesson_code, intro)
    st.session_state[NOTICE_SLOT] = st.empty()


def settings_area():
    """Where a page puts its presets and run-length control: in lecture mode a closed expander
    (the first screen of a projector belongs to the charts), otherwise plainly on the page."""
    if lecture():
        return st.expander("Presets and run length")
    return st.container()


def diverged(run, what: str = "the run") -> None:
    """The divergence banner: never a crash, never a blank chart."""
    if run.diverged_at:
        st.error(f"**Diverged at iteration {run.diverged_at}**: {what} overflowed to inf/nan. "
                 "The charts show it up to there; try a smaller alpha.", icon=":material/error:")
