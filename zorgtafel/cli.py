"""The ``zorgtafel`` console script: a FlaskGroup, so ``flask --app zorgtafel …`` works too.
Domain commands (user, token, convenant, audit, retention …) register in their packages."""

from __future__ import annotations

import errno
import os
import signal
import sys
import time
from pathlib import Path

import click
from flask.cli import FlaskGroup

from zorgtafel import create_app
from zorgtafel.config import ConfigError


@click.group(cls=FlaskGroup, create_app=create_app, add_default_commands=True, load_dotenv=True,
             set_debug_flag=False)
def main():
    """Zorgtafel: samenwerken onder het convenant."""


class _Stop(KeyboardInterrupt):
    """Raised in the main thread by SIGINT, SIGTERM or SIGHUP: stop everything, in order."""


def _install_stop_signals() -> dict:
    """The first stop signal raises ``_Stop`` wherever the main thread is (waitress catches
    it and returns); later ones are ignored so they cannot cut the shutdown short."""
    state = {"stopping": False}

    def handler(signum, _frame):
        if state["stopping"]:
            return
        state["stopping"] = True
        raise _Stop(signum)

    for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(signum, handler)
    return state


def _watch(children, state) -> None:
    """Say so when a worker or beat dies while the demo runs (no silent half-demo)."""
    while not state["stopping"]:
        for child in children:
            code = child.exited()
            if code is not None and not getattr(child, "reported", False):
                child.reported = True
                if not state["stopping"]:
                    click.echo(f"Let op: Celery {child.name} is gestopt (exitcode {code}); zie {child.log_path}",
                               err=True)
        time.sleep(1)


@main.command("demo", with_appcontext=False)
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int)
@click.option("--data-dir", default=None, help="map voor de ingebouwde database (standaard ./.zorgtafel)")
@click.option("--no-worker", is_flag=True, help="zonder Celery worker en beat (alleen voor tests van de demo)")
def demo(host: str, port: int, data_dir: str | None, no_worker: bool):
    """Start alles: ingebouwde PostgreSQL en Redis, migraties, demo-convenant en -accounts,
    web, Celery worker en beat. Ctrl-C stopt alles."""
    import threading

    from zorgtafel.core.embedded import (
        Child, DataDirLock, EmbeddedError, EmbeddedPostgres, EmbeddedRedis, EmbeddedUnavailable, bind_listener,
        stop_children,
    )

    state = _install_stop_signals()
    try:
        listener = bind_listener(host, port)
    except OSError as exc:
        if exc.errno == errno.EADDRINUSE:
            click.echo(f"Poort {port} op {host} is al in gebruik. Stop wat daar draait, of kies een andere "
                       f"poort met --port.", err=True)
        else:
            click.echo(f"Poort {port} op {host} kan niet worden geopend ({exc.strerror or exc}); kies een andere "
                       f"met --port of --host.", err=True)
        sys.exit(1)

    base = Path(data_dir or os.environ.get("ZORGTAFEL_DATA_DIR") or ".zorgtafel").resolve()
    lock = DataDirLock(base)
    if not lock.acquire():
        listener.close()
        click.echo(f"De map {base} is in gebruik door een ander Zorgtafel-proces (pid {lock.holder()}): een "
                   f"demo, of een opdracht die de ingebouwde database zelf startte. Stop dat eerst, of kies een "
                   f"andere map met --data-dir.", err=True)
        sys.exit(1)

    url = f"http://{host}:{port}"
    if os.environ.get("ZORGTAFEL_ENV") == "production":
        click.echo("Let op: ZORGTAFEL_ENV=production wordt genegeerd; de demo draait altijd als development "
                   "met de ingebouwde diensten.", err=True)
    # The demo owns these: a .env meant for docker compose must not point it elsewhere.
    os.environ["ZORGTAFEL_ENV"] = "development"
    os.environ["ZORGTAFEL_DATA_DIR"] = str(base)
    os.environ["ZORGTAFEL_BASE_URL"] = url
    os.environ.setdefault("ZORGTAFEL_LOG_LEVEL", "WARNING")  # keep the terminal readable

    postgres = EmbeddedPostgres(base)
    redis = EmbeddedRedis(base / "redis")
    children: list[Child] = []
    app = server = None
    exit_code = 0
    try:
        fresh = not (base / "postgres" / "PG_VERSION").exists()
        click.echo(("Nieuwe demo-omgeving aanmaken in" if fresh else "Bestaande gegevens hergebruiken uit")
                   + f" {base} …")
        os.environ["ZORGTAFEL_DATABASE_URL"] = postgres.start()
        os.environ["ZORGTAFEL_REDIS_URL"] = redis.start()

        app = create_app()
        with app.app_context():
            from flask_migrate import upgrade

            from zorgtafel.demo import seed_demo

            upgrade()
            logins = seed_demo()

        if not no_worker:
            python = sys.executable
            log_dir = base / "logs"
            children = [
                Child("worker", [python, "-m", "celery", "-A", "worker", "worker", "--loglevel=INFO",
                                 "--concurrency=2", "--hostname=zorgtafel-demo@%h", "--without-gossip",
                                 "--without-mingle"], log_dir / "worker.log"),
                # --max-interval below the redbeat lock timeout, or the lock lapses between ticks.
                Child("beat", [python, "-m", "celery", "-A", "worker", "beat", "--loglevel=INFO",
                               "--max-interval=60"],
                      log_dir / "beat.log"),
            ]
            for child in children:
                child.start()
            threading.Thread(target=_watch, args=(children, state), daemon=True).start()

        from waitress import create_server

        server = create_server(app, sockets=[listener], threads=8, ident="zorgtafel")

        click.echo("")
        click.echo(f"Zorgtafel draait op {url}")
        click.echo("Demo-accounts (alleen voor deze demo; wachtwoord en TOTP-sleutel voor uw authenticator-app):")
        for login in logins:
            click.echo(f"  {login['role']:<16} {login['email']:<40} wachtwoord: {login['password']}  "
                       f"TOTP-sleutel: {login['totp_secret']}")
        click.echo("Een code zonder app: python -c \"import pyotp; print(pyotp.TOTP('SLEUTEL').now())\"")
        if children:
            click.echo(f"Celery worker en beat draaien mee; logboeken in {base / 'logs'}")
        click.echo("Stoppen: Ctrl-C")
        sys.stdout.flush()

        server.run()  # returns when a stop signal arrives (waitress catches _Stop)
    except KeyboardInterrupt:
        pass
    except (EmbeddedUnavailable, EmbeddedError, ConfigError) as exc:
        click.echo(f"Zorgtafel kan niet starten: {exc}", err=True)
        exit_code = 1
    except Exception as exc:  # noqa: BLE001 - say it, then still stop everything
        click.echo(f"Zorgtafel kan niet starten: {exc.__class__.__name__}: {exc}", err=True)
        exit_code = 1
    finally:
        state["stopping"] = True  # from here on a signal cannot interrupt the shutdown
        click.echo("Zorgtafel stopt …")
        if server is not None:
            server.task_dispatcher.shutdown(timeout=2)
            server.close()
        listener.close()
        stop_children(children)
        if app is not None:
            with app.app_context():
                from zorgtafel.extensions import db

                db.engine.dispose()
        redis.stop(force=True)
        postgres.stop(force=True)
        lock.release()
        click.echo("Gestopt.")
        sys.stdout.flush()
    sys.exit(exit_code)


# `zorgtafel i18n update|compile|check`: on the group itself, so it runs without loading the
# app (no database needed to work on translations).
from zorgtafel.core.i18n_cli import i18n as _i18n  # noqa: E402

main.add_command(_i18n)
