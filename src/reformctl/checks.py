"""Validation: the schema stage (pydantic errors -> diagnostics) and the ledger rules.

Every check returns :class:`~reformctl.errors.Diagnostic` values; nothing here raises for bad
data, prints, or reads files. Diagnostics are made with a data path (``("tasks", 3, "status")``);
the loader turns that into ``line:col``. Rules are small pure functions listed in :data:`RULES`.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from pydantic import BaseModel, ValidationError

from .errors import Diagnostic, Location, Severity
from .models import (
    LEVEL_WORDS,
    LEVEL_ZH,
    STATUS_WORDS,
    STATUS_ZH,
    Changes,
    HistoryEntry,
    Meeting,
    Plan,
    Task,
    TasksFile,
    Voice,
    VoicesFile,
)

# Diagnostics whose position is the key rather than its value.
AT_KEY = frozenset({"unknown-key"})

# The model found at a data path once list indexes are dropped.
_MODELS: dict[str, dict[tuple[str, ...], type[BaseModel]]] = {
    "tasks": {
        (): TasksFile,
        ("plan",): Plan,
        ("tasks",): Task,
        ("tasks", "history"): HistoryEntry,
        ("tasks", "history", "changes"): Changes,
    },
    "voices": {(): VoicesFile, ("meeting",): Meeting, ("voices",): Voice},
}
_ROOTS = {"tasks": TasksFile, "voices": VoicesFile}
_ITEMS = {"tasks": Task, "voices": Voice}


def diagnostic(
    path: str, data_path: tuple[Any, ...], code: str, message: str,
    severity: Severity = Severity.ERROR,
) -> Diagnostic:
    """An unlocated diagnostic; the loader fills in line and column from ``data_path``."""
    return Diagnostic(Location(path), severity, code, message, data_path)


@dataclass
class Validated:
    """What the schema stage could make of one file: the valid parts, and the problems."""

    head: BaseModel | None  # Plan or Meeting
    items: list[tuple[int, Any]]  # (index in file, Task or Voice) for every valid item
    diagnostics: list[Diagnostic]


def validate(kind: str, data: Any, path: str) -> Validated:
    """Validate the data of ``tasks.yaml`` (kind "tasks") or ``voices.yaml`` (kind "voices")."""
    root_model = _ROOTS[kind]
    head_key, items_key = list(root_model.model_fields)
    if data is None:
        return Validated(None, [], [diagnostic(
            path, (), "empty-file",
            f"the file is empty; it needs `{head_key}:` and `{items_key}:` "
            f"(`reformctl init` writes a complete example)",
        )])
    if not isinstance(data, dict):
        return Validated(None, [], [diagnostic(
            path, (), "invalid-type",
            f"expected a mapping with keys `{head_key}` and `{items_key}`, found {_describe(data)}",
        )])
    try:
        parsed = root_model.model_validate(data)
    except ValidationError as exc:
        errors = exc.errors(include_url=False)
    else:
        return Validated(getattr(parsed, head_key), list(enumerate(getattr(parsed, items_key))), [])

    diags = [_schema_diagnostic(kind, path, err, data) for err in errors]
    bad_items = {e["loc"][1] for e in errors if len(e["loc"]) > 1 and e["loc"][0] == items_key}
    head = None
    if data.get(head_key) is not None and not any(e["loc"][:1] == (head_key,) for e in errors):
        head = _MODELS[kind][(head_key,)].model_validate(data[head_key])
    items: list[tuple[int, Any]] = []
    raw_items = data.get(items_key)
    if isinstance(raw_items, list):
        item_model = _ITEMS[kind]
        items = [
            (i, item_model.model_validate(raw))
            for i, raw in enumerate(raw_items)
            if i not in bad_items
        ]
    return Validated(head, items, diags)


_ADAPTERS: dict[str, Any] = {}


def item_validator(kind: str) -> Callable[[Any, list[Any]], list[Any] | None]:
    """For ``yamldoc.parse(items=...)``: validate the tasks (or voices) in chunks as they are read.

    Returns the models in place of the raw items, or None when a chunk has a problem: the caller
    then reads the file again and :func:`validate` describes every problem from the raw data.
    """
    items_key = list(_ROOTS[kind].model_fields)[1]
    adapter = _ADAPTERS.get(kind)
    if adapter is None:
        from pydantic import TypeAdapter

        adapter = _ADAPTERS[kind] = TypeAdapter(list[_ITEMS[kind]])

    def validate_items(key: Any, chunk: list[Any]) -> list[Any] | None:
        if key != items_key:
            return chunk
        try:
            return adapter.validate_python(chunk)
        except ValidationError:
            return None

    return validate_items


def _schema_diagnostic(kind: str, path: str, err: Any, data: Any) -> Diagnostic:
    loc = tuple(err["loc"])
    kind_of_error = err["type"]
    field = next((part for part in reversed(loc) if isinstance(part, str)), "value")
    where = _where(loc, data)
    value = err.get("input")
    if kind_of_error == "extra_forbidden":
        model = _MODELS[kind].get(tuple(p for p in loc[:-1] if isinstance(p, str)))
        valid = _fields(model)
        guess = difflib.get_close_matches(str(loc[-1]), valid, n=1, cutoff=0.6)
        hint = f"did you mean '{guess[0]}'? " if guess else ""
        if model is Changes:
            return diagnostic(
                path, loc, "unknown-key",
                f"unknown field '{loc[-1]}' in the changes of {where}; {hint}a change records "
                f"one of the task's fields: {', '.join(valid)}",
            )
        return diagnostic(
            path, loc, "unknown-key",
            f"unknown key '{loc[-1]}' in {where}; {hint}valid keys: {', '.join(valid)}",
        )
    if kind_of_error == "missing":
        return diagnostic(
            path, loc[:-1], "missing-key", f"{where} is missing the required key '{loc[-1]}'"
        )
    if kind_of_error == "literal_error":
        expected = err.get("ctx", {}).get("expected", "")
        valid = expected.replace("'", "").replace(" or ", ", ")
        hint = _did_you_mean(field, value)
        shown = f"'{value}'" if isinstance(value, str) else _describe(value)
        return diagnostic(
            path, loc, "invalid-value", f"{field} {shown} in {where} is not one of: {valid}{hint}"
        )
    if kind_of_error == "invalid_date":
        return diagnostic(path, loc, "invalid-date", f"{field} in {where}: {err['msg']}")
    expected = _EXPECTED.get(kind_of_error)
    if expected:
        hint = ""
        if isinstance(value, str) and expected.startswith("an integer") and value.strip().isdigit():
            hint = " (remove the quotes)"
        return diagnostic(
            path, loc, "invalid-type",
            f"{field} in {where} must be {expected}, got {_describe(value)}{hint}",
        )
    message = err["msg"][0].lower() + err["msg"][1:]
    return diagnostic(path, loc, "invalid-value", f"{field} in {where}: {message}")


_EXPECTED = {
    "int_type": "an integer",
    "int_parsing": "an integer",
    "int_from_float": "an integer",
    "string_type": "text (quote it if it is meant as text)",
    "list_type": "a list",
    "dict_type": "a mapping",
    "model_type": "a mapping",
    "model_attributes_type": "a mapping",
    "bool_type": "true or false",
}


def _fields(model: Any) -> list[str]:
    if model is None:
        return []
    if hasattr(model, "model_fields"):
        return list(model.model_fields)
    return list(model.__annotations__)


def near_value(field: str, value: Any) -> str | None:
    """The level or status a near miss was meant to be: ``Federation`` -> federation,
    ``inprogress`` -> in-progress, ``已完成`` or ``完成`` -> done; None when nothing is close."""
    import re
    import unicodedata

    if not isinstance(value, str) or field not in ("status", "level"):
        return None
    words = STATUS_WORDS if field == "status" else LEVEL_WORDS
    folded = unicodedata.normalize("NFKC", value).strip().casefold()
    if folded in words:
        return words[folded]

    def squeeze(word: str) -> str:
        return re.sub(r"[\s_-]", "", word)

    squeezed = {squeeze(word): meant for word, meant in words.items() if len(word) > 1}
    key = squeeze(folded)
    if key in squeezed:
        return squeezed[key]
    close = difflib.get_close_matches(key, list(squeezed), n=1, cutoff=0.6)
    return squeezed[close[0]] if close else None


def _did_you_mean(field: str, value: Any) -> str:
    meant = near_value(field, value)
    if meant is None or meant == value:
        return ""
    assert isinstance(value, str)
    if value in (STATUS_WORDS if field == "status" else LEVEL_WORDS):  # an accepted word
        return f"; did you mean '{meant}'? (the file takes the English value)"
    if value.isascii():
        return f"; did you mean '{meant}'?"
    zh = (STATUS_ZH if field == "status" else LEVEL_ZH)[meant]
    return f"; did you mean '{meant}' ({zh})? (the file takes the English value)"


def _describe(value: Any) -> str:
    if value is None:
        return "nothing (null)"
    if isinstance(value, bool):
        return f"the boolean {str(value).lower()}"
    if isinstance(value, str):
        shown = value if len(value) <= 40 else value[:37] + "..."
        return f"the text '{shown}'"
    if isinstance(value, int | float):
        return f"the number {value}"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    return type(value).__name__


def _where(loc: tuple[Any, ...], data: Any) -> str:
    """Human words for the object that holds the problem: 'task 3', 'history entry 2 of task 3'."""
    words: list[str] = []
    node = data
    i = 0
    while i < len(loc) - 1:
        key = loc[i]
        nxt = loc[i + 1]
        child = node.get(key) if isinstance(node, dict) else None
        if isinstance(nxt, int) and isinstance(child, list) and key in ("tasks", "voices", "history"):
            item = child[nxt] if nxt < len(child) else None
            if key == "history":
                words.append(f"history entry {nxt + 1}")
            else:
                ident = item.get("id") if isinstance(item, dict) else None
                noun = key[:-1]
                words.append(f"{noun} {ident}" if type(ident) is int else f"{noun} #{nxt + 1}")
            node = item
            i += 2
            continue
        if key in ("plan", "meeting") and i == 0:
            words.append(key)
        node = child
        i += 1
    return " of ".join(reversed(words)) or "the file"


# ---------------------------------------------------------------------------------------------
# Ledger rules


@dataclass
class RuleContext:
    tasks_path: str
    voices_path: str
    tasks: list[tuple[int, Task]]  # the valid tasks, with their index in the file
    voices: list[tuple[int, Voice]]
    # ids of every task in tasks.yaml, valid or not; None when the file could not be read, so
    # references are not checked against it (that would only repeat the file's own error).
    task_ids: set[int] | None
    # The time the rules take as now (a history entry may not be later); given by tests.
    now: datetime = field(default_factory=lambda: datetime.now(UTC))


# How far a history time may lie ahead of now: clocks of two machines differ a little.
CLOCK_SKEW = timedelta(minutes=5)


def task_ids_in(data: Any) -> set[int] | None:
    """The ids in raw ``tasks.yaml`` data, as far as they can be read."""
    if not isinstance(data, dict) or not isinstance(data.get("tasks"), list):
        return None
    ids = set()
    for item in data["tasks"]:
        if isinstance(item, Task):  # validated while it was read (see item_validator)
            ids.add(item.id)
            continue
        value = item.get("id") if isinstance(item, dict) else None
        if isinstance(value, str) and value.strip().isdecimal():
            value = int(value)
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        if isinstance(value, int) and not isinstance(value, bool):
            ids.add(value)
    return ids


Rule = Callable[[RuleContext], Iterator[Diagnostic]]


def unique_task_ids(ctx: RuleContext) -> Iterator[Diagnostic]:
    seen: dict[int, Task] = {}
    for i, task in ctx.tasks:
        first = seen.setdefault(task.id, task)
        if first is not task:
            yield diagnostic(
                ctx.tasks_path, ("tasks", i, "id"), "duplicate-id",
                f"id {task.id} is already used by task {first.ref}; ids are unique and never "
                "reused: give this task the next free id",
            )


def unique_level_seq(ctx: RuleContext) -> Iterator[Diagnostic]:
    seen: dict[tuple[str, int], Task] = {}
    for i, task in ctx.tasks:
        first = seen.setdefault((task.level, task.seq), task)
        if first is not task:
            yield diagnostic(
                ctx.tasks_path, ("tasks", i, "seq"), "duplicate-seq",
                f"{task.level} seq {task.seq} is already used by task {first.id}; "
                "each level numbers its tasks 1, 2, 3, ...",
            )


def related_exist(ctx: RuleContext) -> Iterator[Diagnostic]:
    ids = ctx.task_ids or set()
    for i, task in ctx.tasks:
        for j, other in enumerate(task.related):
            if other == task.id:
                yield diagnostic(
                    ctx.tasks_path, ("tasks", i, "related", j), "self-reference",
                    f"task {task.id} lists itself as related; remove {other}",
                )
            elif other not in ids:
                yield diagnostic(
                    ctx.tasks_path, ("tasks", i, "related", j), "unknown-task",
                    f"task {task.id} is related to task {other}, which does not exist",
                )


def voice_tasks_exist(ctx: RuleContext) -> Iterator[Diagnostic]:
    if ctx.task_ids is None:
        return
    ids = ctx.task_ids
    for i, voice in ctx.voices:
        for j, task_id in enumerate(voice.tasks):
            if task_id not in ids:
                yield diagnostic(
                    ctx.voices_path, ("voices", i, "tasks", j), "unknown-task",
                    f"voice {voice.id} bears on task {task_id}, which does not exist in "
                    f"{ctx.tasks_path}",
                )


def unique_voice_ids(ctx: RuleContext) -> Iterator[Diagnostic]:
    seen: set[int] = set()
    for i, voice in ctx.voices:
        if voice.id in seen:
            yield diagnostic(
                ctx.voices_path, ("voices", i, "id"), "duplicate-id",
                f"voice id {voice.id} is used twice; give this statement a new id",
            )
        seen.add(voice.id)


def history_in_order(ctx: RuleContext) -> Iterator[Diagnostic]:
    for i, task in ctx.tasks:
        for j in range(1, len(task.history)):
            before, entry = task.history[j - 1], task.history[j]
            if entry.at < before.at:
                yield diagnostic(
                    ctx.tasks_path, ("tasks", i, "history", j, "at"), "history-order",
                    f"history entry {j + 1} of task {task.id} ({entry.at.isoformat()}) is earlier "
                    f"than the entry before it ({before.at.isoformat()}); history is kept in time "
                    "order: move the entry to its place",
                )


def status_matches_history(ctx: RuleContext) -> Iterator[Diagnostic]:
    """The status is the one the history last recorded; with no status change recorded, the one
    every task starts with (todo). Anything else is a hand edit that bypassed the record."""
    for i, task in ctx.tasks:
        last = next(
            (e for e in reversed(task.history) if "status" in e.changes), None
        )
        if last is None:
            if task.status != "todo":
                yield diagnostic(
                    ctx.tasks_path, ("tasks", i, "status"), "status-unrecorded",
                    f"task {task.id} is '{task.status}' but its history records no status "
                    f"change (every task starts as 'todo'); record the change with "
                    f"`reformctl update {task.id} --status {task.status} --note ...`",
                    Severity.WARNING,
                )
            continue
        recorded = last.changes["status"][1]
        if recorded != task.status:
            yield diagnostic(
                ctx.tasks_path, ("tasks", i, "status"), "status-unrecorded",
                f"task {task.id} is '{task.status}' but its last recorded status change "
                f"({last.at.date().isoformat()}, {last.by}) set '{recorded}'; record the change "
                f"with `reformctl update {task.id} --status {task.status} --note ...`",
                Severity.WARNING,
            )


def status_matches_progress(ctx: RuleContext) -> Iterator[Diagnostic]:
    """done below 100%, todo above 0%, or in-progress at 100%: one of the two is out of date
    (blocked and dropped tasks may stand at any progress)."""
    for i, task in ctx.tasks:
        progress = task.progress
        if progress is None:
            continue
        if task.status == "done" and progress < 100:
            why = (f"task {task.id} is 'done' but its progress is {progress}%; set the progress "
                   f"to 100 or the status back: `reformctl update {task.id} --progress 100`")
        elif task.status == "todo" and progress > 0:
            why = (f"task {task.id} is 'todo' but its progress is {progress}%; work has begun: "
                   f"`reformctl update {task.id} --status in-progress`")
        elif task.status == "in-progress" and progress == 100:
            why = (f"task {task.id} is 'in-progress' but its progress is 100%; if it is "
                   f"finished: `reformctl update {task.id} --status done --evidence ...`")
        else:
            continue
        yield diagnostic(ctx.tasks_path, ("tasks", i, "progress"), "status-progress", why,
                         Severity.WARNING)


def history_times(ctx: RuleContext) -> Iterator[Diagnostic]:
    """No change is recorded later than now (give or take a clock's skew), nor before the task
    was created. A task's creation is the entry that records its status going from nothing
    (``status: [null, todo]``), which ``reformctl add`` writes; a task that came with the plan
    has none, and only the first half of the rule applies to it."""
    latest = ctx.now + CLOCK_SKEW
    for i, task in ctx.tasks:
        created = next((e for e in task.history if "status" in e.changes
                        and e.changes["status"][0] is None), None)
        for j, entry in enumerate(task.history):
            if entry.at > latest:
                yield diagnostic(
                    ctx.tasks_path, ("tasks", i, "history", j, "at"), "history-future",
                    f"history entry {j + 1} of task {task.id} is dated {entry.at.isoformat()}, "
                    "which is later than now; a change is recorded once it has happened: "
                    "correct the time",
                )
            elif created is not None and entry.at < created.at:
                yield diagnostic(
                    ctx.tasks_path, ("tasks", i, "history", j, "at"), "history-before-creation",
                    f"history entry {j + 1} of task {task.id} is dated {entry.at.isoformat()}, "
                    f"before the task was created ({created.at.isoformat()}); correct the time",
                )


def done_has_evidence(ctx: RuleContext) -> Iterator[Diagnostic]:
    for i, task in ctx.tasks:
        if task.status == "done" and not any(e.evidence for e in task.history):
            yield diagnostic(
                ctx.tasks_path, ("tasks", i, "status"), "missing-evidence",
                f"task {task.id} is done but no evidence (佐证材料) is recorded; add it with "
                f"`reformctl update {task.id} --evidence DOCUMENT-OR-LINK`",
                Severity.WARNING,
            )


RULES: tuple[Rule, ...] = (
    unique_task_ids,
    unique_level_seq,
    related_exist,
    voice_tasks_exist,
    unique_voice_ids,
    history_in_order,
    history_times,
    status_matches_history,
    status_matches_progress,
    done_has_evidence,
)


def run_rules(ctx: RuleContext, rules: tuple[Rule, ...] = RULES) -> list[Diagnostic]:
    return [d for rule in rules for d in rule(ctx)]
