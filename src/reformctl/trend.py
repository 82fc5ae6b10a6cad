"""Progress over time, as plain data: the trend of completion and what changed in a period.

Pure aggregation, no I/O, no formatting, like :mod:`reformctl.reports` (whose roll-back it uses:
a task "as of a day" is exactly what the report shows for that day).

**The trend** (:func:`build_trend`, shape ``reformctl.trend/1``): the report's totals (per level
and overall: tasks, by status, counted, done, completion, average progress, overdue) at a series
of days: the plan's start, every month end (or week end, Sunday) after it, and the as-of day. The
plan starts on ``plan.approved``, else on the day of the earliest history entry, else on the
as-of day. The totals at each point are, field for field, the ``totals`` of
``build_report(ledger, day)`` (``reformctl report --as-of DAY --format json``)::

    {
      "schema": "reformctl.trend/1",
      "every": "month",              # or "week"
      "start": "2018-04-10",         # the first point
      "as_of": "2018-12-31",         # the last point
      "level": null,                 # or the one level the totals are restricted to
      "notes": [],                   # sentences: recorded values that could not be rolled back
      "points": [
        {"date": "2018-04-10", "totals": {"levels": [{...}, {...}, {...}], "overall": {...}}},
        {"date": "2018-04-30", "totals": {...}},
        ...
      ]
    }

**The period summary** (:func:`build_period`, shape ``reformctl.period/1``): what changed from the
end of the day before ``since`` to the end of ``as_of`` (both days in the period), found by
comparing the ledger as of those two days and reading the history entries of the period. See
:func:`build_period` for its shape.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Sequence
from datetime import date, timedelta
from typing import Any

from .models import LEVELS, Ledger, Task
from .query import is_overdue, period_end, shift, task_brief

TREND_SCHEMA = "reformctl.trend/1"
PERIOD_SCHEMA = "reformctl.period/1"
EVERY = ("month", "week")
MAX_POINTS = 260  # the latest points of a longer series: 21 years of months, 5 years of weeks


# ---------------------------------------------------------------------------------------------
# The ledger as of a day, once per task and state


class _Timeline:
    """Every task of a ledger as of any day, each distinct state rolled back once.

    A task's state as of a day depends only on which of its history entries count (those on or
    before the day, each on its own date in its own UTC offset), that is on how many of the
    distinct dates of its entries are on or before the day: the roll-back is asked once per such
    count, however many days are asked for.
    """

    def __init__(self, ledger: Ledger) -> None:
        self.ledger = ledger
        self.notes: list[str] = []
        self._dates = [sorted({e.at.date() for e in t.history}) for t in ledger.tasks]
        self._states: dict[tuple[int, int], Task | None] = {}

    def tasks(self, day: date) -> list[Task]:
        """The tasks that existed at the end of ``day``, as they stood then, in file order."""
        found = []
        for index in range(len(self.ledger.tasks)):
            state = self.task(index, day)
            if state is not None:
                found.append(state)
        return found

    def task(self, index: int, day: date) -> Task | None:
        task = self.ledger.tasks[index]
        dates = self._dates[index]
        counted = bisect_right(dates, day)
        if counted == len(dates):
            return task  # nothing to undo
        key = (index, counted)
        if key not in self._states:
            from .reports import _as_of  # the report's own roll-back (see the module's notes)

            notes: list[str] = []
            state = _as_of(task, day, notes)
            self._states[key] = None if state is None else state.task
            self.notes += [n for n in notes if n not in self.notes]
        return self._states[key]


def _totals(tasks: Sequence[Task], day: date, level: str | None) -> dict[str, Any]:
    """The report's ``totals`` for these tasks (as of ``day``), restricted to ``level``."""
    from .reports import _totals as totals

    chosen = [t for t in tasks if level is None or t.level == level]
    return {
        "levels": [totals(lv, [t for t in chosen if t.level == lv], day)
                   for lv in LEVELS if level is None or lv == level],
        "overall": totals(None, chosen, day),
    }


# ---------------------------------------------------------------------------------------------
# The trend


