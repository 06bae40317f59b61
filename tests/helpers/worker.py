"""Real services for tests of asynchronous work: a Celery worker subprocess
(``python -m celery -A worker worker``) and a local SMTP server (aiosmtpd) that records
every message it accepts.

The worker gets the test session's own config — database, Redis key prefix, queue, SMTP
port — through ``ZORGTAFEL_TEST_CONFIG`` (read by ``create_app`` only under
``ZORGTAFEL_ENV=test``), so parallel test sessions never see each other's messages.
"""

from __future__ import annotations

import asyncio
import email
import email.policy
import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from dataclasses import dataclass
from itertools import count
from pathlib import Path

import pytest
import redis as redis_lib

from zorgtafel.core.embedded import free_port

ROOT = Path(__file__).resolve().parents[2]
_names = count(1)


def wait_until(predicate, timeout: float = 30, interval: float = 0.02, message: str = "condition"):
    """Poll ``predicate`` until it returns something truthy; only used to wait for a real
    worker or server, never to let time pass (time-machine does that)."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout}s waiting for {message}")
        time.sleep(interval)


# -- SMTP ----------------------------------------------------------------------------------


@dataclass
class Received:
    raw: bytes
    mail_from: str
    rcpt_tos: list[str]

    @property
    def message(self) -> email.message.EmailMessage:
        return email.message_from_bytes(self.raw, policy=email.policy.default)

    @property
    def message_id(self) -> str:
        return self.message["Message-ID"]

    def text(self) -> str:
        """Headers and every decoded part: a name hidden in base64 would still show."""
        msg = self.message
        parts = [str(v) for _, v in msg.items()]
        for part in msg.walk():
            payload = part.get_payload(decode=True)
            if payload:
                parts.append(payload.decode(part.get_content_charset() or "utf-8", "replace"))
        return "\n".join(parts) + "\n" + self.raw.decode("utf-8", "replace")


class Recorder:
    """aiosmtpd handler: records accepted messages; can refuse recipients, and can freeze
    every conversation at RCPT from the n-th recipient on (to kill a worker mid-transfer)."""

    def __init__(self):
        self.lock = threading.Lock()
        self.messages: list[Received] = []
        self.refuse: dict[str, str] = {}  # address -> SMTP reply
        self.rcpt_seen = 0
        self.freeze_from: int | None = None
        self.frozen = 0
        self._thawed = threading.Event()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.refuse:
            return self.refuse[address]
        self.rcpt_seen += 1
        if self.freeze_from is not None and self.rcpt_seen >= self.freeze_from:
            self.frozen += 1
            while not self._thawed.is_set():
                await asyncio.sleep(0.005)
            self.frozen -= 1
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        with self.lock:
            self.messages.append(Received(envelope.original_content, envelope.mail_from, list(envelope.rcpt_tos)))
        return "250 Message accepted for delivery"

    def freeze(self, from_rcpt: int) -> None:
        self._thawed.clear()
        self.freeze_from = from_rcpt

    def thaw(self) -> None:
        self.freeze_from = None
        self._thawed.set()


class SmtpServer:
    def __init__(self):
        import logging

        from aiosmtpd.controller import Controller

        # aiosmtpd logs every command at INFO; in the process that is also the server
        # being measured, that costs more than the SMTP itself.
        logging.getLogger("mail.log").setLevel(logging.WARNING)
        self.recorder = Recorder()
        self.port = free_port()
        self.controller = Controller(self.recorder, hostname="127.0.0.1", port=self.port,
                                     server_hostname="smtp.test", ready_timeout=10)

    def start(self) -> "SmtpServer":
        self.controller.start()
        return self

    def stop(self) -> None:
        self.recorder.thaw()
        self.controller.stop()

    @property
    def messages(self) -> list[Received]:
        with self.recorder.lock:
            return list(self.recorder.messages)

    def message_ids(self) -> Counter:
        return Counter(m.message_id for m in self.messages)

    def wait_for(self, n: int, timeout: float = 30) -> list[Received]:
        wait_until(lambda: len(self.messages) >= n, timeout, message=f"{n} e-mails (have {len(self.messages)})")
        return self.messages

    def config(self) -> dict:
        return {"SMTP_HOST": "127.0.0.1", "SMTP_PORT": self.port, "SMTP_TLS": "false", "SMTP_USER": None,
                "SMTP_FROM": "zorgtafel@zorgtafel.test"}


# -- Celery worker ----------------------------------------------------------------------------


class CeleryWorker:
    """``python -m celery -A worker worker`` in its own process group, configured for this
    test session. ``kill`` is SIGKILL to the whole group: main process and pool children."""

    def __init__(self, config: dict, log_dir: Path, concurrency: int = 4):
        self.config = config
        self.log_dir = log_dir
        self.concurrency = concurrency
        self.process: subprocess.Popen | None = None
        self.log_path: Path | None = None

    def start(self, timeout: float = 60) -> "CeleryWorker":
        name = f"zt-{self.config['CELERY_QUEUE']}-{next(_names)}"
        self.log_path = self.log_dir / f"{name}.log"
        env = dict(os.environ, ZORGTAFEL_ENV="test", ZORGTAFEL_TEST_CONFIG=json.dumps(self.config))
        with open(self.log_path, "wb") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "celery", "-A", "worker", "worker", "--loglevel", "INFO",
                 "--pool", "prefork", "--concurrency", str(self.concurrency), "--hostname", f"{name}@%h",
                 # no waiting for other workers at start: this session's worker is alone
                 "--without-gossip", "--without-mingle", "--without-heartbeat"],
                cwd=ROOT, env=env, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
                start_new_session=True)
        wait_until(self._ready, timeout, interval=0.05, message=f"the worker to be ready (log {self.log_path})")
        return self

    def _ready(self) -> bool:
        if self.process.poll() is not None:
            raise AssertionError(f"the worker exited with {self.process.returncode}:\n{self.log()}")
        return b" ready." in self.log_path.read_bytes()

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")[-5000:] if self.log_path else ""

    @property
    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def kill(self) -> None:
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(10)

    def stop(self, graceful: bool = False) -> None:
        """At the end of a module the worker is idle (the tests waited for their work), so
        SIGKILL loses nothing and saves the 2–3 s a Celery warm shutdown takes."""
        if not self.alive:
            return
        if graceful:
            self.process.send_signal(signal.SIGTERM)  # warm shutdown: finish the running task
            try:
                self.process.wait(20)
            except subprocess.TimeoutExpired:
                pass
        try:
            os.killpg(self.process.pid, signal.SIGKILL)  # the leader and whatever is left of the pool
        except ProcessLookupError:
            pass
        self.process.wait(10)


def queue_depth(app) -> int:
    """Messages waiting in this session's queue (not those a worker has taken)."""
    client = redis_lib.Redis.from_url(app.config["REDIS_URL"])
    return client.llen(app.config["CELERY_KEY_PREFIX"] + app.config["CELERY_QUEUE"])


