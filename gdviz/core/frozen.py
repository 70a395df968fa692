"""The one way a step makes its next state: a copy of a frozen state with some fields changed.

A state's settings are checked once, when it is made. A step changes only a few fields
(weights, a position) and must not check again: after an overflow the new weights are inf or
nan — the run stops right after and shows them — which a fresh state would refuse. So the
copy skips the dataclass's ``__init__``/``__post_init__`` and is made field by field.
"""

from __future__ import annotations


def replace_unchecked(state, **changes):
    """A copy of frozen dataclass ``state`` with ``changes``, *not* validated again.

    Every other field (and any cache the state keeps in its fields) is shared with ``state``,
    which stays as it was. Only for a step's own output: the caller vouches for the new values
    (read-only arrays, right shapes). A name that is not a field of ``state`` is a TypeError.
    """
    new = object.__new__(type(state))
    fields = new.__dict__
    fields.update(state.__dict__)
    if not changes.keys() <= fields.keys():
        unknown = ", ".join(sorted(changes.keys() - fields.keys()))
        raise TypeError(f"{type(state).__name__} has no field {unknown}")
    fields.update(changes)
    return new
