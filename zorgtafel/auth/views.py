"""Login with two factors, enrolment, activation, the account page and user management."""

from __future__ import annotations

import time
from datetime import timedelta
from urllib.parse import urlsplit

import segno
from flask import Blueprint, current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import login_user, logout_user
from sqlalchemy import select

from zorgtafel.auth import operations as ops
from zorgtafel.auth.forms import (
    ActivateForm, ChangePasswordForm, ConfirmForm, EnrolForm, LoginForm, PreferencesForm, SecondFactorForm, UserForm,
)
from zorgtafel.auth.models import Organisation, User
from zorgtafel.auth.queries import organisations_ordered, users_page
from zorgtafel.core.guard import ProtectedView
from zorgtafel.extensions import db, limiter

bp = Blueprint("auth", __name__, template_folder="templates")
PENDING_SECONDS = 300  # between password and second factor


def safe_next(target: str | None) -> str | None:
    """Only a local path: no scheme, no host, no protocol-relative ``//``, no backslash."""
    if not target:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return None
    return target


def _account_key() -> str:
    return "login-account:" + ops.sha256(ops.normalise_email(request.form.get("email", "")))


def _pending_key() -> str:
    return "login-2fa:" + str((session.get("pending_login") or {}).get("uid", request.remote_addr))


def _failed(response) -> bool:
    return response.status_code != 302  # a successful step always redirects


def _pending_user() -> User | None:
    pending = session.get("pending_login")
    if not pending or time.time() - pending.get("at", 0) > PENDING_SECONDS:
        session.pop("pending_login", None)
        return None
    user = db.session.get(User, pending["uid"])
    return user if user is not None and user.active else None


def _complete_login(user: User):
    next_url = session.get("pending_login", {}).get("next")
    # A fresh cookie session at login: nothing from before the login survives (fixation).
    lang = session.get("lang")
    session.clear()
    if lang:
        session["lang"] = lang
    ops.start_session(user)
    login_user(user, remember=False)
    db.session.commit()
    return redirect(safe_next(next_url) or url_for("dashboard.home"))


@bp.route("/inloggen", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config.get("LOGIN_LIMIT_IP", "30 per 10 minutes"), methods=["POST"],
               deduct_when=_failed)
@limiter.limit(lambda: current_app.config.get("LOGIN_LIMIT_ACCOUNT", "5 per 15 minutes"), methods=["POST"],
               key_func=_account_key, deduct_when=_failed)
def login():
    form = LoginForm()
    error = None
    if form.validate_on_submit():
        user = ops.authenticate_password(form.email.data, form.password.data)
        if user is not None:
            session["pending_login"] = {"uid": user.id, "at": time.time(),
                                        "next": safe_next(request.args.get("next"))}
            db.session.commit()
            return redirect(url_for("auth.login_second_factor" if user.enrolled else "auth.enrol"))
        db.session.commit()  # keeps the failed-login audit entry
        # One message for unknown e-mail and wrong password: no account enumeration.
        error = _("Deze combinatie van e-mailadres en wachtwoord kennen we niet.")
    return render_template("auth/login.html", form=form, error=error)


@bp.route("/inloggen/code", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config.get("SECOND_FACTOR_LIMIT", "5 per 5 minutes"), methods=["POST"],
               key_func=_pending_key, deduct_when=_failed)
def login_second_factor():
    user = _pending_user()
    if user is None or not user.enrolled:
        return redirect(url_for("auth.login"))
    form = SecondFactorForm()
    error = None
    if form.validate_on_submit():
        if ops.verify_second_factor(user, form.code.data):
            return _complete_login(user)
        from zorgtafel.core.signals import auth_event

        auth_event.send(current_app._get_current_object(), user=user, event="login_second_factor",
                        outcome="failure", actor=None)
        db.session.commit()
        error = _("Deze code klopt niet of is al gebruikt.")
    return render_template("auth/second_factor.html", form=form, error=error)


@bp.route("/inloggen/instellen", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config.get("SECOND_FACTOR_LIMIT", "5 per 5 minutes"), methods=["POST"],
               key_func=_pending_key, deduct_when=_failed)
def enrol():
    user = _pending_user()
    if user is None or user.enrolled:
        return redirect(url_for("auth.login"))
    secret = session.get("enrol_secret") or ops.new_totp_secret()
    session["enrol_secret"] = secret
    form = EnrolForm()
    error = None
    if form.validate_on_submit():
        try:
            codes = ops.enrol_totp(user, secret, form.code.data)
        except ops.AccountError as exc:
            error = str(exc)
        else:
            response = _complete_login(user)
            return render_template("auth/recovery_codes.html", codes=codes,
                                   next_url=response.location), 200
    uri = ops.provisioning_uri(user, secret)
    qr = segno.make(uri, error="m")
    qr_src = qr.svg_data_uri(scale=5, dark="#000", light="#fff")
    grouped = " ".join(secret[i:i + 4] for i in range(0, len(secret), 4))
    return render_template("auth/enrol.html", form=form, error=error, qr_src=qr_src, secret=grouped)


@bp.route("/activeren/<token>", methods=["GET", "POST"])
@limiter.limit("10 per 10 minutes", methods=["POST"])
def activate(token: str):
    form = ActivateForm()
    error = None
    if form.validate_on_submit():
        try:
            ops.activate(token, form.password.data)
        except ops.AccountError as exc:
            error = str(exc)
        else:
            db.session.commit()
            flash(_("Uw wachtwoord is ingesteld. Log in om uw tweede factor in te stellen."), "success")
            return redirect(url_for("auth.login"))
    return render_template("auth/activate.html", form=form, error=error)


