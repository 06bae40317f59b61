"""The coordinator's queue in the browser: open tasks, overdue first and marked in words,
filter by kind, pick up, finish or drop with a note."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import HiddenField, TextAreaField
from wtforms.validators import Length

from sqlalchemy import select

from zorgtafel.audit.operations import record
from zorgtafel.auth.models import User
from zorgtafel.cases.errors import CaseError
from zorgtafel.convenant import policy
from zorgtafel.core.guard import ProtectedView
from zorgtafel.core.timeutil import today_local
from zorgtafel.core.web import register_nav
from zorgtafel.extensions import db
from zorgtafel.followup.kinds import KINDS
from zorgtafel.followup.models import CoordinatorTask
from zorgtafel.followup.operations import QUEUE_ACTION, update_task
from zorgtafel.followup.queries import queue
from zorgtafel.followup.sweeps import open_count

bp = Blueprint("followup", __name__, template_folder="templates")


class TaskForm(FlaskForm):
    status = HiddenField()
    note = TextAreaField(_l("Notitie"), validators=[Length(max=2000)])


class QueueView(ProtectedView):
    action = "personal"  # the list is filtered in SQL to the convenants whose queue one works

    def get(self, target):
        kind = request.args.get("soort") if request.args.get("soort") in KINDS else None
        tasks = queue(current_user, kind=kind)
        record(current_user, "search", outcome="success", object_type="coordinator_task_list")
        ids = {t.picked_up_by_id for t in tasks if t.picked_up_by_id}
        users = dict(db.session.execute(select(User.id, User.name).where(User.id.in_(ids))).all()) if ids else {}
        return render_template("followup/queue.html", tasks=tasks, kinds=KINDS, kind=kind, today=today_local(),
                               form=TaskForm(), users=users)


class TaskView(ProtectedView):
    action = QUEUE_ACTION
    methods = ["POST"]

    def load(self, task_id: int):
        task = db.session.get(CoordinatorTask, task_id)
        if task is None:
            abort(404)
        return policy.Target(task.convenant_key, case_reference=task.case_reference, object_type="coordinator_task",
                             object_id=task.id)

    def denied(self, decision):
        abort(404)

    def post(self, target, task_id: int):
        form = TaskForm()
        if not form.validate_on_submit():
            abort(400)
        try:
            update_task(current_user, db.session.get(CoordinatorTask, task_id), form.status.data, form.note.data or "")
        except CaseError as exc:
            db.session.rollback()
            flash(str(exc), "error")
            return redirect(url_for("followup.queue"))
        flash(_("De taak is bijgewerkt."), "success")
        return redirect(url_for("followup.queue"))


bp.add_url_rule("/taken", view_func=QueueView.as_view("queue"))
bp.add_url_rule("/taken/<int:task_id>", view_func=TaskView.as_view("task"))

register_nav(lambda: _("Taken"), "followup.queue", {"zorgcoordinator"}, order=5, count=open_count,
             count_label=lambda n: _("%(n)s open taken", n=n))
