"""Every action the code writes to the log has a Dutch label in the privacy officer's view
(a raw key such as ``reveal_approve`` means nothing to the DPA)."""

from __future__ import annotations

import re
from pathlib import Path

import zorgtafel
from zorgtafel.audit.forms import ACTION_LABELS

RECORDED = re.compile(r"""\brecord\(\s*[\w.]+,\s*["'](\w+)["']""")


def test_every_recorded_action_has_a_label():
    root = Path(zorgtafel.__file__).parent
    actions = {m for path in root.rglob("*.py") for m in RECORDED.findall(path.read_text(encoding="utf-8"))}
    assert {"create", "change", "merge", "reveal_approve"} <= actions  # the scan finds them
    assert actions - set(ACTION_LABELS) == set()