@bp.route("/taal", methods=["POST"])
def set_language():
    lang = request.form.get("lang")
    if lang in ("nl", "en"):
        session["lang"] = lang
    return redirect(safe_next(request.form.get("next")) or url_for("auth.login"))


class LogoutView(ProtectedView):
    action = "personal"
    methods = ["POST"]

    def post(self, target):
        form = ConfirmForm()
        if form.validate_on_submit():
            from flask_login import current_user

            ops.end_session(current_user)
            db.session.commit()
            logout_user()
            session.clear()
            flash(_("U bent uitgelogd."), "success")
        return redirect(url_for("auth.login"))


class AccountView(ProtectedView):
    action = "personal"
    methods = ["GET", "POST"]

    def get(self, target, password_form=None, preferences_form=None, error=None):
        from flask_login import current_user

        prefs = preferences_form or PreferencesForm(language=current_user.language,
                                                     notification_mode=current_user.notification_mode)
        return render_template("auth/account.html", password_form=password_form or ChangePasswordForm(),
                               preferences_form=prefs, reset_form=ConfirmForm(), error=error)

    def post(self, target):
        from flask_login import current_user

        which = request.form.get("form")
        if which == "password":
            form = ChangePasswordForm()
            if form.validate_on_submit():
                try:
                    ops.change_password(current_user, form.current_password.data, form.password.data)
                except ops.AccountError as exc:
                    getattr(form, exc.field or "password").errors.append(str(exc))
                else:
                    flash(_("Uw wachtwoord is gewijzigd."), "success")
                    return redirect(url_for("auth.account"))
            return self.get(target, password_form=form), 422
        if which == "preferences":
            form = PreferencesForm()
            if form.validate_on_submit():
                current_user.language = form.language.data
                current_user.notification_mode = form.notification_mode.data
                session["lang"] = form.language.data
                flash(_("Uw voorkeuren zijn opgeslagen."), "success")
                return redirect(url_for("auth.account"))
            return self.get(target, preferences_form=form), 422
        if which == "reset_second_factor" and ConfirmForm().validate_on_submit():
            ops.reset_second_factor(current_user, current_user)
            logout_user()
            session.clear()
            flash(_("Uw tweede factor is gewist. Log opnieuw in om een nieuwe in te stellen."), "success")
            return redirect(url_for("auth.login"))
        return self.get(target, error=_("Het formulier is verlopen. Probeer het opnieuw.")), 400


class UsersView(ProtectedView):
    """For the beheerder: accounts of every organisation; no case content anywhere."""

    action = "manage_users"
    methods = ["GET", "POST"]

    def _form(self):
        form = UserForm()
        form.organisation.choices = [(o.key, o.name) for o in organisations_ordered()]
        return form

    def get(self, target, form=None, activation_link=None):
        return render_template("auth/users.html", form=form or self._form(), users=users_page(),
                               toggle_form=ConfirmForm(), activation_link=activation_link)

    def post(self, target):
        from flask_login import current_user

        form = self._form()
        if form.validate_on_submit():
            try:
                user, token = ops.create_user(current_user, email=form.email.data, name=form.name.data,
                                              organisation_key=form.organisation.data, roles=form.roles.data)
            except ops.AccountError as exc:
                field = {"organisation": "organisation", "role": "roles"}.get(exc.field, exc.field or "email")
                getattr(form, field).errors.append(str(exc))
            else:
                link = current_app.config["BASE_URL"] + url_for("auth.activate", token=token)
                flash(_("Account aangemaakt voor %(name)s.", name=user.name), "success")
                return self.get(target, activation_link=link)
        return self.get(target, form=form), 422


class UserToggleView(ProtectedView):
    action = "manage_users"
    methods = ["POST"]

    def load(self, user_id: int):
        user = db.session.get(User, user_id)
        if user is None:
            from flask import abort

            abort(404)
        return user

    def post(self, user, user_id: int):
        from flask_login import current_user

        if ConfirmForm().validate_on_submit():
            if user.id == current_user.id:
                flash(_("U kunt uw eigen account niet deactiveren."), "error")
            else:
                ops.set_active(current_user, user, not user.active)
                flash(_("Account geactiveerd.") if user.active else _("Account gedeactiveerd; alle sessies zijn beëindigd."),
                      "success")
        return redirect(url_for("auth.users"))


bp.add_url_rule("/uitloggen", view_func=LogoutView.as_view("logout"))
bp.add_url_rule("/account", view_func=AccountView.as_view("account"))
bp.add_url_rule("/beheer/gebruikers", view_func=UsersView.as_view("users"))
bp.add_url_rule("/beheer/gebruikers/<int:user_id>/actief", view_func=UserToggleView.as_view("user_toggle"))


def load_user(token: str):
    cfg = current_app.config
    return ops.live_session(token, idle=timedelta(minutes=cfg["SESSION_IDLE_MINUTES"]),
                            absolute=timedelta(hours=cfg["SESSION_ABSOLUTE_HOURS"]))


def organisation_by_key(key: str) -> Organisation | None:
    return db.session.scalar(select(Organisation).where(Organisation.key == key))
