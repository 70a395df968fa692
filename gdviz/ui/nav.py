"""The lesson pages, found in ``pages/`` and grouped by part (their file name's first letter).

A page file is named ``<Part><n>_<words>.py`` (``A2_gradient_descent.py``); its URL is its file
name (``/A2_gradient_descent``), as Streamlit's ``pages/`` convention serves it, and its title
and one-line description come from its docstring (``"A2 · <title>: <what you can do>."``). Adding a page adds a file, nothing else: the sidebar and the tests
find it.
"""

from __future__ import annotations

import functools
import inspect
import re
import tokenize
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PAGES_DIR = ROOT / "pages"

PARTS = {
    "A": "Part A · one weight",
    "B": "Part B · many weights",
    "C": "Part C · datasets and backpropagation",
    "D": "Part D · MNIST, overfitting, dropout",
    "E": "Part E · the sigmoid unit",
    "F": "Part F · gates, matrices, back-query",
}

_NAME = re.compile(r"^([A-F])(\d+)_([a-z0-9_]+)\.py$")


@dataclass(frozen=True)
class LessonPage:
    path: Path
    part: str
    number: int
    title: str
    url_path: str
    blurb: str = ""

    @property
    def relpath(self) -> str:
        return self.path.relative_to(ROOT).as_posix()


def _docstring(path: Path) -> str:
    """The module docstring of ``path``, read without ``ast`` (its first token, when a string).

    CPython 3.11 before 3.11.8 can fail ``ast.parse`` when two threads build ASTs at once
    ("SystemError: AST constructor recursion depth mismatch"), and Streamlit parses each page so
    when it first runs: on a cold server a class opening its pages at once met it (make load).
    Compiling the literal to bytecode builds no Python AST objects."""
    with path.open("rb") as f:
        for tok in tokenize.tokenize(f.readline):
            if tok.type in (tokenize.ENCODING, tokenize.NL, tokenize.NEWLINE, tokenize.COMMENT):
                continue
            if tok.type != tokenize.STRING:
                return ""
            text = eval(compile(tok.string, str(path), "eval"), {"__builtins__": {}})  # noqa: S307 (a literal)
            return inspect.cleandoc(text) if isinstance(text, str) else ""
    return ""


def _described(path: Path, fallback: str) -> tuple[str, str]:
    """(title, blurb) from the page's docstring, "<code> · <title>: <blurb>" (or "<title> — <blurb>
    when the title itself has a colon); the file name's words when there is no docstring."""
    try:
        doc = _docstring(path)
    except (OSError, SyntaxError, ValueError, tokenize.TokenError):
        doc = ""
    doc = " ".join(doc.split())
    if " · " not in doc:
        return fallback, ""
    text = doc.split(" · ", 1)[1]
    sep = " — " if " — " in text else ": "
    title, _, blurb = text.partition(sep)
    blurb = blurb.strip()
    return title.strip() or fallback, (blurb[:1].upper() + blurb[1:]) if blurb else ""


@functools.lru_cache(maxsize=1)
def _pages() -> tuple[LessonPage, ...]:
    pages = []
    for path in PAGES_DIR.glob("*.py"):
        m = _NAME.match(path.name)
        if not m:
            continue
        part, number, words = m.group(1), int(m.group(2)), m.group(3)
        title, blurb = _described(path, words.replace("_", " ").capitalize())
        pages.append(LessonPage(path, part, number, title, path.stem, blurb))
    return tuple(sorted(pages, key=lambda p: (p.part, p.number)))


def lesson_pages() -> list[LessonPage]:
    """Every lesson page, in curriculum order (read once per process: pages do not change while
    the server runs — its file watcher is off)."""
    return list(_pages())


def by_part() -> dict[str, list[LessonPage]]:
    parts: dict[str, list[LessonPage]] = {}
    for lp in lesson_pages():
        parts.setdefault(lp.part, []).append(lp)
    return parts
