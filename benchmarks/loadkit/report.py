"""The figures of a load run: percentiles, py-spy's profile of the server, the printed tables."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

from benchmarks import table


def percentile(xs: list[float], q: float) -> float:
    if not xs:
        return float("nan")
    xs = sorted(xs)
    k = (len(xs) - 1) * q
    f = int(k)
    c = min(f + 1, len(xs) - 1)
    return xs[f] + (xs[c] - xs[f]) * (k - f)


def summary(xs: list[float]) -> dict:
    return {"n": len(xs), "p50": percentile(xs, 0.5), "p95": percentile(xs, 0.95),
            "max": max(xs) if xs else float("nan")}



PROFILE_RATE = 100  # samples per second


def start_profiler(pid: int | None, path: str) -> subprocess.Popen:
    exe = Path(sys.executable).with_name("py-spy")
    if not exe.exists():
        raise RuntimeError("--profile needs py-spy in the venv: .venv/bin/pip install py-spy")
    # --gil: sample only the thread holding the GIL, i.e. what the server's one Python core does.
    return subprocess.Popen([str(exe), "record", "-p", str(pid), "-r", str(PROFILE_RATE), "--gil", "-f", "raw",
                             "-o", path, "--nonblocking"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


#: What a sample was doing, by the first frame (from the innermost out) that says so.
_BUCKETS = [
    ("Plotly: building and validating figures (plotly.graph_objects)", re.compile(r"\((plotly|_plotly_utils)/")),
    ("Streamlit: gc.collect(2) after every run (runner.postScriptGC)",
     re.compile(r"^ScriptRunner\._on_script_finished \(.*script_runner\.py:\d+\)$")),
    ("Streamlit: elements, messages, sessions", re.compile(r"\(streamlit/")),
    ("gdviz: lesson code (simulations, records, pages)", re.compile(r"\(gdviz/|\([A-F]\d+_\w+\.py:")),
    ("server: event loop, websockets, HTTP", re.compile(r"\((asyncio|starlette|uvicorn|websockets|anyio)/")),
]


def summarize_profile(path: str, seconds: float | None = None, top: int = 20) -> dict:
    """Where the server's GIL time went: by kind of work, and the busiest functions (inclusive).

    ``seconds``: how long was sampled, to say how busy the GIL was (1.0: the server's Python
    ran flat out on its one core the whole time)."""
    plumbing = re.compile(r"^(Thread\.|ScriptRunner\._run_script|exec_func_with_error_handling|"
                          r"ScriptRunner\._run_script\.<locals>|_run_module_as_main|_run_code|<module> \((streamlit|click)|"
                          r"Command\.|Group\.|Context\.|main_run|_main_run|run \(|Runner\.|BaseEventLoop|"
                          r"_mpa_v1|Page\.run|_fragment\.<locals>\.wrap|gather_metrics)")
    total, inclusive, buckets = 0, {}, {}
    with open(path, encoding="utf-8", errors="replace") as f:
        for line in f:
            stack, _, n = line.rstrip().rpartition(" ")
            if not n.isdigit():
                continue
            n = int(n)
            total += n
            frames = stack.split(";")
            if any(fr.startswith("Training.advance ") for fr in frames):
                kind = "gdviz: training steps (Training.advance in trainer ticks)"
            else:
                kind = next((name for fr in reversed(frames) for name, rx in _BUCKETS if rx.search(fr)), "other")
            buckets[kind] = buckets.get(kind, 0) + n
            for frame in {re.sub(r":\d+\)", ")", fr) for fr in frames}:
                inclusive[frame] = inclusive.get(frame, 0) + n
    if not total:
        return {"samples": 0, "busy": None, "buckets": [], "functions": []}
    return {
        "samples": total,
        "busy": total / (PROFILE_RATE * seconds) if seconds else None,
        "buckets": sorted(((n / total, k) for k, n in buckets.items()), reverse=True),
        "functions": sorted(((n / total, fr) for fr, n in inclusive.items() if not plumbing.match(fr)),
                            reverse=True)[:top],
    }


# --- the table ------------------------------------------------------------------------------

def ms(x: float) -> str:
    return "—" if x != x else f"{x * 1e3:,.0f} ms"


def report(result: dict) -> None:
    lat = result["latency"]
    after = result["all_open_after"]
    print(f"\nClassroom load: {result['sessions']} sessions ({result['websockets']} websocket, "
          f"{result['browsers']} headless Chromium) open their pages at once"
          + (f" (all open after {after:.0f} s)" if after is not None else "")
          + f", then work for {result['seconds']:.0f} s; a student looks "
          f"{result['think'][0]:g}–{result['think'][1]:g} s at the result between moves")
    table("Pages (each opened once first: discovery and warm-up)", ("page", "first run", "training"),
          [(p, ms(t), "Train ▶" if tr else "") for p, t, tr in result["pages"]])
    rows = [(g, str(v["sessions"]), str(v["held"]), ms(v["open"]["p50"]), str(v["n"]), ms(v["p50"]),
             ms(v["p95"]), ms(v["max"]), str(v["errors"])) for g, v in result["groups"].items()]
    rows.append(("all moves", str(result["sessions"]), str(result["held"]), "", str(lat["n"]), ms(lat["p50"]),
                 ms(lat["p95"]), ms(lat["max"]), str(len(result["errors"]))))

    table("Slider change → page updated (trainer: Train ▶ → page updated)",
          ("sessions", "count", "held", "open p50", "moves", "p50", "p95", "max", "errors"), rows)
    before = result.get("browser_before_run")
    if before and before["n"]:
        print(f"Chromium: of each move, key press → the server starts the run (the slider's own wait before "
              f"it sends, and the trip): p50 {ms(before['p50'])}, p95 {ms(before['p95'])}"
              + (f"; {result['browser_unpainted']} moves ran too briefly for the page to show 'running' "
                 "(timed to their last chart change)" if result.get("browser_unpainted") else "") + ".")
    table("By page (slider and hostile sessions)", ("page", "sessions", "moves", "p50", "p95", "max"),
          [(p, str(v["sessions"]), str(v["n"]), ms(v["p50"]), ms(v["p95"]), ms(v["max"]))
           for p, v in result["by_page"].items()])
    workers = result.get("per_worker") or {}
    if workers:
        table("Per worker (X-GDVIZ-Worker behind make serve; else the server's address)",
              ("worker", "sessions", "moves", "p50", "p95", "max", "peak RSS", "CPU"),
              [(w, str(v["sessions"]), str(v["n"]), ms(v["p50"]), ms(v["p95"]), ms(v["max"]),
                f"{v['rss_mb']:.0f} MB" if v["rss_mb"] else "—",
                f"{v['cpu_seconds']:.0f} s" if v["cpu_seconds"] else "—") for w, v in workers.items()])
    if result.get("disconnects"):
        back = result["back_after"]
        print(f"Dropped sessions: {result['disconnects']}, served again after p50 {ms(back['p50'])}, "
              f"max {ms(back['max'])} ({back['n']} came back)")
    for t in result["trainer"]:
        print(f"\nTraining session: {t}")
    cpu = result["server_cpu_seconds"]
    (a0, _, _), (a1, _, _) = result["load_average"]
    print(f"\nOffered: {result['moves_per_second']:.1f} moves/s. Server process: "
          + (f"{cpu:.0f} CPU-s in {result['wall_seconds']:.0f} s ({cpu / result['wall_seconds']:.2f} cores)"
             if cpu is not None else "CPU not measured")
          + f"; this client (websocket sessions, Playwright driver): {result['client_cpu_seconds']:.0f} CPU-s"
          + f". Machine: {result['cores']} cores, load average {a0:.1f} before, {a1:.1f} after.")
    prof = result.get("profile")
    if prof and prof["samples"]:
        busy = f", the GIL was held {prof['busy'] * 100:.0f}% of the time" if prof["busy"] else ""
        table(f"Where the server's Python time goes (py-spy --gil, {prof['samples']:,} samples{busy})",
              ("share", "kind of work"), [(f"{x * 100:.1f}%", k) for x, k in prof["buckets"]])
        table("Busiest functions (inclusive share of the samples)", ("share", "function"),
              [(f"{x * 100:.1f}%", fr[:110]) for x, fr in prof["functions"]])
    met = not result["errors"] and lat["p95"] < 0.5
    print(f"\nGoal: zero errors and p95 < 500 ms → {len(result['errors'])} errors, p95 {ms(lat['p95'])}: "
          + ("met" if met else "NOT met"))
    for e in result["errors"][:30]:
        print("  error:", e)
    if len(result["errors"]) > 30:
        print(f"  … and {len(result['errors']) - 30} more")




def report_matrix(rows: list[dict]) -> None:
    """`make load`: one line per (workers, sessions) run, then the kill."""
    out = []
    for r in rows:
        if "failed" in r:
            out.append((r["label"], "", "", "", "", "", "run failed: " + r["failed"][:80], ""))
            continue
        lat, w = r["latency"], r.get("per_worker") or {}
        rss = ", ".join(f"{k} {v['rss_mb']:.0f}" for k, v in w.items() if v.get("rss_mb"))
        (a0, _, _), (a1, _, _) = r["load_average"]
        errs = [e for e in r["errors"] if not e.startswith("discovery:")]
        out.append((r["label"], f"{r['held']}/{r['sessions']}", str(lat["n"]), ms(lat["p50"]), ms(lat["p95"]),
                    str(len(errs)), str(r.get("disconnects", 0)), rss or "—", f"{a0:.1f}→{a1:.1f}"))
    table("Class size × workers (slider change → page updated; all sessions; errors: the sessions' and "
          "the servers' logs, a page failing at discovery is listed below)",
          ("run", "held", "moves", "p50", "p95", "errors", "dropped", "peak RSS MB per worker", "load avg"), out)
    for r in rows:
        if r.get("kill") and "failed" not in r:
            d, back = r.get("during") or {}, r["back_after"]
            print(f"\nKill: {d.get('worker')} (pid {d.get('pid')}) SIGKILLed 15 s into the class: "
                  f"{r.get('disconnects', 0)} sessions dropped, served again (by the other worker) after "
                  f"p50 {ms(back['p50'])}, max {ms(back['max'])}; the worker answered its health check again "
                  f"after {d['healthy_again']:.1f} s" if d.get("healthy_again") else "; it never came back")
            print(f"Errors in that run: {len(r['errors'])}")
            for e in r["errors"][:10]:
                print("  error:", e)
    found = sorted({e for r in rows if "failed" not in r for e in r["errors"] if e.startswith("discovery:")})
    for e in found:
        print(f"\n{e[:200]}  (that page was left out of every run)")
    for r in rows:
        if not r.get("kill") and "failed" not in r and r["errors"]:
            print(f"\n{r['label']}: {len(r['errors'])} errors, e.g.")
            for e in r["errors"][:5]:
                print("  error:", e)
