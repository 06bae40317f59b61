"""Organisations, users, roles, login with two factors, sessions and API tokens."""

from flask import Flask


def init_app(app: Flask) -> None:
    from zorgtafel.auth.cli import token_cli, user_cli
    from zorgtafel.auth.operations import authenticate_token
    from zorgtafel.core.api import register_token_authenticator
    from zorgtafel.auth.views import bp, load_user
    from zorgtafel.extensions import login_manager

    login_manager.user_loader(load_user)
    login_manager.login_view = "auth.login"
    login_manager.login_message = None
    app.register_blueprint(bp)
    app.cli.add_command(user_cli)
    app.cli.add_command(token_cli)
    register_token_authenticator(app, authenticate_token)  # core's ApiResource cannot import auth
    from zorgtafel.auth.panels import register as register_panels

    register_panels()
