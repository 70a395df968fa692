"""Named experiments: the book's settings, the single source for pages, CLI and tests.

Each lesson module in this package calls :func:`register`; the modules are found and
imported here, so adding a lesson never edits this file.
"""

from __future__ import annotations

import importlib
import pkgutil

from gdviz.experiments.base import Experiment, Param  # noqa: F401  (re-exported)

REGISTRY: dict[str, Experiment] = {}


def register(*experiments: Experiment) -> None:
    for e in experiments:
        if e.name in REGISTRY:
            raise ValueError(f"experiment {e.name!r} registered twice")
        REGISTRY[e.name] = e


def get(name: str) -> Experiment:
    _load()
    try:
        return REGISTRY[name]
    except KeyError:
        raise ValueError(f"unknown experiment {name!r}; try one of: {', '.join(names())}") from None


def names() -> list[str]:
    return [e.name for e in all_experiments()]


def all_experiments() -> list[Experiment]:
    """Every experiment, in curriculum order (by lesson, then as registered)."""
    _load()
    return sorted(REGISTRY.values(), key=lambda e: e.lesson)


_loaded = False


def _load() -> None:
    global _loaded
    if _loaded:
        return
    _loaded = True
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        if info.name != "base" and not info.name.startswith("_"):
            importlib.import_module(f"{__name__}.{info.name}")