def in_flight(app) -> int:
    """Messages taken by a worker and not yet acknowledged (acks late: until the task ends)."""
    client = redis_lib.Redis.from_url(app.config["REDIS_URL"])
    return client.hlen(app.config["CELERY_KEY_PREFIX"] + "unacked")


def wait_drained(app, timeout: float = 30) -> None:
    wait_until(lambda: queue_depth(app) == 0 and in_flight(app) == 0, timeout, message="the queue to drain")


# -- fixtures -------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def smtp_server():
    server = SmtpServer().start()
    yield server
    server.stop()


def worker_config(services, database_url, smtp: SmtpServer, **extra) -> dict:
    from tests.conftest import make_test_config

    return make_test_config(services, database_url, LOG_LEVEL="INFO", **smtp.config(), **extra)


@pytest.fixture(scope="module")
def celery_worker(app, services, database_url, smtp_server):
    """One worker per test module (starting one takes a second or two). A test that kills
    it starts it again, so later tests in the module still have one."""
    worker = CeleryWorker(worker_config(services, database_url, smtp_server), services.tmp)
    worker.start()
    yield worker
    worker.stop()
    forget_keys(app)


def forget_keys(app) -> None:
    """Remove this session's Celery keys (queue bindings, stranded unacked messages) from
    the shared Redis: only keys under the session's own prefix."""
    client = redis_lib.Redis.from_url(app.config["REDIS_URL"])
    for key in client.scan_iter(f"{app.config['CELERY_KEY_PREFIX']}*", count=500):
        client.delete(key)


@pytest.fixture
def smtp_app(app, smtp_server, monkeypatch):
    """The test process's app sending to the module's SMTP server (in-process sends)."""
    for key, value in smtp_server.config().items():
        monkeypatch.setitem(app.config, key, value)
    from zorgtafel.notify import channels

    channels.drop_connection()
    yield app
    channels.drop_connection()


@pytest.fixture
def committed(app):
    """For tests marked ``committed``: the worker must see the rows, so they really commit;
    every table is emptied afterwards."""
    from tests.conftest import truncate_all

    yield app
    truncate_all(app)
