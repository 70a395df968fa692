"""The shape of an experiment and of its settings (``Param``)."""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from gdviz.core.run import MAX_ITERATIONS, Run
from gdviz.experiments.formatting import num


@dataclass(frozen=True)
class Param:
    """One setting, named as the book names it (the CLI's ``--set KEY`` and the URL's key).

    ``lo``/``hi`` bound what the CLI and the core accept; ``ui`` = (min, max, step) is the
    range a page's slider offers, which is also what a URL may ask for.
    """

    name: str
    label: str
    default: Any
    kind: str = "float"  # float | int | floats | ints | choice | bool
    lo: float | None = None
    hi: float | None = None
    ui: tuple[float, float, float] | None = None
    choices: tuple = ()
    help: str = ""
    #: The values a slider offers when they are not evenly spaced (alpha over several orders of
    #: magnitude); otherwise :meth:`grid` spaces them by ``ui``'s step.
    steps: tuple = ()

    def grid(self) -> tuple:
        """Every value the page's slider offers, in order: ``steps``, or ``ui``'s range in its
        step (each value rounded to 10 decimals, so 1.1 is the float 1.1 a link would give)."""
        if self.steps:
            return self.steps
        if self.ui is None:
            raise ValueError(f"{self.name} has no slider range")
        lo, hi, step = self.ui
        n = int(round((hi - lo) / step))
        if self.kind == "int":
            return tuple(int(round(lo + k * step)) for k in range(n + 1))
        return tuple(round(lo + k * step, 10) + 0.0 for k in range(n + 1))

    def parse(self, text: str) -> Any:
        """Turn the text of ``--set name=text`` (or of a URL) into a checked value."""
        text = text.strip()
        try:
            if self.kind == "float":
                value: Any = float(text)
            elif self.kind == "int":
                value = int(text)
            elif self.kind == "floats":
                value = tuple(float(t) for t in text.strip("[]()").split(",") if t.strip())
            elif self.kind == "ints":
                value = tuple(int(t) for t in text.strip("[]()").split(",") if t.strip())
            elif self.kind == "bool":
                if text.lower() not in ("true", "false", "1", "0", "yes", "no"):
                    raise ValueError
                value = text.lower() in ("true", "1", "yes")
            else:
                value = text
        except ValueError:
            raise ValueError(f"{self.name} must be {self._expects()}, got {text!r}") from None
        return self.check(value)

    def check(self, value: Any) -> Any:
        """Raise ValueError naming the setting when ``value`` is not allowed."""
        if self.kind == "choice":
            if value not in self.choices:
                raise ValueError(f"{self.name} must be one of {', '.join(map(str, self.choices))}, got {value!r}")
            return value
        if self.kind == "bool":
            if not isinstance(value, bool):
                raise ValueError(f"{self.name} must be true or false, got {value!r}")
            return value
        many = self.kind in ("floats", "ints")
        values = tuple(value) if many else (value,)
        for v in values:
            if isinstance(v, bool) or not isinstance(v, (int, float)) or (self.kind in ("int", "ints") and v != int(v)):
                raise ValueError(f"{self.name} must be {self._expects()}, got {value!r}")
            if not math.isfinite(v):
                raise ValueError(f"{self.name} must be finite, got {v!r}")
            if self.lo is not None and v < self.lo:
                raise ValueError(f"{self.name} must be at least {self.lo:g}, got {v!r}")
            if self.hi is not None and v > self.hi:
                raise ValueError(f"{self.name} must be at most {self.hi:g}, got {v!r}")
        if many:
            return tuple(int(v) if self.kind == "ints" else float(v) for v in values)
        return int(value) if self.kind == "int" else float(value)

    def _expects(self) -> str:
        return {
            "float": "a number",
            "int": "a whole number",
            "floats": "numbers separated by commas",
            "ints": "whole numbers separated by commas",
            "bool": "true or false",
        }.get(self.kind, "one of " + ", ".join(map(str, self.choices)))


@dataclass(frozen=True)
class Experiment:
    """A named preset: the book's settings, how to run them and how the book logs them."""

    name: str
    title: str
    lesson: str  # the section of LESSONS.md, e.g. "A2"
    summary: str
    params: tuple[Param, ...]
    iterations: int
    simulate: Callable[[Mapping[str, Any], int], Run]
    log: Callable[[Run, Mapping[str, Any]], Iterator[str]]
    defaults: Mapping[str, Any] = field(default_factory=dict)  # overrides of the params' defaults
    max_iterations: int = MAX_ITERATIONS
    button: str = ""  # the label of this preset's button on its page
    #: Many runs at once, for a slider's grid: ``(list of settings, iterations) -> runs``, each
    #: bit for bit :attr:`simulate`'s (e.g. NumPy over a leading grid axis). None: one at a time.
    simulate_many: Callable[[list, int], list] | None = None

    def runs(self, many_settings: list, iterations: int) -> list:
        """:attr:`simulate` for each of ``many_settings``; a run that cannot be made is None."""
        if self.simulate_many is not None:
            return self.simulate_many(many_settings, iterations)
        out = []
        for s in many_settings:
            try:
                out.append(self.simulate(s, iterations))
            except ValueError:
                out.append(None)
        return out

    def param(self, name: str) -> Param:
        for p in self.params:
            if p.name == name:
                return p
        raise ValueError(f"unknown setting {name!r} for {self.name}; settings: {', '.join(p.name for p in self.params)}")

    def settings(self, **overrides: Any) -> dict[str, Any]:
        """The preset's settings with ``overrides`` applied, each one checked."""
        values = {p.name: self.defaults.get(p.name, p.default) for p in self.params}
        for key, value in overrides.items():
            values[key] = self.param(key).check(value)
        return values

    def check_iterations(self, iterations: int | None) -> int:
        n = self.iterations if iterations is None else iterations
        if isinstance(n, bool) or not isinstance(n, int) or n < 1:
            raise ValueError(f"iterations must be a whole number of at least 1, got {n!r}")
        if n > self.max_iterations:
            raise ValueError(f"iterations must be at most {self.max_iterations}, got {n}")
        return n

    def run(self, iterations: int | None = None, **overrides: Any) -> Run:
        return self.simulate(self.settings(**overrides), self.check_iterations(iterations))

    def lines(self, iterations: int | None = None, **overrides: Any) -> Iterator[str]:
        """The book's log of this experiment, line by line."""
        settings = self.settings(**overrides)
        yield from self.log(self.simulate(settings, self.check_iterations(iterations)), settings)


def diverged_line(run: Run) -> str:
    """The sentence every log and page uses for an overflowed run."""
    return f"Diverged at iteration {run.diverged_at}: the numbers overflowed to inf/nan."


@dataclass(frozen=True)
class Line:
    """One line of a step's arithmetic: ``name = formula = numbers = value``."""

    phase: str  # predict | compare | learn | ...
    name: str
    formula: str
    numbers: str
    value: str


def fmt(x, digits: int = 6) -> str:
    """A number for the arithmetic panel: short, inf/nan spelled out, negatives bracketed."""
    return num(x, digits, bracket_negative=True, ascii_exponent=True)


def fmt_value(x, digits: int = 6) -> str:
    """A result: like :func:`fmt` without brackets."""
    return num(x, digits, ascii_exponent=True)
