"""``reformctl report`` in every format, drawn from :func:`reformctl.reports.build_report`'s data.

Formats: ``text`` (rich, for the terminal), ``markdown`` (GitHub), ``html`` (one self-contained
file), ``json``, ``csv`` (one row per task) and ``xlsx`` (openpyxl, the ``xlsx`` extra). Every
label is in :data:`LABELS`, an English message translated with the catalog where it is drawn, in
the run's language (:func:`reformctl.i18n.current`). Nothing here reads the clock, the locale or
the environment: the same report data in the same language gives the same bytes.

Languages, format by format: ``text``, ``markdown``, ``html`` and ``xlsx`` are in the report's
language throughout (in Chinese, dates in the head are written 2018年6月30日, punctuation is
full-width: ``截至：``, ``（…）``; table cells keep ``YYYY-MM-DD``). ``json`` has no labels. ``csv``
has its headers in the report's language and, in the level and status columns, the files' values
(``grassroots``, ``in-progress``), as ``reformctl list --format csv`` has. Nothing is sorted by
name: levels in the plan's order, tasks by their number within the level, statements and units
in the order the ledger gives them.

Text from the data stays literal in every format: terminal cells are rich ``Text``; markdown
goes through :func:`~reformctl.render.md_cell`; HTML through :func:`html.escape` after control
characters are made visible; CSV through :func:`~reformctl.render.to_csv`; xlsx cells are typed
as strings, never formulas.
"""

from __future__ import annotations

import html
import io
import re
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import date, datetime
from typing import Any

