"""Two scenarios `make load` runs on a fresh server besides the class (issue 19).

    .venv/bin/python -m benchmarks.coldstart [--sessions N] [--seconds S] [--url URL] [--only cold|canvas]

* **Cold start**: a fresh server, and the room connecting at once — ``N`` websocket sessions
  open their pages (parts A–C) the moment the server answers and move sliders quickly, while
  one of them opens F3 (its table makes Streamlit import pandas). Nothing may have opened a
  page before (``make load``'s class opens every page first, so it never saw this). Printed:
  the errors (an exception on a page, a dropped session, a traceback in the server's log);
  goal 0. Before ``gdviz.ui.warm``, 16–23 of ~270 moves from 10 sessions failed with
  ``partially initialized module 'pandas'``.
* **Hostile canvas**: a session opens B5, switches to "draw your own" and sends, as the
  canvas's value, what a hostile client can: real PNGs of 8000×8000 and 12000×12000 pixels
  (a few hundred kB sent, gigabytes once decoded), a forged header claiming 8000×8000, a
  GIF, text that is not JSON, JSON nested 50,000 deep, ``drawing`` as a number, and a frame
  over the server's message limit. Printed: the server's peak RSS over its baseline (goal
  within 100 MB), whether every value got the "could not be read" notice, and whether the
  page still scores a real drawing afterwards.

Both use ``benchmarks.loadkit`` (``server`` to start the app, ``client`` for the sessions).
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import io
import json
import os
import random
import struct
import sys
import threading
import time
import zlib
from pathlib import Path

for _v in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_v, "1")
ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from benchmarks.loadkit.client import SessionError, WsSession  # noqa: E402
from benchmarks.loadkit.server import ServerLog, rss_bytes, streamlit_server  # noqa: E402
from gdviz.ui.nav import lesson_pages  # noqa: E402

COLD_PARTS = ("A", "B", "C")
NOTICE = "could not be read"
RACE = "partially initialized module"
PNG_SIG = b"\x89PNG\r\n\x1a\n"


def _page(prefix: str) -> str:
    return next(lp.url_path for lp in lesson_pages() if lp.url_path.startswith(prefix))


# --- cold start --------------------------------------------------------------------------------

async def _student(url: str, page: str, until: float, rng: random.Random, errors: list, moves: list,
                   delay: float = 0.0) -> None:
    s = WsSession(url, page)
    try:
        await asyncio.sleep(delay)
        await s.connect()
        r = await s.open(page)
        errors.extend(f"{page} open: {e}" for e in r.exceptions)
        while time.monotonic() < until and not s.closed:
            options = [w for w in s.movable() if w.kind in ("slider", "select_slider")]
            if not options:
                break
            w = rng.choice(options)
            p = w.proto
            if w.kind == "slider":
                n = max(1, round((p.max - p.min) / p.step)) if p.step else 1
                value = [min(p.max, p.min + rng.randint(0, n) * p.step)]
                value = [float(int(round(value[0])))] if p.data_type == 1 else [round(value[0], 10)]
            else:
                value = [rng.choice(list(p.options))]
            r = await s.set(w, value)
            moves.append(r.seconds)
            errors.extend(f"{page} {w.label!r}: {e}" for e in r.exceptions)
            await asyncio.sleep(rng.uniform(0.1, 0.6))
        if s.closed:
            errors.append(f"{page}: session dropped ({s.close_reason})")
    except (SessionError, OSError) as err:
        errors.append(f"{page}: {type(err).__name__}: {err}")
    finally:
        await s.close()


async def cold_start(url: str, log: ServerLog | None, sessions: int = 10, seconds: float = 20.0,
                     seed: int = 0) -> dict:
    """The room connecting at once to a server nobody has used yet; one session opens F3."""
    rng = random.Random(seed)
    pages = [lp.url_path for lp in lesson_pages() if lp.part in COLD_PARTS and "mnist" not in
             lp.path.read_text(encoding="utf-8").lower()]
    errors: list[str] = []
    moves: list[float] = []
    until = time.monotonic() + seconds
    tasks = [_student(url, _page("F3"), until, random.Random(rng.random()), errors, moves, delay=0.3)]
    tasks += [_student(url, pages[i % len(pages)], until, random.Random(rng.random()), errors, moves)
              for i in range(sessions - 1)]
    await asyncio.gather(*tasks)
    logged = log.errors() if log is not None else []
    errors += [f"server log: {ln}" for ln in logged]
    lines = list(log.lines) if log is not None else []
    race = sum(RACE in ln for ln in lines) + sum(RACE in e for e in errors if not e.startswith("server log"))
    causes: dict[str, int] = {}
    for ln in lines:  # the last line of each traceback: what was raised
        if ln and not ln.startswith((" ", "Traceback")) and ("Error" in ln.split(":")[0] or "Exception" in ln.split(":")[0]):
            causes[ln[:120]] = causes.get(ln[:120], 0) + 1
    return {"sessions": sessions, "moves": len(moves), "errors": errors, "race": race, "causes": causes}


# --- hostile canvas ----------------------------------------------------------------------------

class CanvasSession(WsSession):
    """A session that can send any value as the drawing canvas's state."""

    canvas_id = ""
    canvas_state: str | None = None

    def _delta(self, msg) -> None:
        super()._delta(msg)
        d = msg.delta
        if d.WhichOneof("type") == "new_element" and d.new_element.WhichOneof("type") == "bidi_component":
            self.canvas_id = d.new_element.bidi_component.id

    def _widget_states(self, trigger=None):
        states = super()._widget_states(trigger)
        if self.canvas_id and self.canvas_state is not None:
            w = states.widgets.add()
            w.id = self.canvas_id
            w.json_value = self.canvas_state
        return states

    async def send_canvas(self, state: str):
        self.canvas_state = state
        return await self._rerun()


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def real_png(width: int, height: int) -> bytes:
    """A valid black RGBA PNG of ``width``×``height`` (compressed row by row: little memory)."""
    z = zlib.compressobj(9)
    row = b"\0" * (1 + 4 * width)
    idat = b"".join(z.compress(row) for _ in range(height)) + z.flush()
    return (PNG_SIG + _chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 6, 0, 0, 0))
            + _chunk(b"IDAT", idat) + _chunk(b"IEND", b""))


