"""The write transaction: one for every command that changes the ledger.

Top to bottom (:func:`change_ledger`, then the functions it calls, in the order they run):

1. read both files (the same limits as every read) and find the tasks (:func:`_read`): from the
   cache when it holds an authentic index of these exact bytes, else by loading and checking the
   whole ledger. A ledger with errors is refused here, before any lock is taken or file made,
   unless it was caught mid-save (an editor truncates, then writes: wait a moment, read again);
2. refuse a data file the user may not write (as vim and git do), before waiting for anyone;
3. take the writers' lock beside the file (:mod:`reformctl.lockfile`) and remove this user's
   temporary files left by a killed writer;
4. read the files again; if their bytes differ from step 1, find the tasks again;
5. plan the change on the tasks as they are now, and check the changed tasks against every rule
   (:func:`_apply`);
6. splice their lines (:func:`edit.apply_change`);
7. write the new text to a temporary file and sync it; then, last before the rename, make sure
   the lock is still ours (if the lock file was deleted by hand, take the new one too) and the
   file on disk is still the one read in 4 (an editor may have saved meanwhile); if the file
   changed, go back to 4 and make the change on what is there now.

The cache is only a hint: if anything goes wrong on the way from a cached index (:func:`_change`),
the entry is dropped and the same steps run from a full load, so the outcome is the one a run
without a cache has.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from . import cache, edit, fileio, lockfile, yamldoc
from .checks import RuleContext, run_rules
from .errors import LedgerError, ReformctlError, WriteError
from .fileio import display, read_bytes
from .i18n import _
from .ledgers import LedgerDir
from .loader import load_bytes, task_index
from .models import Task

LOCK_TIMEOUT = 120.0  # seconds to wait for another writer before giving up
ATTEMPTS = 10  # reads of a file that keeps changing before giving up
SETTLE = 0.25  # seconds to wait before reading again a file that may be half saved


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


def change_ledger(where: LedgerDir, plan: Planner, *, dry_run: bool = False,
                  on_wait: Callable[[str], None] | None = None) -> Outcome:
    """Apply ``plan`` to the ledger: locked, validated, atomic, and byte-exact outside the change.

    ``plan`` gets the tasks as they are on disk under the lock (a :class:`edit.TaskIndex`), and
    the time of the write. ``on_wait`` is told, once, when this writer waits for another.
    """
    where.require_writable()
    target = _real(where.tasks_path)
    # Read and check before locking: a ledger with errors is refused without touching anything,
    # and the lock is held only while the change is made (the check is reused if the bytes under
    # the lock are the same). A dry run writes nothing and takes no lock: every read sees a
    # whole file.
    found = _read(where, target)
    if dry_run:
        return _change(where, target, plan, found, None)  # type: ignore[return-value]
    fileio.check_writable(target)
    with lockfile.held(target, LOCK_TIMEOUT, on_wait) as lock:
        fileio.remove_stale_temporaries(target)
        for _attempt in range(ATTEMPTS):
            raw = _raw(where, target)
            if raw != found.raw:
                found = _read(where, target, raw)
            outcome = _change(where, target, plan, found, lock)
            if outcome is not None:
                return outcome
    raise _kept_changing(where)


def _real(path: Path) -> Path:
    """A symlinked file is written (and locked) where it really is."""
    try:
        return path.resolve()
    except (OSError, RuntimeError):  # a symlink loop: the loader says why it cannot be read
        return path


@dataclass
class _Found:
    raw: dict[str, bytes]  # the bytes of both files
    index: edit.TaskIndex  # their tasks
    cached: bool  # the index came from the cache


def _raw(where: LedgerDir, target: Path) -> dict[str, bytes]:
    # The file is read through its link (the loader refuses a link that leads outside the
    # ledger without reading it); the replace goes where it really is.
    return {kind: data for kind, path in (("tasks", where.tasks_path), ("voices", where.voices_path))
            if (data := read_bytes(path)[0]) is not None}  # same limits as every read


def _read(where: LedgerDir, target: Path, raw: dict[str, bytes] | None = None,
          use_cache: bool = True) -> _Found:
    """The tasks of a clean ledger: from the cache when it holds an authentic index of these
    exact bytes, else by loading and checking both files whole; a ledger with errors is refused,
    unless it was caught mid-save (then it is read again)."""
    for _attempt in range(ATTEMPTS):
        raw = _raw(where, target) if raw is None else raw
        if use_cache and (cached := _cached_index(where, raw)) is not None:
            return _Found(raw, cached, True)
        loaded = load_bytes(where, raw)
        if loaded.errors or loaded.ledger is None:
            if _settling(where, target, raw):
                raw = None  # an editor truncates, then writes: read again
                continue
            raise LedgerError(
                loaded.diagnostics,
                _("the ledger has errors, so nothing was changed:\n{errors}").format(
                    errors="\n".join(str(d) for d in loaded.errors[:20])),
            )
        if "tasks" not in raw or set(raw) != set(loaded.texts):  # voices.yaml may be absent
            raw = None  # a file appeared while we read: read again
            continue
        # Built as a cached index is (tasks parsed from their lines when asked for), so that
        # the change takes the same path with or without a cache.
        full = task_index(loaded)
        index = edit.TaskIndex.from_entry(full.text, full.newline, full.entry())
        assert index is not None
        return _Found(raw, index, False)
    raise _kept_changing(where)


def _kept_changing(where: LedgerDir) -> WriteError:
    return WriteError(
        _("{path} kept changing while this change was being written; nothing was "
          "changed").format(path=display(where.tasks_path)),
        hint=_("is an editor or a script saving it in a loop? try again"),
    )


def _change(where: LedgerDir, target: Path, plan: Planner, found: _Found,
            lock: lockfile.Lock | None) -> Outcome | None:
    """:func:`_apply`; a cached index that does not fit (anything goes wrong) is dropped and the
    file decides, exactly as without a cache (giving the same error if the error is real)."""
    try:
        return _apply(where, target, plan, found, lock)
    except ReformctlError:
        if not found.cached:
            raise
    cache.discard("index", cache.key_of(found.raw["tasks"], found.raw["voices"]))
    return _apply(where, target, plan, _read(where, target, found.raw, use_cache=False), lock)


def _apply(where: LedgerDir, target: Path, plan: Planner, found: _Found,
           lock: lockfile.Lock | None) -> Outcome | None:
    """Plan, validate, splice and (with a lock) write; None when the file changed on disk since
    it was read (then it is read again and the change made again on what is there now)."""
    raw, index = found.raw, found.index
    now = datetime.now().astimezone().replace(microsecond=0)
    change = plan(index, now)
    _validate_result(where, index, change)
    source = yamldoc.decode(raw["tasks"], display(where.tasks_path))[0]
    assert source is not None
    after, new_index = edit.apply_change(index, change.updated, change.added)
    outcome = Outcome(change, source.path, source.text, after, False)
    if lock is None or after == source.text:
        return outcome
    data = (b"\xef\xbb\xbf" if source.bom else b"") + after.encode("utf-8")

    def unchanged() -> bool:  # asked after the new text is synced, right before the rename
        if lock is not None:
            lock.ensure()  # the lock file deleted by hand? take the one there now, too
        return _unchanged(target, raw["tasks"])

    if not fileio.atomic_write(target, data, unchanged):
        return None
    outcome.written = True
    if "voices" in raw:  # a ledger without voices.yaml is never cached
        cache.put("index", cache.key_of(data, raw["voices"]), new_index.entry())
    return outcome


def _unchanged(target: Path, expected: bytes) -> bool:
    """Is the file still exactly ``expected``? Its bytes are compared, then its status is taken
    again: a save landing during the comparison changes its size, time or inode."""
    try:
        before = os.stat(target)
        if before.st_size != len(expected):
            return False
        with open(target, "rb") as handle:
            if handle.read(len(expected) + 1) != expected:
                return False
        after = os.stat(target)
    except OSError:
        return False
    return _same(before, after)


def _same(a: os.stat_result, b: os.stat_result) -> bool:
    return ((a.st_dev, a.st_ino, a.st_size, a.st_mtime_ns, a.st_ctime_ns)
            == (b.st_dev, b.st_ino, b.st_size, b.st_mtime_ns, b.st_ctime_ns))


def _settling(where: LedgerDir, target: Path, raw: dict[str, bytes]) -> bool:
    """Were the files read while being saved in place? Asked only when they look broken: if
    their bytes are not the same now, read again; a file read empty (an editor truncates it,
    then writes) gets a moment to be written first."""
    if _raw(where, target) != raw:
        return True
    if b"" not in raw.values():
        return False  # broken, and unchanged since read: the errors are real
    _pause(SETTLE)
    return _raw(where, target) != raw


def _pause(seconds: float) -> None:
    import time

    time.sleep(seconds)


def _cached_index(where: LedgerDir, raw: dict[str, bytes]) -> edit.TaskIndex | None:
    """The index of these exact bytes, if an earlier run of this user found them clean (an
    authenticated entry: see :mod:`reformctl.cache`)."""
    if "tasks" not in raw or "voices" not in raw:
        return None
    entry = cache.get("index", cache.key_of(raw["tasks"], raw["voices"]))
    if entry is None:
        return None
    source, _found = yamldoc.decode(raw["tasks"], display(where.tasks_path))
    return None if source is None else edit.TaskIndex.from_entry(source.text, source.newline,
                                                                 entry)


def _validate_result(where: LedgerDir, index: edit.TaskIndex, change: Change) -> None:
    """The changed and added tasks must pass every rule (the rest were valid and are unchanged:
    an update never changes ids, numbers or links, and an added task takes fresh ones)."""
    tasks = [new for _old, new in change.updated] + change.added
    ids = set(index.ids) | {t.id for t in change.added}
    ctx = RuleContext(display(where.tasks_path), display(where.voices_path),
                      list(enumerate(tasks)), [], ids)
    problems = [d for d in run_rules(ctx) if d.is_error]
    if problems:
        raise LedgerError(
            problems,
            _("the change would make the ledger invalid, so nothing was changed:\n{errors}").format(
                errors="\n".join(f"  {d.message}" for d in problems[:20])),
        )


