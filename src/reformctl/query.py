"""Pure queries over a :class:`~reformctl.models.Ledger`: words, filters, sorting, details.

Everything returns plain data (dicts of JSON-able values) or model objects; nothing prints.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, Protocol

from .errors import NotFoundError, UsageError
from .i18n import N_, _
from .models import LEVELS, STATUSES, Ledger, Task, Voice, level_of, status_of

SORT_KEYS = ("id", "due", "status", "level", "progress")
_REF = re.compile(r"(?i)([dfg])([1-9][0-9]*)\Z")


def fold(text: str) -> str:
    """``text`` for matching: Unicode-normalised (full-width Ｇ３ is G3), stripped, case-folded."""
    return unicodedata.normalize("NFKC", text).strip().casefold()


def parse_level(word: str) -> str:
    """``district`` from any word of the one alias table (:data:`~reformctl.models.LEVEL_WORDS`):
    English, a letter (D/F/G), Chinese (区级, 区级层面, 基层工会级层面, ...) or a label any output
    prints ("Grassroots"), in any case, width and spacing."""
    level = level_of(word)
    if level is None:
        raise UsageError(
            _("unknown level '{word}'; valid levels: {levels}").format(
                word=word, levels=_valid(LEVELS, "level")),
            hint=_("the letters D, F, G work too, e.g. --level grassroots, --level 基层 or "
                   "--level G"),
        )
    return level


def parse_status(word: str) -> str:
    """``in-progress`` from any word of the one alias table
    (:data:`~reformctl.models.STATUS_WORDS`): English, Chinese (未开始/待办/进行中/已完成/受阻/
    已取消) or a label any output prints ("to do", "In progress"), in any case and spacing."""
    status = status_of(word)
    if status is None:
        raise UsageError(
            _("unknown status '{word}'; valid statuses: {statuses}").format(
                word=word, statuses=_valid(STATUSES, "status")),
            hint=_("e.g. --status in-progress or --status 进行中"),
        )
    return status


def _valid(values: Iterable[str], kind: str) -> str:
    """The file values with their Chinese names: ``district (区级), federation (区总工会), ...``."""
    from .models import LEVEL_ZH, STATUS_ZH

    names = LEVEL_ZH if kind == "level" else STATUS_ZH
    return _(", ").join(_("{value} ({name})").format(value=v, name=names[v]) for v in values)


# ---------------------------------------------------------------------------------------------
# Dates: one parser for every date option
#
# DATE     := YYYY-MM-DD | today | SIGN N UNIT | ANCHOR [SIGN N]
# DURATION := [+] N UNIT                     (--due-within)
# UNIT     := d | w | m | y                  (days, weeks, months, years; 天/日, 周, 月/个月, 年)
# ANCHOR   := sow | eow | som | eom | soq | eoq | soy | eoy
#             (start / end of the week, month, quarter, year the reference day is in;
#              月初, 月底/月末, 季初, 季末, 年初, 年底/年末; today: 今天)
#
# ``+2w`` is 14 days after the reference day, ``-3d`` 3 days before it; months and years keep the
# day of the month, or the month's last day when it has no such day (2018-01-31 +1m is
# 2018-02-28). ``eom+1`` is the end of the next month, ``soq-1`` the start of the previous
# quarter. Weeks run Monday to Sunday (ISO 8601), quarters January-March, April-June, ...
# Case, width (full-width ＋２ｗ) and spaces do not matter. The reference day is today unless the
# command says otherwise (``list`` counts from its --as-of).

_UNITS = {"d": "d", "天": "d", "日": "d", "w": "w", "周": "w", "m": "m", "月": "m", "个月": "m",
          "y": "y", "年": "y"}
_ANCHORS = {
    "sow": ("start", "w"), "eow": ("end", "w"),
    "som": ("start", "m"), "eom": ("end", "m"), "月初": ("start", "m"), "月底": ("end", "m"),
    "月末": ("end", "m"),
    "soq": ("start", "q"), "eoq": ("end", "q"), "季初": ("start", "q"), "季末": ("end", "q"),
    "soy": ("start", "y"), "eoy": ("end", "y"), "年初": ("start", "y"), "年底": ("end", "y"),
    "年末": ("end", "y"),
}
_TODAY_WORDS = frozenset({"today", "今天", "今日"})
_UNIT_WORDS = "|".join(sorted(_UNITS, key=len, reverse=True))
_OFFSET = re.compile(rf"([+-])([0-9]{{1,6}})({_UNIT_WORDS})\Z")
_DURATION = re.compile(rf"\+?([0-9]{{1,6}})({_UNIT_WORDS})\Z")
_ANCHORED = re.compile(r"(?P<anchor>[a-z]+|[\u4e00-\u9fff]+)(?:(?P<sign>[+-])(?P<n>[0-9]{1,6}))?\Z")
_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}\Z")
_DATE_HINT = N_("write dates as YYYY-MM-DD, e.g. 2018-12-31, or relative: today, +2w, -3d, eom, "
                 "eoy")


def today() -> date:
    """The day relative dates count from when no other day is given (tests replace this)."""
    return date.today()


def _words(text: str) -> str:
    """``text`` as the date grammar reads it: NFKC (full-width forms), case-folded, no spaces."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text)).casefold()


