"""Numbers as text, in one place: the figures' labels (``figures.theme.num``) and the arithmetic
panels' ``fmt``/``fmt_value`` are all :func:`num` with different options."""

from __future__ import annotations

import functools

import numpy as np


def num(x: float | None, digits: int = 6, *, bracket_negative: bool = False,
        ascii_exponent: bool = False) -> str:
    """``x`` to ``digits`` significant digits: short, honest about inf/nan, a true minus sign.

    ``bracket_negative`` writes a negative number in brackets, ``(−0.5)``, so it reads as one
    term inside a formula; ``ascii_exponent`` keeps the exponent's sign as ``-`` (``1e-05``), as
    the arithmetic panels print it. ``None`` is a dash.

    A lesson's frames print the same numbers again and again (C3 shows each weight in every
    phase of every example), so texts are remembered; not for zero (-0.0 and 0.0 are one key to
    a cache but print differently) nor nan (never equal to itself)."""
    if x is None:
        return "—"
    x = float(x)
    if x == 0.0 or x != x:
        return _text(x, digits, bracket_negative, ascii_exponent)
    return _remembered(x, digits, bracket_negative, ascii_exponent)


def _text(x: float, digits: int, bracket_negative: bool, ascii_exponent: bool) -> str:
    if x != x:  # nan (whatever its sign)
        return "nan"
    text = format(x, f".{digits}g")  # "inf" for an infinity; a leading "-" for x < 0 and for -0.0
    negative = text[0] == "-"
    if negative:
        text = text[1:]
    if not ascii_exponent and "-" in text:  # only an exponent's sign is left: 1e−05
        text = text.replace("-", "−")
    if not negative:
        return text
    return f"(−{text})" if bracket_negative else f"−{text}"


#: At most this many texts are remembered (a few MB), shared by every session (pure strings).
_remembered = functools.lru_cache(maxsize=1 << 16)(_text)


class Texts:
    """Numbers as text for one computation (e.g. every frame of one run): each distinct number is
    written once per option, by :func:`num`, and looked up after that (a plain dict, no wrapper
    calls). Kept only as long as the computation keeps it; nothing is shared between settings.

    ``texts.fn(digits, ...)`` is a one-argument :func:`num` with those options. Zero is never
    remembered (-0.0 and 0.0 are one key but print differently); a nan is only found again as the
    same object, which prints the same."""

    __slots__ = ("_memos",)

    def __init__(self) -> None:
        self._memos: dict[tuple, object] = {}

    def fn(self, digits: int = 6, *, bracket_negative: bool = False, ascii_exponent: bool = False):
        key = (digits, bracket_negative, ascii_exponent)
        f = self._memos.get(key)
        if f is None:
            memo: dict = {}
            get = memo.get

            def f(x) -> str:
                t = get(x)
                if t is None:  # what num() writes, without its shared cache (the dict is this one)
                    if x is None:
                        return "—"
                    x = float(x)
                    t = _text(x, digits, bracket_negative, ascii_exponent)
                    if x:  # never 0.0 / -0.0
                        memo[x] = t
                return t

            self._memos[key] = f
        return f


def nums(xs: list[float], digits: int = 6, *, bracket_negative: bool = False,
         ascii_exponent: bool = False) -> list[str]:
    """:func:`num` of each float in ``xs`` (no None), the same texts, written by one ``%``
    formatting of them all and a pass or two over the joined text instead of a call per number."""
    if len(xs) < 8:  # a few: one by one is quicker
        return [num(x, digits, bracket_negative=bracket_negative, ascii_exponent=ascii_exponent) for x in xs]
    one = f"%.{digits}g\n"
    if bracket_negative:  # a negative number (-0.0 too; a nan never) in brackets
        a = np.asarray(xs, dtype=float)
        form = "".join(np.where(np.signbit(a) & ~np.isnan(a), f"(%.{digits}g)\n", one).tolist())
    else:
        form = one * len(xs)
    text = "\n" + form % tuple(xs)  # each text after a newline
    if not ascii_exponent:  # every minus is a sign: the number's own, then its exponent's
        text = text.replace("-", "−")
    elif bracket_negative:
        text = text.replace("(-", "(−")
    else:
        text = text.replace("\n-", "\n−")
    return text[1:-1].split("\n")  # a nan is "nan" whatever its sign, as num writes it


class RecordTexts:
    """The numbers of several records (e.g. the examples a view shows) as text, one record key
    and :func:`num` option at a time for all of them (one :func:`nums` each):
    ``get(name, digits, ...)[k]`` is record ``k``'s ``name`` (raveled) as texts. ``plus_zero``
    writes ``x + 0.0`` (no "−0"). Every record's ``name`` must have the same size."""

    __slots__ = ("_records", "_arrays", "_texts")

    def __init__(self, records) -> None:
        self._records = records
        self._arrays: dict[tuple, list] = {}
        self._texts: dict[tuple, list] = {}

    def get(self, name: str, digits: int = 6, *, bracket_negative: bool = False, ascii_exponent: bool = False,
            plus_zero: bool = False) -> list[list[str]]:
        key = (name, digits, bracket_negative, ascii_exponent, plus_zero)
        out = self._texts.get(key)
        if out is None:
            values = self._arrays.get((name, plus_zero))
            if values is None:
                if len(self._records) == 1 and isinstance(self._records[0][name], float):  # one number
                    x = float(self._records[0][name])
                    values = [1, [x + 0.0 if plus_zero else x]]
                else:
                    a = np.array([r[name] for r in self._records], dtype=float).reshape(len(self._records), -1)
                    if plus_zero:
                        a = a + 0.0
                    values = [a.shape[1], a.ravel().tolist()]
                self._arrays[(name, plus_zero)] = values
            size, flat = values
            flat = nums(flat, digits, bracket_negative=bracket_negative, ascii_exponent=ascii_exponent)
            out = self._texts[key] = [flat[i:i + size] for i in range(0, len(flat), size)] if size else \
                [[] for _ in self._records]
        return out
