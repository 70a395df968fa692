"""The lesson instrument as the load client sees it.

A stepped lesson's live sliders are not Streamlit widgets: they are drawn by the lesson instrument
(a Custom Component v2, ``gdviz/ui/instrument``) from the payload the server sends with the
component: a small JSON head (the sliders, the cursor) and the addresses of the heavy parts,
which the browser fetches over HTTP (``/media/…gz``) unless it has them. Letting one go sends one ``commit`` event, which Streamlit carries as the component's
*trigger aggregator* widget (``json_trigger_value``, a list of ``{"event", "value"}``). This module
reads the sliders from the payload and writes that event, as ``instrument.js`` does; like the rest
of this client it speaks Streamlit's private protocol (see ``client.TESTED``).
"""

from __future__ import annotations

import json
from dataclasses import dataclass

#: Streamlit's id of a component's trigger aggregator: ``<prefix>_<component id>__events``
#: (``streamlit.components.v2.bidi_component.main._make_trigger_id``).
_EVENTS = "$$STREAMLIT_INTERNAL_KEY_{}__events"
@dataclass
class LiveSlider:
    """One live slider of an instrument: what the browser shows and sends (``proto`` of a Widget)."""

    component_id: str
    name: str
    values: list[str]  # every value the slider offers, as shown
    index: int         # the committed one
    rev: int
    iteration: int
    has_grid: bool = True  # the payload carries this slider's previews (else the browser asks first)
    disabled: bool = False


def _head(proto) -> dict | None:
    """The instrument's message: a small JSON head (the sliders, the cursor, the addresses of the
    heavy parts, which the browser fetches over HTTP); None for another component's."""
    try:
        head = json.loads(proto.json)
        head = json.loads(head) if isinstance(head, str) else head
    except ValueError:
        return None
    return head if isinstance(head, dict) and "live" in head else None


def sliders(proto) -> list[LiveSlider]:
    """The live sliders of the instrument element ``proto`` (a ``BidiComponent``); [] for none."""
    head = _head(proto)
    if head is None:
        return []
    rev, iteration, names = int(head["rev"]), int(head["iteration"]), head.get("gridsFor")
    return [LiveSlider(proto.id, s["name"], list(s["values"]), int(s["index"]), rev, iteration,
                       names is None or s["name"] in names) for s in head["live"]]


def parts(proto) -> list[str]:
    """The addresses of the parts the message names (the committed run, the grids it carries):
    what the browser fetches unless it has them."""
    head = _head(proto)
    p = (head or {}).get("parts") or {}
    return [u for u in [p.get("base"), *(p.get("grids") or {}).values()] if isinstance(u, str)]


def event(states, component_id: str, name: str, value) -> None:
    """Add to ``states`` (a ``WidgetStates``) one event of a component, as its JS's
    ``setTriggerValue(name, value)`` sends it: on the component's trigger aggregator."""
    w = states.widgets.add()
    w.id = _EVENTS.format(component_id)
    w.json_trigger_value = json.dumps([{"event": name, "value": value}])


def want(states, s: LiveSlider) -> None:
    """The event the browser sends when the pointer reaches a slider without previews."""
    event(states, s.component_id, "want", {"name": s.name})


def commit(states, s: LiveSlider, index: int) -> None:
    """The event a released slider sends: its grid index (an index off the grid, as a crafted
    message could send, is sent as it is)."""
    value = s.values[index] if 0 <= index < len(s.values) else ""
    event(states, s.component_id, "commit",
          {"name": s.name, "index": index, "value": value, "iteration": s.iteration, "rev": s.rev})


def new_index(s: LiveSlider, current: int | None, rng) -> int:
    """A step of the slider other than ``current``, as a drag could end on it."""
    options = [i for i in range(len(s.values)) if i != current] or [0]
    return rng.choice(options)
