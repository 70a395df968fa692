"""Hypothesis fuzz over every page (the home page and every lesson, found by themselves).

Each example opens the page through a random link — its own settings with valid, odd or hostile
values (not-numbers, inf/nan, huge numbers, script and HTML text, unicode, very long text),
unknown keys, repeated keys — then moves random controls (sliders to their exact ends or
anywhere in range, select sliders, toggles, checkboxes, radios, select boxes) and presses random
buttons. After every run: no exception reaches the page, a lesson page still draws its charts,
every hostile value for one of the page's settings (and every unknown key) is refused with a
notice saying "ignored", no text from the link is rendered as live HTML (script, event
handlers) and none of it as live markdown in the notice (a link, an image, a heading).

Reproducible (``derandomize=True``, no example database) and affordable: a few examples per
page, fewer on the MNIST pages.
"""

from __future__ import annotations

import re

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from gdviz.ui.nav import lesson_pages
from tests.test_pages import PAGES, bound_keys, figures, load

#: Values no control of any page accepts (a number slider, a select slider or a toggle).
HOSTILE = [
    "abc", "nan", "NaN", "inf", "-inf", "Infinity", "-1e999", "1e999", "1e308", "-1e308",
    "99999999999999999999999999", "0x10", "1/2", "--1", "1e", ".", "-",
    "<script>alert(1)</script>", "<SCRIPT SRC=//x.example/x.js></SCRIPT>",
    '"><img src=x onerror=alert(1)>', "<img src=x onerror=alert(1)>", "javascript:alert(1)",
    "ünïcødé ✓ 数字 🙂", "x" * 5000, "%00", "\u202etrue", "null", "None", "[]", "{}",
    # markdown, to break out of the notice's code span: a link, an image, a heading
    "`[log in](https://evil.example)`", "a`![x](https://evil.example/t.png)`", "1\n\n# Big **claim**",
]
#: Odd values that may well be valid (Python reads " 1", "1_0", "１" and "+.5" as numbers):
#: they must never break a page, but they need not be refused.
ODD = ["", " ", " 1", "1_0", "１", "+.5", "-0", "1e-400", "true", "FALSE", "0", "1", "0.1", "0.10"]
UNKNOWN_KEYS = ["no_such_setting", "zzz", "x" * 300, "<script>alert(1)</script>", "ünï", "a b", "1",
                "[log in](https://evil.example)"]
LIVE_HTML = re.compile(r"<\s*script|on(error|load)\s*=|javascript:", re.I)
#: A CommonMark code span (a run of backticks, text, the same run; never across a blank line,
#: which ends the paragraph) — its text is shown as is.
CODE_SPAN = re.compile(r"(?<!`)(`+)(?!`)((?:(?!\n[ \t]*\n).)+?)(?<!`)\1(?!`)", re.S)
#: Markdown that would be live outside a code span: a link or image, a heading.
MARKUP = re.compile(r"!?\[[^\]\n]*\]\([^)\n]*\)|^\s{0,3}#{1,6}\s", re.M)
SLOW = {p.relpath for p in lesson_pages() if "mnist" in p.path.read_text(encoding="utf-8").lower()}
_SCHEMA: dict[str, list[str]] = {}


def known_keys(path: str) -> list[str]:
    """The page's link keys: its bound controls (as the shared harness finds them) and lecture."""
    if path not in _SCHEMA:
        _SCHEMA[path] = sorted(set(bound_keys(load(path))) | {"lecture"})
    return _SCHEMA[path]


def check(at, path: str, what: str, *, hostile_keys=(), unknown_keys=()) -> None:
    assert not at.exception, f"{path}: {what}: {[e.value for e in at.exception]}"
    if path != "app.py":
        assert figures(at), f"{path}: {what}: the page draws no chart"
    for kind in ("markdown", "caption", "html"):
        for node in at.get(kind):
            proto = node.proto
            live = kind == "html" or getattr(proto, "allow_html", False)
            if live and LIVE_HTML.search(proto.body):
                raise AssertionError(f"{path}: {what}: text from the link rendered as HTML: {proto.body[:200]!r}")
    notices = "\n".join(w.value for w in at.warning)
    for w in at.warning:
        live = MARKUP.findall(CODE_SPAN.sub("", w.value))
        assert not live, (f"{path}: {what}: markdown from the link is rendered in a notice "
                          f"({live}): {w.value[:300]!r}")
    for key in hostile_keys:  # the page's own keys are plain names: the notice names them
        assert "ignored" in notices and key in notices, (
            f"{path}: {what}: the link's hostile {key} was not refused with a notice: {notices[:400]!r}")
    if unknown_keys:
        assert notices.count("ignored") >= len(unknown_keys) + len(hostile_keys), (
            f"{path}: {what}: unknown keys {[k[:40] for k in unknown_keys]} got no notice: {notices[:400]!r}")
    for key in unknown_keys:
        if re.fullmatch(r"\w{1,27}", key):  # how other keys are shown (escaped, cut short) is the page's call
            assert key in notices, f"{path}: {what}: unknown key {key!r} is not named: {notices[:400]!r}"


