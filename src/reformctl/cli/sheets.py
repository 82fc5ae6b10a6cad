"""Spreadsheets in and out: export (a fill-in workbook) and import (a sheet back, as updates)."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from ..i18n import _, ngettext
from ..render.formats import WriteFormat
from . import DataOption, app, ledger_dir, say
from .changes import AtOption, ByOption, DryRunOption
from .complete import complete_level, complete_task
from .help import Command

if TYPE_CHECKING:
    from ..edit import TaskIndex
    from ..models import Task
    from ..transaction import Change


@app.command(cls=Command)
def export(
    tasks: Annotated[list[str] | None, typer.Argument(
        metavar="[ID]...", show_default=False, autocompletion=complete_task,
        help="Only these tasks (ids or refs). Default: every task that the filters keep.")
    ] = None,
    output: Annotated[Path | None, typer.Option(
        "--output", "-o", metavar="FILE", dir_okay=False, show_default=False,
        help="The workbook to write (.xlsx), replaced atomically. Required.")] = None,
    level: Annotated[list[str] | None, typer.Option(
        "--level", "-l", metavar="LEVEL", show_default=False, autocompletion=complete_level,
        help="Only tasks at this level (district, federation, grassroots; D, F, G; 区级, "
        "区总工会, 基层). Repeatable.")] = None,
    owner: Annotated[list[str] | None, typer.Option(
        metavar="TEXT", show_default=False,
        help="Only tasks whose lead unit or a partner unit contains TEXT. Repeatable.")] = None,
    data: DataOption = None,
) -> None:
    """Write a fill-in workbook (xlsx) of the ledger, one row per task, for units to fill in and
    send back to `reformctl import`.

    The task's id, ref, level, text and lead unit are locked (sheet protection without a
    password); status is a drop-down list, progress a whole number 0-100, due a date; note and
    evidence are free text. A hidden sheet records the plan, the export time, the ledger's
    SHA-256 and each task's status, progress and due, so that the import can tell what changed
    in the ledger meanwhile. Headers and status names follow --lang.

    \b
    Examples:
      reformctl export --output 台账.xlsx --lang zh
      reformctl export --level 基层 --owner 组织部 -o 组织部.xlsx
      reformctl export G1 G2 G3 -o g.xlsx
    """
    from ..errors import UsageError
    from ..fileio import display, read_bytes, write_file
    from ..i18n import current
    from ..loader import load_bytes
    from ..query import get_task, select, task_filter
    from ..render.workbook import workbook
    from ..sheets import Stamp, content_hash, export_rows, exported_state, need_openpyxl

    if output is None:
        raise UsageError(_("export needs --output FILE.xlsx: a workbook is a file"),
                         hint=_("e.g. reformctl export --output tasks.xlsx"))
    if output.suffix.lower() != ".xlsx":
        raise UsageError(_("--output {file}: the workbook's name must end in .xlsx").format(
            file=output), hint=_("e.g. reformctl export --output tasks.xlsx"))
    need_openpyxl()
    flt = task_filter(levels=level or (), owner=owner)
    where = ledger_dir(data)
    raw = {kind: content for kind, path in (("tasks", where.tasks_path),
                                            ("voices", where.voices_path))
           if (content := read_bytes(path)[0]) is not None}
    loaded = load_bytes(where, raw)
    if loaded.errors or loaded.ledger is None:
        from ..errors import LedgerError

        raise LedgerError(loaded.diagnostics)
    ledger = loaded.ledger
    chosen = ([*{t.id: t for t in (get_task(ledger, key) for key in tasks)}.values()]
              if tasks else ledger.tasks)
    chosen = select(chosen, flt)
    if not chosen:
        raise UsageError(_("no task matches, so there is nothing to export"))
    lang = current()
    stamp = Stamp(ledger.plan.title, datetime.now().astimezone().replace(microsecond=0)
                  .isoformat(), content_hash(raw.get("tasks", b"")), lang)
    content = workbook(export_rows(chosen, lang), [exported_state(t) for t in chosen], stamp,
                       ledger.plan.title)
    write_file(output, content)
    say(_("reformctl: wrote {count} tasks to {file}; fill in status, progress, due, note and "
          "evidence, then `reformctl import {file}`").format(count=len(chosen),
                                                           file=display(output)))


@app.command("import", cls=Command)
def import_(
    file: Annotated[Path, typer.Argument(
        metavar="FILE", dir_okay=False, show_default=False,
        help="A workbook written by `reformctl export` and filled in (.xlsx), or a CSV file "
        "with an ID column.")],
    by: ByOption = None,
    at: AtOption = None,
    dry_run: DryRunOption = False,
    format: Annotated[WriteFormat, typer.Option(
        "--format", "-f", metavar="FORMAT",
        help="text: messages on stderr; json: one object on stdout saying what changed "
        "(written, dry_run, added, updated, unchanged). Example: --format json")] = "text",
    data: DataOption = None,
) -> None:
    """Apply a filled-in sheet to the ledger: each changed row is an ordinary update, with one
    history entry (its note and evidence included), all in one write or none at all.

    Only status, progress, due, note and evidence are taken; the locked columns must still
    hold the ledger's values. Every problem is listed, located as FILE:SHEET!F7 (an unknown id,
    a status that is not one, progress 150, a date that is not a date, an edited locked cell, a
    repeated row), and then nothing is changed. A value the sheet changed that was also changed
    in the ledger since the export, differently, is a conflict: listed, never overwritten. A
    value the sheet left as exported never undoes a later change in the ledger. Sheets saved
    by Excel, WPS or LibreOffice are read as they are: dates as date cells or text, numbers as
    numbers or text, full-width digits, statuses in Chinese or English.

    \b
    Examples:
      reformctl import 台账-组织部.xlsx --by 王芳
      reformctl import 台账.xlsx --dry-run
      reformctl import tasks.csv --at 2018-06-30 --format json
    """
    from .. import edit, sheets
    from ..fileio import display
    from .changes import _change as change
    from .changes import _emit_result, _report, _say_updated, _when, _who

    shown = display(file)
    sheet = sheets.read_sheet(file, shown)
    rows = sheets.parse_rows(sheet)
    who, when = _who(by), _when(at)
    unreadable = list(sheet.problems)  # cells that cannot be read; then what the ledger says
    unchanged: list[Task] = []
    warnings: list[str] = []

    def plan(ledger: TaskIndex, now: datetime) -> Change:  # under the lock, the ledger as it is
        from ..errors import ReformctlError
        from ..transaction import Change

        sheet.problems = list(unreadable)  # planned again if the file changes under the lock
        wanted = sheets.compare(sheet, rows, ledger.task, _plan_title(ledger))
        updated = []
        kept: list[tuple[sheets.Wanted, Task]] = []
        for want in wanted:
            try:
                new = edit.apply_update(want.task, sheets.update_of(want), who, when or now)
            except ReformctlError as exc:  # a back-dated entry that contradicts a later one
                sheet.problems.append(want.row.cells["id"].problem(exc.message))
                continue
            if new is not None:
                updated.append((want.task, new))
                kept.append((want, new))
        if sheet.problems:
            raise sheets.SheetError(sheet.problems, shown)
        changed = {old.id for old, _new in updated}
        unchanged[:] = [task for p in rows if p.id not in changed
                        and (task := ledger.task(p.id)) is not None]
        warnings[:] = [w.text for w in sheets.warnings_of(kept, "tasks.yaml")]
        return Change(updated=updated)

    from ..fileio import read_bytes

    before = read_bytes(ledger_dir(data, announce_sample=False).tasks_path)[0]
    notice = [n for n in [sheets.stale_notice(sheet, before or b"")] if n]
    outcome = change(data, plan, dry_run)
    if format == "json":
        _emit_result(outcome, unchanged, dry_run)
        return
    for line in notice:
        say(line)
    _report(outcome, dry_run)
    if outcome.written:
        _say_updated(outcome)
    for line in warnings:
        say(line)
    if not outcome.change.updated:
        say(_("reformctl: the sheet holds no change to the ledger; nothing was written"))
    elif unchanged:
        say(ngettext("reformctl: {count} more row holds no change",
                     "reformctl: {count} more rows hold no change",
                     len(unchanged)).format(count=len(unchanged)))


def _plan_title(ledger: TaskIndex) -> str | None:
    """The plan's title in the ledger's text (the index holds tasks only)."""
    from .. import yamldoc

    parsed = yamldoc.parse(yamldoc.Text("<tasks>", ledger.text, False, ledger.newline))
    plan = parsed.data.get("plan") if isinstance(parsed.data, dict) else None
    title = plan.get("title") if isinstance(plan, dict) else None
    return title if isinstance(title, str) else None


def init_from(directory: Path, source: Path | None, maps: list[str], empty: bool,
              title: str | None, year: int | None, unit: str | None) -> None:
    """``init DIR --from FILE``: a new ledger holding the tasks of an existing task table."""
    from ..errors import UsageError
    from ..fileio import display
    from ..ledgers import init as write_ledger
    from ..tables import ledger_text, parse_maps, plan_tasks, problems_error, read_rows
    from .args import text_value

    if source is None:
        raise UsageError(_("--map describes the columns of a table: use it with --from FILE"))
    if empty:
        raise UsageError(_("--from and --empty contradict each other; give one"))
    columns = parse_maps(maps)
    shown = display(source)
    found = plan_tasks(read_rows(source, shown), shown, columns)
    said = ", ".join(f"{header} → {name}" for name, header in found.mapping.items())
    levels = (_("levels from the column {header}").format(header=found.mapping["level"])
              if found.levels_from == "column" else _("levels from heading rows"))
    say(_("reformctl: columns of {file}: {mapping}; {levels}").format(
        file=shown, mapping=said, levels=levels))
    if found.problems:
        raise problems_error(found, shown)
    if not found.tasks:
        raise UsageError(_("{file}: no task rows were found under the header row").format(
            file=shown))
    unit = text_value("--unit", unit)
    chosen_title = text_value("--title", title) or found.title or source.stem
    if year is None:
        import re

        match = re.search(r"(?:19|20)\d\d", chosen_title)
        year = int(match.group()) if match else None
    done = write_ledger(directory.expanduser(), None,
                        ledger_text(chosen_title, year, unit, found.tasks))
    counts = {lv: sum(1 for t in found.tasks if t["level"] == lv)
              for lv in ("district", "federation", "grassroots")}
    say(_("reformctl: wrote a ledger of {count} tasks ({district} district, {federation} "
          "federation, {grassroots} grassroots) from {file} into {dir}; check it with "
          "`reformctl check`").format(count=len(found.tasks), file=shown,
                                      dir=display(done.directory), **counts))
