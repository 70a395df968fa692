"""Start and stop the real app on a free loopback port, its stderr read as it comes.

Used by ``make load`` (benchmarks/load.py), ``make serve`` (scripts/serve.py) and the tests.
No private Streamlit API here: only ``streamlit run`` and ``/_stcore/health``.
"""

from __future__ import annotations

import contextlib
import os
import re
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
#: A line of the server's log that counts as an error in a load run.
ERROR_LINE = re.compile(r"Traceback|\bERROR\b|Exception")


def free_port() -> int:
    """A loopback port nobody listens on now (the OS picks it)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class ServerLog:
    """A process's output, read as it comes (so the pipe never fills), optionally copied to a file."""

    def __init__(self, path: Path | None = None) -> None:
        self.lines: list[str] = []
        self.pid: int | None = None
        self.path = path
        self._lock = threading.Lock()

    def attach(self, proc: subprocess.Popen, stream=None) -> None:
        self.pid = proc.pid
        stream = stream if stream is not None else proc.stderr
        out = open(self.path, "a", encoding="utf-8") if self.path else None

        def pump() -> None:
            try:
                for raw in iter(stream.readline, b""):
                    line = raw.decode("utf-8", "replace").rstrip()
                    with self._lock:
                        self.lines.append(line)
                        del self.lines[:-5000]
                    if out:
                        out.write(line + "\n")
                        out.flush()
            finally:
                if out:
                    out.close()
        threading.Thread(target=pump, daemon=True, name=f"log-{proc.pid}").start()

    def errors(self) -> list[str]:
        """The error lines; a traceback's first line comes with where it was raised and its
        last line (``… → File "x.py", line 9, in f → ValueError: …``), so a report says what broke."""
        with self._lock:
            lines = list(self.lines)
        out = []
        for i, ln in enumerate(lines):
            if not ERROR_LINE.search(ln):
                continue
            if ln.startswith("Traceback"):
                rest = lines[i + 1:i + 200]
                end = next((k for k, x in enumerate(rest) if x and not x.startswith((" ", "\t"))), len(rest))
                frames = [x.strip() for x in rest[:end] if x.strip().startswith("File ")]
                ln = " → ".join([ln, *frames[-1:], *(rest[end:end + 1])])
            out.append(ln)
        return out

    def tail(self, n: int = 30) -> str:
        with self._lock:
            return "\n".join(self.lines[-n:])


def streamlit_command(port: int) -> list[str]:
    """The app as `make run` serves it (the repo's .streamlit/config.toml), on 127.0.0.1:``port``."""
    return [sys.executable, "-m", "streamlit", "run", str(ROOT / "app.py"), "--server.port", str(port),
            "--server.address", "127.0.0.1", "--server.headless", "true"]


def start_streamlit(port: int, log: ServerLog, env: dict | None = None) -> subprocess.Popen:
    """Start one Streamlit process (its own process group, so a stop ends all of it)."""
    proc = subprocess.Popen(streamlit_command(port), cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env={**os.environ, **(env or {})}, start_new_session=True)
    log.attach(proc, proc.stdout)
    return proc


def healthy(url: str, timeout: float = 1.0) -> bool:
    """Whether ``url``'s ``/_stcore/health`` answers 200 within ``timeout`` seconds."""
    try:
        with urllib.request.urlopen(f"{url}/_stcore/health", timeout=timeout) as r:
            return r.status == 200
    except OSError:
        return False


def wait_healthy(url: str, proc: subprocess.Popen | None = None, timeout: float = 60.0,
                 log: ServerLog | None = None) -> None:
    deadline = time.monotonic() + timeout
    while not healthy(url):
        if proc is not None and proc.poll() is not None:
            raise RuntimeError(f"streamlit exited with {proc.returncode}: {log.tail() if log else ''}")
        if time.monotonic() > deadline:
            raise RuntimeError(f"{url} not healthy after {timeout:.0f} s: {log.tail() if log else ''}")
        time.sleep(0.2)


def stop(proc: subprocess.Popen, timeout: float = 10.0) -> None:
    """SIGTERM the process (and its group), SIGKILL what is left after ``timeout``."""
    if proc.poll() is not None:
        return
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(proc.pid, 15)
    try:
        proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(proc.pid, 9)
        proc.wait(timeout=5)


@contextlib.contextmanager
def streamlit_server(port: int | None = None, env: dict | None = None):
    """The app on 127.0.0.1:<port> until the block ends; yields ``(url, log)``."""
    port = port or free_port()
    log = ServerLog()
    proc = start_streamlit(port, log, env)
    url = f"http://127.0.0.1:{port}"
    try:
        wait_healthy(url, proc, log=log)
        yield url, log
    finally:
        stop(proc)


def cpu_seconds(pid: int | None) -> float | None:
    """CPU seconds (user + system) the process ``pid`` used so far (Linux), else None."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError, TypeError):
        return None


def rss_bytes(pid: int | None) -> int | None:
    """The resident memory of ``pid`` now (Linux), else None."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    except (OSError, ValueError, TypeError):
        pass
    return None
