"""The front door and the production stack, checked without Docker: the README's two
commands and settings table, docker-compose.yml's services and health checks, no secret
written into the compose file, and an ``.env.example`` that names every setting."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import yaml

from zorgtafel.config import SETTINGS

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")
VARIABLES = [name for name, _default, _meaning in SETTINGS]
DEMO_COMMAND = "python3 -m venv .venv && .venv/bin/pip install -e '.[embedded]' && .venv/bin/zorgtafel demo"
SECRET_NAME = re.compile(r"PASSWORD|SECRET|_KEY$|TOKEN", re.I)


@pytest.fixture(scope="module")
def compose() -> dict:
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text(encoding="utf-8"))


def _block(start: str, end: str) -> str:
    match = re.search(re.escape(start) + r"(.*?)" + re.escape(end), README, re.S)
    assert match, f"README lacks the {start} … {end} block"
    return match.group(1)


def test_readme_has_the_two_commands():
    assert f"```\n{DEMO_COMMAND}\n```" in README
    test_block = _block("<!-- test-command -->", "<!-- /test-command -->")
    commands = [line for line in test_block.strip().splitlines() if not line.startswith("```")]
    assert len(commands) == 1 and commands[0].endswith("-m pytest -q"), commands
    assert "pip install" in commands[0] and ".[dev]" in commands[0]  # it installs what it needs itself


def test_readme_shows_the_screenshot_and_the_architecture():
    assert "docs/screenshot-dashboard.png" in README
    for word in ("outbox", "policy", "`core`", "`convenant`", "`cases`", "`meetings`", "`privacy`", "`worker`"):
        assert word in README, word


def test_readme_settings_table_lists_every_setting():
    table = _block("<!-- settings -->", "<!-- /settings -->")
    rows = re.findall(r"^\| `(ZORGTAFEL_[A-Z_]+)` \|", table, re.M)
    missing = [name for name in VARIABLES if name not in rows]
    assert not missing, f"add to the README settings table: {missing}"
    unknown = [name for name in rows if name not in VARIABLES]
    assert not unknown, f"not in zorgtafel.config.SETTINGS: {unknown}"


def test_readme_documents_the_compose_deployment():
    section = README.split("## Deploying with docker compose", 1)
    assert len(section) == 2
    for step in ("cp .env.example .env", "docker compose up -d", "zorgtafel user create",
                 "POSTGRES_RUNTIME_PASSWORD", "zorgtafel db-roles grant", "### Database roles",
                 "ZORGTAFEL_TRUSTED_PROXIES", "X-Forwarded-For"):
        assert step in section[1], step


def test_compose_has_the_services_with_health_checks(compose):
    services = compose["services"]
    assert {"web", "worker", "beat", "db", "redis", "mailpit", "migrate"} <= set(services)
    for name in ("web", "worker", "db", "redis", "mailpit"):
        assert services[name].get("healthcheck", {}).get("test"), f"{name} has no health check"
    assert "/health" in " ".join(services["web"]["healthcheck"]["test"])
    assert "gunicorn" in services["web"]["command"] and "zorgtafel:create_app()" in services["web"]["command"]
    assert services["worker"]["command"][:4] == ["celery", "-A", "worker", "worker"]
    assert services["beat"]["command"][:4] == ["celery", "-A", "worker", "beat"]
    assert services["db"]["image"].startswith("postgres:16")
    assert any(v.endswith(":/var/lib/postgresql/data") for v in services["db"]["volumes"])


def test_compose_migrates_before_the_app_starts(compose):
    services = compose["services"]
    command = services["migrate"]["command"]
    assert command[:2] == ["sh", "-c"] and len(command) == 3
    steps = [step.split() for step in command[2].split("&&")]
    assert steps[0] == ["zorgtafel", "db", "upgrade"]
    assert steps[1][:3] == ["zorgtafel", "db-roles", "grant"]  # after every migration
    assert services["migrate"]["depends_on"]["db"]["condition"] == "service_healthy"
    for name in ("web", "worker", "beat"):
        depends = services[name]["depends_on"]
        assert depends["migrate"]["condition"] == "service_completed_successfully", name
        assert depends["db"]["condition"] == "service_healthy", name
        assert depends["redis"]["condition"] == "service_healthy", name


def _url_user(url: str) -> str:
    return re.match(r"postgresql://([^:@/]+)[:@]", url).group(1)


def test_compose_runs_the_app_as_the_runtime_role_and_migrates_as_the_owner(compose):
    """Review M7: the owner can drop the audit log's trigger, so only migrate connects as it."""
    services = compose["services"]
    owner = services["db"]["environment"]["POSTGRES_USER"]
    assert _url_user(services["migrate"]["environment"]["ZORGTAFEL_DATABASE_URL"]) == owner
    grant = services["migrate"]["command"][2].split("&&")[1].split()
    runtime = grant[3]
    assert runtime != owner
    assert grant[4:] == ["--password-env", "POSTGRES_RUNTIME_PASSWORD"]
    for name in ("web", "worker", "beat"):
        environment = services[name]["environment"]
        assert _url_user(environment["ZORGTAFEL_DATABASE_URL"]) == runtime, name
        assert "${POSTGRES_RUNTIME_PASSWORD" in environment["ZORGTAFEL_DATABASE_URL"], name
        # env_file passes all of .env: the owner's password must be blanked for the app
        assert environment["POSTGRES_PASSWORD"] == "", name


