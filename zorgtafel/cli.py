"""The ``zorgtafel`` console script: a FlaskGroup, so ``flask --app zorgtafel …`` works too.
Domain commands (user, token, convenant, audit, retention …) register in their packages."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import click
from flask.cli import FlaskGroup

from zorgtafel import create_app


@click.group(cls=FlaskGroup, create_app=create_app, add_default_commands=True, load_dotenv=True,
             set_debug_flag=False)
def main():
    """Zorgtafel: samenwerken onder het convenant."""


@main.command("demo", with_appcontext=False)
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int)
@click.option("--data-dir", default=None, help="map voor de ingebouwde database (standaard ./.zorgtafel)")
@click.option("--no-worker", is_flag=True, help="zonder Celery worker en beat (alleen voor tests van de demo)")
def demo(host: str, port: int, data_dir: str | None, no_worker: bool):
    """Start alles: ingebouwde PostgreSQL en Redis, migraties, demo-convenant en -accounts,
    web, Celery worker en beat. Ctrl-C stopt alles."""
    from zorgtafel.core.embedded import EmbeddedPostgres, EmbeddedRedis, port_free

    if not port_free(port, host):
        click.echo(f"Poort {port} op {host} is al in gebruik. Stop wat daar draait, of kies een andere "
                   f"poort met --port.", err=True)
        sys.exit(1)
    os.environ.setdefault("ZORGTAFEL_ENV", "development")
    base = Path(data_dir or os.environ.get("ZORGTAFEL_DATA_DIR") or ".zorgtafel").resolve()
    os.environ["ZORGTAFEL_DATA_DIR"] = str(base)
    os.environ.setdefault("ZORGTAFEL_BASE_URL", f"http://{host}:{port}")

    click.echo(f"Ingebouwde PostgreSQL en Redis starten in {base} …")
    postgres = EmbeddedPostgres(base)
    redis = EmbeddedRedis(base / "redis")
    children: list[subprocess.Popen] = []
    try:
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
            log_dir.mkdir(exist_ok=True)
            for name, args in (("worker", ["worker", "--loglevel=INFO", "--concurrency=2"]),
                               ("beat", ["beat", "--loglevel=INFO"])):
                log = open(log_dir / f"{name}.log", "ab")
                children.append(subprocess.Popen([python, "-m", "celery", "-A", "worker", *args],
                                                 stdout=log, stderr=log, start_new_session=True))

        url = f"http://{host}:{port}"
        click.echo("")
        click.echo(f"Zorgtafel draait op {url}")
        click.echo("Demo-accounts (alleen voor deze demo; wachtwoord en TOTP-sleutel voor uw authenticator-app):")
        for login in logins:
            click.echo(f"  {login['role']:<16} {login['email']:<40} wachtwoord: {login['password']}  "
                       f"TOTP-sleutel: {login['totp_secret']}")
        click.echo("Een code zonder app: python -c \"import pyotp; print(pyotp.TOTP('SLEUTEL').now())\"")
        click.echo("Stoppen: Ctrl-C")
        sys.stdout.flush()

        from waitress import serve

        signal.signal(signal.SIGTERM, lambda *_: (_ for _ in ()).throw(KeyboardInterrupt()))
        serve(app, host=host, port=port, threads=8, ident="zorgtafel")
    except KeyboardInterrupt:
        pass
    finally:
        click.echo("Zorgtafel stopt …")
        for child in children:
            if child.poll() is None:
                child.terminate()
        deadline = time.monotonic() + 15
        for child in children:
            try:
                child.wait(max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                child.kill()
        redis.stop()
        # The PostgreSQL handle stops its server when this process exits.
        click.echo("Gestopt.")
