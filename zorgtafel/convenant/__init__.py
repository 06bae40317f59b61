"""The convenant as versioned data and the policy that decides every access."""

from flask import Flask


def init_app(app: Flask) -> None:
    from zorgtafel.convenant import policy

    app.extensions["zorgtafel.policy"] = policy
