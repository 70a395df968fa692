"""What every room store shares: codes, secrets, the room's state and its caps (no Streamlit).

A room is what a teacher presents to: a short code to read aloud (``GD-KMRT-4821``), a presenter
secret that only the teacher's session holds, and a small state that followers copy:
``{page, query, playing, speed}`` plus ``revision`` (raised on every change) and ``updated_at``.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import math
import re
import secrets

#: A room closes when its presenter has neither published nor sent a heartbeat for this long.
TTL_SECONDS = 2 * 60 * 60
#: Rooms open at once on one store (a new one beyond that is refused until one closes).
MAX_ROOMS = 1_000
#: Join attempts per client (its IP address) per minute.
JOINS_PER_MINUTE = 20
JOIN_WINDOW_SECONDS = 60

#: Caps on a room's state: a presenter can only publish a page path and a few short settings.
MAX_PAGE_CHARS = 200
MAX_QUERY_KEYS = 40
MAX_KEY_CHARS = 40
MAX_VALUE_CHARS = 200
MAX_STATE_BYTES = 4_096
MAX_SPEED = 100.0
MAX_SECRET_CHARS = 200

#: Letters that cannot be mistaken for each other or for a digit when read aloud or typed
#: (no B, G, I, L, O, Q, S, U, Z).
LETTERS = "ACDEFHJKMNPRTVWXY"
DIGITS = "0123456789"
CODE_LETTERS = 4
CODE_DIGITS = 4
#: How many codes exist: 17⁴ · 10⁴ = 835,210,000.
CODE_SPACE = len(LETTERS) ** CODE_LETTERS * len(DIGITS) ** CODE_DIGITS

_CODE = re.compile(rf"^GD([{LETTERS}]{{{CODE_LETTERS}}})([0-9]{{{CODE_DIGITS}}})$")
_KEY = re.compile(r"^[A-Za-z0-9_.\-]+$")

DEFAULT_STATE = {"page": "app.py", "query": {}, "playing": False, "speed": 1.0}


class RoomError(Exception):
    """Anything a room store refuses or cannot do; the message says why, for the page."""


class Refused(RoomError):
    """A publish without the room's presenter secret (or to a room that has closed)."""


class RoomsFull(RoomError):
    pass


class BadState(RoomError, ValueError):
    pass


class Unavailable(RoomError):
    """The shared store (Redis) cannot be reached."""


def new_code() -> str:
    letters = "".join(secrets.choice(LETTERS) for _ in range(CODE_LETTERS))
    digits = "".join(secrets.choice(DIGITS) for _ in range(CODE_DIGITS))
    return f"GD-{letters}-{digits}"


def normalize_code(text) -> str | None:
    """The canonical form of a code as a person may type it (``gd kmrt 4821``), or None."""
    if not isinstance(text, str) or len(text) > 40:
        return None
    m = _CODE.match(re.sub(r"[\s\-]", "", text).upper())
    return f"GD-{m.group(1)}-{m.group(2)}" if m else None


def new_secret() -> str:
    return secrets.token_urlsafe(24)


def secret_hash(secret: str) -> str:
    """What a store keeps instead of the secret itself."""
    return hashlib.sha256(secret.encode()).hexdigest()


def secret_matches(stored_hash: str | None, secret) -> bool:
    if stored_hash is None or not isinstance(secret, str) or not secret or len(secret) > MAX_SECRET_CHARS:
        return False
    return hmac.compare_digest(stored_hash.encode(), secret_hash(secret).encode())


def validate_state(state) -> dict:
    """The state as a store keeps it, or :class:`BadState` saying what is wrong (nothing kept)."""
    if not isinstance(state, dict):
        raise BadState("a room's state must be a dict")
    unknown = set(state) - set(DEFAULT_STATE)
    if unknown:
        raise BadState(f"a room's state has no field {sorted(unknown)[0]!r}")
    page = state.get("page", DEFAULT_STATE["page"])
    if not isinstance(page, str) or not page or len(page) > MAX_PAGE_CHARS:
        raise BadState(f"the page must be a path of at most {MAX_PAGE_CHARS} characters")
    query = state.get("query", {})
    if not isinstance(query, dict):
        raise BadState("the query must be a dict of settings")
    if len(query) > MAX_QUERY_KEYS:
        raise BadState(f"the query has {len(query)} settings (at most {MAX_QUERY_KEYS})")
    clean = {}
    for k, v in query.items():
        if not isinstance(k, str) or not k or len(k) > MAX_KEY_CHARS or not _KEY.match(k):
            raise BadState(f"a setting's name must be 1–{MAX_KEY_CHARS} letters, digits or _.-")
        if not isinstance(v, str) or len(v) > MAX_VALUE_CHARS:
            raise BadState(f"the setting {k!r} must be text of at most {MAX_VALUE_CHARS} characters")
        clean[k] = v
    playing = state.get("playing", False)
    if not isinstance(playing, bool):
        raise BadState("playing must be true or false")
    speed = state.get("speed", 1.0)
    if isinstance(speed, bool) or not isinstance(speed, (int, float)) or not math.isfinite(speed) \
            or not 0 < speed <= MAX_SPEED:
        raise BadState(f"speed must be a number above 0 and at most {MAX_SPEED:g}")
    out = {"page": page, "query": dict(sorted(clean.items())), "playing": playing, "speed": float(speed)}
    if len(encode(out)) > MAX_STATE_BYTES:
        raise BadState(f"the state is larger than {MAX_STATE_BYTES} bytes")
    return out


def encode(state: dict) -> str:
    return json.dumps(state, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def client_key(client) -> str:
    """A rate-limit bucket for a client id (its IP address), of bounded size whatever it is."""
    text = str(client)[:200]
    return hashlib.sha256(text.encode()).hexdigest()[:32]


def tell(listeners, code: str) -> None:
    """Call each of ``listeners`` with a changed room's ``code``; one that raises is skipped (a
    listener's failure is not the presenter's)."""
    for callback in list(listeners):
        try:
            callback(code)
        except Exception:  # noqa: BLE001
            pass
