"""Reading the ledger: files -> text -> data -> validated :class:`Ledger`.

:func:`load` is the one loader every command uses. It never raises for bad data: it returns all
problems of both files as located diagnostics (``check`` prints them; other commands call
:func:`open_ledger`, which refuses a ledger that has errors).
"""

from __future__ import annotations

import gc
from dataclasses import dataclass, field
from typing import Any

from . import cache, edit, yamldoc
from .checks import RuleContext, item_validator, run_rules, task_ids_in, validate
from .errors import Diagnostic, LedgerError
from .fileio import display, read_bytes
from .ledgers import LedgerDir
from .locate import locate
from .models import Ledger, Meeting, Plan


@dataclass
class Loaded:
    """Everything :func:`load` found: the ledger (None if a file is unusable) and all problems.

    The problems are located (line and column found from their data paths) when
    :attr:`diagnostics` is first read, not before: a command that only asks whether there are
    :attr:`errors`, and finds none, never locates the warnings it does not show.
    """

    where: LedgerDir
    ledger: Ledger | None
    found: list[Diagnostic]  # as found: made from data paths, not located yet
    texts: dict[str, yamldoc.Text] = field(default_factory=dict)
    task_starts: list[int] = field(default_factory=list)  # where each task's item starts
    parsed: dict[str, yamldoc.Parsed] = field(default_factory=dict, repr=False)
    # kind -> (head, items) validated from the file's data, when it read as a mapping: what
    # could be read of it, kept for salvage (a ledger with errors is not read a second time)
    validated: dict[str, tuple[Any, list[Any]]] = field(default_factory=dict, repr=False)
    _located: list[Diagnostic] | None = field(default=None, repr=False)

    @property
    def diagnostics(self) -> list[Diagnostic]:
        """Every problem, located, in file order."""
        if self._located is None:
            self._located = locate(self.found, self.texts, self.parsed)
        return self._located

    @property
    def errors(self) -> list[Diagnostic]:
        if not any(d.is_error for d in self.found):
            return []  # nothing to locate
        return [d for d in self.diagnostics if d.is_error]


def load(where: LedgerDir) -> Loaded:
    """Read, parse, validate and check both files. Never raises for bad data."""
    return load_bytes(where, {})


def load_bytes(where: LedgerDir, raw: dict[str, bytes]) -> Loaded:
    """:func:`load`, from the bytes in ``raw`` where given (as read under a lock)."""
    # What is built here holds no reference cycles: Python's cycle collector, run again and
    # again over the growing data, would only cost time (a fifth of a large check).
    enabled = gc.isenabled()
    gc.disable()
    try:
        return _read_all(where, raw)
    finally:
        if gc.get_freeze_count() == 0:
            # Move everything to the oldest generation (freeze + unfreeze: no traversal), or the
            # first collections after this would walk the whole ledger as "young" objects twice.
            gc.freeze()
            gc.unfreeze()
        if enabled:
            gc.enable()


def _read_all(where: LedgerDir, raw: dict[str, bytes]) -> Loaded:
    diags: list[Diagnostic] = []
    texts: dict[str, yamldoc.Text] = {}
    heads: dict[str, object] = {}
    items: dict[str, list[Any]] = {}
    parsed: dict[str, yamldoc.Parsed] = {}
    kept: dict[str, tuple[Any, list[Any]]] = {}
    hashes: dict[str, str] = {}  # of each file's bytes, for the cache key
    paths = {"tasks": where.tasks_path, "voices": where.voices_path}
    for kind, path in paths.items():
        heads[kind], items[kind] = None, []
        data = raw.get(kind)
        if data is None:
            # voices.yaml may be absent: a plan that had no symposium
            data, problems = read_bytes(path, optional=kind == "voices")
            diags += problems
            if data is None:
                continue
        hashes[kind] = cache.file_hash(data)
        text, problems = yamldoc.decode(data, display(path))
        del data  # the bytes are not kept: on a large ledger they are a file's size of memory
        diags += problems
        if text is None:
            continue
        texts[kind] = text
        # Items are validated while they are read (less memory); any problem: read again.
        result = parsed[kind] = yamldoc.parse(text, items=item_validator(kind))
        diags += result.diagnostics
        if result.data is None and result.diagnostics:
            continue  # the data cannot be read (duplicate keys alone still can: see yamldoc)
        validated = validate(kind, result.data, text.path)
        if validated.diagnostics and result.items_replaced:
            # describe the problems from the raw data, exactly as without the early validation
            result = parsed[kind] = yamldoc.parse(text)
            validated = validate(kind, result.data, text.path)
        heads[kind], items[kind] = validated.head, validated.items
        if isinstance(result.data, dict):
            kept[kind] = (validated.head, [item for _, item in validated.items])
        diags += validated.diagnostics

    shown = {kind: display(path) for kind, path in paths.items()}
    raw_tasks = parsed["tasks"].data if "tasks" in parsed else None
    diags += run_rules(RuleContext(shown["tasks"], shown["voices"], items["tasks"],
                                   items["voices"], task_ids_in(raw_tasks)))

    ledger = None
    if isinstance(heads["tasks"], Plan):
        meeting = heads["voices"] if isinstance(heads["voices"], Meeting) else None
        ledger = Ledger(
            heads["tasks"],
            [task for _, task in items["tasks"]],
            meeting,
            [voice for _, voice in items["voices"]],
        )
    starts = parsed["tasks"].item_starts.get("tasks", []) if "tasks" in parsed else []
    loaded = Loaded(where, ledger, diags, texts, starts, parsed, kept)
    if ledger is not None and not loaded.errors and "voices" in hashes:
        key = cache.ledger_key(hashes["tasks"], hashes["voices"])
        if cache.get("index", key) is None:
            cache.put("index", key, task_index(loaded).entry())
    return loaded


def task_index(loaded: Loaded) -> edit.TaskIndex:
    assert loaded.ledger is not None
    source = loaded.texts["tasks"]
    return edit.TaskIndex.of(source.text, source.newline, loaded.ledger.tasks, loaded.task_starts)




def open_ledger(where: LedgerDir) -> Ledger:
    """The ledger, or :class:`LedgerError` listing its errors (warnings do not stop a command)."""
    loaded = load(where)
    if loaded.errors or loaded.ledger is None:
        raise LedgerError(loaded.diagnostics)
    return loaded.ledger