def plan_start(ledger: Ledger) -> date | None:
    """The day the plan starts: ``plan.approved``, else the earliest history entry's day (in its
    own offset), else None."""
    if ledger.plan.approved is not None:
        return ledger.plan.approved
    days = [e.at.date() for t in ledger.tasks for e in t.history]
    return min(days) if days else None


def trend_days(start: date, as_of: date, every: str = "month") -> list[date]:
    """``start``, each month end (``every="week"``: each Sunday) after it and before ``as_of``,
    and ``as_of``; just ``as_of`` when it is not after ``start``."""
    if every not in EVERY:
        raise ValueError(f"every must be one of {EVERY}, not {every!r}")
    if as_of <= start:
        return [as_of]
    period = "m" if every == "month" else "w"
    days = [start]
    end = period_end(start, period)
    while end < as_of:
        if end > start:
            days.append(end)
        end = period_end(end + timedelta(days=1), period)
    days.append(as_of)
    return days


def build_trend(ledger: Ledger, as_of: date, *, every: str = "month", level: str | None = None,
                start: date | None = None) -> dict[str, Any]:
    """The trend of completion from the plan's start (or ``start``) to ``as_of`` (the module's
    docstring has the shape); at most :data:`MAX_POINTS` points, the latest (``start`` in the
    result is the first point's day). ``level`` restricts the totals to one level, as the report's
    ``--level`` does."""
    first = start if start is not None else plan_start(ledger)
    days = trend_days(first if first is not None else as_of, as_of, every)[-MAX_POINTS:]
    timeline = _Timeline(ledger)
    points = [{"date": day.isoformat(), "totals": _totals(timeline.tasks(day), day, level)}
              for day in days]
    return {
        "schema": TREND_SCHEMA,
        "every": every,
        "start": days[0].isoformat(),
        "as_of": as_of.isoformat(),
        "level": level,
        "notes": timeline.notes,
        "points": points,
    }


# ---------------------------------------------------------------------------------------------
# The period summary


def default_period_start(as_of: date) -> date:
    """The first day of the month before ``as_of``: the day after the same day a month earlier
    (``2018-06-30`` → ``2018-06-01``; ``2018-06-15`` → ``2018-05-16``; the last day there is,
    ``9999-12-31``, → ``9999-12-01``)."""
    if as_of == date.max:
        return date(as_of.year, as_of.month, 1)
    return shift(as_of + timedelta(days=1), -1, "m")


# Each status change the summary names: (key, the status it ends in, the statuses it leaves).
# "started" is leaving todo (or coming into being) for in-progress; the others are reaching the
# status from any other (or from nothing).
_MOVES: tuple[tuple[str, str, frozenset[str | None]], ...] = (
    ("completed", "done", frozenset({None, "todo", "in-progress", "blocked", "dropped"})),
    ("started", "in-progress", frozenset({None, "todo"})),
    ("blocked", "blocked", frozenset({None, "todo", "in-progress", "done", "dropped"})),
    ("dropped", "dropped", frozenset({None, "todo", "in-progress", "done", "blocked"})),
)


