"""How resources get onto the blueprint: each domain's ``api.RESOURCES``, guarded only."""

from __future__ import annotations

import sys
import types

import pytest

from zorgtafel.api import collect, resource_packages
from zorgtafel.core.api import ApiResource


class Fine(ApiResource):
    action = "personal"

    def get(self, target):
        return {}


def _fake_package(monkeypatch, name: str, resources) -> None:
    package = types.ModuleType(name)
    package.__path__ = []
    api = types.ModuleType(f"{name}.api")
    api.RESOURCES = resources
    monkeypatch.setitem(sys.modules, name, package)
    monkeypatch.setitem(sys.modules, f"{name}.api", api)


def test_a_package_without_api_module_is_skipped():
    assert collect(["tests.api"]) == []


def test_resources_are_collected_with_their_package(monkeypatch):
    _fake_package(monkeypatch, "ztfake_ok", [("/ok", Fine, "ok")])
    assert collect(["ztfake_ok"]) == [("ztfake_ok", "/ok", Fine, "ok")]


def test_an_unguarded_resource_refuses_to_register(monkeypatch):
    def bare():
        return {}

    _fake_package(monkeypatch, "ztfake_bare", [("/bare", bare, "bare")])
    with pytest.raises(TypeError, match="not an ApiResource"):
        collect(["ztfake_bare"])


def test_a_broken_api_module_is_not_silently_skipped(tmp_path, monkeypatch):
    package = tmp_path / "ztbroken"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "api.py").write_text("import zt_module_that_does_not_exist\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    with pytest.raises(ModuleNotFoundError):
        collect(["ztbroken"])


def test_methods_follow_the_handlers():
    class Several(ApiResource):
        action = {"GET": "personal", "POST": "personal"}

        def get(self, target):
            return {}

        def post(self, target):
            return {}

    assert Several.methods == ["GET", "POST"]


def test_every_domains_resources_are_registered(app):
    """A new domain (in ``DOMAINS``) is picked up without a second list to keep in step."""
    assert "zorgtafel.api" not in resource_packages()
    registered = {r.endpoint for r in app.url_map.iter_rules()}
    for package, rule, resource, endpoint in collect(resource_packages()):
        assert f"api_v1.{endpoint}" in registered, f"{package}: {rule} not registered"