def is_relative(text: str) -> bool:
    """``text`` is a date written relative to a day (``today``, ``+2w``, ``eom``), not
    ``YYYY-MM-DD``."""
    return not _DATE.match(_words(text))


def parse_date(text: str, what: str = "date", *, relative_to: date | None = None) -> date:
    """A date from the command line: ``YYYY-MM-DD`` or a relative date (see the grammar above)
    counted from ``relative_to`` (default: :func:`today`). ``what`` names the option in the
    message."""
    value = _words(text)
    if _DATE.match(value):
        try:
            return date.fromisoformat(value)
        except ValueError as exc:
            raise UsageError(
                _("{what} '{text}' is not a real date ({reason})").format(
                    what=what, text=text, reason=exc),
                hint=_(_DATE_HINT)) from None
    base = today() if relative_to is None else relative_to
    try:
        found = _relative(value, base)
    except (OverflowError, ValueError):
        raise UsageError(_("{what} '{text}' is too far from {day}").format(
            what=what, text=text, day=base.isoformat()), hint=_(_DATE_HINT)) from None
    if found is None:
        raise UsageError(_("{what} '{text}' is not a date").format(what=what, text=text),
                         hint=_(_DATE_HINT))
    return found


def _relative(value: str, base: date) -> date | None:
    if value in _TODAY_WORDS:
        return base
    offset = _OFFSET.match(value)
    if offset:
        sign, count, unit = offset.groups()
        return shift(base, int(count) * (1 if sign == "+" else -1), _UNITS[unit])
    anchored = _ANCHORED.match(value)
    if anchored and anchored["anchor"] in _ANCHORS:
        edge, period = _ANCHORS[anchored["anchor"]]
        steps = int(anchored["n"] or 0) * (-1 if anchored["sign"] == "-" else 1)
        start = period_start(base, period)
        if steps:
            start = shift(start, steps * (3 if period == "q" else 1),
                          "m" if period == "q" else period)
        return start if edge == "start" else period_end(start, period)
    return None


def shift(day: date, count: int, unit: str) -> date:
    """``day`` moved by ``count`` days (``d``), weeks (``w``), months (``m``) or years (``y``); a
    month or year shift that lands past the end of a month stops at its last day."""
    from datetime import timedelta

    if unit == "d":
        return day + timedelta(days=count)
    if unit == "w":
        return day + timedelta(weeks=count)
    months = count * (12 if unit == "y" else 1)
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    return date(year, month + 1, min(day.day, _month_days(year, month + 1)))


def _month_days(year: int, month: int) -> int:
    import calendar

    return calendar.monthrange(year, month)[1]


def period_start(day: date, period: str) -> date:
    """The first day of the week (Monday), month, quarter or year (``w m q y``) ``day`` is in."""
    from datetime import timedelta

    if period == "w":
        return day - timedelta(days=day.weekday())
    if period == "m":
        return day.replace(day=1)
    if period == "q":
        return date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)
    return date(day.year, 1, 1)


