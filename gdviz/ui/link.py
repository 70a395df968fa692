"""What the page's link said, and what was refused: the state every URL-bound control shares.

``page.setup`` saves the link (:data:`RAW_QUERY`) before any widget runs and calls
:func:`start_run`; each control then :func:`claim`\\ s its key (so the notices can name link
keys no control knew) and adds a sentence with :func:`ignore` for a value it refused.
``gdviz.ui.controls`` shows them. This module imports no other ``gdviz.ui`` module, so
``page``, ``controls`` and ``room`` all build on it without importing each other back.
"""

from __future__ import annotations

import re

import streamlit as st

#: The link's values by key, as the page opened (Streamlit drops invalid ones silently).
RAW_QUERY = "_gdviz_raw_query"
#: Where the lesson header left room for the notices (an ``st.empty``), or None.
NOTICE_SLOT = "_gdviz_notice_slot"
#: Lecture mode's link key and session key.
LECTURE = "lecture"
NOTICES = "_gdviz_url_notices"
CLAIMED = "_gdviz_url_keys"
#: Notices for the next run of the page (a callback's answer to a bad browser value).
FLASH = "_gdviz_flash"
GLOBAL_KEYS = {LECTURE}


def lecture() -> bool:
    return bool(st.session_state.get(LECTURE, False))


def start_run() -> None:
    st.session_state[NOTICES] = []
    st.session_state[CLAIMED] = set(GLOBAL_KEYS)


def claim(key: str) -> str | None:
    """What the link said for ``key`` (None when nothing); the key counts as known on this page."""
    values = claim_all(key)
    return values[-1] if values else None


def claim_all(key: str) -> list[str]:
    """Every value the link gave for ``key`` (``?w=1&w=2`` gives two); the key counts as known."""
    st.session_state.setdefault(CLAIMED, set(GLOBAL_KEYS)).add(key)
    return list(st.session_state.get(RAW_QUERY, {}).get(key) or [])


def literal(text: str, limit: int = 40) -> str:
    """``text`` from a link, shown as code and nothing else: shortened, control characters
    replaced, fenced with more backticks than it contains (so it cannot close the span and
    become a link, an image or a heading)."""
    shown = text if len(text) <= limit else text[:limit - 3] + "…"
    shown = "".join(c if c.isprintable() else "�" for c in shown)
    longest = max((len(run) for run in re.findall("`+", shown)), default=0)
    fence = "`" * (longest + 1)
    pad = " " if shown.startswith("`") or shown.endswith("`") or not shown else ""
    return f"{fence}{pad}{shown}{pad}{fence}"


def notice(key: str, text: str, why: str, using) -> str:
    """The sentence shown for a link value that was not used."""
    return f"The link's {literal(key, 30)} = {literal(text)} was ignored: {why}. Using {using}."


def ignore(key: str, text: str, why: str, using) -> None:
    st.session_state.setdefault(NOTICES, []).append(notice(key, text, why, using))


def flash(message: str) -> None:
    """A notice for the next run of the page (a callback's answer to a bad browser value)."""
    st.session_state.setdefault(FLASH, []).append(message)
