"""`make load`: a classroom against one server, measured.

    .venv/bin/python -m benchmarks.load [--sessions N] [--browsers K] [--seconds S] [--think A,B]
                                         [--trainers T] [--hostile H] [--pages A2,B1] [--profile FILE]
                                         [--room F]

The real app is started on loopback (``benchmarks.loadkit.server``). ``N`` sessions open
their pages at once, as a class does when the link goes up, then work for ``S`` seconds from
the moment the last page is open:

* ``K`` of them are headless Chromium pages (each in its own browser context): they change a
  slider with the keyboard and are timed, by the page's own clock, from the key press until
  the app is idle again and its charts have been redrawn;
* the others are *websocket sessions*: a small Python client that speaks Streamlit's own
  protocol on ``/_stcore/stream`` — the ``BackMsg``/``ForwardMsg`` protobufs the browser
  sends and receives — so to the server each one is a real session with its own session
  state, widget ids and fragments. A slider change is a ``rerun_script`` carrying every
  widget's state (as the browser sends them, bound widgets also in the query string), timed
  until the server's ``script_finished``. A stepped lesson's live sliders belong to the lesson
  instrument, not to Streamlit: letting one go is the one ``commit`` event the browser sends
  (``loadkit/live.py``), which the server checks, writes into the link and runs. Fragment timers (``auto_rerun``) are honoured like
  the browser does (a ``setInterval`` per fragment, cleared by each full run), which is what
  keeps a training running. Far cheaper than a browser: 28 of them cost the client ~2 CPU-s
  a minute, so on a 2-core machine they leave the cores to the server.

Roles: ``T`` websocket sessions (default 1) train on a training page — found by its "Train ▶"
button, never by name — from Train ▶ until the run ends, then Reset ⟲ and Train ▶ again;
``H`` (default 2) open their page through a hostile link (not-numbers, inf/nan, huge values,
script text, unknown and repeated keys) and must see the "ignored" notice on every run; the
rest — and the browsers — move sliders and toggles on the lesson pages of parts A–C (one
weight, many weights, streetlights; the MNIST pages are left to the trainer), looking at the
result for a think time between moves.

Reported: slider change → page updated latency per kind of session and per page
(p50/p95/max), the training's progress, sessions held to the end, the offered load, the
server's CPU, and every error: an exception on a page, a run that does not finish, a dropped
session, a missing notice, script text rendered as HTML, or a traceback in the server's log.
``--profile FILE`` samples the server with py-spy (``pip install py-spy``; not a requirement of
the app) and says where its Python time goes. Server settings can be tried through
Streamlit's environment variables, e.g. ``STREAMLIT_RUNNER_POST_SCRIPT_GC=false``.

The work is split by job in ``benchmarks/loadkit/``: ``server`` (start/stop on a free port),
``client`` (the websocket session, on Streamlit's private protocol, guarded by version),
``chromium`` (the browser student), ``scenario`` (roles, the whole run), ``report`` (tables).

``--room F`` (issue 15: the follow traffic must not push the class's slider p95 up by more than
20%): the same class (same seed) twice, first without a room, then with one — a websocket
teacher presents A2 ("Present to the room" in its sidebar) and lets one of its live sliders go
at a new step every 3 s of the working window, and ``F`` websocket followers follow it
(``loadkit/room.py``: they answer the server's reruns, fetch the instrument's parts, and
each teacher change they never showed is a *miss*). Each run gets a fresh server, so the second
does not start with the first one's warm caches or leftover sessions; with ``--url``/``--target``
both runs use that server (``make serve`` with WORKERS > 1 shares rooms through Redis, so the
followers may sit on any worker). Printed: both runs' slider p50/p95/errors side by side and

    class slider p95 <ms> ms without a room, <ms> ms with a room of <F> followers (+<pct>%), follow misses <n>

Latencies are wall-clock on this machine, where the server, the clients and Chromium share
the same cores (on a real classroom the browsers run on the students' machines).
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

# One BLAS thread per process, as `make` sets it (threaded BLAS stalls on a shared 2-core box).
for _v in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_v, "1")

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from benchmarks.loadkit.chromium import chromium_missing_reason  # noqa: E402
from benchmarks.loadkit import room  # noqa: E402
from benchmarks.loadkit.report import ms, report, report_matrix  # noqa: E402
from benchmarks import table  # noqa: E402
from benchmarks.loadkit.runs import run_load, run_matrix, state_workers  # noqa: E402
from benchmarks.loadkit.scenario import THINK  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m benchmarks.load", description=__doc__.split("\n\n")[0])
    ap.add_argument("--sessions", type=int, default=30, help="sessions in all (default 30)")
    ap.add_argument("--browsers", type=int, default=2, help="of which headless Chromium pages (default 2)")
    ap.add_argument("--seconds", type=float, default=60, help="how long the class works (default 60)")
    ap.add_argument("--think", default=f"{THINK[0]:g},{THINK[1]:g}",
                    help="seconds between a student's moves, uniform in A,B (default %(default)s)")
    ap.add_argument("--trainers", type=int, default=1, help="sessions training MNIST (default 1)")
    ap.add_argument("--hostile", type=int, default=2, help="sessions opened through a hostile link (default 2)")
    ap.add_argument("--pages", default="",
                    help="comma-separated page names or prefixes (A2,B1) for the slider sessions "
                         "(default: the pages of parts A–C that do not use MNIST)")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--url", help="use a server already running at this URL instead of starting one")
    ap.add_argument("--target", type=int, metavar="PORT",
                    help="use a server already running on 127.0.0.1:PORT (e.g. make serve's nginx)")
    ap.add_argument("--state", metavar="SERVE_JSON",
                    help="with --target: make serve's serve.json, for RSS and CPU per worker")
    ap.add_argument("--matrix", default="", metavar="SIZES",
                    help="the class-size matrix (make load: 30,100,200): each size against 1 worker "
                         "and WORKERS=2 behind nginx, then one worker killed during the 100-session run")
    ap.add_argument("--profile", metavar="FILE",
                    help="sample the server with py-spy into FILE and print where its time goes")
    ap.add_argument("--room", type=int, default=0, metavar="F",
                    help="run the class twice, without and then with a room of F websocket followers "
                         "of a teacher who changes A2 every 3 s (default 0: no room); each run on a fresh "
                         "server, or both on --url/--target's server")
    a = ap.parse_args(argv)
    if not 0 <= a.room <= 200:
        ap.error("--room needs 0–200 followers")
    if a.room and (a.matrix or a.profile):
        ap.error("--room runs one class twice: not with --matrix or --profile")
    think = tuple(float(x) for x in a.think.split(","))
    if len(think) != 2 or not 0 <= think[0] <= think[1]:
        ap.error("--think needs A,B with 0 <= A <= B")
    if a.browsers and chromium_missing_reason():
        print(f"no browsers: {chromium_missing_reason()}", file=sys.stderr)
        a.browsers = 0
    if a.matrix:
        try:
            sizes = tuple(int(x) for x in a.matrix.split(",") if x.strip())
        except ValueError:
            ap.error("--matrix needs sizes like 30,100,200")
        if not sizes or min(sizes) < 1:
            ap.error("--matrix needs sizes like 30,100,200")
        rows = run_matrix(sizes, a.browsers, a.seconds, kill_at=100 if 100 in sizes else sizes[-1], think=think)
        report_matrix(rows)
        return 0 if all("failed" not in r and not r["errors"] for r in rows if not r["kill"]) else 1
    if a.target is not None and not 0 < a.target < 65536:
        ap.error("--target needs a port between 1 and 65535")
    url = a.url or (f"http://127.0.0.1:{a.target}" if a.target else None)
    def one(during=None) -> dict:
        return run_load(a.sessions, a.browsers, a.seconds, think=think, seed=a.seed, url=url,
                        workers=state_workers(a.state), reconnect=url is not None,
                        trainers=a.trainers, hostile=a.hostile, profile=None if a.room else a.profile,
                        pages=tuple(x.strip() for x in a.pages.split(",") if x.strip()), during=during)

    if not a.room:
        result = one()
        report(result)
        return 0 if not result["errors"] else 1
    print(f"… the class without a room (load average {os.getloadavg()[0]:.1f})", flush=True)
    without = one()
    report(without)
    print(f"\n… the same class with a room of {a.room} followers (load average {os.getloadavg()[0]:.1f})",
          flush=True)
    with_ = one(room.during(a.room, seed=a.seed))
    r = with_.get("during") or {"errors": ["the room did not run"], "misses": 0, "changes": 0,
                                 "applied": {}, "joined": 0, "follow": {"n": 0}, "teacher": {"n": 0}}
    with_["errors"] = with_["errors"] + r["errors"]  # the followers' errors are the run's
    report(with_)
    return report_room(without, with_, r, a.room)


def report_room(without: dict, with_: dict, r: dict, followers: int) -> int:
    """Both runs' slider figures side by side, the room's, the issue's line; the exit status."""
    rows = [(name, str(x["latency"]["n"]), ms(x["latency"]["p50"]), ms(x["latency"]["p95"]),
             ms(x["latency"]["max"]), str(len(x["errors"])),
             "—" if x["server_cpu_seconds"] is None else
             f"{x['server_cpu_seconds']:.0f} CPU-s in {x['wall_seconds']:.0f} s",
             f"{x['load_average'][0][0]:.1f}→{x['load_average'][1][0]:.1f}")
            for name, x in (("without a room", without), (f"with a room of {followers}", with_))]
    table("The class's slider change → page updated, without and with a room",
          ("run", "moves", "p50", "p95", "max", "errors", "server", "load avg"), rows)
    got = sorted(r["applied"].values())
    fol, tea = r["follow"], r["teacher"]
    print(f"Room: {r['joined']} of {followers} followers joined; the teacher made {r['changes']} changes "
          f"(release → its link shows it p50 {ms(tea.get('p50', float('nan')))}); each follower applied "
          + (f"{got[0]}–{got[-1]}" if got else "—") + f" of them, {r['misses']} misses; "
          f"teacher's release → follower showed it with its parts p50 {ms(fol.get('p50', float('nan')))}, "
          f"p95 {ms(fol.get('p95', float('nan')))}; parts fetched by the followers "
          f"{r.get('part_bytes', 0) / 2**20:.1f} MB")
    text, pct = room.line(without["latency"], with_["latency"], followers, r["misses"])
    print(text)
    met = pct <= 20
    print(f"Goal: the room adds at most 20% to the class's slider p95 → {pct:+.1f}%: "
          + ("met" if met else "NOT met")
          + ("" if not (without["errors"] or with_["errors"]) else
             f" (errors: {len(without['errors'])} without, {len(with_['errors'])} with the room)"))
    for e in r["errors"][:10]:
        print("  room error:", e)
    return 0 if not without["errors"] and not with_["errors"] and not r["misses"] and r["changes"] else 1


if __name__ == "__main__":
    sys.exit(main())
