"""``reformctl report``: the report as one document (:mod:`.document`), and the dispatch to the
writers that draw it.

:func:`build_document` turns :func:`reformctl.reports.build_report`'s data into a format-neutral
tree: sections, paragraphs, head fields, tables of typed cells (text, date, number, percent,
task reference, status, link, list) and the chart's data. It is the one place that knows the
report's sections and columns; a writer per format draws the tree: ``text`` (rich, the terminal
and plain text, :mod:`.report_text`), ``markdown`` (GitHub, :mod:`.report_markdown`), ``html``
(one self-contained file, :mod:`.report_html`), ``xlsx`` (openpyxl, :mod:`.report_xlsx`),
``docx`` (python-docx, the layout of official documents, :mod:`.report_docx`) and ``csv`` (one
row per task, :mod:`.report_csv`). ``json`` is the data itself (shape ``reformctl.report/1``).

Every label is in :data:`LABELS`, an English message translated with the catalog where the tree
is built, in the run's language (:func:`reformctl.i18n.current`). Nothing here or in a writer
reads the clock, the locale or the environment: the same report data in the same language gives
the same bytes (binary formats take their stamps from the as-of day).

Languages: every format but ``json`` is in the report's language (in Chinese, dates in the head
are written 2018年6月30日, punctuation is full-width; table cells keep ``YYYY-MM-DD``). ``csv``
has its headers in the report's language and, in the level and status columns, the files'
values (``grassroots``, ``in-progress``), as ``reformctl list --format csv`` has.

Text from the data stays literal in every format: each writer escapes for its format (rich
``Text``, markdown escapes, HTML escapes, string-typed spreadsheet cells, docx runs).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from typing import Any

from ..errors import ReformctlError
from ..i18n import N_, _, ngettext
from ..models import STATUSES
from . import cell_text, day_text, tr, when
from .document import (
    Cell,
    Chart,
    ChartBar,
    Column,
    Document,
    Fields,
    LineChart,
    Para,
    Row,
    Section,
    Series,
    Table,
    is_address,
)

LANGS = ("zh", "en")
TEXT_WIDTH = 100  # columns of the text report when it is not drawn on a terminal

# ---------------------------------------------------------------------------------------------
# Labels: every word the report prints that is not data, in one place. The messages are English
# (marked for the catalog with N_) and translated with the catalog where they are drawn, in the
# run's language (reformctl.i18n.current(): --lang, $REFORMCTL_LANG, the locale). A message that
# would be one English word for two Chinese ones names its context before a "|" (render.tr).

LABELS: dict[str, str] = {
    "report": N_("Progress report"),
    "as_of": N_("As of"),
    "source": N_("Data"),
    "document": N_("Source document"),
    "approved": N_("Plan approved"),
    "unit": N_("Unit"),
    "level_only": N_("Only"),
    "activity_since": N_("Activity since"),
    "notes": N_("Notes"),
    # sections
    "s_totals": N_("1. Completion"),
    "s_overdue": N_("2. Overdue tasks"),
    "s_moved": N_("3. Deadlines moved"),
    "s_tasks": N_("4. All tasks"),
    "s_activity": N_("5. What changed in the period"),
    "s_trend": N_("Completion over time"),
    "trend_month": N_("Completion at the plan's start, at every month end and on the as-of day, "
                      "each as the report for that day gives it."),
    "trend_week": N_("Completion at the plan's start, at every week end (Sunday) and on the "
                     "as-of day, each as the report for that day gives it."),
    "period_span": N_("From {since} to {as_of}, both days included."),
    "s_period_all": N_("Every change recorded"),
    "change": N_("Change"),
    "date": N_("column|Date"),
    "completion_start": N_("Completion at start"),
    "completion_end": N_("Completion at end"),
    "done_start": N_("Done at start"),
    "done_end": N_("Done at end"),
    "due_at_start": N_("Due at start"),
    "s_voices": N_("6. The symposium"),
    "s_unaddressed": N_("Tasks no statement speaks to"),
    "s_related": N_("7. Work carried at two levels"),
    "chart": N_("Task status by level"),
    "completion_rule": N_("Completion = done ÷ (tasks − dropped). Average progress leaves "
                          "dropped tasks out and counts a done task as 100%, a task with no "
                          "progress recorded as 0%."),
    # columns
    "level": N_("Level"),
    "overall": N_("All levels"),
    "tasks": N_("Tasks"),
    "counted": N_("Counted"),
    "completion": N_("Completion"),
    "average_progress": N_("Avg. progress"),
    "overdue": N_("Overdue"),
    "id": N_("column|ID"),
    "ref": N_("Ref"),
    "seq": N_("No."),
    "status": N_("Status"),
    "progress": N_("Progress"),
    "due": N_("Due"),
    "owner": N_("Owner"),
    "text": N_("Task"),
    "title": N_("Title"),
    "tags": N_("Tags"),
    "related": N_("Related"),
    "voices": N_("Statements"),
    "evidence": N_("Evidence"),
    "updated": N_("Last update"),
    "days_overdue": N_("Days overdue"),
    "original_due": N_("Original due"),
    "current_due": N_("Current due"),
    "moves": N_("Moves"),
    "at": N_("When"),
    "by": N_("By"),
    "changes": N_("Changes"),
    "note": N_("Note"),
    "speaker": N_("Speaker"),
    "meeting": N_("Symposium"),
    "statement": N_("Statement"),
    "yes": N_("yes"),
    "no": N_("no"),
    # empty sections
    "none_overdue": N_("No task is overdue on this day."),
    "none_moved": N_("No deadline has been moved."),
    "none_tasks": N_("No tasks."),
    "none_activity": N_("Nothing was recorded in this period."),
    "none_voices": N_("No statements."),
    "none_linked": N_("Bears on no task here."),
    "none_unaddressed": N_("Every task is spoken to by some statement."),
    "none_related": N_("No task is carried at two levels."),
}
PERIOD_NAMES = {  # the period summary's kinds of change (reformctl.period/1's lists)
    "completed": N_("period|Completed"),
    "started": N_("period|Started"),
    "blocked": N_("period|Blocked"),
    "dropped": N_("period|Dropped"),
    "reopened": N_("period|Reopened"),
    "added": N_("period|Added"),
    "became_overdue": N_("period|Became overdue"),
    "deadlines_moved": N_("period|Deadlines moved"),
    "evidence_added": N_("period|Evidence added"),
}
LEVEL_NAMES = {  # the report's level names (区级层面 ...); every one is accepted as input
    "district": N_("District"),
    "federation": N_("Federation"),
    "grassroots": N_("Grassroots"),
}
STATUS_NAMES = {  # the report's status names; every one is accepted as input
    "todo": N_("to do"),
    "in-progress": N_("in progress"),
    "done": N_("status|done"),
    "blocked": N_("status|blocked"),
    "dropped": N_("status|dropped"),
}
ORIGINS = {
    "--data": N_("given with --data"),
    "REFORMCTL_DATA": N_("from $REFORMCTL_DATA"),
    "found": N_("nearest data/ directory"),
    "sample": N_("the sample ledger packaged with reformctl (read-only)"),
}
FIELD_NAMES = {"status": "status", "progress": "progress", "due": "due", "owner": "owner",
               "text": "text", "title": "title", "tags": "tags", "related": "related"}
@contextmanager
def speaking(lang: str | None) -> Iterator[None]:
    """Draw in ``lang`` (the run's language when None), and speak the run's language again after."""
    from .. import i18n

    before = i18n.current()
    if lang is None or lang == before:
        yield
        return
    if lang not in LANGS:
        raise ReformctlError(_("unknown report language '{lang}'; use zh or en").format(lang=lang))
    i18n.use(lang)
    try:
        yield
    finally:
        i18n.use(before)


class _Words:
    """The labels in the run's language, and its punctuation (``：``, ``（）`` in Chinese)."""

    def __init__(self) -> None:
        from ..i18n import current

        self.lang = current()

    def __call__(self, key: str) -> str:
        return tr(LABELS[key])

    def level(self, level: str | None) -> str:
        return self("overall") if level is None else tr(LEVEL_NAMES[level])

    def status(self, status: str) -> str:
        names = STATUS_NAMES.get(status)
        return tr(names) if names else status

    def field(self, name: str) -> str:
        return self(FIELD_NAMES[name]) if name in FIELD_NAMES else name

    def yes_no(self, value: bool) -> str:
        return self("yes") if value else self("no")

    def sep(self) -> str:
        """Between a label and its value: ``: `` / ``：``."""
        return tr(N_("separator|: "))

    def list_sep(self) -> str:
        """Between the items of a list in one cell or line: ``; `` / ``；``."""
        return tr(N_("separator|; "))

    def paren(self, inner: Any) -> str:
        """`` (inner)`` in English, ``（inner）`` in Chinese."""
        return tr(N_("separator| ({inner})")).format(inner=inner)

    def day(self, value: Any) -> str:
        """A date in the head: ``2018-06-30`` / ``2018年6月30日``."""
        return day_text(value)

    def origin(self, source: dict[str, Any] | None) -> str:
        if not source:
            return ""
        origin = source.get("origin", "")
        how = tr(ORIGINS[origin]) if origin in ORIGINS else str(origin)
        if origin == "sample":
            return how
        return f"{source.get('ledger', '')}{self.paren(how)}"


# ---------------------------------------------------------------------------------------------
# Cells


NONE = "—"


def text_cell(value: Any, *, tone: str = "") -> Cell:
    """Data text (``—`` when empty); a whole address is a link."""
    if value is None or value == "" or value == []:
        return Cell(NONE, "text", None, tone=tone)
    shown = cell_text(value)
    if isinstance(value, str) and is_address(shown):
        return Cell(shown, "link", shown, tone=tone)
    return Cell(shown, "text", value, tone=tone)


def label_cell(shown: str, value: Any) -> Cell:
    """A word of the report (a level's name) standing for a file's value (``grassroots``)."""
    return Cell(shown, "text", value)


def date_cell(value: str | None, *, tone: str = "") -> Cell:
    if not value:
        return Cell(NONE, "date", None, tone=tone)
    return Cell(value, "date", date.fromisoformat(value), tone=tone)


def moment_cell(value: str | None) -> Cell:
    if not value:
        return Cell(NONE, "moment", None)
    return Cell(when(value), "moment", value)


def number_cell(value: int | None, *, tone: str = "") -> Cell:
    return Cell(NONE if value is None else str(value), "number", value, tone=tone)


def percent_cell(value: float | int | None, *, digits: int = 1) -> Cell:
    if value is None:
        return Cell(NONE, "percent", None)
    return Cell(f"{value:.{digits}f}%", "percent", value)


def ref_cell(ref: str) -> Cell:
    return Cell(cell_text(ref), "ref", ref)


def status_cell(words: _Words, status: str) -> Cell:
    return Cell(words.status(status), "status", status)


def list_cell(items: list[Any], words: _Words) -> Cell:
    """Items each in their own cell (a link when it is an address); shown joined with ``; ``."""
    if not items:
        return Cell(NONE, "list", None)
    cells = tuple(text_cell(item) for item in items)
    return Cell(words.list_sep().join(c.text for c in cells), "list",
                [c.text for c in cells], cells)


# ---------------------------------------------------------------------------------------------
# Pieces of text


def change_text(words: _Words, name: str, old: Any, new: Any) -> str:
    def show(value: Any) -> str:
        if value is None or value == "" or value == []:
            return NONE
        if name == "status" and isinstance(value, str):
            return words.status(value)
        if name == "progress" and isinstance(value, int) and not isinstance(value, bool):
            return f"{value}%"
        if name == "level" and isinstance(value, str) and value in LEVEL_NAMES:
            return words.level(value)
        return cell_text(value)

    return f"{words.field(name)}{words.sep()}{show(old)} → {show(new)}"


def changes_text(words: _Words, changes: dict[str, list[Any]]) -> str:
    return words.list_sep().join(
        change_text(words, name, old, new) for name, (old, new) in changes.items())


def move_text(words: _Words, move: dict[str, Any]) -> str:
    """``2018-05-20 张三: 2018-05-31 → 2018-06-30, 30 days later (note)``."""
    days = move.get("days")
    if days is None:
        shift = ""
    elif days > 0:
        shift = ngettext("{days} day later", "{days} days later", days).format(days=days)
    else:
        shift = ngettext("{days} day earlier", "{days} days earlier", -days).format(days=-days)
    moved = _("{old} → {new}").format(old=move["from"] or NONE, new=move["to"] or NONE)
    if shift:
        moved = _("{move}, {shift}").format(move=moved, shift=shift)
    note = words.paren(cell_text(move["note"])) if move["note"] else ""
    return f"{move['at'][:10]} {cell_text(move['by'])}{words.sep()}{moved}{note}"


def group_heading(words: _Words, group: dict[str, Any]) -> str:
    """A level's heading in "every task": its name and how many tasks it has."""
    return words.level(group["level"]) + words.paren(len(group["tasks"]))


def statement_heading(words: _Words, statement: dict[str, Any]) -> str:
    return cell_text(f"{words('statement')} {statement['id']}{words.sep()}"
                     f"{statement['headline']}")


def speaker_line(words: _Words, statement: dict[str, Any]) -> str:
    role = f" {statement['role']}" if statement.get("role") else ""
    return cell_text(str(statement["speaker"]) + words.paren(f"{statement['unit']}{role}"))


def report_title(report: dict[str, Any], words: _Words) -> str:
    return cell_text(f"{report['plan']['title']} · {words('report')}")


def head_fields(report: dict[str, Any], words: _Words) -> list[tuple[str, Cell]]:
    """The report's head: as-of day, where the data came from, the plan's source, ..."""
    plan = report["plan"]

    def day(value: str) -> Cell:
        return Cell(day_text(value), "date", date.fromisoformat(value))

    rows = [(words("as_of"), day(report["as_of"]))]
    if report["level"]:
        rows.append((words("level_only"), label_cell(words.level(report["level"]),
                                                     report["level"])))
    rows.append((words("source"), text_cell(words.origin(report["source"]))))
    if plan.get("unit"):
        rows.append((words("unit"), text_cell(plan["unit"])))
    if plan.get("approved"):
        rows.append((words("approved"), day(plan["approved"])))
    if plan.get("source"):
        rows.append((words("document"), text_cell(plan["source"])))
    meeting = report["symposium"]["meeting"]
    if meeting:
        if meeting.get("reporter"):
            when_who = _("{date}, reported by {reporter}").format(
                date=day_text(meeting["date"]), reporter=meeting["reporter"])
        else:
            when_who = day_text(meeting["date"])
        rows.append((words("meeting"), text_cell(meeting["title"] + words.paren(when_who))))
    rows.append((words("activity_since"), day(report["since"])))
    return rows


def totals_rows(report: dict[str, Any]) -> list[dict[str, Any]]:
    rows = list(report["totals"]["levels"])
    if len(rows) != 1:  # with one level chosen, its row is the total
        rows.append(report["totals"]["overall"])
    return rows


# ---------------------------------------------------------------------------------------------
# The document


def build_document(report: dict[str, Any]) -> Document:
    """The report as one document tree, in the run's language. Every section and column of the
    report is decided here, once, for every format."""
    words = _Words()
    B = _Builder(words)
    sections = (
        B.totals(report), B.overdue(report), B.moved(report), B.tasks(report),
        B.activity(report), B.symposium(report), B.related(report),
    )
    plan = report["plan"]
    return Document(
        title=report_title(report, words),
        lang=words.lang,
        as_of=report["as_of"],
        head=Fields(tuple(head_fields(report, words))),
        notes=tuple(cell_text(n) for n in dict.fromkeys(
            [*report["notes"], *report["trend"]["notes"], *report["period"]["notes"]])),
        sections=sections,
        meta={"schema": report["schema"], "subject": cell_text(plan.get("unit") or ""),
              "notes_label": words("notes"), "separator": words.sep()},
        ledger=B.ledger(report),
    )


class _Builder:
    def __init__(self, words: _Words) -> None:
        self.w = words

    # columns -------------------------------------------------------------------------------

    def col(self, key: str, kind: Any = "text", wrap: bool = False) -> Column:
        return Column(self.w(key), kind, wrap, key)

    def task_columns(self, *, owner: bool = True, level: bool = False,
                     overdue_days: bool = False) -> tuple[Column, ...]:
        cols = [self.col("ref", "ref")]
        if level:
            cols.append(self.col("level"))
        cols += [self.col("status", "status"), self.col("progress", "percent"),
                 self.col("due", "date")]
        if overdue_days:
            cols.append(self.col("days_overdue", "number"))
        if owner:  # unit names are short: the task text gets the room
            cols.append(self.col("owner"))
        cols.append(self.col("text", wrap=True))
        return tuple(cols)

    def task_row(self, t: dict[str, Any], *, owner: bool = True, level: bool = False,
                 overdue_days: bool = False) -> Row:
        w = self.w
        cells = [ref_cell(t["ref"])]
        if level:
            cells.append(label_cell(w.level(t["level"]), t["level"]))
        cells += [status_cell(w, t["status"]), percent_cell(t["progress"], digits=0),
                  date_cell(t["due"], tone="overdue" if t.get("overdue") else "")]
        if overdue_days:
            cells.append(number_cell(t["days_overdue"]))
        if owner:
            cells.append(text_cell(t["owner"]))
        cells.append(text_cell(t["text"]))
        return Row(tuple(cells))

    def task_table(self, tasks: list[dict[str, Any]], name: str, **how: bool) -> Table:
        return Table(self.task_columns(**how), tuple(self.task_row(t, **how) for t in tasks), name=name)

    def none(self, key: str) -> Para:
        return Para(self.w(key), "muted")

    # sections ------------------------------------------------------------------------------

    def totals(self, report: dict[str, Any]) -> Section:
        w = self.w
        rows = totals_rows(report)
        chart = Chart(w("chart"), tuple(
            ChartBar(label=w.level(r["level"]),
                     counts=tuple((s, w.status(s), r["by_status"][s]) for s in STATUSES),
                     tasks=r["tasks"], done=r["done"], counted=r["counted"],
                     completion=percent_cell(r["completion"]), total=r["level"] is None)
            for r in rows), caption=w("completion"))
        columns = (self.col("level"), self.col("tasks", "number"),
                   *(Column(w.status(s), "number", False, s) for s in STATUSES),
                   self.col("counted", "number"), self.col("completion", "percent"),
                   self.col("average_progress", "percent"), self.col("overdue", "number"))
        table = Table(columns, tuple(
            Row((label_cell(w.level(r["level"]), r["level"]), number_cell(r["tasks"]),
                 *(number_cell(r["by_status"][s]) for s in STATUSES),
                 number_cell(r["counted"]), percent_cell(r["completion"]),
                 percent_cell(r["average_progress"]), number_cell(r["overdue"])),
                total=r["level"] is None)
            for r in rows), name="totals")
        return Section(w("s_totals"), (table, chart, Para(w("completion_rule"), "muted"),
                                       self.trend(report["trend"])))

    def trend(self, trend: dict[str, Any]) -> Section:
        """Completion per level and overall at every point of the trend: a line chart and the
        table of its figures (``trend``)."""
        w = self.w
        points = trend["points"]
        rows = totals_rows({"totals": points[0]["totals"]}) if points else []
        keys = [r["level"] for r in rows]

        def completion(point: dict[str, Any], level: str | None) -> float | None:
            totals = point["totals"]
            if level is None:
                return totals["overall"]["completion"]  # type: ignore[no-any-return]
            found = [r for r in totals["levels"] if r["level"] == level]
            return found[0]["completion"] if found else None

        columns = (self.col("date", "date"), *(
            Column(w.level(k), "percent", False, k or "overall") for k in keys))
        table = Table(columns, tuple(
            Row((date_cell(p["date"]), *(percent_cell(completion(p, k)) for k in keys)))
            for p in points), name="trend")
        chart = LineChart(w("s_trend"), tuple(p["date"] for p in points), tuple(
            Series(w.level(k), tuple(completion(p, k) for p in points), total=k is None,
                   key=k or "overall") for k in keys), table="trend", caption=w("completion"))
        rule = w("trend_week" if trend["every"] == "week" else "trend_month")
        return Section(w("s_trend"), (Para(rule, "muted"), chart, table), level=2)

    def overdue(self, report: dict[str, Any]) -> Section:
        if not report["overdue"]:
            return Section(self.w("s_overdue"), (self.none("none_overdue"),))
        return Section(self.w("s_overdue"), (self.task_table(
            report["overdue"], "overdue", level=True, overdue_days=True),))

    def moved(self, report: dict[str, Any]) -> Section:
        w = self.w
        if not report["moved_deadlines"]:
            return Section(w("s_moved"), (self.none("none_moved"),))
        columns = (self.col("ref", "ref"), self.col("status", "status"),
                   self.col("original_due", "date"), self.col("current_due", "date"),
                   self.col("moves", "list", wrap=True), self.col("text", wrap=True))
        rows = tuple(Row((
            ref_cell(m["ref"]), status_cell(w, m["status"]), date_cell(m["original_due"]),
            date_cell(m["current_due"]),
            list_cell([move_text(w, move) for move in m["moves"]], w), text_cell(m["text"])))
            for m in report["moved_deadlines"])
        return Section(w("s_moved"), (Table(columns, rows, name="moved"),))

    def tasks(self, report: dict[str, Any]) -> Section:
        parts = []
        for group in report["tasks"]:
            body = (self.task_table(group["tasks"], f"tasks-{group['level']}")
                    if group["tasks"] else self.none("none_tasks"))
            parts.append(Section(group_heading(self.w, group), (body,), level=2))
        return Section(self.w("s_tasks"), tuple(parts))

    def activity(self, report: dict[str, Any]) -> Section:
        """What changed in the period (``since`` .. ``as_of``): completion at both ends, how
        many tasks changed in each way, a part per kind of change that happened, and every
        change recorded (the history entries of the period)."""
        w = self.w
        period = report["period"]
        span = Para(w("period_span").format(since=w.day(period["since"]),
                                             as_of=w.day(period["as_of"])))
        start_rows = totals_rows({"totals": period["totals"]["start"]})
        end_rows = totals_rows({"totals": period["totals"]["end"]})
        ends = Table((self.col("level"), self.col("completion_start", "percent"),
                      self.col("completion_end", "percent"), self.col("done_start", "number"),
                      self.col("done_end", "number")), tuple(
            Row((label_cell(w.level(a["level"]), a["level"]), percent_cell(a["completion"]),
                 percent_cell(b["completion"]), number_cell(a["done"]), number_cell(b["done"])),
                total=a["level"] is None)
            for a, b in zip(start_rows, end_rows, strict=True)), name="period-totals")
        counts = Table((self.col("change"), self.col("tasks", "number")), tuple(
            Row((label_cell(tr(PERIOD_NAMES[k]), k), number_cell(n)))
            for k, n in period["counts"].items()), name="period")
        parts: list[Any] = [span, ends, counts]
        for key in PERIOD_NAMES:
            items = period[key]
            if not items:
                continue
            if key == "deadlines_moved":
                body = Table((self.col("ref", "ref"), self.col("status", "status"),
                              self.col("due_at_start", "date"), self.col("current_due", "date"),
                              self.col("moves", "list", wrap=True), self.col("text", wrap=True)),
                             tuple(Row((
                                 ref_cell(m["ref"]), status_cell(w, m["status"]),
                                 date_cell(m["due_at_start"]), date_cell(m["due"]),
                                 list_cell([move_text(w, mv) for mv in m["moves"]], w),
                                 text_cell(m["text"]))) for m in items), name=f"period-{key}")
            elif key == "evidence_added":
                body = Table((self.col("ref", "ref"), self.col("status", "status"),
                              self.col("evidence", "list", wrap=True),
                              self.col("text", wrap=True)),
                             tuple(Row((
                                 ref_cell(e["ref"]), status_cell(w, e["status"]),
                                 list_cell([i["item"] for i in e["evidence"]], w),
                                 text_cell(e["text"]))) for e in items), name=f"period-{key}")
            else:
                body = self.task_table(items, f"period-{key}", level=True,
                                       overdue_days=key == "became_overdue")
            parts.append(Section(tr(PERIOD_NAMES[key]) + w.paren(len(items)), (body,),
                                 level=2))
        if report["activity"]:
            columns = (self.col("at", "moment"), self.col("ref", "ref"), self.col("by"),
                       self.col("changes", wrap=True), self.col("note", wrap=True),
                       self.col("evidence", "list", wrap=True))
            rows = tuple(Row((
                moment_cell(a["at"]), ref_cell(a["task"]["ref"]), text_cell(a["by"]),
                text_cell(changes_text(w, a["changes"])), text_cell(a["note"]),
                list_cell(a["evidence"], w)))
                for a in report["activity"])
            every: Any = Table(columns, rows, name="activity")
        else:
            every = self.none("none_activity")
        parts.append(Section(w("s_period_all"), (every,), level=2))
        return Section(w("s_activity"), tuple(parts))

    def symposium(self, report: dict[str, Any]) -> Section:
        w = self.w
        statements = report["symposium"]["statements"]
        parts: list[Any] = [] if statements else [self.none("none_voices")]
        for st in statements:
            body: list[Any] = [Fields(((w("speaker"), text_cell(speaker_line(w, st))),))]
            body.append(self.task_table(st["tasks"], f"statement-{st['id']}", owner=False)
                        if st["tasks"] else self.none("none_linked"))
            parts.append(Section(statement_heading(w, st), tuple(body), level=2))
        unaddressed = report["symposium"]["unaddressed"]
        parts.append(Section(w("s_unaddressed"), (
            self.task_table(unaddressed, "unaddressed", owner=False) if unaddressed
            else self.none("none_unaddressed"),), level=2))
        return Section(w("s_voices"), tuple(parts))

    def related(self, report: dict[str, Any]) -> Section:
        w = self.w
        if not report["related"]:
            return Section(w("s_related"), (self.none("none_related"),))
        side = (self.col("ref", "ref"), self.col("status", "status"), self.col("text", wrap=True))
        rows = tuple(Row(tuple(cell for t in pair for cell in (
            ref_cell(t["ref"]), status_cell(w, t["status"]), text_cell(t["text"]))))
            for pair in report["related"])
        return Section(w("s_related"), (Table(side * 2, rows, name="related"),))

    def ledger(self, report: dict[str, Any]) -> Table:
        """Every task with every field, one row each (the CSV and the workbook's task sheet)."""
        w = self.w
        columns = (
            self.col("id", "number"), self.col("ref", "ref"), self.col("level"),
            self.col("seq", "number"), self.col("status", "status"),
            self.col("progress", "number"), self.col("due", "date"), self.col("overdue"),
            self.col("days_overdue", "number"), self.col("owner", wrap=True),
            self.col("text", wrap=True), self.col("title", wrap=True),
            self.col("tags", "list", wrap=True), self.col("related", "list"),
            self.col("voices", "list"), self.col("evidence", "list", wrap=True),
            self.col("updated", "moment"))
        rows = []
        for group in report["tasks"]:
            for t in group["tasks"]:
                rows.append(Row((
                    number_cell(t["id"]), ref_cell(t["ref"]),
                    label_cell(w.level(t["level"]), t["level"]), number_cell(t["seq"]),
                    status_cell(w, t["status"]), number_cell(t["progress"]),
                    date_cell(t["due"], tone="overdue" if t["overdue"] else ""),
                    Cell(w.yes_no(t["overdue"]), "text", w.yes_no(t["overdue"]),
                         tone="overdue" if t["overdue"] else ""),
                    number_cell(t["days_overdue"]), text_cell(t["owner"]),
                    text_cell(t["text"]), text_cell(t["title"]), list_cell(t["tags"], w),
                    list_cell(t["related"], w), list_cell(t["voices"], w),
                    list_cell(t["evidence"], w),
                    Cell(t["updated"] or NONE, "moment", t["updated"]))))
        return Table(columns, tuple(rows), name="ledger")


# ---------------------------------------------------------------------------------------------
# Dispatch


def render_report(report: dict[str, Any], fmt: str, lang: str | None = None) -> str | bytes:
    """The report in ``fmt`` as a string (bytes for xlsx and docx). ``text`` is drawn at
    TEXT_WIDTH. In the run's language (``lang``, when given, for this one drawing)."""
    with speaking(lang):
        if fmt == "json":
            from . import to_json

            return to_json(report)
        if fmt in ("csv", "markdown", "html", "xlsx", "docx", "text"):
            from .document import draw

            return draw(build_document(report), fmt, TEXT_WIDTH)
    raise ReformctlError(f"unknown report format '{fmt}'")


def terminal_view(report: dict[str, Any], lang: str | None, width: int) -> tuple[Any, int]:
    """The text report for a terminal ``width`` columns wide: the view (in colour) and the width
    to draw it at: the terminal's own (tables wrap within their cells, or stack, to fit)."""
    from .report_text import text_view

    with speaking(lang):
        return text_view(build_document(report)), width