def test_gunicorn_access_log_holds_no_path_query_or_address(compose):
    """Review M2: paths carry one-time tokens, queries search terms, headers cookies."""
    allowed = {"m", "s", "M", "D", "L", "T", "B", "b", "{x-request-id}o"}
    dockerfile = (ROOT / "Dockerfile").read_text().replace("\\\n", " ")  # join continued lines
    cmd = json.loads(re.search(r"^CMD (\[.*\])$", dockerfile, re.M).group(1))
    for where, command in (("compose", compose["services"]["web"]["command"]), ("Dockerfile", cmd)):
        assert command[0] == "gunicorn", where
        if "--access-logfile" not in command:
            continue  # no access log at all is fine too
        assert "--access-logformat" in command, f"{where}: the default access log format has the request line"
        fmt = command[command.index("--access-logformat") + 1]
        atoms = set(re.findall(r"%\(([^)]+)\)s", fmt))
        assert atoms and atoms <= allowed, f"{where}: {atoms - allowed}"


def test_compose_takes_secrets_from_the_env_file_only(compose):
    for name in ("web", "worker", "beat", "migrate"):
        service = compose["services"][name]
        assert service["env_file"] in (".env", [".env"]), name
        assert service["environment"]["ZORGTAFEL_ENV"] == "production"
    for name, service in compose["services"].items():
        environment = service.get("environment") or {}
        if isinstance(environment, list):
            environment = dict(item.partition("=")[::2] for item in environment)
        for key, value in environment.items():
            value = str(value)
            if SECRET_NAME.search(key):  # from .env, or blanked ("") to keep it out of a container
                assert value == "" or re.fullmatch(r"\$\{[A-Z_]+(:?[?-][^}]*)?\}", value), \
                    f"{name}: {key} is written inline"
            for password in re.findall(r"://[^:/@\s]+:(.+?)@", value):  # user:password@ in a URL
                assert password.startswith("${"), f"{name}: {key} has a password inline"


def test_env_example_lists_every_setting_and_holds_no_secret():
    example = (ROOT / ".env.example").read_text(encoding="utf-8")
    listed = set(re.findall(r"^(?:# )?(ZORGTAFEL_[A-Z_]+)=", example, re.M))
    missing = [name for name in VARIABLES if name not in listed]
    assert not missing, f"add to .env.example: {missing}"
    values = dict(re.findall(r"^([A-Z_]+)=(.*)$", example, re.M))
    for key, value in values.items():
        if SECRET_NAME.search(key):
            assert value == "", f".env.example must leave {key} empty (a placeholder to fill in)"
    assert "POSTGRES_PASSWORD" in values and "POSTGRES_RUNTIME_PASSWORD" in values
    assert "ZORGTAFEL_TRUSTED_PROXIES" in values
    assert "secrets.token_urlsafe" in example and "os.urandom(32)" in example  # how to generate keys


def test_env_file_is_not_committed_or_copied_into_the_image():
    assert ".env" in (ROOT / ".gitignore").read_text().split()
    dockerignore = (ROOT / ".dockerignore").read_text().split()
    assert ".env" in dockerignore


def test_dockerfile_runs_as_a_user_with_the_production_extra():
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert dockerfile.startswith("#") and "FROM python:3.11-slim" in dockerfile
    assert re.search(r'pip install "\.\[production\]"', dockerfile)
    users = re.findall(r"^USER (\S+)", dockerfile, re.M)
    assert users and users[-1] not in ("root", "0")