from ..errors import ReformctlError
from ..i18n import N_, _
from ..models import STATUSES
from . import (
    Column,
    cell_text,
    day_text,
    md_cell,
    md_table,
    rich_table,
    text,
    to_csv,
    to_json,
    tr,
    when,
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
    "s_activity": N_("5. Recent activity"),
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
    "bar": N_("Completion bar"),
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
    "summary_sheet": N_("sheet|Summary"),
    "tasks_sheet": N_("sheet|Tasks"),
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
STATUS_COLOURS = {  # chart and HTML badges; also used for the terminal styles below
    "todo": "#c9d1db",
    "in-progress": "#f0a830",
    "done": "#2e9d5b",
    "blocked": "#d6453b",
    "dropped": "#8d939b",
}
_TEXT_STYLES = {"todo": "", "in-progress": "yellow", "done": "green", "blocked": "bold red",
                "dropped": "dim"}


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
# Shared pieces


def percent(value: float | None) -> str:
    return "—" if value is None else f"{value:.1f}%"


def progress_text(value: int | None) -> str:
    return "—" if value is None else f"{value}%"


def dash(value: Any) -> Any:
    return "—" if value in (None, "", []) else value


def bar(pct: float | None, width: int, *, empty: str = "░") -> str:
    """A bar of ``width`` cells filled to ``pct`` percent with block characters (to an eighth)."""
    eighths = round(max(0.0, min(pct or 0.0, 100.0)) / 100 * width * 8)
    full, part = divmod(eighths, 8)
    filled = "█" * full + ("▏▎▍▌▋▊▉"[part - 1] if part else "")
    return filled + empty * (width - len(filled))


def change_text(words: _Words, name: str, old: Any, new: Any) -> str:
    def show(value: Any) -> str:
        if value is None or value == "" or value == []:
            return "—"
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


def group_heading(words: _Words, group: dict[str, Any]) -> str:
    """A level's heading in "every task": its name and how many tasks it has."""
    return words.level(group["level"]) + words.paren(len(group["tasks"]))


def evidence_text(words: _Words, items: list[str]) -> str:
    return words.list_sep().join(cell_text(item) for item in items)


def statement_heading(words: _Words, statement: dict[str, Any]) -> str:
    return f"{words('statement')} {statement['id']}{words.sep()}{statement['headline']}"


def speaker_line(words: _Words, statement: dict[str, Any]) -> str:
    role = f" {statement['role']}" if statement.get("role") else ""
    return str(statement["speaker"]) + words.paren(f"{statement['unit']}{role}")


def head_fields(report: dict[str, Any], words: _Words) -> list[tuple[str, str]]:
    """Section 1 (besides the title): as-of day, where the data came from, the plan's source."""
    plan = report["plan"]
    rows = [(words("as_of"), words.day(report["as_of"]))]
    if report["level"]:
        rows.append((words("level_only"), words.level(report["level"])))
    rows.append((words("source"), words.origin(report["source"])))
    if plan.get("unit"):
        rows.append((words("unit"), plan["unit"]))
    if plan.get("approved"):
        rows.append((words("approved"), words.day(plan["approved"])))
    if plan.get("source"):
        rows.append((words("document"), plan["source"]))
    meeting = report["symposium"]["meeting"]
    if meeting:
        if meeting.get("reporter"):
            when_who = _("{date}, reported by {reporter}").format(
                date=words.day(meeting["date"]), reporter=meeting["reporter"])
        else:
            when_who = words.day(meeting["date"])
        rows.append((words("meeting"), meeting["title"] + words.paren(when_who)))
    rows.append((words("activity_since"), words.day(report["since"])))
    return rows


def report_title(report: dict[str, Any], words: _Words) -> str:
    return f"{report['plan']['title']} · {words('report')}"


def totals_rows(report: dict[str, Any]) -> list[dict[str, Any]]:
    rows = list(report["totals"]["levels"])
    if len(rows) != 1:  # with one level chosen, its row is the total
        rows.append(report["totals"]["overall"])
    return rows


TASK_ROW_KEYS = ("id", "ref", "level", "seq", "status", "progress", "due", "overdue",
                 "days_overdue", "owner", "text", "title", "tags", "related", "voices", "evidence",
                 "updated")


def task_rows(report: dict[str, Any], words: _Words, *, labels: bool = True
              ) -> tuple[list[str], list[list[Any]]]:
    """One row per task with its state as of the day (CSV and the xlsx task sheet).

    Headers in the report's language. The level and the status are the report's names in the
    workbook (``labels``), and the files' values in the CSV (``grassroots``, ``in-progress``: the
    same as ``reformctl list --format csv`` and the ledger, in every language, so a sheet made
    from it can be matched, filtered or read back by the files' terms)."""
    def level(value: str) -> str:
        return words.level(value) if labels else value

    def status(value: str) -> str:
        return words.status(value) if labels else value

    rows = []
    for group in report["tasks"]:
        for t in group["tasks"]:
            rows.append([
                t["id"], t["ref"], level(t["level"]), t["seq"], status(t["status"]),
                t["progress"], t["due"], words.yes_no(t["overdue"]), t["days_overdue"],
                t["owner"], t["text"], t["title"], t["tags"], t["related"], t["voices"],
                t["evidence"], t["updated"],
            ])
    return [words(k) for k in TASK_ROW_KEYS], rows


# ---------------------------------------------------------------------------------------------
# Dispatch


def render_report(report: dict[str, Any], fmt: str, lang: str | None = None) -> str | bytes:
    """The report in ``fmt`` as a string (bytes for xlsx). ``text`` is drawn at TEXT_WIDTH.

    In the run's language (``lang``, when given, for this one drawing)."""
    with speaking(lang):
        return _render(report, fmt)


def _render(report: dict[str, Any], fmt: str) -> str | bytes:
    words = _Words()
    if fmt == "json":
        return to_json(report)
    if fmt == "csv":
        return to_csv(*task_rows(report, words, labels=False))
    if fmt == "markdown":
        return to_markdown(report, words)
    if fmt == "html":
        return to_html(report, words)
    if fmt == "xlsx":
        return to_xlsx(report, words)
    if fmt == "text":
        return text_to_string(text_view(report), TEXT_WIDTH)
    raise ReformctlError(f"unknown report format '{fmt}'")


# ---------------------------------------------------------------------------------------------
# text (rich)


def text_to_string(renderable: Any, width: int) -> str:
    """A rich renderable as plain text (no colour, no control codes) ``width`` columns wide."""
    from rich.console import Console, Group

    out = io.StringIO()
    console = Console(file=out, width=width, color_system=None, force_terminal=False,
                      no_color=True, highlight=False, emoji=False, markup=False, soft_wrap=False,
                      legacy_windows=False)
    # A group part by part: rich holds the drawn lines of what it prints at once, and a large
    # report's task tables drawn together are many times the ledger's size.
    lines: list[str] = []
    for part in renderable.renderables if isinstance(renderable, Group) else [renderable]:
        console.print(part)
        lines.extend(line.rstrip() for line in out.getvalue().split("\n")[:-1])
        out.seek(0)
        out.truncate()
    lines.append("")
    return "\n".join(lines)


def _status_style(record: dict[str, Any]) -> str:
    return _TEXT_STYLES.get(record.get("status", ""), "")


def _task_columns(words: _Words, *, owner: bool = True,
                  extra: Sequence[Column] = ()) -> list[Column]:
    cols = [Column(words("ref"), lambda r: r["ref"])]
    cols += [
        Column(words("status"), lambda r: words.status(r["status"]), style=_status_style),
        Column(words("progress"), lambda r: progress_text(r["progress"]), justify="right"),
        Column(words("due"), lambda r: dash(r["due"])),
        *extra,
    ]
    if owner:  # unit names are short: the task text gets the room
        cols.append(Column(words("owner"), lambda r: dash(r["owner"])))
    cols.append(Column(words("text"), lambda r: r["text"], fold=True))
    return cols


def terminal_view(report: dict[str, Any], lang: str | None, width: int) -> tuple[Any, int]:
    """The text report for a terminal ``width`` columns wide: the view (in colour) and the width
    to draw it at, never narrower than the file version's TEXT_WIDTH (on a narrow terminal lines
    wrap instead of table cells being cut). Its tables are drawn when it is printed, in the run's
    language then: ``lang`` is the run's (reformctl.i18n.current())."""
    del lang  # drawn in the run's language, which the caller's is
    return text_view(report), max(width, TEXT_WIDTH)


def text_view(report: dict[str, Any]) -> Any:
    """The report as a rich renderable (colour on a terminal; :func:`text_to_string` for files)."""
    from rich.console import Group
    from rich.padding import Padding
    from rich.table import Table

    words = _Words()
    head = Table.grid(padding=(0, 1))
    head.add_column(no_wrap=True, style="bold")
    head.add_column(overflow="fold")
    for label, value in head_fields(report, words):
        head.add_row(text(label + words.sep().strip()), text(value))
    for note in report["notes"]:
        head.add_row(text(words("notes") + words.sep().strip()), text(note, "yellow"))
    parts: list[Any] = [text(report_title(report, words), "bold"), head]

    def section(key: str) -> None:
        parts.extend(["", text(words(key), "bold underline")])

    def none(key: str) -> None:
        parts.append(text(words(key), "dim"))

    # 1. totals
    section("s_totals")
    rows = totals_rows(report)
    cols = [Column(words("level"), lambda r: words.level(r["level"])),
            Column(words("tasks"), lambda r: r["tasks"], justify="right")]
    cols += [Column(words.status(s), _status_count(s), justify="right") for s in STATUSES]
    cols += [Column(words("average_progress"), lambda r: percent(r["average_progress"]),
                    justify="right"),
             Column(words("overdue"), lambda r: r["overdue"], justify="right")]
    parts.append(rich_table(cols, rows))
    parts.extend(["", text(words("completion"), "bold")])
    name_width = max(_width(words.level(r["level"])) for r in rows)
    for r in rows:
        name = words.level(r["level"])
        line = text(name + " " * (name_width - _width(name)) + "  ")
        line.append(bar(r["completion"], 30, empty="░"), style="green")
        line.append(f" {percent(r['completion']):>6}  ({r['done']}/{r['counted']})")
        parts.append(line)
    parts.append(text(words("completion_rule"), "dim"))

    # 2. overdue
    section("s_overdue")
    if report["overdue"]:
        parts.append(rich_table(_task_columns(words, extra=[
            Column(words("days_overdue"), lambda r: r["days_overdue"], justify="right")]),
            report["overdue"]))
    else:
        none("none_overdue")

    # 3. moved deadlines
    section("s_moved")
    if report["moved_deadlines"]:
        parts.append(rich_table([
            Column(words("ref"), lambda r: r["ref"]),
            Column(words("status"), lambda r: words.status(r["status"]), style=_status_style),
            Column(words("original_due"), lambda r: dash(r["original_due"])),
            Column(words("current_due"), lambda r: dash(r["current_due"])),
            Column(words("text"), lambda r: r["text"], fold=True),
        ], report["moved_deadlines"]))
        parts.append(text(words("moves"), "bold"))
        for m in report["moved_deadlines"]:
            for move in m["moves"]:
                parts.append(_indented(f"{m['ref']}  {_move_text(words, move)}", 2))
    else:
        none("none_moved")

    # 4. every task by level
    section("s_tasks")
    for group in report["tasks"]:
        parts.append(text(group_heading(words, group), "bold"))
        if group["tasks"]:
            parts.append(rich_table(_task_columns(words), group["tasks"]))
        else:
            none("none_tasks")
        parts.append("")
    parts.pop()

    # 5. activity
    section("s_activity")
    for a in report["activity"]:  # a timeline reads better than a table of folded cells
        line = text(f"{when(a['at'])}  ", "bold")
        line.append(text(f"{a['task']['ref']}  {a['by']}"))
        parts.append(line)
        if a["changes"]:
            parts.append(_indented(changes_text(words, a["changes"]), 4))
        if a["note"]:
            parts.append(_indented(f"{words('note')}{words.sep()}{a['note']}", 4))
        for item in a["evidence"]:
            parts.append(_indented(f"{words('evidence')}{words.sep()}{item}", 4))
    if not report["activity"]:
        none("none_activity")

    # 6. symposium
    section("s_voices")
    statements = report["symposium"]["statements"]
    if not statements:
        none("none_voices")
    for st in statements:
        parts.append(text(statement_heading(words, st), "bold"))
        parts.append(text(f"   {words('speaker')}{words.sep()}{speaker_line(words, st)}"))
        if st["tasks"]:
            parts.append(Padding(rich_table(_task_columns(words, owner=False), st["tasks"]),
                                 (0, 0, 0, 3)))
        else:
            parts.append(text("   " + words("none_linked"), "dim"))
        parts.append("")
    parts.append(text(words("s_unaddressed"), "bold"))
    if report["symposium"]["unaddressed"]:
        parts.append(rich_table(_task_columns(words, owner=False),
                                report["symposium"]["unaddressed"]))
    else:
        none("none_unaddressed")

    # 7. related
    section("s_related")
    if report["related"]:
        parts.append(rich_table(_pair_columns(words), report["related"]))
    else:
        none("none_related")
    return Group(*parts)


def _status_count(status: str) -> Any:
    return lambda record: record["by_status"][status]


def _pair_columns(words: _Words) -> list[Column]:
    cols = []
    for side in (0, 1):
        cols += [
            Column(words("ref"), (lambda i: lambda r: r[i]["ref"])(side)),
            Column(words("status"), (lambda i: lambda r: words.status(r[i]["status"]))(side),
                   style=(lambda i: lambda r: _status_style(r[i]))(side)),
            Column(words("text"), (lambda i: lambda r: r[i]["text"])(side), fold=True),
        ]
    return cols


def _move_text(words: _Words, move: dict[str, Any]) -> str:
    note = words.paren(move["note"]) if move["note"] else ""
    return (f"{move['at'][:10]} {move['by']}{words.sep()}{dash(move['from'])} → "
            f"{dash(move['to'])}{note}")


def _moves_text(words: _Words, moves: list[dict[str, Any]]) -> str:
    return words.list_sep().join(_move_text(words, m) for m in moves)


def _indented(value: str, indent: int) -> Any:
    """Data text wrapped with a hanging indent (a grid: the wrap stays in its column)."""
    from rich.table import Table

    grid = Table.grid()
    grid.add_column(width=indent, no_wrap=True)
    grid.add_column(overflow="fold")
    grid.add_row("", text(value))
    return grid


def _width(value: str) -> int:
    from wcwidth import wcswidth

    width = wcswidth(value)
    return width if width >= 0 else len(value)


# ---------------------------------------------------------------------------------------------
# markdown (GitHub)


def to_markdown(report: dict[str, Any], words: _Words) -> str:
    out: list[str] = [f"# {md_cell(report_title(report, words))}", ""]
    for label, value in head_fields(report, words):
        out.append(f"- **{md_cell(label)}{words.sep().rstrip()}** {md_cell(value)}")
    for note in report["notes"]:
        out.append(f"- **{md_cell(words('notes'))}{words.sep().rstrip()}** {md_cell(note)}")
    out.append("")

    def section(key: str) -> None:
        out.extend([f"## {md_cell(words(key))}", ""])

    def table(headers: Sequence[str], rows: Sequence[Sequence[Any]],
              align: Sequence[str] | None = None) -> None:
        out.extend([md_table(headers, rows, align).rstrip("\n"), ""])

    def para(key: str) -> None:
        out.extend([md_cell(words(key)), ""])

    section("s_totals")
    headers = [words("level"), words("tasks"), *(words.status(s) for s in STATUSES),
               words("completion"), words("bar"), words("average_progress"), words("overdue")]
    table(headers, [
        [words.level(r["level"]), r["tasks"], *(r["by_status"][s] for s in STATUSES),
         percent(r["completion"]), bar(r["completion"], 10, empty="░"),
         percent(r["average_progress"]), r["overdue"]]
        for r in totals_rows(report)
    ], ["left", *["right"] * (1 + len(STATUSES) + 1), "left", "right", "right"])

    section("s_overdue")
    if report["overdue"]:
        table([words("ref"), words("level"), words("due"), words("days_overdue"), words("status"),
               words("progress"), words("owner"), words("text")],
              [[t["ref"], words.level(t["level"]), t["due"], t["days_overdue"],
                words.status(t["status"]), progress_text(t["progress"]), dash(t["owner"]),
                t["text"]] for t in report["overdue"]],
              ["left", "left", "left", "right", "left", "right", "left", "left"])
    else:
        para("none_overdue")

    section("s_moved")
    if report["moved_deadlines"]:
        table([words("ref"), words("status"), words("original_due"), words("current_due"),
               words("moves"), words("text")],
              [[m["ref"], words.status(m["status"]), dash(m["original_due"]),
                dash(m["current_due"]), _moves_text(words, m["moves"]), m["text"]]
               for m in report["moved_deadlines"]])
    else:
        para("none_moved")

    section("s_tasks")
    task_headers = [words("ref"), words("status"), words("progress"), words("due"),
                    words("owner"), words("text")]
    task_align = ["left", "left", "right", "left", "left", "left"]
    for group in report["tasks"]:
        out.extend([f"### {md_cell(group_heading(words, group))}", ""])
        if group["tasks"]:
            table(task_headers, [[t["ref"], words.status(t["status"]),
                                  progress_text(t["progress"]), dash(t["due"]), dash(t["owner"]),
                                  t["text"]] for t in group["tasks"]], task_align)
        else:
            para("none_tasks")

    section("s_activity")
    if report["activity"]:
        table([words("at"), words("ref"), words("by"), words("changes"), words("note"),
               words("evidence")],
              [[when(a["at"]), a["task"]["ref"], a["by"], dash(changes_text(words, a["changes"])),
                dash(a["note"]), dash(evidence_text(words, a["evidence"]))]
               for a in report["activity"]])
    else:
        para("none_activity")

    section("s_voices")
    statements = report["symposium"]["statements"]
    if not statements:
        para("none_voices")
    brief_headers = [words("ref"), words("status"), words("progress"), words("due"),
                     words("text")]
    brief_align = ["left", "left", "right", "left", "left"]

    def brief_rows(tasks: list[dict[str, Any]]) -> list[list[Any]]:
        return [[t["ref"], words.status(t["status"]), progress_text(t["progress"]),
                 dash(t["due"]), t["text"]] for t in tasks]

    for st in statements:
        out.extend([f"### {md_cell(statement_heading(words, st))}", "",
                    f"- **{md_cell(words('speaker'))}{words.sep().rstrip()}** "
                    f"{md_cell(speaker_line(words, st))}", ""])
        if st["tasks"]:
            table(brief_headers, brief_rows(st["tasks"]), brief_align)
        else:
            para("none_linked")
    out.extend([f"### {md_cell(words('s_unaddressed'))}", ""])
    if report["symposium"]["unaddressed"]:
        table(brief_headers, brief_rows(report["symposium"]["unaddressed"]), brief_align)
    else:
        para("none_unaddressed")

    section("s_related")
    if report["related"]:
        table([words("ref"), words("status"), words("text")] * 2,
              [[p[0]["ref"], words.status(p[0]["status"]), p[0]["text"],
                p[1]["ref"], words.status(p[1]["status"]), p[1]["text"]]
               for p in report["related"]])
    else:
        para("none_related")
    while out and out[-1] == "":
        out.pop()
    return "\n".join(out) + "\n"


# ---------------------------------------------------------------------------------------------
# html (one self-contained file)


def esc(value: Any) -> str:
    """Data as HTML text or attribute value: controls made visible, then everything escaped."""
    return html.escape(cell_text(value), quote=True)


_CSS = """
:root { --ink: #1f2933; --muted: #616e7c; --line: #d3d9e0; --head: #f2f4f7; }
* { box-sizing: border-box; }
html { -webkit-text-size-adjust: 100%; }
body { margin: 0 auto; max-width: 1100px; padding: 24px 28px 48px; color: var(--ink);
  font: 14px/1.55 system-ui, -apple-system, "Segoe UI", "PingFang SC", "Hiragino Sans GB",
  "Microsoft YaHei", "Noto Sans CJK SC", "Source Han Sans SC", "WenQuanYi Micro Hei",
  sans-serif; }
h1 { font-size: 22px; margin: 0 0 8px; line-height: 1.35; }
h2 { font-size: 18px; margin: 28px 0 10px; padding-bottom: 4px;
  border-bottom: 2px solid var(--ink); }
h3 { font-size: 15px; margin: 18px 0 6px; }
dl.head { display: grid; grid-template-columns: max-content 1fr; gap: 2px 14px; margin: 0;
  color: var(--muted); }
dl.head dt { font-weight: 600; }
dl.head dd { margin: 0; }
p.none { color: var(--muted); font-style: italic; margin: 4px 0 8px; }
p.note { color: #8a4b00; }
p.who { margin: 0 0 6px; color: var(--muted); }
table { border-collapse: collapse; width: 100%; margin: 4px 0 12px; }
th, td { border: 1px solid var(--line); padding: 4px 7px; text-align: left; vertical-align: top;
  white-space: pre-line; overflow-wrap: anywhere; }
th { background: var(--head); font-weight: 600; white-space: nowrap; }
td.num, th.num { text-align: right; white-space: nowrap; font-variant-numeric: tabular-nums; }
td.nowrap { white-space: nowrap; }
td.task { min-width: 16em; }
td.unit { min-width: 8.5em; }  /* a unit name of 7 CJK characters on one line */
tr.total td { font-weight: 600; background: #fafbfc; }
.status { display: inline-block; padding: 0 6px; border-radius: 3px; white-space: nowrap;
  font-size: 12px; line-height: 18px; }
.status.todo { background: #e8ecf1; color: #3e4c59; }
.status.in-progress { background: #fdebc8; color: #7a4d00; }
.status.done { background: #d3f0de; color: #145c32; }
.status.blocked { background: #f9d4d1; color: #8a1c13; }
.status.dropped { background: #eceef0; color: #5f6770; text-decoration: line-through; }
.meter { display: inline-block; width: 90px; height: 10px; background: #e6e9ed;
  border-radius: 2px; vertical-align: middle; margin-right: 6px; overflow: hidden; }
.meter > span { display: block; height: 100%; background: #2e9d5b; }
figure.chart { margin: 8px 0 16px; }
figure.chart svg { width: 100%; max-width: 760px; height: auto; display: block; }
figure.chart text { font-size: 12px; fill: var(--ink); }
figure.chart text.in { fill: #fff; font-size: 11px; }
figure.chart text.in.light { fill: #1f2933; }
td.overdue { color: #b42318; font-weight: 600; }
section.voice { break-inside: avoid-page; }
@page { size: A4; margin: 14mm 12mm 16mm; }
@media print {
  /* 1px each side: a collapsed table border lies half outside the table and would be clipped */
  body { max-width: none; padding: 0 1px; font-size: 9.5pt; line-height: 1.4; }
  h1 { font-size: 15pt; }
  h2 { font-size: 12.5pt; margin-top: 16pt; break-after: avoid-page; }
  h3 { font-size: 10.5pt; break-after: avoid-page; }
  table { font-size: 8.5pt; }
  th, td { padding: 2pt 4pt; }
  thead { display: table-header-group; }
  tr, figure.chart { break-inside: avoid; }
  .status, .meter, .meter > span, th, tr.total td, figure.chart svg {
    -webkit-print-color-adjust: exact; print-color-adjust: exact; }
}
"""


def _status_badge(words: _Words, status: str) -> str:
    cls = status if status in STATUS_NAMES else "unknown"
    return f'<span class="status {cls}">{esc(words.status(status))}</span>'


def _html_table(headers: Sequence[tuple[str, str]], rows: Sequence[Sequence[tuple[str, str]]],
                row_classes: Sequence[str] | None = None) -> str:
    """headers: (label, class); rows: cells as (already-escaped html, class)."""
    def attr(cls: str) -> str:
        return f' class="{cls}"' if cls else ""

    head = "".join(f"<th{attr(cls)}>{esc(label)}</th>" for label, cls in headers)
    body = []
    for i, row in enumerate(rows):
        tr_cls = row_classes[i] if row_classes else ""
        cells = "".join(f"<td{attr(cls)}>{content}</td>" for content, cls in row)
        body.append(f"<tr{attr(tr_cls)}>{cells}</tr>")
    return (f"<table>\n<thead><tr>{head}</tr></thead>\n<tbody>\n" + "\n".join(body)
            + "\n</tbody>\n</table>")


def _html_tasks(words: _Words, tasks: Sequence[dict[str, Any]], *, owner: bool = True,
                level: bool = False, overdue_days: bool = False) -> str:
    headers = [(words("ref"), "")]
    if level:
        headers.append((words("level"), ""))
    headers += [(words("status"), ""), (words("progress"), "num"), (words("due"), "")]
    if overdue_days:
        headers.append((words("days_overdue"), "num"))
    if owner:
        headers.append((words("owner"), ""))
    headers.append((words("text"), ""))
    rows = []
    for t in tasks:
        row = [(esc(t["ref"]), "nowrap")]
        if level:
            row.append((esc(words.level(t["level"])), "nowrap"))
        row += [(_status_badge(words, t["status"]), ""),
                (esc(progress_text(t["progress"])), "num"),
                (esc(dash(t["due"])), "nowrap overdue" if t.get("overdue") else "nowrap")]
        if overdue_days:
            row.append((esc(t["days_overdue"]), "num"))
        if owner:
            row.append((esc(dash(t["owner"])), "unit"))
        row.append((esc(t["text"]), "task"))
        rows.append(row)
    return _html_table(headers, rows)


def _svg_chart(report: dict[str, Any], words: _Words) -> str:
    """Per-level stacked bars of task counts by status, inline SVG (no fonts, no links)."""
    rows = totals_rows(report)
    label_w, bar_w, right_w, row_h, bar_h, top = 130, 470, 120, 34, 20, 34
    width = label_w + bar_w + right_w
    height = top + row_h * len(rows) + 6
    title = words("chart")
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" role="img" aria-label="{esc(title)}">',
        f"<title>{esc(title)}</title>",
    ]
    x = 0
    for status in STATUSES:  # legend
        label = words.status(status)
        out.append(f'<rect x="{x}" y="4" width="12" height="12" rx="2" '
                   f'fill="{STATUS_COLOURS[status]}"/>')
        out.append(f'<text x="{x + 17}" y="14.5">{esc(label)}</text>')
        x += 17 + _width(label) * 7 + 18
    for i, r in enumerate(rows):
        y = top + i * row_h
        weight = ' font-weight="600"' if r["level"] is None else ""
        out.append(f'<text x="0" y="{y + 15}"{weight}>{esc(words.level(r["level"]))}</text>')
        total = r["tasks"]
        out.append(f'<rect x="{label_w}" y="{y}" width="{bar_w}" height="{bar_h}" '
                   f'fill="#f4f6f8" stroke="#d3d9e0"/>')
        start = 0.0
        for status in STATUSES:
            count = r["by_status"][status]
            if not count or not total:
                continue
            seg = bar_w * count / total
            sx = label_w + start
            out.append(f'<rect x="{sx:.1f}" y="{y}" width="{seg:.1f}" height="{bar_h}" '
                       f'fill="{STATUS_COLOURS[status]}"><title>{esc(words.status(status))}'
                       f' {count}</title></rect>')
            if seg >= 18:
                light = " light" if status in ("todo", "in-progress") else ""
                out.append(f'<text class="in{light}" x="{sx + seg / 2:.1f}" y="{y + 14}" '
                           f'text-anchor="middle">{count}</text>')
            start += seg
        out.append(f'<text x="{label_w + bar_w + 10}" y="{y + 15}">'
                   f'{esc(words("completion"))} {esc(percent(r["completion"]))}</text>')
    out.append("</svg>")
    return "\n".join(out)


