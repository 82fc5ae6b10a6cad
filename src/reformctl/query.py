"""Pure queries over a :class:`~reformctl.models.Ledger`: words, filters, sorting, details.

Everything returns plain data (dicts of JSON-able values) or model objects; nothing prints.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any, Protocol

from .errors import NotFoundError, UsageError
from .i18n import _
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


def parse_date(text: str, what: str = "date") -> date:
    """A ``YYYY-MM-DD`` date from the command line (``what`` names the option in the message)."""
    value = unicodedata.normalize("NFKC", text).strip()
    if not _DATE.match(value):
        raise UsageError(_("{what} '{text}' is not a date").format(what=what, text=text),
                         hint=_("write dates as YYYY-MM-DD, e.g. 2018-12-31"))
    try:
        return date.fromisoformat(value)
    except ValueError as exc:
        raise UsageError(
            _("{what} '{text}' is not a real date ({reason})").format(
                what=what, text=text, reason=exc),
            hint=_("write dates as YYYY-MM-DD, e.g. 2018-12-31")) from None


_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}\Z")


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


def task_filter(*, levels: Iterable[str] = (), statuses: Iterable[str] = (),
                owner: str | Iterable[str] | None = None, tags: Iterable[str] = (),
                search: str | Iterable[str] | None = None,
                overdue_on: date | None = None, due_before: date | None = None) -> TaskFilter:
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
    return not (flt.due_before is not None and (task.due is None or task.due >= flt.due_before))


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
