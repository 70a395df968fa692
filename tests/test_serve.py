"""`make serve WORKERS=2`: two workers behind nginx on free loopback ports, sticky sessions,
websockets that stay on their worker, and a killed worker whose students are served again.

Skips with a reason where nginx, redis-server or Chromium is missing (.ci/run installs them).
"""

from __future__ import annotations

import asyncio
import os
import re
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from benchmarks.loadkit import client
from benchmarks.loadkit.server import free_port, healthy
from tests.server import READY, chromium_missing_reason, launch_browser, wait_idle

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "scripts"))
import serve  # noqa: E402  (scripts/serve.py)

PAGE = "A2_gradient_descent"


def _missing() -> str | None:
    if not serve.nginx_binary():
        return "nginx is not installed (Debian: apt-get install nginx; .ci/run does)"
    if not serve.redis_binary():
        return "redis-server is not installed (Debian: apt-get install redis-server; .ci/run does)"
    return None


needs_nginx = pytest.mark.skipif(_missing() is not None, reason=_missing() or "")


def _get(url: str, cookie: str = "") -> tuple[str, str]:
    """(X-GDVIZ-Worker, Set-Cookie gdviz_worker value) of one request."""
    req = urllib.request.Request(url, headers={"Cookie": cookie} if cookie else {})
    with urllib.request.urlopen(req, timeout=10) as r:
        sets = [c for c in r.headers.get_all("Set-Cookie") or [] if c.startswith("gdviz_worker=")]
        return r.headers.get("X-GDVIZ-Worker", ""), sets[0].split(";")[0].split("=", 1)[1] if sets else ""


def _rendered(workers: int) -> str:
    return serve.render_nginx([(f"w{k}", f"127.0.0.1:{20000 + k}") for k in range(1, workers + 1)],
                              "127.0.0.1:8501", "/tmp/gdviz-test")


def test_the_nginx_config_routes_each_worker_by_its_cookie_with_the_others_as_backup():
    conf = _rendered(3)
    for k in (1, 2, 3):
        block = re.search(rf"upstream w{k} \{{(.*?)\}}", conf, re.S).group(1)
        primary = [ln for ln in block.splitlines() if "server" in ln and "backup" not in ln]
        backups = [ln for ln in block.splitlines() if "backup" in ln]
        assert len(primary) == 1 and f":{20000 + k} " in primary[0], block
        assert sorted(int(re.search(r":(\d+) ", b).group(1)) for b in backups) == sorted(
            20000 + j for j in (1, 2, 3) if j != k), block
        assert re.search(rf"^\s+w{k} w{k};$", conf, re.M), f"no cookie route for w{k}"
    assert "@@" not in conf and "daemon off;" in conf
    assert "/etc/nginx" not in conf and "listen 127.0.0.1:8501;" in conf
    with pytest.raises(ValueError):
        serve.render_nginx([], "127.0.0.1:1", "/tmp/x")


def test_the_compose_nginx_config_is_the_template_rendered_for_compose():
    """deploy/nginx.compose.conf is generated (scripts/serve.py --compose-conf); it must not drift."""
    committed = (ROOT / "deploy" / "nginx.compose.conf").read_text(encoding="utf-8")
    assert committed == serve.compose_conf(), "run: .venv/bin/python scripts/serve.py --compose-conf"


@needs_nginx
def test_nginx_accepts_the_rendered_config(tmp_path):
    (tmp_path / "tmp").mkdir()
    conf = tmp_path / "nginx.conf"
    conf.write_text(serve.render_nginx([("w1", "127.0.0.1:1"), ("w2", "127.0.0.1:2")],
                                       f"127.0.0.1:{free_port()}", str(tmp_path)))
    r = subprocess.run([serve.nginx_binary(), "-t", "-p", str(tmp_path), "-c", str(conf)],
                       capture_output=True, text=True)
    assert r.returncode == 0, r.stderr


def test_bad_settings_get_a_clear_message_and_start_nothing(tmp_path):
    for argv, needle in ((["--workers", "0"], "WORKERS must be between 1"),
                         (["--workers", "2", "--port", "70000"], "PORT must be between 1 and 65535")):
        r = subprocess.run([sys.executable, str(ROOT / "scripts" / "serve.py"), *argv, "--dir", str(tmp_path)],
                           capture_output=True, text=True, timeout=30)
        assert r.returncode == 2 and needle in r.stderr, (argv, r.stderr)
    assert list(tmp_path.iterdir()) == [], "a refused start left files behind"


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    if _missing():
        pytest.skip(_missing())
    c = serve.Cluster(2, free_port(), "127.0.0.1", str(tmp_path_factory.mktemp("serve")), quiet=True)
    c.start()
    c.start_supervisor(interval=0.5)
    yield c
    c.close()
    for w in c.workers:
        assert w.proc.poll() is not None, f"{w.name} still running after the stop"
    assert c.nginx_proc.poll() is not None and c.redis.poll() is not None


