"""The lesson instrument as the load client sees it.

A stepped lesson's live sliders are not Streamlit widgets: they are drawn by the lesson instrument
(a Custom Component v2, ``gdviz/ui/instrument``) from the payload the server sends with the
component. Letting one go sends one ``commit`` event, which Streamlit carries as the component's
*trigger aggregator* widget (``json_trigger_value``, a list of ``{"event", "value"}``). This module
reads the sliders from the payload and writes that event, as ``instrument.js`` does; like the rest
of this client it speaks Streamlit's private protocol (see ``client.TESTED``).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

#: Streamlit's id of a component's trigger aggregator: ``<prefix>_<component id>__events``
#: (``streamlit.components.v2.bidi_component.main._make_trigger_id``).
_EVENTS = "$$STREAMLIT_INTERNAL_KEY_{}__events"
#: The payload's head, its sliders and the part after them, as they appear inside the JSON string.
_ESCAPED_HEAD = re.compile(r'"\{\\"rev\\":(\d+),\\"iteration\\":(\d+),')
_ESCAPED_LIVE, _ESCAPED_BASE = '\\"live\\":[', ',\\"base\\":'
_ESCAPED_GRIDS_FOR = re.compile(r'\\"gridsFor\\":\[([^\]]*)\]')


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


def sliders(proto) -> list[LiveSlider]:
    """The live sliders of the instrument element ``proto`` (a ``BidiComponent``); [] for none.

    The payload (up to a few MB) travels as one JSON string; only its head and its ``live`` part
    are decoded here, so a client holding many sessions spends little on it."""
    outer = proto.json
    head = _ESCAPED_HEAD.match(outer)
    at = outer.find(_ESCAPED_LIVE)
    end = outer.find(_ESCAPED_BASE, at)
    if head is None or at < 0 or end < 0:
        return []
    live = json.loads("{" + json.loads('"' + outer[at:end] + '"') + "}")["live"]
    rev, iteration = int(head.group(1)), int(head.group(2))
    grids_for = _ESCAPED_GRIDS_FOR.search(outer, 0, at)
    names = None if grids_for is None else set(re.findall(r'\\"([^\\]+)\\"', grids_for.group(1)))
    return [LiveSlider(proto.id, s["name"], list(s["values"]), int(s["index"]), rev, iteration,
                       names is None or s["name"] in names) for s in live]


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