def period_end(day: date, period: str) -> date:
    """The last day of the week (Sunday), month, quarter or year (``w m q y``) ``day`` is in."""
    from datetime import timedelta

    if period == "w":
        return day + timedelta(days=6 - day.weekday())
    if period == "m":
        return day.replace(day=_month_days(day.year, day.month))
    if period == "q":
        last = 3 * ((day.month - 1) // 3) + 3
        return date(day.year, last, _month_days(day.year, last))
    return date(day.year, 12, 31)


def parse_duration(text: str, what: str = "duration") -> tuple[int, str]:
    """A span such as ``14d``, ``2w``, ``1m`` (``+`` allowed): (count, unit)."""
    found = _DURATION.match(_words(text))
    if found is None:
        raise UsageError(_("{what} '{text}' is not a span of time").format(what=what, text=text),
                         hint=_("write a number and d, w, m or y (days, weeks, months, years), "
                                "e.g. 14d, 2w, 1m"))
    return int(found[1]), _UNITS[found[2]]


def task_key(text: str) -> int | str:
    """Check the form of a task address: an id (``3``) or a ref (``D3``, ``f12``, ``G3``)."""
    value = unicodedata.normalize("NFKC", text).strip()
    if value.isascii() and value.isdecimal() and int(value) > 0:
        return int(value)
    match = _REF.match(value)
    if match and value.isascii():
        return match.group(1).upper() + str(int(match.group(2)))
    raise UsageError(_("'{text}' is not a task id or ref").format(text=text),
                     hint=_("write an id such as 22, or a level letter and number: D3 "
                            "(district), F3 (federation), G3 (grassroots)"))


class TaskSource(Protocol):
    """Anything that finds a task by id or ref: a :class:`Ledger`, or the index a write uses."""

    def task(self, key: int | str) -> Task | None: ...


def get_task(ledger: TaskSource, text: str) -> Task:
    """The task ``text`` addresses; UsageError for a malformed address, NotFoundError if absent."""
    key = task_key(text)
    task = ledger.task(key)
    if task is None:
        raise NotFoundError(
            _("no task {key} in this ledger").format(key=key),
            hint=_("`reformctl list` shows every task with its id and ref"),
        )
    return task


def voice_key(text: str) -> int:
    """Check the form of a statement number (``2``)."""
    value = unicodedata.normalize("NFKC", text).strip()
    if not (value.isascii() and value.isdecimal() and int(value) > 0):
        raise UsageError(_("'{text}' is not a statement number").format(text=text),
                         hint=_("write a number such as 2; `reformctl voices` lists them"))
    return int(value)


def get_voice(ledger: Ledger, text: str) -> Voice:
    """The statement numbered ``text``; UsageError if it is not a number, NotFoundError if absent."""
    number = voice_key(text)
    voice = ledger.voice(number)
    if voice is None:
        raise NotFoundError(
            _("no statement {number} in this ledger").format(number=number),
            hint=_("`reformctl voices` lists the statements with their numbers"),
        )
    return voice


# ---------------------------------------------------------------------------------------------
# Filtering and sorting


@dataclass(frozen=True)
class TaskFilter:
    """What ``reformctl list`` keeps. Every given criterion must hold (they narrow one another):
    a task has one level and one status, so of several levels or statuses it matches any; every
    text criterion given (each owner, each search text, each tag) must match.

    Text criteria match case-insensitively after Unicode normalisation (NFKC), so full-width and
    half-width forms (``＋``/``+``, ``Ａ``/``A``) are the same.
    """

    levels: frozenset[str] = frozenset()  # any of them
    statuses: frozenset[str] = frozenset()  # any of them
    owner: tuple[str, ...] = ()  # each a substring of the owner or of a partner
    tags: frozenset[str] = frozenset()  # every one of them (a tag matches whole, not in part)
    search: tuple[str, ...] = ()  # each a substring of the text, title or owner
    overdue_on: date | None = None  # due before this day and not done or dropped
    due_before: date | None = None  # due strictly before this day (tasks with no due: never)
    due_after: date | None = None  # due strictly after this day (tasks with no due: never)
    due_by: date | None = None  # not done or dropped, and due on or before this day (overdue too)


def task_filter(*, levels: Iterable[str] = (), statuses: Iterable[str] = (),
                owner: str | Iterable[str] | None = None, tags: Iterable[str] = (),
                search: str | Iterable[str] | None = None,
                overdue_on: date | None = None, due_before: date | None = None,
                due_after: date | None = None, due_by: date | None = None) -> TaskFilter:
    """A :class:`TaskFilter` from command-line words: levels and statuses in English or Chinese.

    Raises :class:`UsageError` for an unknown level or status, or an empty text criterion.
    """
    owners = (owner,) if isinstance(owner, str) else tuple(owner or ())
    searches = (search,) if isinstance(search, str) else tuple(search or ())
    for option, value in (*(("--owner", o) for o in owners), *(("--search", s) for s in searches),
                          *(("--tag", t) for t in tags)):
        if not fold(value):
            raise UsageError(_("{option} needs some text").format(option=option),
                             hint=_("e.g. {example}").format(
                                 example=f"{option} {_EXAMPLE[option]}"))
    return TaskFilter(
        levels=frozenset(parse_level(v) for v in levels),
        statuses=frozenset(parse_status(v) for v in statuses),
        owner=owners,
        tags=frozenset(tags),
        search=searches,
        overdue_on=overdue_on,
        due_before=due_before,
        due_after=due_after,
        due_by=due_by,
    )


_EXAMPLE = {"--owner": "组织部", "--search": "经费", "--tag": "funding"}


def is_overdue(task: Task, on: date) -> bool:
    """Past its due date on day ``on`` (due that very day is not overdue) and not done/dropped."""
    return task.due is not None and task.due < on and task.status not in ("done", "dropped")


def matches(task: Task, flt: TaskFilter) -> bool:
    if flt.levels and task.level not in flt.levels:
        return False
    if flt.statuses and task.status not in flt.statuses:
        return False
    for owner in flt.owner:
        needle = fold(owner)
        if not any(needle in fold(unit) for unit in [task.owner or "", *task.partners]):
            return False
    if flt.tags and not {fold(t) for t in flt.tags} <= {fold(t) for t in task.tags}:
        return False
    for search in flt.search:
        needle = fold(search)
        if not any(needle in fold(s) for s in (task.text, task.title, task.owner) if s):
            return False
    if flt.overdue_on is not None and not is_overdue(task, flt.overdue_on):
        return False
    if flt.due_before is not None and (task.due is None or task.due >= flt.due_before):
        return False
    if flt.due_after is not None and (task.due is None or task.due <= flt.due_after):
        return False
    return flt.due_by is None or is_open_and_due_by(task, flt.due_by)


def is_open_and_due_by(task: Task, day: date) -> bool:
    """Not done or dropped, and due on or before ``day``: what must be done by then, the tasks
    already overdue included (``list --due-within``)."""
    return task.due is not None and task.due <= day and task.status not in ("done", "dropped")


def select(tasks: Iterable[Task], flt: TaskFilter) -> list[Task]:
    """The tasks that match ``flt``, in their order."""
    return [t for t in tasks if matches(t, flt)]


def sort_tasks(tasks: list[Task], key: str = "id", reverse: bool = False) -> list[Task]:
    """Sorted by ``key`` (one of :data:`SORT_KEYS`); ``reverse`` turns the whole order round.

    Ties keep id order (for ``level``: the number within the level). Tasks without a value for
    the key (no due date, no progress) come last, in id order, whether reversed or not.
    """
    if key not in SORT_KEYS:
        raise UsageError(_("cannot sort by '{key}'; valid keys: {keys}").format(
            key=key, keys=", ".join(SORT_KEYS)))
    rank: Callable[[Task], tuple[bool, Any, int]] = {  # (value is missing, value, tie-break)
        "id": lambda t: (False, t.id, 0),
        "due": lambda t: (t.due is None, t.due or date.min, t.id),
        "status": lambda t: (False, STATUSES.index(t.status), t.id),
        "level": lambda t: (False, LEVELS.index(t.level), t.seq),
        "progress": lambda t: (t.progress is None, t.progress or 0, t.id),
    }[key]
    present = [t for t in tasks if not rank(t)[0]]
    missing = [t for t in tasks if rank(t)[0]]
    return sorted(present, key=rank, reverse=reverse) + sorted(missing, key=lambda t: t.id)


def list_tasks(tasks: Iterable[Task], flt: TaskFilter, sort: str = "id", reverse: bool = False,
               limit: int | None = None) -> list[Task]:
    """``reformctl list``: filter, sort, then keep the first ``limit`` (``0`` keeps none)."""
    if limit is not None and limit < 0:
        raise UsageError(_("--limit {limit} is negative").format(limit=limit),
                         hint=_("give a count such as --limit 10"))
    chosen = sort_tasks(select(tasks, flt), sort, reverse)
    return chosen if limit is None else chosen[:limit]


GROUP_KEYS = ("owner", "level", "status")


def group_tasks(tasks: Sequence[Task], by: str) -> list[tuple[str | None, list[Task]]]:
    """``tasks`` (already filtered and sorted) in groups by ``by`` (one of :data:`GROUP_KEYS`),
    each group keeping their order: ``[(key, tasks), ...]``.

    Levels and statuses come in the plan's order of those values. Owners (the lead unit, so that
    each unit gets the list of what it leads) come in the order their first task comes in the
    listing, so that with ``--sort due`` the unit with the most urgent task comes first (names are
    never a sort key); the tasks with no owner come last, under the key None.
    """
    if by not in GROUP_KEYS:
        raise UsageError(_("cannot group by '{key}'; valid keys: {keys}").format(
            key=by, keys=", ".join(GROUP_KEYS)))
    groups: dict[str | None, list[Task]] = {}
    if by == "level":
        groups = {level: [] for level in LEVELS}
    elif by == "status":
        groups = {status: [] for status in STATUSES}
    for task in tasks:
        key = ((task.owner or "").strip() or None if by == "owner"
               else task.level if by == "level" else task.status)
        groups.setdefault(key, []).append(task)
    if None in groups:
        groups[None] = groups.pop(None)  # no owner: last
    return [(key, found) for key, found in groups.items() if found]


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


def related_tasks(ledger: Ledger, task: Task) -> list[Task]:
    """Tasks that carry the same work: those ``task`` names and those naming it, in id order."""
    ids = set(task.related) | {t.id for t in ledger.tasks if task.id in t.related}
    found = (ledger.task(i) for i in sorted(ids - {task.id}))
    return [t for t in found if t is not None]


def task_detail(ledger: Ledger, task: Task) -> dict[str, Any]:
    """A task whole: its fields, its related tasks and the statements that bear on it."""
    return {
        **task_record(task),
        "related_tasks": [task_brief(t) for t in related_tasks(ledger, task)],
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