@needs_nginx
def test_first_visits_are_spread_and_then_stick_to_their_worker(cluster):
    first = [_get(f"{cluster.url}/") for _ in range(2)]
    assert {w for w, _ in first} == {"w1", "w2"}, f"two first visits landed on {first}"
    for worker, cookie in first:
        assert cookie == worker, f"the cookie {cookie!r} does not name the worker {worker!r}"
        for _ in range(3):  # every later request of that visitor, the websocket's too
            assert _get(f"{cluster.url}/_stcore/health", f"gdviz_worker={cookie}") == (worker, "")

    async def session_on(cookie: str) -> tuple[str, list[str]]:
        """A real Streamlit session through nginx: (worker its websocket reached, page exceptions)."""
        s = client.WsSession(cluster.url, "probe")
        s.cookie = f"gdviz_worker={cookie}"
        await s.connect()
        try:
            return s.worker, (await s.open(PAGE)).exceptions
        finally:
            await s.close()
    for name in ("w1", "w2"):
        assert asyncio.run(session_on(name)) == (name, [])
    state = (Path(cluster.dir) / "serve.json").read_text()
    assert all(f'"pid": {w.proc.pid}' in state for w in cluster.workers)
    assert cluster.rooms.startswith("redis://127.0.0.1:"), cluster.rooms
    assert all(w.env.get("GDVIZ_ROOMS") == cluster.rooms for w in cluster.workers)


def _slider(page):
    """The page's iterations slider (a setting in the link)."""
    return page.locator("[data-testid='stMain'] [data-testid='stSlider'] input[aria-label='iterations']")


def _move(page, patience: float = 0.0) -> str:
    """One key press on the slider, until it moves (a reconnecting page ignores keys for a moment:
    its widgets are disabled until the new session's first run is drawn)."""
    thumb = _slider(page)
    before = thumb.evaluate("e => e.value")
    deadline = time.monotonic() + patience
    while True:
        thumb.focus()
        thumb.press("ArrowRight" if before != thumb.evaluate("e => e.max") else "ArrowLeft")
        wait_idle(page)
        after = thumb.evaluate("e => e.value")
        if after != before or time.monotonic() > deadline:
            break
        page.wait_for_timeout(300)
    assert after != before, f"the slider did not move from {before} ({page.url})"
    assert not page.locator("[data-testid='stException']").count(), "an exception is shown"
    return after


@needs_nginx
def test_a_killed_worker_leaves_the_other_alone_and_its_students_are_served_again(cluster):
    if chromium_missing_reason():
        pytest.skip(chromium_missing_reason())
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = launch_browser(pw)
        try:
            pages, workers = [], []
            for _ in range(2):
                ctx = browser.new_context(viewport={"width": 1280, "height": 800})
                page = ctx.new_page()
                r = page.goto(f"{cluster.url}/{PAGE}", timeout=60_000)
                workers.append(r.headers.get("x-gdviz-worker"))
                wait_idle(page, 60_000)
                pages.append(page)
            assert sorted(workers) == ["w1", "w2"], f"the two students landed on {workers}"
            for page, w in zip(pages, workers):  # their sockets ride the cookie to the same worker
                assert [c["value"] for c in page.context.cookies() if c["name"] == "gdviz_worker"] == [w]
            values = [_move(p) for p in pages]

            victim = next(w for w in cluster.workers if w.name == workers[0])
            old_pid = victim.proc.pid
            os.kill(old_pid, signal.SIGKILL)
            t0 = time.monotonic()
            assert _move(pages[1]) != values[1], "the other worker's student stopped working"

            # The killed worker's student: the page reconnects (to the backup worker, or to the
            # restarted one) and shows the same setting again, from the link.
            pages[0].wait_for_selector(READY, timeout=45_000)
            pages[0].wait_for_function(
                "() => document.querySelector('[data-testid=stApp]')"
                ".getAttribute('data-test-connection-state') === 'CONNECTED'", timeout=45_000)
            wait_idle(pages[0], 45_000)
            assert _slider(pages[0]).evaluate("e => e.value") == values[0], "the setting was lost"
            _move(pages[0], patience=30)
            served_again = time.monotonic() - t0

            deadline = time.monotonic() + 45
            while not (victim.proc.pid != old_pid and healthy(victim.url)) and time.monotonic() < deadline:
                time.sleep(0.3)
            assert victim.restarts == 1 and victim.proc.pid != old_pid, "the supervisor did not restart it"
            assert healthy(victim.url), f"{victim.name} is not answering after its restart"
            print(f"\n{victim.name} killed: its student was served again after {served_again:.1f} s")
        finally:
            browser.close()
    log = (Path(cluster.dir) / "nginx-access.log").read_text()
    sockets = re.findall(r'"GET /_stcore/stream HTTP/1.1" 101 worker=(\w+) cookie=(\w*)', log)
    assert sockets, "no websocket in nginx's log"
    # before the kill each socket went where its cookie pointed (a fail-over re-names the cookie)
    assert all(w == c for w, c in sockets[:2]), sockets


