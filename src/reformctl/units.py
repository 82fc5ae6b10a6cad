"""Unit ledgers: a unit's own ledger derived from the district's plan, kept in step with it.

A unit ledger holds the plan's tasks that units carry out (the grassroots level by default),
with the plan's ids, and records in ``plan.derived_from`` which plan it came from (its title, its
unit, the sha256 of its ``tasks.yaml``, and which tasks were taken). :func:`sync_plan` brings it
up to date with the plan: it adds the tasks the plan has gained and copies the plan's own fields
(text, title, level, number, deadline, tags) of every task, never the unit's status, progress,
owner, partners or history.
"""

from __future__ import annotations

from pathlib import Path

from .errors import ReadError
from .fileio import display, strerror


def read_merge_input(*paths: Path) -> list[bytes]:
    """The three files git hands the merge driver."""
    out = []
    for path in paths:
        try:
            out.append(path.read_bytes())
        except OSError as exc:
            from .i18n import _

            raise ReadError(_("cannot read {path}: {reason}").format(
                path=display(path), reason=strerror(exc))) from None
    return out
