"""The lesson pages, found in ``pages/`` and grouped by part (their file name's first letter).

A page file is named ``<Part><n>_<words>.py`` (``A2_gradient_descent.py``): its title is its
words, its URL is its file name (``/A2_gradient_descent``), as Streamlit's ``pages/``
convention serves it. Adding a page adds a file, nothing else: the sidebar and the tests
find it.
"""

from __future__ import annotations

import re
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

    @property
    def relpath(self) -> str:
        return self.path.relative_to(ROOT).as_posix()


def lesson_pages() -> list[LessonPage]:
    pages = []
    for path in PAGES_DIR.glob("*.py"):
        m = _NAME.match(path.name)
        if not m:
            continue
        part, number, words = m.group(1), int(m.group(2)), m.group(3)
        title = words.replace("_", " ").capitalize()
        pages.append(LessonPage(path, part, number, title, path.stem))
    return sorted(pages, key=lambda p: (p.part, p.number))


def by_part() -> dict[str, list[LessonPage]]:
    parts: dict[str, list[LessonPage]] = {}
    for lp in lesson_pages():
        parts.setdefault(lp.part, []).append(lp)
    return parts