def to_html(report: dict[str, Any], words: _Words) -> str:
    lang = "zh-CN" if words.lang == "zh" else "en"
    title = report_title(report, words)
    out = [
        "<!DOCTYPE html>",
        f'<html lang="{lang}">',
        "<head>",
        '<meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f'<meta name="generator" content="reformctl ({esc(report["schema"])})">',
        f"<title>{esc(title)}</title>",
        f"<style>{_CSS}</style>",
        "</head>",
        "<body>",
        "<header>",
        f"<h1>{esc(title)}</h1>",
        '<dl class="head">',
    ]
    for label, value in head_fields(report, words):
        out.append(f"<dt>{esc(label)}</dt><dd>{esc(value)}</dd>")
    out.append("</dl>")
    for note in report["notes"]:
        out.append(f'<p class="note">{esc(words("notes"))}{esc(words.sep())}{esc(note)}</p>')
    out.append("</header>")

    def section(key: str) -> None:
        out.append(f"<h2>{esc(words(key))}</h2>")

    def none(key: str) -> None:
        out.append(f'<p class="none">{esc(words(key))}</p>')

    # 1. totals
    out.append("<section>")
    section("s_totals")
    out.append(f'<figure class="chart">{_svg_chart(report, words)}</figure>')
    rows = totals_rows(report)
    headers = [(words("level"), ""), (words("tasks"), "num"),
               *((words.status(s), "num") for s in STATUSES),
               (words("completion"), ""), (words("average_progress"), "num"),
               (words("overdue"), "num")]
    cells = []
    for r in rows:
        pct = r["completion"] or 0
        meter = (f'<span class="meter" role="img" aria-label="{esc(percent(r["completion"]))}">'
                 f'<span style="width:{pct:.1f}%"></span></span>')
        cells.append([(esc(words.level(r["level"])), "nowrap"), (esc(r["tasks"]), "num"),
                      *((esc(r["by_status"][s]), "num") for s in STATUSES),
                      (meter + esc(percent(r["completion"])), "nowrap"),
                      (esc(percent(r["average_progress"])), "num"),
                      (esc(r["overdue"]), "num")])
    out.append(_html_table(headers, cells,
                           ["total" if r["level"] is None else "" for r in rows]))
    out.append("</section>")

    # 2. overdue
    out.append("<section>")
    section("s_overdue")
    if report["overdue"]:
        out.append(_html_tasks(words, report["overdue"], level=True, overdue_days=True))
    else:
        none("none_overdue")
    out.append("</section>")

    # 3. moved
    out.append("<section>")
    section("s_moved")
    if report["moved_deadlines"]:
        out.append(_html_table(
            [(words("ref"), ""), (words("status"), ""), (words("original_due"), ""),
             (words("current_due"), ""), (words("moves"), ""), (words("text"), "")],
            [[(esc(m["ref"]), "nowrap"), (_status_badge(words, m["status"]), ""),
              (esc(dash(m["original_due"])), "nowrap"), (esc(dash(m["current_due"])), "nowrap"),
              (esc(_moves_text(words, m["moves"])), ""), (esc(m["text"]), "task")]
             for m in report["moved_deadlines"]]))
    else:
        none("none_moved")
    out.append("</section>")

    # 4. tasks
    out.append("<section>")
    section("s_tasks")
    for group in report["tasks"]:
        out.append(f"<h3>{esc(group_heading(words, group))}</h3>")
        if group["tasks"]:
            out.append(_html_tasks(words, group["tasks"]))
        else:
            none("none_tasks")
    out.append("</section>")

    # 5. activity
    out.append("<section>")
    section("s_activity")
    if report["activity"]:
        out.append(_html_table(
            [(words("at"), ""), (words("ref"), ""), (words("by"), ""), (words("changes"), ""),
             (words("note"), ""), (words("evidence"), "")],
            [[(esc(when(a["at"])), "nowrap"), (esc(a["task"]["ref"]), "nowrap"),
              (esc(a["by"]), ""), (esc(dash(changes_text(words, a["changes"]))), ""),
              (esc(dash(a["note"])), ""),
              (esc(dash("\n".join(cell_text(e) for e in a["evidence"]))), "")]
             for a in report["activity"]]))
    else:
        none("none_activity")
    out.append("</section>")

    # 6. symposium
    out.append("<section>")
    section("s_voices")
    statements = report["symposium"]["statements"]
    if not statements:
        none("none_voices")
    for st in statements:
        out.append('<section class="voice">')
        out.append(f"<h3>{esc(statement_heading(words, st))}</h3>")
        out.append(f'<p class="who">{esc(words("speaker"))}{esc(words.sep())}'
                   f"{esc(speaker_line(words, st))}</p>")
        if st["tasks"]:
            out.append(_html_tasks(words, st["tasks"], owner=False))
        else:
            none("none_linked")
        out.append("</section>")
    out.append(f"<h3>{esc(words('s_unaddressed'))}</h3>")
    if report["symposium"]["unaddressed"]:
        out.append(_html_tasks(words, report["symposium"]["unaddressed"], owner=False))
    else:
        none("none_unaddressed")
    out.append("</section>")

    # 7. related
    out.append("<section>")
    section("s_related")
    if report["related"]:
        out.append(_html_table(
            [(words("ref"), ""), (words("status"), ""), (words("text"), "")] * 2,
            [[cell for t in pair for cell in (
                (esc(t["ref"]), "nowrap"), (_status_badge(words, t["status"]), ""),
                (esc(t["text"]), "task"))]
             for pair in report["related"]]))
    else:
        none("none_related")
    out.append("</section>")
    out += ["</body>", "</html>"]
    return "\n".join(out) + "\n"


