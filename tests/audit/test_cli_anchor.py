"""``zorgtafel audit verify`` / ``anchor`` and the beat task that anchors the head."""

from __future__ import annotations

import pytest

from tests.audit.conftest import as_superuser_without_trigger, fill
from worker.schedule import BEAT_SCHEDULE
from zorgtafel.audit import anchors
from zorgtafel.audit import operations as ops


def _cli(app, *args):
    return app.test_cli_runner().invoke(args=["audit", *args])


def test_verify_empty_log(app, ctx, anchor_path):
    result = _cli(app, "verify")
    assert (result.exit_code, result.output.strip()) == (0, "OK 0 entries")


def test_verify_ok_and_broken(app, ctx, anchor_path):
    fill(5)
    result = _cli(app, "verify", "--batch-size", "100")
    assert (result.exit_code, result.output.strip()) == (0, "OK 5 entries")
    as_superuser_without_trigger("UPDATE audit_entry SET action = 'read_audit' WHERE seq = 3")
    result = _cli(app, "verify")
    assert result.exit_code == 1
    assert result.output.startswith("BROKEN at entry 3: hash does not match the content")


def test_verify_reports_a_truncated_tail_against_the_anchor(app, ctx, anchor_path):
    fill(4)
    assert _cli(app, "anchor").output.split()[0] == "4"
    as_superuser_without_trigger("DELETE FROM audit_entry WHERE seq >= 3")
    result = _cli(app, "verify")
    assert result.exit_code == 1 and "BROKEN at entry 3" in result.output and "truncated tail" in result.output


def test_anchor_is_idempotent_and_appends(ctx, anchor_path):
    assert ops.anchor_head() is None and not anchor_path.exists()  # an empty log: nothing to anchor
    fill(3)
    first = ops.anchor_head()
    assert ops.anchor_head() == first
    fill(2)
    second = ops.anchor_head()
    lines = anchor_path.read_text().splitlines()
    assert [line.split()[1] for line in lines] == ["3", "5"]
    assert anchors.read_last(anchor_path) == second and second.seq == 5


def test_anchor_refuses_to_forgive_a_truncation(app, ctx, anchor_path):
    fill(3)
    anchor_path.write_text("2026-01-01T00:00:00+00:00 9 " + "a" * 64 + "\n")
    with pytest.raises(anchors.AnchorConflict):
        ops.anchor_head()
    assert len(anchor_path.read_text().splitlines()) == 1
    result = _cli(app, "anchor")
    assert result.exit_code == 1 and result.output.startswith("Fout: database head 3 does not continue the anchor 9")


def test_last_anchor_skips_a_torn_line(anchor_path):
    anchor_path.write_text("2026-01-01T00:00:00+00:00 4 " + "b" * 64 + "\n2026-01-01T00:10:00+00:00 5 bb")
    assert anchors.read_last(anchor_path).seq == 4


def test_task_is_registered_scheduled_and_anchors(app, ctx, anchor_path):
    # This app's own Celery app: other tests create apps too, and a shared task's proxy
    # follows whichever Celery app was made last.
    anchor = app.extensions["celery"].tasks["zorgtafel.audit.anchor"]
    assert BEAT_SCHEDULE["audit-anchor"]["task"] == anchor.name
    fill(2)
    assert anchor() == 2  # run in the worker's way: its own app context, same database
    assert anchor() == 2
    assert len(anchor_path.read_text().splitlines()) == 1
