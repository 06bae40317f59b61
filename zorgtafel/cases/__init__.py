"""Pseudonymised subjects, the identity vault, cases, signals, matches and the workflow."""

from flask import Flask


def init_app(app: Flask) -> None:
    from zorgtafel.cases import models  # noqa: F401 - registers the tables