# ---------------------------------------------------------------------------------------------
# xlsx (openpyxl, the optional `xlsx` extra)

XLSX_WRAP_CAP = {"text": 50, "title": 30, "evidence": 30, "owner": 20, "tags": 20}  # wrapped
XLSX_CAP = 30  # any other column: at most this wide (its text is short)
XLSX_CENTRED = frozenset({"id", "seq", "progress", "overdue", "days_overdue"})
XLSX_LINE_HEIGHT = 16  # points per line of 11-point text, CJK included


def to_xlsx(report: dict[str, Any], words: _Words) -> bytes:
    """A workbook: a summary sheet (totals per level) and a task sheet (one row per task).

    Strings are typed as strings (never formulas); widths follow the display width of the text
    (a CJK character is two columns); wrapped rows get the height their lines need, because
    spreadsheet programs do not grow rows of a file they did not write.
    """
    try:
        from openpyxl import Workbook
        from openpyxl.styles import Alignment, Font, PatternFill
        from openpyxl.utils import get_column_letter
    except ImportError:
        raise ReformctlError(
            "xlsx reports need openpyxl, which is not installed",
            hint="pip install 'reformctl[xlsx]'",
        ) from None

    bold = Font(name="Calibri", bold=True)  # without a name LibreOffice falls back to a serif
    head_fill = PatternFill("solid", fgColor="F2F4F7")
    top = Alignment(vertical="top")
    wrap = Alignment(vertical="top", wrap_text=True)
    centre = Alignment(vertical="top", horizontal="center")
    sep = "; "  # lists in a cell, as in the CSV

    def put(ws: Any, row: int, col: int, value: Any) -> Any:
        cell = ws.cell(row=row, column=col)
        if value is None:
            return cell
        if isinstance(value, bool):
            value = words.yes_no(value)
        if isinstance(value, int | float | date):
            cell.value = value
            if isinstance(value, date):
                cell.number_format = "yyyy-mm-dd"
        else:
            cell.value = cell_text(value, sep)
            cell.data_type = "s"  # data, never a formula, whatever it starts with
        return cell

    def lines(value: Any, width: float) -> int:
        return wrapped_lines(cell_text(value, sep), max(1, int(width) - 1))

    def page_setup(ws: Any) -> None:
        ws.page_setup.orientation = "landscape"
        ws.page_setup.paperSize = ws.PAPERSIZE_A4
        ws.page_setup.fitToWidth = 1
        ws.page_setup.fitToHeight = 0
        ws.sheet_properties.pageSetUpPr.fitToPage = True

    wb = Workbook()

    # Summary sheet: the head (label, value merged across the table's width), then the totals.
    summary = wb.active
    summary.title = words("summary_sheet")
    keys = ["level", "tasks", *STATUSES, "counted", "completion", "average_progress", "overdue"]
    headers = [words("level"), words("tasks"), *(words.status(s) for s in STATUSES),
               words("counted"), words("completion") + " (%)",
               words("average_progress") + " (%)", words("overdue")]
    rows = totals_rows(report)
    head = [*head_fields(report, words), *((words("notes"), n) for n in report["notes"])]
    widths = [max(12, *(_width(words.level(r["level"])) + 2 for r in rows),
                  *(_width(label) + 2 for label, _ in head))]
    widths += [max(9, _width(h) + 3) for h in headers[1:]]
    for col, width in enumerate(widths, 1):
        summary.column_dimensions[get_column_letter(col)].width = width
    title = put(summary, 1, 1, report_title(report, words))
    title.font = Font(name="Calibri", bold=True, size=14)
    summary.row_dimensions[1].height = 22
    row = 2
    merged_width = sum(widths[1:])
    for label, said in head:
        put(summary, row, 1, label).font = bold
        summary.cell(row=row, column=1).alignment = top
        put(summary, row, 2, said).alignment = wrap
        summary.merge_cells(start_row=row, start_column=2, end_row=row, end_column=len(keys))
        summary.row_dimensions[row].height = XLSX_LINE_HEIGHT * lines(said, merged_width)
        row += 1
    row += 1
    for col, label in enumerate(headers, 1):
        cell = put(summary, row, col, label)
        cell.font, cell.fill = bold, head_fill
    for r in rows:
        row += 1
        for col, key in enumerate(keys, 1):
            if key == "level":
                value: Any = words.level(r["level"])
            elif key in STATUSES:
                value = r["by_status"][key]
            else:
                value = r[key]
            cell = put(summary, row, col, value)
            if key in ("completion", "average_progress"):
                cell.number_format = "0.0"
            if r["level"] is None:
                cell.font = bold
    page_setup(summary)

    # Tasks sheet: one row per task, the same columns as the CSV.
    tasks = wb.create_sheet(words("tasks_sheet"))
    headers_t, rows_t = task_rows(report, words)
    natural = [_width(h) for h in headers_t]
    for values in rows_t:
        for i, value in enumerate(values):
            shown = "0000-00-00" if TASK_ROW_KEYS[i] == "due" else cell_text(value, sep)
            natural[i] = max(natural[i], *(_width(part) for part in shown.split("\n")))
    widths_t = [min(XLSX_WRAP_CAP.get(key, XLSX_CAP), natural[i] + 2)
                for i, key in enumerate(TASK_ROW_KEYS)]
    for col, width in enumerate(widths_t, 1):
        tasks.column_dimensions[get_column_letter(col)].width = width
    for col, label in enumerate(headers_t, 1):
        cell = put(tasks, 1, col, label)
        cell.font, cell.fill = bold, head_fill
        cell.alignment = centre if TASK_ROW_KEYS[col - 1] in XLSX_CENTRED else top
    for r_i, values in enumerate(rows_t, 2):
        height = 1
        for col, (key, value) in enumerate(zip(TASK_ROW_KEYS, values, strict=True), 1):
            if key == "due" and value:
                value = date.fromisoformat(value)
            cell = put(tasks, r_i, col, value)
            cell.alignment = (wrap if key in XLSX_WRAP_CAP else
                              centre if key in XLSX_CENTRED else top)
            if key == "overdue" and value == words("yes"):
                cell.font = Font(name="Calibri", bold=True, color="B42318")
            if key in XLSX_WRAP_CAP and value is not None:
                height = max(height, lines(value, widths_t[col - 1]))
        tasks.row_dimensions[r_i].height = XLSX_LINE_HEIGHT * height
    tasks.freeze_panes = "A2"
    tasks.auto_filter.ref = f"A1:{get_column_letter(len(TASK_ROW_KEYS))}{len(rows_t) + 1}"
    tasks.print_title_rows = "1:1"
    page_setup(tasks)
    return _fixed_zip(wb, _stamp(report["as_of"]))


