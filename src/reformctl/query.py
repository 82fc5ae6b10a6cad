"""Pure queries over a :class:`~reformctl.models.Ledger`: words, filters, sorting, details.

Everything returns plain data (dicts of JSON-able values) or model objects; nothing prints.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

from .errors import NotFoundError, UsageError
from .models import LEVEL_WORDS, LEVELS, STATUS_WORDS, STATUSES, Ledger, Task, Voice

SORT_KEYS = ("id", "due", "status", "level", "progress")
_REF = re.compile(r"(?i)([dfg])([1-9][0-9]*)\Z")


def parse_level(word: str) -> str:
    level = LEVEL_WORDS.get(word.strip().lower()) or LEVEL_WORDS.get(word.strip())
    if level is None:
        raise UsageError(
            f"unknown level '{word}'; valid levels: "
            + ", ".join(f"{lv} ({zh})" for lv, zh in _zh(LEVELS, "level"))
        )
    return level


def parse_status(word: str) -> str:
    status = STATUS_WORDS.get(word.strip().lower()) or STATUS_WORDS.get(word.strip())
    if status is None:
        raise UsageError(
            f"unknown status '{word}'; valid statuses: "
            + ", ".join(f"{st} ({zh})" for st, zh in _zh(STATUSES, "status"))
        )
    return status


def _zh(values: Iterable[str], kind: str) -> list[tuple[str, str]]:
    from .models import LEVEL_ZH, STATUS_ZH

    names = LEVEL_ZH if kind == "level" else STATUS_ZH
    return [(v, names[v]) for v in values]


def parse_date(text: str, what: str = "date") -> date:
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise UsageError(f"{what} '{text}' is not a date; write it as YYYY-MM-DD") from None


def task_key(text: str) -> int | str:
    """Check the form of a task address: an id (``3``) or a ref (``D3``, ``f12``, ``G3``)."""
    text = text.strip()
    if text.isdigit() and int(text) > 0:
        return int(text)
    match = _REF.match(text)
    if match:
        return match.group(1).upper() + match.group(2)
    raise UsageError(
        f"'{text}' is not a task id or ref; write an id (3) or a level letter and number "
        "(D3 district, F3 federation, G3 grassroots)"
    )


def get_task(ledger: Ledger, text: str) -> Task:
    key = task_key(text)
    task = ledger.task(key)
    if task is None:
        raise NotFoundError(
            f"no task {key} in this ledger",
            hint="`reformctl list` shows every task with its id and ref",
        )
    return task


def get_voice(ledger: Ledger, text: str) -> Voice:
    if not text.strip().isdigit():
        raise UsageError(f"'{text}' is not a statement number; write a number such as 2")
    voice = ledger.voice(int(text))
    if voice is None:
        raise NotFoundError(
            f"no statement {text.strip()} in this ledger",
            hint="`reformctl voices` lists the statements with their numbers",
        )
    return voice


# ---------------------------------------------------------------------------------------------
# Filtering and sorting


@dataclass(frozen=True)
class TaskFilter:
    levels: frozenset[str] = frozenset()
    statuses: frozenset[str] = frozenset()
    owner: str | None = None  # case-insensitive substring of owner or a partner
    tags: frozenset[str] = frozenset()  # any of them, case-insensitive
    search: str | None = None  # case-insensitive substring of text, title or owner
    overdue_on: date | None = None  # due before this day and not done/dropped
    due_before: date | None = None  # due strictly before this day


def is_overdue(task: Task, on: date) -> bool:
    return task.due is not None and task.due < on and task.status not in ("done", "dropped")


def matches(task: Task, flt: TaskFilter) -> bool:
    if flt.levels and task.level not in flt.levels:
        return False
    if flt.statuses and task.status not in flt.statuses:
        return False
    if flt.owner is not None:
        needle = flt.owner.casefold()
        if not any(needle in unit.casefold() for unit in [task.owner or "", *task.partners]):
            return False
    if flt.tags and not {t.casefold() for t in task.tags} & {t.casefold() for t in flt.tags}:
        return False
    if flt.search is not None:
        needle = flt.search.casefold()
        haystack = " ".join(s for s in (task.text, task.title, task.owner) if s)
        if needle not in haystack.casefold():
            return False
    if flt.overdue_on is not None and not is_overdue(task, flt.overdue_on):
        return False
    return not (flt.due_before is not None and (task.due is None or task.due >= flt.due_before))


def select(tasks: Iterable[Task], flt: TaskFilter) -> list[Task]:
    return [t for t in tasks if matches(t, flt)]


def sort_tasks(tasks: list[Task], key: str = "id", reverse: bool = False) -> list[Task]:
    """Stable sort; tasks without the key's value come last either way; ties by id."""
    rank = {  # (value is missing, value, tie-break)
        "id": lambda t: (False, t.id, 0),
        "due": lambda t: (t.due is None, t.due or date.min, t.id),
        "status": lambda t: (False, STATUSES.index(t.status), t.id),
        "level": lambda t: (False, LEVELS.index(t.level), t.seq),
        "progress": lambda t: (t.progress is None, t.progress or 0, t.id),
    }[key]
    present = [t for t in tasks if not rank(t)[0]]
    missing = [t for t in tasks if rank(t)[0]]
    return sorted(present, key=rank, reverse=reverse) + sorted(missing, key=lambda t: t.id)


# ---------------------------------------------------------------------------------------------
# Plain-data views (what --format json prints, and what the text views are drawn from)


def task_record(task: Task) -> dict[str, Any]:
    """Every field of a task, JSON-ready, with its ``ref`` after the id."""
    data = task.model_dump(mode="json")
    return {"id": data.pop("id"), "ref": task.ref, **data}


def task_brief(task: Task) -> dict[str, Any]:
    return {
        "id": task.id, "ref": task.ref, "level": task.level, "status": task.status,
        "progress": task.progress, "due": task.due.isoformat() if task.due else None,
        "text": task.text,
    }


def voice_record(voice: Voice) -> dict[str, Any]:
    return voice.model_dump(mode="json")


def task_detail(ledger: Ledger, task: Task) -> dict[str, Any]:
    """A task whole: its fields, its related tasks and the statements that bear on it."""
    related = [ledger.task(i) for i in task.related]
    return {
        **task_record(task),
        "related_tasks": [task_brief(t) for t in related if t is not None],
        "voices": [
            {"id": v.id, "headline": v.headline, "speaker": v.speaker, "unit": v.unit}
            for v in ledger.voices_for(task.id)
        ],
    }


def voice_detail(ledger: Ledger, voice: Voice) -> dict[str, Any]:
    tasks = [ledger.task(i) for i in voice.tasks]
    return {
        **voice_record(voice),
        "linked_tasks": [task_brief(t) for t in tasks if t is not None],
    }


def history_records(ledger: Ledger, task: Task | None = None,
                    since: date | None = None) -> list[dict[str, Any]]:
    """History entries across tasks (or of one), newest first; ``since`` keeps that day on."""
    records = []
    for t in [task] if task is not None else ledger.tasks:
        for entry in t.history:
            if since is not None and entry.at.date() < since:
                continue
            records.append({"at": entry.at.isoformat(), "task": t.id, "ref": t.ref,
                            **entry.model_dump(mode="json", exclude={"at"})})
    order = sorted(range(len(records)),
                   key=lambda i: (_moment(records[i]["at"]), records[i]["task"], i), reverse=True)
    return [records[i] for i in order]


def _moment(text: str) -> Any:
    from datetime import datetime

    return datetime.fromisoformat(text)