# --- the container files (not built here: checked as text) ----------------------------------

DOCKER_INSTRUCTIONS = {"FROM", "RUN", "CMD", "LABEL", "EXPOSE", "ENV", "ADD", "COPY", "ENTRYPOINT", "VOLUME",
                       "USER", "WORKDIR", "ARG", "ONBUILD", "STOPSIGNAL", "HEALTHCHECK", "SHELL"}


def dockerfile_instructions(text: str) -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) of a Dockerfile: comments dropped, continuation lines joined."""
    out, current = [], ""
    for line in text.splitlines():
        if line.strip().startswith("#") or not line.strip():
            continue
        current += line.rstrip("\\").strip() + " "
        if not line.rstrip().endswith("\\"):
            word, _, rest = current.strip().partition(" ")
            out.append((word, rest.strip()))
            current = ""
    assert not current, "the Dockerfile ends inside a continued line"
    return out


def test_the_dockerfile_is_slim_unprivileged_and_serves_the_app_as_configured():
    steps = dockerfile_instructions((ROOT / "Dockerfile").read_text(encoding="utf-8"))
    assert {w for w, _ in steps} <= DOCKER_INSTRUCTIONS, [w for w, _ in steps if w not in DOCKER_INSTRUCTIONS]
    assert steps[0] == ("FROM", "python:3.11-slim")
    words = [w for w, _ in steps]
    users = [a for w, a in steps if w == "USER"]
    assert users and users[-1] not in ("root", "0") and words.index("USER") < words.index("CMD")
    assert any(w == "COPY" and a.startswith(".streamlit/") for w, a in steps), "no .streamlit/config.toml"
    env = " ".join(a for w, a in steps if w == "ENV")
    assert "OPENBLAS_NUM_THREADS=1" in env
    assert "chromium" not in " ".join(a.lower() for w, a in steps if w == "RUN"), "no browser at run time"
    cmd = next(a for w, a in steps if w == "CMD")
    assert "streamlit run app.py" in cmd and "0.0.0.0" in cmd
    for w, a in steps:  # every file the image copies exists in the repo
        if w == "COPY":
            for src in a.split()[:-1]:
                assert (ROOT / src).exists(), f"COPY {src}: no such file"
    runtime = (ROOT / "requirements.txt").read_text().split("# Tests and benchmarks")[0]
    assert "streamlit==" in runtime and "pytest" not in runtime and "playwright" not in runtime


def test_the_compose_file_runs_workers_nginx_and_redis_that_agree_with_the_nginx_config():
    yaml = pytest.importorskip("yaml", reason="PyYAML is not installed (requirements.txt has it)")
    compose = yaml.safe_load((ROOT / "compose.yaml").read_text(encoding="utf-8"))
    services = compose["services"]
    assert {"redis", "nginx"} <= set(services)
    workers = {name: s for name, s in services.items() if name.startswith("worker")}
    expected = {addr.split(":")[0]: addr.split(":")[1] for _, addr in serve.COMPOSE_WORKERS}
    assert {n: s["environment"]["PORT"] for n, s in workers.items()} == expected
    for s in workers.values():
        assert s["build"] == "." and s["environment"]["GDVIZ_ROOMS"] == "redis://redis:6379/0"
    assert "--save" in services["redis"]["command"] and "no" in services["redis"]["command"]
    nginx = services["nginx"]
    assert nginx["ports"] == [f"8501:{serve.COMPOSE_LISTEN}"]
    assert any(v.startswith("./deploy/nginx.compose.conf:") for v in nginx["volumes"])
    assert set(nginx["depends_on"]) == set(workers)