_TOKEN = re.compile(r"[^\x00-\u10ff]|[\x00-\u10ff]+?(?:\s+|$|(?=[^\x00-\u10ff]))")


def wrapped_lines(value: str, room: int) -> int:
    """Lines ``value`` takes when a spreadsheet wraps it ``room`` columns wide: words of
    alphabetic text move whole to the next line; CJK text breaks between any two characters."""
    total = 0
    for paragraph in value.split("\n"):
        lines, used = 1, 0
        for token in _TOKEN.findall(paragraph):
            width = _width(token.rstrip())
            if used and used + width > room:
                lines, used = lines + 1, 0
            if width > room:  # a word longer than the line breaks anywhere
                lines += (width - 1) // room
                used = width - (width - 1) // room * room
                used += _width(token) - width
            else:
                used += _width(token)
        total += lines
    return total


def _stamp(as_of: str) -> datetime:
    """The workbook's created/modified time: midnight of the as-of day (never the clock)."""
    day = date.fromisoformat(as_of)
    if day.year > 2107:  # the last day a zip entry's time can hold
        return datetime(2107, 12, 31)
    return datetime(max(day.year, 1980), day.month, day.day)


def _fixed_zip(wb: Any, stamp: datetime) -> bytes:
    """Save ``wb`` with fixed timestamps (document properties and zip entries), stable order."""
    import zipfile

    from openpyxl.packaging.core import DocumentProperties
    from openpyxl.xml.functions import tostring

    props: DocumentProperties = wb.properties
    props.creator = "reformctl"
    props.created = stamp
    raw = io.BytesIO()
    wb.save(raw)  # stamps `modified` with the clock: core.xml is rewritten below
    props.modified = stamp
    core = tostring(props.to_tree())
    out = io.BytesIO()
    with zipfile.ZipFile(raw) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = core if info.filename == "docProps/core.xml" else src.read(info.filename)
            fixed = zipfile.ZipInfo(info.filename, date_time=stamp.timetuple()[:6])
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = 0o600 << 16
            fixed.create_system = 0
            dst.writestr(fixed, data)
    return out.getvalue()
