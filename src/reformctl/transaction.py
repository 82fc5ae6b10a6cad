"""The write transaction: one for every command that changes the ledger.

Top to bottom: take the lock, read both files, plan the change on the tasks as they are now,
check the changed tasks against every rule, splice their lines (:func:`edit.apply_change`), and
replace the file atomically unless it changed on disk meanwhile (then start again).
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from . import cache, edit, yamldoc
from .checks import RuleContext, run_rules
from .errors import LedgerError, WriteError
from .fileio import atomic_write, display, read_bytes, read_quietly, remove_stale_temporaries
from .ledgers import LedgerDir
from .loader import load_bytes, task_index
from .models import Task

# ---------------------------------------------------------------------------------------------
# Writing: one transaction for every command that changes the ledger

LOCK_TIMEOUT = 120.0  # seconds to wait for another writer before giving up


@dataclass
class Change:
    """What a command wants done, computed from the ledger as read under the lock."""

    updated: list[tuple[Task, Task]] = field(default_factory=list)  # (old, new)
    added: list[Task] = field(default_factory=list)


@dataclass
class Outcome:
    change: Change
    path: str
    before: str  # the file's text before
    after: str  # and after (equal to before when nothing changed)
    written: bool


Planner = Callable[[edit.TaskIndex, datetime], Change]


def lock_path(where: LedgerDir) -> Path:
    """The lock file: outside the data directory, so it is never mistaken for data or committed.

    It is keyed on the ledger directory's real path, so every writer of one ledger on this
    machine (whatever path or symlink it was reached by) takes the same lock.
    """
    import hashlib
    import tempfile

    real = str(where.path.resolve())
    digest = hashlib.sha256(real.encode("utf-8", "surrogateescape")).hexdigest()[:24]
    folder = Path(tempfile.gettempdir()) / f"reformctl-locks-{os.getuid()}"
    folder.mkdir(mode=0o700, exist_ok=True)
    return folder / f"{digest}.lock"


def change_ledger(where: LedgerDir, plan: Planner, *, dry_run: bool = False) -> Outcome:
    """Apply ``plan`` to the ledger: locked, validated, atomic, and byte-exact outside the change.

    ``plan`` gets the tasks as they are on disk under the lock (a :class:`edit.TaskIndex`), and
    the time of the write.
    """
    from filelock import FileLock, Timeout

    where.require_writable()
    try:
        target = where.tasks_path.resolve()  # a symlinked file is written where it really is
    except (OSError, RuntimeError):  # a symlink loop: the loader says why it cannot be read
        target = where.tasks_path
    try:
        with FileLock(lock_path(where), timeout=LOCK_TIMEOUT):
            remove_stale_temporaries(target)
            for _ in range(10):
                outcome = _attempt(where, target, plan, dry_run)
                if outcome is not None:
                    return outcome
    except Timeout:
        raise WriteError(
            f"another reformctl has been writing {display(where.path)} for "
            f"{LOCK_TIMEOUT:.0f} s; nothing was changed",
            hint="try again when it has finished",
        ) from None
    raise WriteError(
        f"{display(where.tasks_path)} kept changing while this change was being written; "
        "nothing was changed",
        hint="is an editor or a script saving it in a loop? try again",
    )


def _attempt(where: LedgerDir, target: Path, plan: Planner, dry_run: bool) -> Outcome | None:
    """One read-plan-validate-write round; None when the file changed under us (go again)."""
    raw = {kind: data for kind, path in (("tasks", where.tasks_path), ("voices", where.voices_path))
           if (data := read_bytes(path)[0]) is not None}  # same limits as every read
    index = _cached_index(where, raw)
    if index is None:
        loaded = load_bytes(where, raw)
        if loaded.errors or loaded.ledger is None:
            raise LedgerError(
                loaded.diagnostics,
                "the ledger has errors, so nothing was changed:\n"
                + "\n".join(str(d) for d in loaded.errors[:20]),
            )
        if "tasks" not in raw or set(raw) != set(loaded.texts):  # voices.yaml may be absent
            return None  # a file appeared while we read: read again
        index = task_index(loaded)
    now = datetime.now().astimezone().replace(microsecond=0)
    change = plan(index, now)
    _validate_result(where, index, change)
    source = yamldoc.decode(raw["tasks"], display(where.tasks_path))[0]
    assert source is not None
    after, new_index = edit.apply_change(index, change.updated, change.added)
    outcome = Outcome(change, source.path, source.text, after, False)
    if dry_run or after == source.text:
        return outcome
    data = (b"\xef\xbb\xbf" if source.bom else b"") + after.encode("utf-8")
    if read_quietly(target) != raw["tasks"]:
        return None  # changed on disk since it was read (an editor?): read it again
    atomic_write(target, data)
    outcome.written = True
    if "voices" in raw:
        cache.put("index", cache.key_of(data, raw["voices"]), new_index.entry())
    return outcome


def _cached_index(where: LedgerDir, raw: dict[str, bytes]) -> edit.TaskIndex | None:
    """The index of these exact bytes, if an earlier run found them clean."""
    if "tasks" not in raw or "voices" not in raw:
        return None
    entry = cache.get("index", cache.key_of(raw["tasks"], raw["voices"]))
    if entry is None:
        return None
    source, _ = yamldoc.decode(raw["tasks"], display(where.tasks_path))
    return None if source is None else edit.TaskIndex.from_entry(source.text, source.newline,
                                                                 entry)




def _validate_result(where: LedgerDir, index: edit.TaskIndex, change: Change) -> None:
    """The changed and added tasks must pass every rule (the rest were valid and are unchanged:
    an update never changes ids, numbers or links, and an added task takes fresh ones)."""
    tasks = [new for _, new in change.updated] + change.added
    ids = set(index.ids) | {t.id for t in change.added}
    ctx = RuleContext(display(where.tasks_path), display(where.voices_path),
                      list(enumerate(tasks)), [], ids)
    problems = [d for d in run_rules(ctx) if d.is_error]
    if problems:
        raise LedgerError(
            problems,
            "the change would make the ledger invalid, so nothing was changed:\n"
            + "\n".join(f"  {d.message}" for d in problems[:20]),
        )