def build_period(ledger: Ledger, since: date, as_of: date, *,
                 level: str | None = None) -> dict[str, Any]:
    """What changed in the period ``since`` .. ``as_of`` (both days included).

    The start is the ledger as of the day before ``since`` (its end), the end the ledger as of
    ``as_of``; both are what ``report --as-of`` shows for those days. A task is

    * ``completed`` when it is done at the end and was not at the start (or did not exist);
    * ``started`` when it is in progress at the end and was to do at the start (or did not exist);
    * ``blocked`` / ``dropped`` when it has that status at the end and had another at the start;
    * ``reopened`` when it was done at the start and is neither done nor dropped at the end;
    * ``added`` when it came into being in the period;
    * ``became_overdue`` when it is overdue at the end and was not at the start;

    ``deadlines_moved`` are the due-date changes recorded in the period (each task once, with
    its due at the start and at the end and every move, each as the report's moves: ``at, by,
    from, to, days, direction, note``; a first due date is not a move), ``evidence_added`` the evidence
    recorded in the period (each task once, every item with when and by whom). The lists of
    tasks are in the plan's order (level, then number), ``became_overdue`` by due date. Each
    task is the report's brief form (id, ref, level, status, progress, due, text, owner,
    overdue) as of the end, with ``from`` (its status at the start, or null) and ``at`` (the
    time of the period's last change of its status, or null) where a status is what changed.

    ``totals`` has the report's totals at the start and at the end; ``counts`` the length of
    every list. ``level`` restricts everything to one level.
    """
    if since > as_of:
        raise ValueError("since is after as_of")
    before = since - timedelta(days=1) if since > date.min else since
    timeline = _Timeline(ledger)
    start = {t.id: t for t in timeline.tasks(before) if level is None or t.level == level
             } if since > date.min else {}
    end = [t for t in timeline.tasks(as_of) if level is None or t.level == level]
    end = sorted(end, key=lambda t: (LEVELS.index(t.level), t.seq, t.id))
    originals = {t.id: t for t in ledger.tasks}

    def in_period(task: Task) -> list[Any]:
        return [e for e in originals[task.id].history if since <= e.at.date() <= as_of]

    def brief(task: Task) -> dict[str, Any]:
        return {**task_brief(task), "owner": task.owner, "overdue": is_overdue(task, as_of)}

    def status_move(task: Task) -> dict[str, Any]:
        old = start.get(task.id)
        changes = [e for e in in_period(task) if "status" in e.changes]
        return {**brief(task), "from": old.status if old is not None else None,
                "at": changes[-1].at.isoformat() if changes else None}

    lists: dict[str, list[dict[str, Any]]] = {key: [] for key, _s, _f in _MOVES}
    lists["reopened"] = []
    lists["added"] = []
    overdue: list[Task] = []
    moved: list[dict[str, Any]] = []
    evidence: list[dict[str, Any]] = []
    for task in end:
        old = start.get(task.id)
        was = old.status if old is not None else None
        for key, status, leaves in _MOVES:
            if task.status == status and was in leaves:
                lists[key].append(status_move(task))
        if was == "done" and task.status not in ("done", "dropped"):
            lists["reopened"].append(status_move(task))
        if old is None:
            lists["added"].append(brief(task))
        if is_overdue(task, as_of) and not (old is not None and is_overdue(old, before)):
            overdue.append(task)
        entries = in_period(task)
        moves = [_move(e) for e in entries
                 if "due" in e.changes and _day(e.changes["due"][0]) is not None
                 and _day(e.changes["due"][0]) != _day(e.changes["due"][1])]
        if moves:
            moved.append({**brief(task),
                          "due_at_start": _day(old.due) if old is not None else None,
                          "moves": moves})
        items = [{"at": e.at.isoformat(), "by": e.by, "item": item}
                 for e in entries for item in e.evidence]
        if items:
            evidence.append({**brief(task), "evidence": items})
    became_overdue = [{**brief(t), "days_overdue": (as_of - t.due).days}
                      for t in sorted(overdue, key=lambda t: (t.due, t.id)) if t.due is not None]
    sections: dict[str, list[dict[str, Any]]] = {
        "completed": lists["completed"],
        "started": lists["started"],
        "blocked": lists["blocked"],
        "dropped": lists["dropped"],
        "reopened": lists["reopened"],
        "added": lists["added"],
        "became_overdue": became_overdue,
        "deadlines_moved": moved,
        "evidence_added": evidence,
    }
    return {
        "schema": PERIOD_SCHEMA,
        "since": since.isoformat(),
        "as_of": as_of.isoformat(),
        "level": level,
        "notes": timeline.notes,
        "totals": {"start": _totals(list(start.values()), before, level),
                   "end": _totals(end, as_of, level)},
        "counts": {key: len(items) for key, items in sections.items()},
        **sections,
    }


def _move(entry: Any) -> dict[str, Any]:
    """A deadline move as the report writes it (``moved_deadlines[].moves[]``)."""
    from .reports import _days_between

    old, new = (_day(v) for v in entry.changes["due"])
    days = _days_between(old, new) if old is not None else None
    return {"at": entry.at.isoformat(), "by": entry.by, "from": old, "to": new, "days": days,
            "direction": None if not days else "later" if days > 0 else "earlier",
            "note": entry.note}


def _day(value: Any) -> str | None:
    """A due date (a date, or text as history records it) as ``YYYY-MM-DD``, or None."""
    from .reports import _due_text

    return _due_text(value)
