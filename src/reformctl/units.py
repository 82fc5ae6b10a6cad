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
from .ledgers import LedgerDir


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


# ---------------------------------------------------------------------------------------------
# Finding many ledgers

_SKIPPED = frozenset({"node_modules", "__pycache__", "schema"})


def find_ledgers(paths: list[Path]) -> list[LedgerDir]:
    """The ledgers named by ``paths``, each once, in the order given (a parent's in path order).

    A path may be a ledger's data directory (holding ``tasks.yaml``), the directory ``init`` was
    given (holding ``data/tasks.yaml``), a data file itself (as pre-commit passes file names), or
    a parent directory searched for ``data/tasks.yaml`` below it (hidden directories, such as
    ``.git``, and symbolic links to directories are not entered). A path that names no ledger is
    a usage error.
    """
    import os

    from .errors import UsageError
    from .i18n import _
    from .ledgers import TASKS_FILE, VOICES_FILE

    found: dict[Path, None] = {}
    for given in paths:
        path = given.expanduser()
        if path.name in (TASKS_FILE, VOICES_FILE) and path.is_file():
            found[path.parent] = None
            continue
        if not path.is_dir():
            raise UsageError(_("{path} is not a directory").format(path=display(path)),
                             hint=_("give ledger directories, or a directory that holds them"))
        if (path / TASKS_FILE).is_file():
            found[path] = None
            continue
        below = []
        for folder, dirs, files in os.walk(path):
            dirs[:] = sorted(d for d in dirs if not d.startswith(".") and d not in _SKIPPED)
            here = Path(folder)
            if here.name == "data" and TASKS_FILE in files:
                below.append(here)
                dirs[:] = []
        found.update(dict.fromkeys(below))
        if not below:
            raise UsageError(
                _("no ledger in {path}: no data/tasks.yaml in it or in any directory below "
                  "it").format(path=display(path)),
                hint=_("give ledger directories (reformctl init DIR writes DIR/data), or the "
                       "directory that holds them"))
    return [LedgerDir(path, "--data") for path in found]
