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
from .i18n import N_, _
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
_MODELS: dict[str, dict[tuple[str, ...], type[Any]]] = {  # models, and the Changes TypedDict
    "tasks": {
        (): TasksFile,
        ("plan",): Plan,
        ("tasks",): Task,
        ("tasks", "history"): HistoryEntry,
        ("tasks", "history", "changes"): Changes,
    },
    "voices": {(): VoicesFile, ("meeting",): Meeting, ("voices",): Voice},
}
_ROOTS: dict[str, type[BaseModel]] = {"tasks": TasksFile, "voices": VoicesFile}
_ITEMS: dict[str, type[BaseModel]] = {"tasks": Task, "voices": Voice}


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
            _("the file is empty; it needs `{head}:` and `{items}:` "
              "(`reformctl init` writes a complete example)").format(head=head_key, items=items_key),
        )])
    if not isinstance(data, dict):
        return Validated(None, [], [diagnostic(
            path, (), "invalid-type",
            _("expected a mapping with keys `{head}` and `{items}`, found {found}").format(
                head=head_key, items=items_key, found=_describe(data)),
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

        item: Any = _ITEMS[kind]
        adapter = _ADAPTERS[kind] = TypeAdapter(list[item])

    def validate_items(key: Any, chunk: list[Any]) -> list[Any] | None:
        if key != items_key:
            return chunk
        try:
            valid: list[Any] = adapter.validate_python(chunk)
        except ValidationError:
            return None
        return valid

    return validate_items


def _schema_diagnostic(kind: str, path: str, err: Any, data: Any) -> Diagnostic:
    """One pydantic error in the house's words (pydantic's own wording never reaches a person)."""
    loc = tuple(err["loc"])
    kind_of_error = err["type"]
    field = next((part for part in reversed(loc) if isinstance(part, str)), "value")
    where = _where(loc, data)
    value = err.get("input")
    if kind_of_error == "extra_forbidden":
        model = _MODELS[kind].get(tuple(p for p in loc[:-1] if isinstance(p, str)))
        valid = ", ".join(_fields(model))
        guess = difflib.get_close_matches(str(loc[-1]), _fields(model), n=1, cutoff=0.6)
        if model is Changes:
            message = (_("unknown field '{key}' in the changes of {where}; did you mean "
                         "'{guess}'? a change records one of the task's fields: {valid}")
                       if guess else
                       _("unknown field '{key}' in the changes of {where}; a change records "
                         "one of the task's fields: {valid}"))
        else:
            message = (_("unknown key '{key}' in {where}; did you mean '{guess}'? valid keys: "
                         "{valid}") if guess else
                       _("unknown key '{key}' in {where}; valid keys: {valid}"))
        return diagnostic(path, loc, "unknown-key", message.format(
            key=loc[-1], where=where, guess=guess[0] if guess else "", valid=valid))
    if kind_of_error == "missing":
        return diagnostic(
            path, loc[:-1], "missing-key",
            _("{where} is missing the required key '{key}'").format(where=where, key=loc[-1]),
        )
    if kind_of_error == "literal_error":
        expected = err.get("ctx", {}).get("expected", "")
        valid = expected.replace("'", "").replace(" or ", ", ")
        if isinstance(value, str):
            message = _("{field} '{value}' in {where} is not one of: {valid}")
        else:
            message = _("{field} {value} in {where} is not one of: {valid}")
            value = _describe(value)
        return diagnostic(
            path, loc, "invalid-value",
            message.format(field=field, value=value, where=where, valid=valid)
            + _did_you_mean(field, err.get("input")),
        )
    if kind_of_error == "invalid_date":
        return diagnostic(path, loc, "invalid-date", _("{field} in {where}: {problem}").format(
            field=field, where=where, problem=_date_problem(err)))
    expected = _EXPECTED.get(kind_of_error)
    if expected:
        if (isinstance(value, str) and kind_of_error in _INTEGER
                and value.strip().isdigit()):
            message = _("{field} in {where} must be {expected}, got {found} (remove the quotes)")
        else:
            message = _("{field} in {where} must be {expected}, got {found}")
        return diagnostic(path, loc, "invalid-type", message.format(
            field=field, where=where, expected=_(expected), found=_describe(value)))
    limit = _LIMITS.get(kind_of_error)
    if limit is not None:
        ctx = err.get("ctx", {})
        bound = next((ctx[k] for k in ("ge", "gt", "le", "lt", "min_length", "max_length")
                      if k in ctx), "")
        return diagnostic(path, loc, "invalid-value", _(limit).format(
            field=field, where=where, limit=bound, found=_describe(value)))
    return diagnostic(path, loc, "invalid-value", _(
        "{field} in {where} cannot be {found}").format(
            field=field, where=where, found=_describe(value)))


_INTEGER = frozenset({"int_type", "int_parsing", "int_from_float"})
_EXPECTED = {
    "int_type": N_("an integer"),
    "int_parsing": N_("an integer"),
    "int_from_float": N_("an integer"),
    "string_type": N_("text (quote it if it is meant as text)"),
    "list_type": N_("a list"),
    "dict_type": N_("a mapping"),
    "model_type": N_("a mapping"),
    "model_attributes_type": N_("a mapping"),
    "bool_type": N_("true or false"),
}
# Limits of a value (a percentage, an id, a non-empty text, a [old, new] pair), whole sentences.
_LIMITS = {
    "greater_than_equal": N_("{field} in {where} must be at least {limit}, got {found}"),
    "greater_than": N_("{field} in {where} must be greater than {limit}, got {found}"),
    "less_than_equal": N_("{field} in {where} must be at most {limit}, got {found}"),
    "less_than": N_("{field} in {where} must be less than {limit}, got {found}"),
    "string_too_short": N_("{field} in {where} must not be empty"),
    "too_short": N_("{field} in {where} must hold at least {limit} items, got {found}"),
    "too_long": N_("{field} in {where} must hold at most {limit} items, got {found}"),
}

# What models.py says of a date or time that is not one (PydanticCustomError "invalid_date"),
# as templates over the error's context: the same words, in the language of this run.
_DATE_PROBLEMS = (
    N_("'{value}' is not a real date ({reason})"),
    N_("expected a date written YYYY-MM-DD (e.g. 2018-12-31), got {value}"),
    N_("'{value}' is not a real time ({reason})"),
    N_("'{value}' has no UTC offset; write it like 2018-04-10T09:30:00+08:00"),
    N_("'{value}' is not written the way times are recorded (date, 'T', "
       "hours:minutes:seconds, UTC offset); write it as {fixed}"),
    N_("expected a time written like 2018-04-10T09:30:00+08:00, got {value}"),
)
# Why Python's date.fromisoformat / datetime.fromisoformat refuses a date or time of the right shape.
_DATE_REASONS = (
    N_("month must be in 1..12"),
    N_("day is out of range for month"),
    N_("year 0 is out of range"),
    N_("hour must be in 0..23"),
    N_("minute must be in 0..59"),
    N_("second must be in 0..59"),
)


def _date_problem(err: Any) -> str:
    """models.py's message for a bad date or time, translated (found by its template)."""
    ctx = dict(err.get("ctx") or {})
    for template in _DATE_PROBLEMS:
        try:
            if template.format(**ctx) != err["msg"]:
                continue
        except (KeyError, IndexError):
            continue
        reason = str(ctx.get("reason", ""))
        if reason:
            ctx["reason"] = _(reason) if reason in _DATE_REASONS else reason
        return _(template).format(**ctx)
    return str(err["msg"])


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
        return _("; did you mean '{meant}'? (the file takes the English value)").format(
            meant=meant)
    if value.isascii():
        return _("; did you mean '{meant}'?").format(meant=meant)
    zh = (STATUS_ZH if field == "status" else LEVEL_ZH)[meant]
    return _("; did you mean '{meant}' ({zh})? (the file takes the English value)").format(
        meant=meant, zh=zh)


def _describe(value: Any) -> str:
    if value is None:
        return _("nothing (null)")
    if isinstance(value, bool):
        return _("the boolean {value}").format(value=str(value).lower())
    if isinstance(value, str):
        shown = value if len(value) <= 40 else value[:37] + "..."
        return _("the text '{value}'").format(value=shown)
    if isinstance(value, int | float):
        return _("the number {value}").format(value=value)
    if isinstance(value, list):
        return _("a list")
    if isinstance(value, dict):
        return _("a mapping")
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
                words.append(_("history entry {n}").format(n=nxt + 1))
            else:
                ident = item.get("id") if isinstance(item, dict) else None
                if type(ident) is int:
                    named = _("task {id}") if key == "tasks" else _("voice {id}")
                    words.append(named.format(id=ident))
                else:
                    numbered = _("task #{n}") if key == "tasks" else _("voice #{n}")
                    words.append(numbered.format(n=nxt + 1))
            node = item
            i += 2
            continue
        if key in ("plan", "meeting") and i == 0:
            words.append(_("plan") if key == "plan" else _("meeting"))
        node = child
        i += 1
    if not words:
        return _("the file")
    where = words[0]
    for part in words[1:]:  # the innermost last: 'history entry 2' of 'task 3'
        where = _("{part} of {whole}").format(part=part, whole=where)
    return where


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
                _("id {id} is already used by task {ref}; ids are unique and never "
                  "reused: give this task the next free id").format(id=task.id, ref=first.ref),
            )


def unique_level_seq(ctx: RuleContext) -> Iterator[Diagnostic]:
    seen: dict[tuple[str, int], Task] = {}
    for i, task in ctx.tasks:
        first = seen.setdefault((task.level, task.seq), task)
        if first is not task:
            yield diagnostic(
                ctx.tasks_path, ("tasks", i, "seq"), "duplicate-seq",
                _("{level} seq {seq} is already used by task {id}; "
                  "each level numbers its tasks 1, 2, 3, ...").format(
                      level=task.level, seq=task.seq, id=first.id),
            )


def related_exist(ctx: RuleContext) -> Iterator[Diagnostic]:
    ids = ctx.task_ids or set()
    for i, task in ctx.tasks:
        for j, other in enumerate(task.related):
            if other == task.id:
                yield diagnostic(
                    ctx.tasks_path, ("tasks", i, "related", j), "self-reference",
                    _("task {id} lists itself as related; remove {other}").format(
                        id=task.id, other=other),
                )
            elif other not in ids:
                yield diagnostic(
                    ctx.tasks_path, ("tasks", i, "related", j), "unknown-task",
                    _("task {id} is related to task {other}, which does not exist").format(
                        id=task.id, other=other),
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
                    _("voice {id} bears on task {task}, which does not exist in {path}").format(
                        id=voice.id, task=task_id, path=ctx.tasks_path),
                )


def unique_voice_ids(ctx: RuleContext) -> Iterator[Diagnostic]:
    seen: set[int] = set()
    for i, voice in ctx.voices:
        if voice.id in seen:
            yield diagnostic(
                ctx.voices_path, ("voices", i, "id"), "duplicate-id",
                _("voice id {id} is used twice; give this statement a new id").format(id=voice.id),
            )
        seen.add(voice.id)


def history_in_order(ctx: RuleContext) -> Iterator[Diagnostic]:
    for i, task in ctx.tasks:
        for j in range(1, len(task.history)):
            before, entry = task.history[j - 1], task.history[j]
            if entry.at < before.at:
                yield diagnostic(
                    ctx.tasks_path, ("tasks", i, "history", j, "at"), "history-order",
                    _("history entry {n} of task {id} ({at}) is earlier than the entry before "
                      "it ({before}); history is kept in time order: move the entry to its "
                      "place").format(n=j + 1, id=task.id, at=entry.at.isoformat(),
                                      before=before.at.isoformat()),
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
                    _("task {id} is '{status}' but its history records no status change "
                      "(every task starts as 'todo'); record the change with "
                      "`reformctl update {id} --status {status} --note ...`").format(
                          id=task.id, status=task.status),
                    Severity.WARNING,
                )
            continue
        recorded = last.changes["status"][1]
        if recorded != task.status:
            yield diagnostic(
                ctx.tasks_path, ("tasks", i, "status"), "status-unrecorded",
                _("task {id} is '{status}' but its last recorded status change ({day}, {by}) "
                  "set '{recorded}'; record the change with "
                  "`reformctl update {id} --status {status} --note ...`").format(
                      id=task.id, status=task.status, day=last.at.date().isoformat(),
                      by=last.by, recorded=recorded),
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
            why = _("task {id} is 'done' but its progress is {progress}%; set the progress "
                    "to 100 or the status back: `reformctl update {id} --progress 100`")
        elif task.status == "todo" and progress > 0:
            why = _("task {id} is 'todo' but its progress is {progress}%; work has begun: "
                    "`reformctl update {id} --status in-progress`")
        elif task.status == "in-progress" and progress == 100:
            why = _("task {id} is 'in-progress' but its progress is 100%; if it is "
                    "finished: `reformctl update {id} --status done --evidence ...`")
        else:
            continue
        yield diagnostic(ctx.tasks_path, ("tasks", i, "progress"), "status-progress",
                         why.format(id=task.id, progress=progress), Severity.WARNING)


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
                    _("history entry {n} of task {id} is dated {at}, which is later than now; "
                      "a change is recorded once it has happened: correct the time").format(
                          n=j + 1, id=task.id, at=entry.at.isoformat()),
                )
            elif created is not None and entry.at < created.at:
                yield diagnostic(
                    ctx.tasks_path, ("tasks", i, "history", j, "at"), "history-before-creation",
                    _("history entry {n} of task {id} is dated {at}, before the task was created "
                      "({created}); correct the time").format(
                          n=j + 1, id=task.id, at=entry.at.isoformat(),
                          created=created.at.isoformat()),
                )


def done_has_evidence(ctx: RuleContext) -> Iterator[Diagnostic]:
    for i, task in ctx.tasks:
        if task.status == "done" and not any(e.evidence for e in task.history):
            yield diagnostic(
                ctx.tasks_path, ("tasks", i, "status"), "missing-evidence",
                _("task {id} is done but no evidence (佐证材料) is recorded; add it with "
                  "`reformctl update {id} --evidence DOCUMENT-OR-LINK`").format(id=task.id),
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