def brief(query: dict) -> str:
    """The link for a message, long keys and values cut short."""
    def cut(x):
        return [cut(v) for v in x] if isinstance(x, list) else x if len(x) <= 40 else f"{x[:20]}…({len(x)} chars)"
    return repr({cut(k): cut(v) for k, v in query.items()})


@st.composite
def links(draw, keys: list[str]):
    """A query: some of the page's keys (hostile, odd or repeated values) plus unknown keys."""
    query, hostile, unknown = {}, [], []
    for key in draw(st.lists(st.sampled_from(keys), max_size=len(keys), unique=True)) if keys else []:
        values = draw(st.lists(st.one_of(st.sampled_from(HOSTILE), st.sampled_from(ODD),
                                         st.text(max_size=12)), min_size=1, max_size=3))
        query[key] = values[0] if len(values) == 1 else values
        if values[-1] in HOSTILE:  # the last of repeated values is the one that counts
            hostile.append(key)
    for key in draw(st.lists(st.sampled_from(UNKNOWN_KEYS), max_size=2, unique=True)):
        query[key] = draw(st.sampled_from(HOSTILE + ODD))
        unknown.append(key)
    return query, hostile, unknown


def _slider_value(draw, s):
    lo, hi, step = s.min, s.max, s.step or 1
    if draw(st.booleans()):
        return draw(st.sampled_from([lo, hi]))
    n = int(round((hi - lo) / step))
    x = lo + draw(st.integers(0, max(0, n))) * step
    x = min(max(x, lo), hi)
    whole = all(isinstance(v, int) and not isinstance(v, bool) for v in (s.value, lo, hi))
    return int(round(x)) if whole else round(float(x), 10)


def act(draw, at) -> str:
    """Move one random control or press one random button; return what was done."""
    choices = [(kind, i) for kind in ("slider", "select_slider", "checkbox", "toggle", "radio", "selectbox",
                                      "number_input", "button")
               for i in range(len(getattr(at, kind)))
               if not getattr(getattr(at, kind)[i], "disabled", False)]
    if not choices:
        at.run()
        return "rerun"
    kind, i = draw(st.sampled_from(choices))
    w = getattr(at, kind)[i]
    if kind == "slider":
        v = _slider_value(draw, w)
        w.set_value(v).run()
        return f"slider {w.label!r} = {v!r}"
    if kind == "select_slider":
        v = draw(st.sampled_from(list(w.options)))
        w.set_value(v).run()
        return f"select slider {w.label!r} = {v!r}"
    if kind in ("checkbox", "toggle"):
        w.set_value(not w.value).run()
        return f"{kind} {w.label!r} = {not w.value!r}"
    if kind in ("radio", "selectbox"):
        options = list(w.options)
        if not options:
            at.run()
            return f"{kind} {w.label!r} (no options)"
        v = draw(st.sampled_from(options))
        w.set_value(v).run()
        return f"{kind} {w.label!r} = {v!r}"
    if kind == "number_input":
        up = draw(st.booleans())
        (w.increment() if up else w.decrement()).run()
        return f"number input {w.label!r} {'+' if up else '-'} one step"
    label = w.label
    w.click().run()
    return f"button {label!r}"


@pytest.mark.parametrize("path", PAGES)
def test_fuzz_page(path):
    slow = path in SLOW
    keys = known_keys(path)

    @settings(max_examples=6 if slow else 16, deadline=None, derandomize=True, database=None,
              suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture,
                                     HealthCheck.data_too_large],
              # no shrinking: a failing page would cost minutes; the message names the whole link
              phases=(Phase.explicit, Phase.generate))
    @given(link=links(keys), data=st.data())
    def fuzz(link, data):
        query, hostile, unknown = link
        at = load(path, query)
        check(at, path, f"link {brief(query)}", hostile_keys=hostile, unknown_keys=unknown)
        done = []
        for _ in range(data.draw(st.integers(0, 2 if slow else 4), label="actions")):
            done.append(act(data.draw, at))
            check(at, path, f"link {brief(query)}, then {done}")

    fuzz()
