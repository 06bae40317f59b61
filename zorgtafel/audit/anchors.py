"""The anchor file: an append-only text file outside the database, one line per anchored
chain head: ``<anchored at, UTC ISO> <seq> <hash>``.

Whoever can rewrite the database cannot rewrite this file (in production: a separate
volume with ``chattr +a``, or a WORM bucket the file is shipped to), so a truncated tail
or a rewritten chain shows up against the last line.
"""

from __future__ import annotations

import fcntl
import logging
import os
import re
from pathlib import Path

from zorgtafel.audit.chain import Anchor
from zorgtafel.core.models import utcnow

log = logging.getLogger(__name__)
_LINE = re.compile(r"^(\S+) (\d+) ([0-9a-f]{64})$")
_TAIL_BYTES = 64 * 1024  # anchor lines are ~100 bytes; the last one is always in here


class AnchorConflict(RuntimeError):
    """The database head is behind, or differs from, what was anchored before."""


def read_last(path: str | Path) -> Anchor | None:
    """The last well-formed line; reads only the file's tail."""
    path = Path(path)
    if not path.exists():
        return None
    with path.open("rb") as fh:
        fh.seek(0, os.SEEK_END)
        fh.seek(max(0, fh.tell() - _TAIL_BYTES))
        lines = fh.read().decode("utf-8", "replace").splitlines()
    for line in reversed(lines):
        match = _LINE.match(line.strip())
        if match:
            return Anchor(seq=int(match[2]), hash=match[3], at=match[1])
    return None


def append(path: str | Path, seq: int, hash_: str) -> Anchor:
    """Append the head unless it is already the last line (idempotent). Refuses to write
    a head that is behind or differs from the last anchor: that would hide a truncation."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o640)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)  # two beat ticks or a manual run at once: one line
        last = read_last(path)
        if last is not None:
            if last.seq > seq or (last.seq == seq and last.hash != hash_):
                raise AnchorConflict(f"database head {seq} does not continue the anchor {last.seq} of {last.at}")
            if last.seq == seq:
                return last
        anchor = Anchor(seq=seq, hash=hash_, at=utcnow().isoformat(timespec="seconds"))
        os.write(fd, f"{anchor.at} {anchor.seq} {anchor.hash}\n".encode())
        os.fsync(fd)
        return anchor
    finally:
        os.close(fd)  # also releases the lock
