"""`make serve WORKERS=N [PORT=8501] [HOST=localhost]`: N Streamlit workers behind nginx, for a class.

    .venv/bin/python scripts/serve.py --workers N [--port 8501] [--host localhost] [--dir DIR]

* N processes of the app (as `make run` starts it, with the repo's .streamlit/config.toml), each
  on a free loopback port, each with its own log (``DIR/worker-wK.log``);
* Debian's nginx in the foreground (``nginx -p DIR -c DIR/nginx.conf``, ``daemon off``; its pid,
  logs and temp files in DIR, never /etc/nginx) on the one public port, with sticky sessions
  by a cookie nginx sets, websocket proxying and an ``X-GDVIZ-Worker`` header naming the worker
  (see deploy/nginx.conf.template);
* with N > 1 and no ``GDVIZ_ROOMS`` set, a ``redis-server`` on a free loopback port (nothing
  saved to disk), and ``GDVIZ_ROOMS=redis://127.0.0.1:<port>/0`` passed to every worker, so the
  room store is shared;
* a supervisor: a worker that exits, or whose ``/_stcore/health`` stops answering, is started
  again on the same port (its sessions reconnect; meanwhile nginx sends them to another worker).
  ``DIR/serve.json`` says which worker is which process, for ``make load --target``.

Ctrl-C or SIGTERM stops everything it started. DIR is a new temporary folder unless given.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from benchmarks.loadkit.server import ServerLog, free_port, healthy, start_streamlit, stop  # noqa: E402

TEMPLATE = ROOT / "deploy" / "nginx.conf.template"
#: A worker whose health check fails this many times in a row (one check a second, each
#: allowed HEALTH_TIMEOUT) is killed and started again; a starting worker has START_GRACE.
#: Lenient on purpose: a worker merely overloaded answers slowly, and restarting it would drop
#: every session it holds (with 2 s × 5 checks, busy workers were restarted under load).
HEALTH_FAILURES = 8
HEALTH_TIMEOUT = 5.0
START_GRACE = 90.0
MAX_WORKERS = 32


def nginx_binary() -> str | None:
    return shutil.which("nginx") or next((p for p in ("/usr/sbin/nginx",) if os.access(p, os.X_OK)), None)


def redis_binary() -> str | None:
    return shutil.which("redis-server") or next(
        (p for p in ("/usr/bin/redis-server",) if os.access(p, os.X_OK)), None)


def render_nginx(workers: list[tuple[str, str]], listen: str, directory: str, *,
                 access_log: str | None = None, error_log: str | None = None) -> str:
    """The nginx config for ``workers`` [(name, "host:port")], listening on ``listen``.

    Workers given by host name (compose, several machines) need distinct ports: nginx reports
    the resolved address, so the worker is known by its port there."""
    if not workers:
        raise ValueError("at least one worker")
    named = [a for _, a in workers if not re.fullmatch(r"[\d.]+:\d+", a)]
    if named and len({a.rsplit(":", 1)[1] for _, a in workers}) < len(workers):
        raise ValueError(f"workers given by name need distinct ports: {[a for _, a in workers]}")
    ups = []
    opts = "max_fails=1 fail_timeout=3s"
    for name, addr in workers:
        backups = "".join(f"        server {a} {opts} backup;\n" for n, a in workers if n != name)
        ups.append(f"    upstream {name} {{\n        server {addr} {opts};\n{backups}    }}\n")
    pool = "".join(f"        server {a} {opts};\n" for _, a in workers)
    ups.append(f"    upstream gdviz_pool {{\n{pool}    }}\n")
    names = "".join(f'        "~(^|, ){_rx(a) if not named else "[^ ,]+:" + a.rsplit(":", 1)[1]}$" {n};\n'
                    for n, a in workers)
    routes = "".join(f"        {n} {n};\n" for n, _ in workers)
    text = TEMPLATE.read_text(encoding="utf-8")
    for key, value in {"DAEMON": "daemon off;", "DIR": directory,
                       "ACCESS_LOG": access_log or f"{directory}/nginx-access.log",
                       "ERROR_LOG": error_log or f"{directory}/nginx-error.log",
                       "UPSTREAMS": "\n".join(ups).rstrip("\n"), "WORKER_NAMES": names.rstrip("\n"),
                       "COOKIE_ROUTES": routes.rstrip("\n"), "LISTEN": listen}.items():
        text = text.replace(f"@@{key}@@", value)
    return text


def _rx(addr: str) -> str:
    return addr.replace(".", r"\.")


#: compose.yaml's workers (service name, port) and nginx's port inside its container.
COMPOSE_WORKERS = [("w1", "worker1:8501"), ("w2", "worker2:8502")]
COMPOSE_LISTEN = "8080"


def compose_conf() -> str:
    """deploy/nginx.compose.conf: the template rendered for compose.yaml (logs to the container's
    stdout/stderr, temp files under /tmp)."""
    return render_nginx(COMPOSE_WORKERS, COMPOSE_LISTEN, "/tmp", access_log="/dev/stdout",
                        error_log="/dev/stderr")


@dataclass
class Worker:
    name: str
    port: int
    log_path: Path
    env: dict
    proc: subprocess.Popen | None = None
    log: ServerLog | None = None
    started: float = 0.0
    healthy_once: bool = False
    failures: int = 0
    restarts: int = 0
    history: list[str] = field(default_factory=list)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        self.log = ServerLog(self.log_path)
        self.proc = start_streamlit(self.port, self.log, self.env)
        self.started, self.healthy_once, self.failures = time.monotonic(), False, 0


class Cluster:
    """Everything `make serve` starts, and the supervisor that keeps the workers alive."""

    def __init__(self, workers: int, port: int, host: str = "127.0.0.1", directory: str | None = None,
                 quiet: bool = False) -> None:
        if not 1 <= workers <= MAX_WORKERS:
            raise ValueError(f"WORKERS must be between 1 and {MAX_WORKERS}, not {workers}")
        if not 0 < port < 65536:
            raise ValueError(f"PORT must be between 1 and 65535, not {port}")
        self.nginx = nginx_binary()
        if not self.nginx:
            raise RuntimeError("make serve needs nginx (Debian: apt-get install nginx); "
                               "`make run` serves one process without it")
        self.n, self.port, self.host, self.quiet = workers, port, host, quiet
        self.dir = Path(directory or tempfile.mkdtemp(prefix="gdviz-serve-"))
        self.workers: list[Worker] = []
        self.redis: subprocess.Popen | None = None
        self.rooms = os.environ.get("GDVIZ_ROOMS", "")
        self.nginx_proc: subprocess.Popen | None = None
        self._stop = threading.Event()
        self._lock = threading.Lock()

    @property
    def url(self) -> str:
        host = "127.0.0.1" if self.host in ("0.0.0.0", "localhost", "") else self.host
        return f"http://{host}:{self.port}"

    def say(self, text: str) -> None:
        if not self.quiet:
            print(f"gdviz serve: {text}", flush=True)

    # starting
    def start(self) -> "Cluster":
        try:
            self._start()
        except BaseException:
            self.close()
            raise
        return self

    def _start(self) -> None:
        self.dir.mkdir(parents=True, exist_ok=True)
        env = {"OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}
        if self.n > 1 and not self.rooms:
            self.rooms = self._start_redis()
        if self.rooms:
            env["GDVIZ_ROOMS"] = self.rooms
        for k in range(1, self.n + 1):
            w = Worker(f"w{k}", free_port(), self.dir / f"worker-w{k}.log", env)
            w.start()
            self.workers.append(w)
        conf = self.dir / "nginx.conf"
        listen = f"{'127.0.0.1' if self.host == 'localhost' else self.host}:{self.port}"
        conf.write_text(render_nginx([(w.name, f"127.0.0.1:{w.port}") for w in self.workers], listen,
                                     str(self.dir)), encoding="utf-8")
        test = subprocess.run([self.nginx, "-t", "-q", "-p", str(self.dir), "-c", str(conf)],
                              capture_output=True, text=True)
        if test.returncode:
            raise RuntimeError(f"nginx rejected {conf}: {test.stderr.strip()}")
        for w in self.workers:  # nginx opens the public port once every worker answers
            self._wait(w)
        self.nginx_proc = subprocess.Popen([self.nginx, "-p", str(self.dir), "-c", str(conf)],
                                           stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                                           start_new_session=True)
        deadline = time.monotonic() + 15
        while not healthy(self.url):
            if self.nginx_proc.poll() is not None or time.monotonic() > deadline:
                err = self.nginx_proc.stderr.read().decode() if self.nginx_proc.poll() is not None else ""
                raise RuntimeError(f"nginx did not serve {self.url}: {err.strip() or self._nginx_errors()}")
            time.sleep(0.1)
        self.write_state()
        self.say(f"{self.url} → {self.n} worker(s) "
                 + ", ".join(f"{w.name}=127.0.0.1:{w.port}" for w in self.workers)
                 + (f"; rooms in {self.rooms}" if self.rooms else "") + f"; logs in {self.dir}")

    def _nginx_errors(self) -> str:
        p = self.dir / "nginx-error.log"
        return p.read_text(errors="replace")[-1500:] if p.exists() else ""

    def _wait(self, w: Worker, timeout: float = START_GRACE) -> None:
        deadline = time.monotonic() + timeout
        while not healthy(w.url):
            if w.proc.poll() is not None:
                raise RuntimeError(f"worker {w.name} exited with {w.proc.returncode}:\n{w.log.tail()}")
            if time.monotonic() > deadline:
                raise RuntimeError(f"worker {w.name} not healthy after {timeout:.0f} s:\n{w.log.tail()}")
            time.sleep(0.2)
        w.healthy_once = True

    def _start_redis(self) -> str:
        exe = redis_binary()
        if not exe:
            raise RuntimeError("WORKERS > 1 shares the room store through Redis: install redis-server "
                               "(Debian: apt-get install redis-server) or set GDVIZ_ROOMS=redis://host:port/0")
        port = free_port()
        self.redis = subprocess.Popen(
            [exe, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
             "--daemonize", "no", "--dir", str(self.dir), "--logfile", str(self.dir / "redis.log")],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
        deadline = time.monotonic() + 10
        while not redis_ping(port):
            if self.redis.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"redis-server did not start (see {self.dir / 'redis.log'})")
            time.sleep(0.05)
        return f"redis://127.0.0.1:{port}/0"

    def write_state(self) -> None:
        state = {"url": self.url, "dir": str(self.dir), "rooms": self.rooms,
                 "workers": {w.name: {"port": w.port, "pid": w.proc.pid if w.proc else None,
                                      "restarts": w.restarts, "log": str(w.log_path)} for w in self.workers}}
        tmp = self.dir / "serve.json.tmp"
        tmp.write_text(json.dumps(state, indent=1), encoding="utf-8")
        tmp.replace(self.dir / "serve.json")

    # the supervisor
    def check_once(self) -> list[str]:
        """One round of health checks; restarts the workers that need it. Returns what it did."""
        done = []
        for w in self.workers:
            with self._lock:
                if self._stop.is_set():
                    return done
                why = None
                if w.proc.poll() is not None:
                    why = f"exited with {w.proc.returncode}"
                elif healthy(w.url, HEALTH_TIMEOUT):
                    w.healthy_once, w.failures = True, 0
                elif w.healthy_once or time.monotonic() - w.started > START_GRACE:
                    w.failures += 1
                    if w.failures >= HEALTH_FAILURES:
                        why = f"/_stcore/health did not answer {w.failures} times"
                if why:
                    stop(w.proc, timeout=5)
                    w.restarts += 1
                    w.history.append(why)
                    self.say(f"worker {w.name} (pid {w.proc.pid}) {why}: starting it again on port {w.port}")
                    w.start()
                    self.write_state()
                    done.append(f"{w.name}: {why}")
        if self.nginx_proc is not None and self.nginx_proc.poll() is not None:
            raise RuntimeError(f"nginx exited with {self.nginx_proc.returncode}: {self._nginx_errors()}")
        return done

    def supervise(self, interval: float = 1.0) -> None:
        while not self._stop.wait(interval):
            self.check_once()

    def start_supervisor(self, interval: float = 1.0) -> threading.Thread:
        t = threading.Thread(target=self.supervise, args=(interval,), daemon=True, name="gdviz-supervisor")
        t.start()
        return t

    # stopping
    def close(self) -> None:
        self._stop.set()
        with self._lock:
            if self.nginx_proc is not None and self.nginx_proc.poll() is None:
                os.killpg(self.nginx_proc.pid, signal.SIGTERM)  # nginx: TERM is a fast shutdown
                try:
                    self.nginx_proc.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    os.killpg(self.nginx_proc.pid, signal.SIGKILL)
            for w in self.workers:
                if w.proc is not None:
                    stop(w.proc)
            if self.redis is not None:
                stop(self.redis)

    def __enter__(self) -> "Cluster":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.close()


def redis_ping(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1) as s:
            s.sendall(b"PING\r\n")
            return s.recv(16).startswith(b"+PONG")
    except OSError:
        return False


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="make serve", description=__doc__.split("\n\n")[0])
    ap.add_argument("--workers", type=int, default=int(os.environ.get("WORKERS") or 2))
    ap.add_argument("--port", type=int, default=int(os.environ.get("PORT") or 8501))
    ap.add_argument("--host", default=os.environ.get("HOST") or "localhost",
                    help="address nginx listens on (0.0.0.0 for a class on the network)")
    ap.add_argument("--dir", help="folder for the config, logs and pids (default: a new temporary one)")
    ap.add_argument("--compose-conf", action="store_true",
                    help="print the nginx config of compose.yaml (deploy/nginx.compose.conf) and exit")
    a = ap.parse_args(argv)
    if a.compose_conf:
        sys.stdout.write(compose_conf())
        return 0
    try:
        cluster = Cluster(a.workers, a.port, a.host, a.dir)
    except (ValueError, RuntimeError) as err:
        print(f"make serve: {err}", file=sys.stderr)
        return 2

    def on_signal(signum, _frame):
        raise KeyboardInterrupt
    signal.signal(signal.SIGTERM, on_signal)
    try:
        cluster.start()
        cluster.supervise()
    except KeyboardInterrupt:
        cluster.say("stopping")
    except RuntimeError as err:
        print(f"make serve: {err}", file=sys.stderr)
        return 1
    finally:
        cluster.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