def forged_png(width: int, height: int) -> bytes:
    return (PNG_SIG + _chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 6, 0, 0, 0))
            + _chunk(b"IDAT", zlib.compress(b"\0" * 1000)) + _chunk(b"IEND", b""))


def _state(url) -> str:
    return json.dumps({"drawing": {"raw": {"objects": []}, "data": url}, "backgroundFit": None})


def _data_url(png: bytes, mime: str = "image/png") -> str:
    return f"data:{mime};base64," + base64.b64encode(png).decode()


def drawing_png() -> bytes:
    from PIL import Image  # noqa: PLC0415

    img = Image.new("RGBA", (196, 196), (0, 0, 0, 255))
    img.paste((255, 255, 255, 255), (80, 40, 110, 160))
    buf = io.BytesIO()
    img.save(buf, "PNG")
    return buf.getvalue()


def hostile_values() -> dict[str, str]:
    return {
        "8000×8000 PNG": _state(_data_url(real_png(8000, 8000))),
        "12000×12000 PNG": _state(_data_url(real_png(12000, 12000))),
        "forged 8000×8000 header": _state(_data_url(forged_png(8000, 8000))),
        "GIF": _state(_data_url(b"GIF89a" + b"\0" * 64, "image/gif")),
        "not JSON": "{'drawing': nope",
        "nested 50,000 deep": "[" * 50_000 + "]" * 50_000,
        "drawing a number": json.dumps({"drawing": 5}),
    }


class Sampler:
    """The server's RSS every 20 ms, in a thread (so a busy event loop does not hide a peak)."""

    def __init__(self, pid: int | None) -> None:
        self.pid, self.peak, self.stop = pid, 0, False
        self._t = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self.stop:
            self.peak = max(self.peak, rss_bytes(self.pid) or 0)
            time.sleep(0.02)

    def __enter__(self):
        self._t.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stop = True
        self._t.join()


