"""The report for a leadership meeting, as plain data: pure aggregation, no I/O, no formatting.

:func:`build_report` returns a dict of JSON-ready values whose key order is fixed; it is exactly
what ``reformctl report --format json`` prints (shape ``reformctl.report/1``, documented in the
README) and what every other report format is drawn from.

**As of a date.** The report shows the ledger as it stood at the end of the as-of day. A history
entry counts when ``entry.at.date()`` (the day in the entry's own UTC offset) is on or before that
day. Later entries are undone, newest first, by putting back the ``old`` value of each of their
``changes`` (``field: [old, new]``): a task's status, progress, due, owner (any recorded field)
are those it had on the day. A task whose creation is recorded after that day (an entry with
``status: [null, ...]``, as ``reformctl add`` writes) did not exist yet and is left out. Activity
and moved deadlines only see the counted entries.

Everything here is data (the files' values, English keys), the same in every language, except
the ``notes``: sentences for the reader about what could not be rolled back, in the run's
language.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, datetime
from typing import Any

from .i18n import _
from .models import LEVELS, STATUSES, HistoryEntry, Ledger, Task
from .query import TaskFilter, is_overdue, select, sort_tasks, task_brief

SCHEMA = "reformctl.report/1"
SINCE_DAYS = 30  # kept for callers; the default period is now the month before the as-of day

# Fields a history entry can change that are put back when it is undone (everything else in a
# task is its identity or the history itself).
_UNDOABLE = frozenset({
    "level", "seq", "text", "title", "owner", "partners", "due", "status", "progress", "tags",
    "related",
})


def default_since(as_of: date) -> date:
    """The first day of the period the report looks back on: the month before ``as_of``
    (:func:`reformctl.trend.default_period_start`: 2018-06-30 → 2018-06-01), or the first day
    there is (``0001-01-01``)."""
    from .trend import default_period_start

    if as_of < date(1, 2, 2):
        return date.min
    return default_period_start(as_of)


def build_report(ledger: Ledger, as_of: date, *, level: str | None = None,
                 since: date | None = None, source: dict[str, Any] | None = None,
                 every: str = "month") -> dict[str, Any]:
    """The whole report as plain data (the ``--format json`` shape).

    ``level`` restricts every section to one level; ``since`` starts the period the report
    looks back on (the ``period`` summary and the ``activity`` in it; default the month before
    ``as_of``); ``every`` spaces the ``trend``'s points (``month`` ends or ``week`` ends);
    ``source`` says where the ledger was read from (``{"ledger": ..., "origin": ...}``), shown in
    the report's head. ``trend`` is :func:`reformctl.trend.build_trend`'s series
    (``reformctl.trend/1``), ``period`` :func:`reformctl.trend.build_period`'s summary
    (``reformctl.period/1``), both restricted to ``level``.
    """
    from .trend import build_period, build_trend

    since = default_since(as_of) if since is None else since
    notes: list[str] = []
    states = [s for s in (_as_of(task, as_of, notes) for task in ledger.tasks) if s is not None]
    by_id = {s.task.id: s for s in states}
    chosen = [s for s in states if level is None or s.task.level == level]
    chosen_ids = {s.task.id for s in chosen}
    voices_for: dict[int, list[int]] = {}
    for voice in ledger.voices:
        for task_id in voice.tasks:
            voices_for.setdefault(task_id, []).append(voice.id)

    def full(state: _State) -> dict[str, Any]:
        return _full(state, as_of, by_id, voices_for)

    briefs: dict[int, dict[str, Any]] = {}

    def brief(state: _State) -> dict[str, Any]:
        # one dict per task, however many sections show it (read-only: shared, not copied)
        found = briefs.get(state.task.id)
        if found is None:
            found = briefs[state.task.id] = _brief(state, as_of)
        return found

    levels = [lv for lv in LEVELS if level is None or lv == level]
    tasks = [s.task for s in chosen]
    overdue = sort_tasks(select(tasks, TaskFilter(overdue_on=as_of)), "due")

    return {
        "schema": SCHEMA,
        "plan": ledger.plan.model_dump(mode="json"),
        "as_of": as_of.isoformat(),
        "since": since.isoformat(),
        "level": level,
        "source": source,
        "notes": notes,
        "totals": {
            "levels": [_totals(lv, [s.task for s in chosen if s.task.level == lv], as_of)
                       for lv in levels],
            "overall": _totals(None, tasks, as_of),
        },
        "overdue": [{**brief(by_id[t.id]), "days_overdue": (as_of - t.due).days}
                    for t in overdue if t.due is not None],
        "moved_deadlines": [m for m in (_moved(s) for s in chosen) if m is not None],
        "tasks": [
            {"level": lv, "tasks": [full(by_id[t.id]) for t in
                                    sort_tasks([s.task for s in chosen if s.task.level == lv],
                                               "level")]}
            for lv in levels
        ],
        "activity": _activity(chosen, since, as_of),
        "symposium": {
            "meeting": ledger.meeting.model_dump(mode="json") if ledger.meeting else None,
            "statements": [
                {
                    "id": v.id, "headline": v.headline, "speaker": v.speaker, "unit": v.unit,
                    "role": v.role,
                    "tasks": [brief(by_id[i]) for i in v.tasks if i in chosen_ids],
                }
                for v in ledger.voices
                if level is None or any(i in chosen_ids for i in v.tasks)
            ],
            "unaddressed": [brief(s) for s in _in_order(chosen) if s.task.id not in voices_for],
        },
        "related": [[brief(a), brief(b)] for a, b in _pairs(states, chosen_ids)],
        "trend": build_trend(ledger, as_of, every=every, level=level),
        "period": build_period(ledger, since, as_of, level=level),
    }


# ---------------------------------------------------------------------------------------------
# A task as of a day


class _State:
    """A task as it stood on the as-of day, and the history entries counted up to that day."""

    __slots__ = ("task", "history")

    def __init__(self, task: Task, history: list[HistoryEntry]):
        self.task = task
        self.history = history


def _as_of(task: Task, as_of: date, notes: list[str]) -> _State | None:
    """The task on the as-of day, or None when it was created later."""
    if all(e.at.date() <= as_of for e in task.history):
        return _State(task, task.history)  # the usual case: nothing to undo, nothing copied
    past = [e for e in task.history if e.at.date() <= as_of]
    later = [e for e in task.history if e.at.date() > as_of]
    if any(_created(e) for e in later):
        return None
    values = task.model_dump()
    for entry in reversed(later):  # newest first
        for name, (old, _new) in entry.changes.items():
            if name in _UNDOABLE:
                values[name] = old
    values["history"] = past
    rolled = _validated(task, values, notes)
    return _State(rolled, past)


def _created(entry: HistoryEntry) -> bool:
    """The entry records the task coming into being: its status changed from nothing."""
    change = entry.changes.get("status")
    return change is not None and change[0] is None


def _validated(task: Task, values: dict[str, Any], notes: list[str]) -> Task:
    """The rolled-back task; a recorded old value that is not valid for its field is left out."""
    from pydantic import ValidationError

    try:
        return Task.model_validate(values)
    except ValidationError:
        pass
    current = task.model_dump()
    kept = dict(current, history=values["history"])
    for name in sorted(_UNDOABLE):
        if values[name] == current[name]:
            continue
        try:
            Task.model_validate({**kept, name: values[name]})
        except ValidationError:
            notes.append(_(  # a sentence for the reader, in the run's language
                "task {ref}: the recorded earlier {name} {value} is not a valid value; the "
                "current {name} is shown instead").format(
                    ref=task.ref, name=name, value=repr(values[name])))
        else:
            kept[name] = values[name]
    return Task.model_validate(kept)


def _effective_progress(task: Task) -> int:
    """Progress for averages: a done task counts 100, a task with none recorded 0."""
    if task.status == "done":
        return 100
    return task.progress or 0


def _brief(state: _State, as_of: date) -> dict[str, Any]:
    task = state.task
    return {**task_brief(task), "owner": task.owner, "overdue": is_overdue(task, as_of)}


def _full(state: _State, as_of: date, by_id: dict[int, _State],
          voices_for: dict[int, list[int]]) -> dict[str, Any]:
    task = state.task
    overdue = is_overdue(task, as_of)
    return {
        **task_brief(task),
        "seq": task.seq,
        "title": task.title,
        "owner": task.owner,
        "partners": list(task.partners),
        "tags": list(task.tags),
        "overdue": overdue,
        "days_overdue": (as_of - task.due).days if overdue and task.due else None,
        "related": [by_id[i].task.ref for i in task.related if i in by_id],
        "voices": voices_for.get(task.id, []),
        "evidence": [item for e in state.history for item in e.evidence],
        "updated": state.history[-1].at.isoformat() if state.history else None,
    }


# ---------------------------------------------------------------------------------------------
# Sections


def _totals(level: str | None, tasks: Sequence[Task], as_of: date) -> dict[str, Any]:
    counts = {status: 0 for status in STATUSES}
    for task in tasks:
        counts[task.status] += 1
    counted = [t for t in tasks if t.status != "dropped"]
    return {
        "level": level,
        "tasks": len(tasks),
        "by_status": counts,
        "counted": len(counted),
        "done": counts["done"],
        "completion": _percent(counts["done"], len(counted)),
        "average_progress": (
            round(sum(_effective_progress(t) for t in counted) / len(counted), 1)
            if counted else None
        ),
        "overdue": sum(1 for t in tasks if is_overdue(t, as_of)),
    }


def _percent(part: int, whole: int) -> float | None:
    return round(100 * part / whole, 1) if whole else None


def _due_text(value: Any) -> str | None:
    """A recorded due value as ``YYYY-MM-DD`` (history keeps it as text), or None."""
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def _moved(state: _State) -> dict[str, Any] | None:
    """The task's deadline moves: every recorded change of ``due`` from one date to another.

    A first due date (``due: [null, 2018-05-31]``) is not a move; a due date taken away is (its
    ``days`` and ``direction`` are null). ``days`` is the new date minus the old one: positive
    when the deadline was put off (``direction: later``), negative when brought forward.
    """
    moves = []
    for e in state.history:
        if "due" not in e.changes:
            continue
        old, new = (_due_text(v) for v in e.changes["due"])
        if old is None or old == new:
            continue
        days = _days_between(old, new)
        moves.append({"at": e.at.isoformat(), "by": e.by, "from": old, "to": new,
                      "days": days,
                      "direction": None if not days else "later" if days > 0 else "earlier",
                      "note": e.note})
    if not moves:
        return None
    task = state.task
    return {
        "id": task.id, "ref": task.ref, "level": task.level, "status": task.status,
        "text": task.text,
        "original_due": moves[0]["from"],
        "current_due": task.due.isoformat() if task.due else None,
        "moves": moves,
    }


def _days_between(old: str, new: str | None) -> int | None:
    if new is None:
        return None
    try:
        return (date.fromisoformat(new) - date.fromisoformat(old)).days
    except ValueError:  # a hand-written value that is not a date
        return None


def _activity(states: Iterable[_State], since: date, as_of: date) -> list[dict[str, Any]]:
    found = [
        (entry, index, state.task)
        for state in states
        for index, entry in enumerate(state.history)
        if since <= entry.at.date() <= as_of
    ]
    # newest first; the same moment: lower task id first, later entry of one task first
    found.sort(key=lambda item: (item[0].at, -item[2].id, item[1]), reverse=True)
    return [
        {
            "at": entry.at.isoformat(),
            "task": {"id": task.id, "ref": task.ref, "level": task.level, "text": task.text},
            "by": entry.by,
            "changes": {name: [_plain(old), _plain(new)]
                        for name, (old, new) in entry.changes.items()},
            "note": entry.note,
            "evidence": list(entry.evidence),
        }
        for entry, _index, task in found
    ]


def _plain(value: Any) -> Any:
    if isinstance(value, date | datetime):
        return value.isoformat()
    return value


def _in_order(states: Iterable[_State]) -> list[_State]:
    """Level order (district, federation, grassroots), then number within the level."""
    return sorted(states, key=lambda s: (LEVELS.index(s.task.level), s.task.seq, s.task.id))


def _pairs(states: Sequence[_State], chosen: set[int]) -> list[tuple[_State, _State]]:
    """Each pair of related tasks once (either side may list the other), higher level first.

    With a level chosen, the pairs that have one side at that level.
    """
    by_id = {s.task.id: s for s in states}
    seen: set[tuple[int, int]] = set()
    pairs: list[tuple[_State, _State]] = []
    for state in _in_order(states):
        for other_id in state.task.related:
            other = by_id.get(other_id)
            if other is None:
                continue
            a, b = _in_order([state, other])
            key = (a.task.id, b.task.id)
            if key in seen or not ({a.task.id, b.task.id} & chosen):
                continue
            seen.add(key)
            pairs.append((a, b))
    return pairs
