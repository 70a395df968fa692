"""Record every chart every page sends, and later check a change left them the same.

    python scripts/figure_golden.py record FILE [PAGE ...]
    python scripts/figure_golden.py compare FILE [PAGE ...]

Each page (all lesson pages by default; PAGE is a file name such as ``C1_streetlights.py``)
is opened under AppTest and driven through the same states every time: its defaults, lecture
mode, every slider and select slider at its two ends, and each "Step" button pressed once.
The JSON of every chart is kept (packed arrays unpacked). ``compare`` repeats the walk and
reports the first difference per chart. Meant for refactoring the figures: the page output
must stay the same, however the figures are built.
"""

from __future__ import annotations

import json
import math
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from streamlit.testing.v1 import AppTest  # noqa: E402

from gdviz.ui.nav import lesson_pages  # noqa: E402
from tests.helpers import decode  # noqa: E402


def normal(spec: dict) -> dict:
    """A chart's JSON without what does not change the picture: the empty template and a
    trace's explicit reference to the first axes."""
    spec = decode(spec)
    spec.get("layout", {}).pop("template", None)
    for trace in spec.get("data", []):
        if trace.get("xaxis") == "x":
            del trace["xaxis"]
        if trace.get("yaxis") == "y":
            del trace["yaxis"]
    return spec


def charts(at: AppTest) -> list[dict]:
    return [normal(json.loads(c.proto.spec)) for c in at.get("plotly_chart")]


def walk(relpath: str) -> dict[str, list[dict]]:
    states: dict[str, list[dict]] = {}
    for lecture in (False, True):
        at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
        at.run()
        at.switch_page(relpath)
        if lecture:
            at.query_params["lecture"] = "true"
        at.run()
        tag = "lecture" if lecture else "normal"
        states[f"{tag}/defaults"] = charts(at)
        if lecture:
            continue
        for kind in ("slider", "select_slider"):
            for i in range(len(getattr(at, kind))):
                w = getattr(at, kind)[i]
                if w.disabled:
                    continue
                start = w.value
                if kind == "slider":
                    ends = (w.min, w.max)
                else:
                    ends = (w.options[0], w.options[-1])
                for end in ends:
                    getattr(at, kind)[i].set_value(end).run()
                    states[f"{tag}/{kind}{i}={end}"] = charts(at)
                getattr(at, kind)[i].set_value(start).run()
        for i, b in enumerate(at.button):
            if "Step" in b.label and not b.disabled:
                at.button[i].click().run()
                states[f"{tag}/button{i}"] = charts(at)
                break
    return states


def first_difference(a, b, path="") -> str | None:
    if isinstance(a, dict) and isinstance(b, dict):
        for k in sorted(set(a) | set(b)):
            if k not in a or k not in b:
                return f"{path}.{k}: only in {'before' if k in a else 'after'} ({a.get(k, b.get(k))!r:.80})"
            d = first_difference(a[k], b[k], f"{path}.{k}")
            if d:
                return d
        return None
    if isinstance(a, (list, tuple)) and isinstance(b, (list, tuple)):
        if len(a) != len(b):
            return f"{path}: length {len(a)} before, {len(b)} after"
        for i, (x, y) in enumerate(zip(a, b)):
            d = first_difference(x, y, f"{path}[{i}]")
            if d:
                return d
        return None
    if isinstance(a, (int, float)) and isinstance(b, (int, float)) and not isinstance(a, bool):
        if a == b or (math.isnan(a) and math.isnan(b)):
            return None
    elif a == b:
        return None
    return f"{path}: {a!r:.80} before, {b!r:.80} after"


def main(argv: list[str]) -> int:
    if len(argv) < 2 or argv[0] not in ("record", "compare"):
        print(__doc__)
        return 2
    mode, file, wanted = argv[0], Path(argv[1]), argv[2:]
    pages = [p.relpath for p in lesson_pages() if not wanted or Path(p.relpath).name in wanted]
    found = {p: walk(p) for p in pages}
    if mode == "record":
        old = json.loads(file.read_text()) if file.exists() else {}
        old.update(found)
        file.write_text(json.dumps(old))
        print(f"recorded {sum(len(v) for v in found.values())} states of {len(found)} pages in {file}")
        return 0
    before = json.loads(file.read_text())
    bad = 0
    for page, states in found.items():
        for state, figs in states.items():
            was = before.get(page, {}).get(state)
            if was is None:
                print(f"{page} {state}: not recorded")
                bad += 1
                continue
            if len(was) != len(figs):
                print(f"{page} {state}: {len(was)} charts before, {len(figs)} after")
                bad += 1
                continue
            for i, (a, b) in enumerate(zip(was, figs)):
                d = first_difference(a, b)
                if d:
                    print(f"{page} {state} chart {i}: {d}")
                    bad += 1
        print(f"{page}: {len(states)} states compared")
    print("same" if not bad else f"{bad} differences")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