async def hostile_canvas(url: str, pid: int | None) -> dict:
    values = hostile_values()
    s = CanvasSession(url, "canvas")
    out: dict = {"values": {}, "errors": []}
    await s.connect()
    try:
        r = await s.open(_page("B5"))
        out["errors"] += r.exceptions
        radio = s.find("digit to score")
        if radio is None:
            out["errors"].append("B5 has no 'digit to score' switch")
            return out
        await s.set(radio, "draw your own")
        if not s.canvas_id:
            out["errors"].append("no canvas on B5 after 'draw your own'")
            return out
        await s.send_canvas(_state(None))  # an empty canvas, as the browser sends it
        await asyncio.sleep(1.0)
        out["baseline"] = rss_bytes(pid)
        with Sampler(pid) as sampler:
            for name, value in values.items():
                r = await s.send_canvas(value)
                noticed = any(NOTICE in w for w in r.warnings)
                out["values"][name] = {"sent_kB": len(value) / 1e3, "noticed": noticed,
                                       "exceptions": r.exceptions, "seconds": r.seconds}
                if not noticed or r.exceptions:
                    out["errors"].append(f"{name}: notice={noticed} exceptions={r.exceptions[:1]}")
            r = await s.send_canvas(_state(_data_url(drawing_png())))
            out["recovered"] = not r.exceptions and not any(NOTICE in w for w in r.warnings)
            if not out["recovered"]:
                out["errors"].append(f"a real drawing after the hostile ones: {r.exceptions or r.warnings}")
            big = CanvasSession(url, "too big")  # one frame over server.maxWidgetStateSize
            await big.connect()
            try:
                await big.open(_page("B5"))
                big.query = [("x", "y" * 3_000_000)]
                with_error = None
                try:
                    await big._rerun()
                except SessionError as err:
                    with_error = str(err)
                out["big_frame"] = big.close_reason or with_error or "accepted"
            finally:
                await big.close()
            await asyncio.sleep(0.5)
        out["peak"] = sampler.peak
    finally:
        await s.close()
    return out


# --- the command -------------------------------------------------------------------------------

def run_all(sessions: int = 10, seconds: float = 20.0, url: str | None = None, only: str = "") -> dict:
    result: dict = {}
    if only in ("", "cold"):
        if url:
            result["cold"] = asyncio.run(cold_start(url, None, sessions, seconds))
        else:
            with streamlit_server() as (fresh, log):  # fresh: no page opened before
                result["cold"] = asyncio.run(cold_start(fresh, log, sessions, seconds))
    if only in ("", "canvas"):
        if url:
            result["canvas"] = asyncio.run(hostile_canvas(url, None))
        else:
            with streamlit_server() as (fresh, log):
                result["canvas"] = asyncio.run(hostile_canvas(fresh, log.pid))
                result["canvas"]["errors"] += [f"server log: {ln}" for ln in log.errors()]
    return result


def report(result: dict) -> int:
    """Print the figures; return how many errors there were."""
    n = 0
    if "cold" in result:
        c = result["cold"]
        n += len(c["errors"])
        print(f"\ncold start: {c['sessions']} sessions at once on a fresh server (one opens F3), "
              f"{c['moves']} slider moves: {len(c['errors'])} errors (goal 0), "
              f"{c['race']} of them a half-imported module")
        for cause, k in sorted(c["causes"].items(), key=lambda kv: -kv[1]):
            print(f"  {k} × {cause}")
        for e in c["errors"][:6]:
            print(f"  {e[:200]}")
    if "canvas" in result:
        c = result["canvas"]
        n += len(c["errors"])
        print("\nhostile canvas values on B5:")
        for name, v in c.get("values", {}).items():
            print(f"  {name:26s} {v['sent_kB']:9.1f} kB sent  notice: {'yes' if v['noticed'] else 'NO'}"
                  f"  {v['seconds'] * 1e3:6.0f} ms")
        if "big_frame" in c:
            print(f"  a 3 MB frame: {c['big_frame'][:120]}")
        if c.get("peak") and c.get("baseline"):
            extra = (c["peak"] - c["baseline"]) / 1e6
            print(f"  server RSS: baseline {c['baseline'] / 1e6:.0f} MB, peak {c['peak'] / 1e6:.0f} MB "
                  f"(+{extra:.0f} MB; goal within 100 MB)")
            if extra > 100:
                n += 1
                print("  ERROR: peak RSS over the goal")
        print(f"  a real drawing afterwards is scored: {'yes' if c.get('recovered') else 'NO'}")
        for e in c["errors"][:10]:
            print(f"  error: {e[:240]}")
    return n


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m benchmarks.coldstart", description=__doc__.split("\n\n")[0])
    ap.add_argument("--sessions", type=int, default=10, help="cold start: sessions at once (default 10)")
    ap.add_argument("--seconds", type=float, default=20.0, help="cold start: how long they move sliders")
    ap.add_argument("--url", help="a server already running (fresh: started just before) instead of one started here")
    ap.add_argument("--only", choices=["cold", "canvas"], default="")
    a = ap.parse_args(argv)
    return 1 if report(run_all(a.sessions, a.seconds, a.url, a.only)) else 0


if __name__ == "__main__":
    sys.exit(main())
