"""Whole load runs: one server, an already-running one (``--target``), or the class-size matrix
of ``make load`` — 1 worker and WORKERS=2 behind nginx, with one worker killed mid-run."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import sys
import time
from pathlib import Path

from benchmarks.loadkit.chromium import chromium_missing_reason
from benchmarks.loadkit.report import start_profiler, summarize_profile, summary
from benchmarks.loadkit.scenario import THINK, Stats, scenario
from benchmarks.loadkit.server import ROOT, ServerLog, cpu_seconds, healthy, rss_bytes, streamlit_server


class WorkerSampler:
    """Each worker's peak RSS and CPU seconds during the run, by name (pids change on a restart)."""

    def __init__(self, workers) -> None:
        self.workers, self.stop = workers, False
        self.rss: dict[str, int] = {}
        self.cpu: dict[str, dict[int, list[float]]] = {}

    def sample(self) -> None:
        for name, pid in self.workers().items():
            rss, cpu = rss_bytes(pid), cpu_seconds(pid)
            if rss:
                self.rss[name] = max(self.rss.get(name, 0), rss)
            if cpu is not None:
                self.cpu.setdefault(name, {}).setdefault(pid, [cpu, cpu])[1] = cpu

    async def run(self) -> None:
        while not self.stop:
            self.sample()
            await asyncio.sleep(1.0)
        self.sample()

    def figures(self, stats: list[Stats]) -> dict:
        names = sorted(set(self.rss) | {w for s in stats for w in s.by_worker} | {s.worker for s in stats if s.worker})
        out = {}
        for name in names:
            moves = [x for s in stats for x in s.by_worker.get(name, [])]
            moves += [x for s in stats if not s.by_worker and s.worker == name for x in s.latencies]
            out[name] = {**summary(moves), "sessions": sum(s.worker == name for s in stats),
                         "rss_mb": self.rss.get(name, 0) / 2**20 or None,
                         "cpu_seconds": sum(b - a for a, b in self.cpu.get(name, {}).values()) or None}
        return out


def state_workers(path: str | None):
    """{worker: pid} from `make serve`'s serve.json (re-read: a restart changes the pid)."""
    if not path:
        return None

    def workers() -> dict[str, int]:
        try:
            return {k: v["pid"] for k, v in json.loads(Path(path).read_text())["workers"].items()}
        except (OSError, ValueError, KeyError):
            return {}
    return workers


def run_load(sessions: int = 30, browsers: int = 2, seconds: float = 60.0, *,
             think: tuple[float, float] = THINK, seed: int = 0, url: str | None = None,
             trainers: int = 1, hostile: int = 2, pages: tuple[str, ...] = (),
             profile: str | None = None, workers=None, reconnect: bool = False, during=None) -> dict:
    """Start the server (unless ``url`` is given), run the classroom, return the figures.

    ``workers()``: {worker: pid} of the server(s) behind ``url``, for RSS and CPU per worker.
    ``profile``: a file for py-spy's samples of the server during the run (py-spy must be
    installed; it is not a requirement of the app); the result then has a ``profile`` summary.
    """
    if browsers and chromium_missing_reason():
        raise RuntimeError(chromium_missing_reason())
    args = (sessions, browsers, seconds, think, seed)
    extra = dict(reconnect=reconnect, workers=workers, during=during)
    if url is not None:
        return asyncio.run(scenario(url, *args, ServerLog(), trainers, hostile, pages, **extra))
    with streamlit_server() as (base, log):
        spy = start_profiler(log.pid, profile) if profile else None
        t0 = time.monotonic()
        try:
            result = asyncio.run(scenario(base, *args, log, trainers, hostile, pages, **extra))
        finally:
            if spy is not None:
                spy.send_signal(2)  # SIGINT: py-spy writes what it has
                spy.wait(timeout=60)
        if profile:
            result["profile"] = summarize_profile(profile, time.monotonic() - t0)
        return result


def killer(cluster, name: str, after: float):
    """``during``: SIGKILL worker ``name`` ``after`` seconds into the class; time its restart."""
    async def during(window) -> dict:
        await window.begin()
        await asyncio.sleep(after)
        w = next(x for x in cluster.workers if x.name == name)
        pid = w.proc.pid
        os.kill(pid, signal.SIGKILL)
        t0 = time.monotonic()
        while time.monotonic() - t0 < 120:
            if w.proc.pid != pid and await asyncio.to_thread(healthy, w.url, 1.0):
                return {"worker": name, "pid": pid, "healthy_again": time.monotonic() - t0}
            await asyncio.sleep(0.25)
        return {"worker": name, "pid": pid, "healthy_again": None}
    return during


def run_matrix(sizes=(30, 100, 200), browsers: int = 2, seconds: float = 40.0, kill_at: int = 100,
               think: tuple[float, float] = THINK, out=print) -> list[dict]:
    """Every size against 1 worker (`make run`) and against WORKERS=2 behind nginx, each on a
    fresh server, then ``kill_at`` sessions on WORKERS=2 with w1 killed 15 s into the class."""
    sys.path.insert(0, str(ROOT / "scripts"))
    import serve  # scripts/serve.py

    if browsers and chromium_missing_reason():
        out(f"no browsers: {chromium_missing_reason()}")
        browsers = 0
    rows = []
    plan = [(1, n, False) for n in sizes] + [(2, n, False) for n in sizes]
    if kill_at:
        plan.append((2, kill_at, True))
    for workers, n, kill in plan:
        label = f"{'1 worker' if workers == 1 else f'WORKERS={workers}'}, {n} sessions" + (", w1 killed" if kill else "")
        out(f"… {label} (load average {os.getloadavg()[0]:.1f})")
        t0 = time.monotonic()
        try:
            if workers == 1:
                r = run_load(n, browsers, seconds, think=think)
            else:
                with serve.Cluster(workers, serve.free_port(), quiet=True) as c:
                    c.start_supervisor(0.5)
                    pids = lambda c=c: {w.name: w.proc.pid for w in c.workers}  # noqa: E731
                    r = run_load(n, browsers, seconds, think=think, url=c.url, workers=pids,
                                 reconnect=True, during=killer(c, "w1", 15.0) if kill else None)
                    r["errors"] += [f"{w.name} log: {ln}" for w in c.workers for ln in w.log.errors()
                                    if "KeyboardInterrupt" not in ln]
        except Exception as err:  # noqa: BLE001  (a run that cannot run is a row that says so)
            r = {"failed": f"{type(err).__name__}: {err}"}
        r.update(label=label, workers=workers, size=n, kill=kill, run_seconds=time.monotonic() - t0)
        rows.append(r)
    return rows
