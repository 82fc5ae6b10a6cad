"""Reading commands: list, show, voices."""

from __future__ import annotations

from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Literal

import typer

from ..i18n import _, ngettext
from . import DataOption, app, emit, ledger_dir, say
from .complete import complete_level, complete_status, complete_task
from .help import Command

if TYPE_CHECKING:
    from collections.abc import Iterator, Sequence

    from ..models import Ledger
    from ..render import Column

from ..render.formats import ListingFormat, RecordFormat  # noqa: E402
from ..render.formats import ListingOrRecordFormat as AnyFormat  # noqa: E402

SortKey = Literal["id", "due", "status", "level", "progress"]
GroupKey = Literal["owner", "level", "status"]

ListingFormatOption = Annotated[
    ListingFormat,
    typer.Option("--format", "-f", metavar="FORMAT", help="Output format: table (for the terminal), json, csv (every "
                 "field, formula-safe), markdown (a GitHub table) or yaml. "
                 "Example: --format markdown"),
]
RecordFormatOption = Annotated[
    RecordFormat, typer.Option("--format", "-f", metavar="FORMAT", help="Output format: text, json or yaml. "
                               "Example: --format json")
]


def emit_listing(records: Sequence[dict[str, Any]], columns: Sequence[Column], fmt: str,
                 nothing: str) -> None:
    """The one output path of listing commands; an empty table is a message, not an empty frame."""
    from ..render import json_chunks, listing

    if not records and fmt == "table":
        say(nothing)
        return
    emit(json_chunks(records) if fmt == "json" else listing(records, columns, fmt))


OutputOption = Annotated[Path | None, typer.Option(
    "--output", "-o", metavar="FILE", dir_okay=False, show_default=False,
    help="Write the listing to FILE (replaced atomically) instead of stdout; a CSV file starts "
    "with a UTF-8 byte-order mark, so that Excel reads its Chinese. Example: --format csv "
    "--output 台账.csv")]
BomOption = Annotated[bool | None, typer.Option(
    "--bom/--no-bom", show_default=False,
    help="Start CSV with a UTF-8 byte-order mark. Default: yes in a file (--output), no on "
    "stdout. Example: --format csv --bom > 台账.csv")]


_BY_SUFFIX = {".csv": "csv", ".json": "json", ".md": "markdown", ".yaml": "yaml", ".yml": "yaml"}


def write_listing(records: Sequence[dict[str, Any]], columns: Sequence[Column], fmt: str,
                  output: Path | None, bom: bool | None, *,
                  groups: Sequence[tuple[str | None, Sequence[dict[str, Any]]]] | None = None,
                  by: str | None = None) -> None:
    """A listing written to a file (``--output``), or CSV with a byte-order mark on stdout.
    With ``groups`` (``list --group-by``; ``records`` are the groups one after another), markdown
    is written a section per group, as it is printed."""
    from ..errors import UsageError
    from ..render import csv_bytes, grouped_listing, listing, to_json

    if fmt == "table" and output is not None:  # the file's name tells: tasks.csv, tasks.json
        fmt = _BY_SUFFIX.get(output.suffix.lower(), fmt)
    if fmt == "table":
        raise UsageError(_("--output and --bom write csv, json, markdown or yaml, not a terminal "
                           "table"), hint=_("give a format, e.g. --format csv --output tasks.csv"))
    if bom is not None and fmt != "csv":
        raise UsageError(_("--bom applies to CSV only"), hint=_("add --format csv"))
    if fmt == "json":
        content: Any = to_json(list(records))
    elif fmt == "markdown" and groups and by is not None:
        content = grouped_listing(groups, columns, fmt, by)
    else:
        content = listing(records, columns, fmt)
    assert isinstance(content, str)
    payload = (csv_bytes(content, bom=output is not None if bom is None else bom)
               if fmt == "csv" else content.encode("utf-8"))
    if output is None:
        emit(payload)
        return
    from ..fileio import display, write_file

    write_file(output, payload)
    say(_("reformctl: wrote {count} tasks to {file}").format(count=len(records),
                                                            file=display(output)))


@contextmanager
def browsing(data: str | None) -> Iterator[Ledger]:
    """The ledger for a command that only reads. A ledger with errors is shown as far as it could
    be read: first, on stderr, how many errors it has (the first few of them, located) and that
    `reformctl check` lists them; then the output; then the command fails (exit 1)."""
    from ..errors import EXIT_PROBLEM, NotFoundError
    from ..salvage import readable
    from . import say_error

    found = readable(ledger_dir(data))
    errors = found.errors
    if not errors:
        yield found.ledger
        return
    ledger = found.ledger
    shown = "".join(f"\n{d.one_line()}" for d in errors[:_SHOWN])
    if len(errors) > _SHOWN:
        shown += "\n" + _("... and {count} more").format(count=len(errors) - _SHOWN)
    tasks, statements = len(ledger.tasks), len(ledger.voices)
    say_error(ngettext(
        "the ledger has {count} error, so only what could be read is shown ({tasks}, "
        "{statements}):{errors}",
        "the ledger has {count} errors, so only what could be read is shown ({tasks}, "
        "{statements}):{errors}", len(errors)).format(
            count=len(errors),
            tasks=ngettext("{count} task", "{count} tasks", tasks).format(count=tasks),
            statements=ngettext("{count} statement", "{count} statements", statements).format(
                count=statements),
            errors=shown),
        hint=_("run `reformctl check` to see every problem, fix them, and try again"))
    try:
        yield ledger
    except NotFoundError as exc:
        raise NotFoundError(_("{message} (as far as it could be read)").format(
            message=exc.message), hint=_("it may be where one of the errors above is")) from None
    raise typer.Exit(EXIT_PROBLEM)  # what could be read was shown: the ledger still has errors


_SHOWN = 5  # errors named before the output of a broken ledger


@app.command("list", cls=Command)
def list_tasks(
    level: Annotated[list[str] | None, typer.Option(
        "--level", "-l", metavar="LEVEL", show_default=False, autocompletion=complete_level,
        help="Only tasks at this level: district, federation, grassroots (or D, F, G, or "
        "区级, 区总工会, 基层). Repeat for several. Example: --level 基层")] = None,
    status: Annotated[list[str] | None, typer.Option(
        "--status", "-s", metavar="STATUS", show_default=False, autocompletion=complete_status,
        help="Only tasks with this status: todo, in-progress, done, blocked, dropped (or "
        "未开始, 进行中, 已完成, 受阻, 已取消). Repeat for several. "
        "Example: --status todo --status blocked")] = None,
    owner: Annotated[list[str] | None, typer.Option(
        metavar="TEXT", show_default=False,
        help="Only tasks whose lead unit or a partner unit contains TEXT (any case). Repeat to "
        "require several. Example: --owner 组织部")] = None,
    tag: Annotated[list[str] | None, typer.Option(
        metavar="TAG", show_default=False,
        help="Only tasks tagged TAG (the whole tag, any case). Repeat to require several. "
        "Example: --tag funding")] = None,
    search: Annotated[list[str] | None, typer.Option(
        metavar="TEXT", show_default=False,
        help="Only tasks whose text, title or owner contains TEXT (any case). Repeat to require "
        "several. Example: --search 经费 --search 审计")] = None,
    overdue: Annotated[bool, typer.Option(
        "--overdue/--no-overdue", show_default=False,
        help="Only tasks past their due date and not done or dropped (as of today, or of "
        "--as-of). Example: --overdue")] = False,
    due_before: Annotated[str | None, typer.Option(
        metavar="DATE", show_default=False,
        help="Only tasks due before DATE; tasks with no due date are left out. DATE is "
        "YYYY-MM-DD or relative to today (or to --as-of): today, +2w, -3d, eom, eoq, eoy. "
        "Example: --due-before 2018-07-01")] = None,
    due_after: Annotated[str | None, typer.Option(
        metavar="DATE", show_default=False,
        help="Only tasks due after DATE (YYYY-MM-DD, or relative as for --due-before); tasks "
        "with no due date are left out. Example: --due-after 2018-06-30")] = None,
    due_within: Annotated[str | None, typer.Option(
        metavar="SPAN", show_default=False,
        help="Only tasks not done or dropped that are due within SPAN of today (or of --as-of): "
        "a number and d, w, m or y (days, weeks, months, years). Tasks already overdue are "
        "included; add --due-after -1d to leave them out. Example: --due-within 14d")] = None,
    as_of: Annotated[str | None, typer.Option(
        metavar="DATE", show_default=False,
        help="The day --overdue, --due-within and relative dates count from (YYYY-MM-DD, or "
        "relative to today); default today. Example: --overdue --as-of 2019-01-15")] = None,
    sort: Annotated[SortKey, typer.Option(
        metavar="FIELD",
        help="Sort by this field: id, due, status, level or progress; ties keep id order, tasks "
        "without the value come last. "
        "Example: --sort due")] = "id",
    reverse: Annotated[bool, typer.Option(
        "--reverse/--no-reverse", show_default=False,
        help="Reverse the order. Example: --sort progress --reverse")] = False,
    limit: Annotated[int | None, typer.Option(
        metavar="N", show_default=False,
        help="Show at most N tasks (after filtering and sorting). Example: --limit 5")] = None,
    group_by: Annotated[GroupKey | None, typer.Option(
        metavar="FIELD", show_default=False,
        help="Group the tasks by owner (the lead unit), level or status: a heading over each "
        "group in the table, a section per group in markdown; json, csv and yaml list the "
        "groups one after another. Example: --due-within 2w --group-by owner")] = None,
    format: ListingFormatOption = "table",
    output: OutputOption = None,
    bom: BomOption = None,
    data: DataOption = None,
) -> None:
    """List tasks, filtered and sorted.

    Filters narrow one another: a task is listed when it passes every one given. A task has
    one level and one status, so repeated --level or --status values match any of them; a
    repeated --owner, --search or --tag must match each value.

    \b
    Examples:
      reformctl list --level grassroots
      reformctl list --level 基层 --status todo --format json
      reformctl list --overdue --as-of 2019-01-15 --sort due
      reformctl list --search 经费 --format markdown
      reformctl list --format csv --output 台账.csv
      reformctl list --due-within 2w --group-by owner
      reformctl list --due-before eom --status todo
    """
    from .. import query
    from ..errors import UsageError
    from ..query import (
        group_tasks,
        is_relative,
        parse_date,
        parse_duration,
        shift,
        task_filter,
        task_record,
    )
    from ..query import list_tasks as choose
    from ..render import TASK_COLUMNS, grouped_listing

    counted = overdue or due_within is not None or any(
        is_relative(v) for v in (due_before, due_after) if v is not None)
    if as_of is not None and not counted:
        raise UsageError(_("--as-of only applies to --overdue, --due-within and relative dates "
                           "(--due-before eom)"),
                         hint=_("e.g. reformctl list --overdue --as-of 2019-01-15"))
    day = parse_date(as_of, "--as-of") if as_of is not None else query.today()
    span = parse_duration(due_within, "--due-within") if due_within is not None else None
    flt = task_filter(
        levels=level or (), statuses=status or (), owner=owner, tags=tag or (), search=search,
        overdue_on=day if overdue else None,
        due_before=parse_date(due_before, "--due-before", relative_to=day) if due_before else None,
        due_after=parse_date(due_after, "--due-after", relative_to=day) if due_after else None,
        due_by=shift(day, *span) if span is not None else None,
    )
    with browsing(data) as ledger:
        tasks = choose(ledger.tasks, flt, sort, reverse, limit)
        nothing = _("no tasks match") if ledger.tasks else _("the ledger has no tasks")
        groups = ([(key, [task_record(t) for t in found])
                   for key, found in group_tasks(tasks, group_by)] if group_by is not None
                  else None)
        records = ([r for _key, found in groups for r in found] if groups is not None
                   else [task_record(t) for t in tasks])
        if output is not None or bom is not None:
            write_listing(records, TASK_COLUMNS, format, output, bom, groups=groups, by=group_by)
            return
        if groups is None or not records or format in ("json", "csv", "yaml"):
            emit_listing(records, TASK_COLUMNS, format, nothing)
            return
        emit(grouped_listing(groups, TASK_COLUMNS, format, group_by or ""))


@app.command(cls=Command)
def show(
    task: Annotated[str, typer.Argument(
        metavar="ID", show_default=False, autocompletion=complete_task,
        help="The task: its id or its level letter and number. Example: 22, or G3")],
    format: RecordFormatOption = "text",
    data: DataOption = None,
) -> None:
    """Show one task whole: every field, related tasks at other levels, the statements that
    bear on it, and its history.

    \b
    Examples:
      reformctl show G3
      reformctl show 22 --format json
    """
    from ..query import get_task, task_detail, task_key
    from ..render import record, task_view

    task_key(task)  # a malformed address is a usage error, whatever state the ledger is in
    with browsing(data) as ledger:
        emit(record(task_detail(ledger, get_task(ledger, task)), format, task_view))


@app.command(cls=Command)
def voices(
    voice: Annotated[str | None, typer.Argument(
        metavar="ID", show_default=False,
        help="Show this statement whole (its number). Example: 3")] = None,
    task: Annotated[str | None, typer.Option(
        metavar="ID", show_default=False, autocompletion=complete_task,
        help="Only statements that bear on this task (id or ref). Example: --task G6")] = None,
    format: Annotated[AnyFormat | None, typer.Option(
        "--format", "-f", metavar="FORMAT", show_default=False,
        help="A listing: table (default), json, csv, markdown or yaml. One statement: text "
        "(default), json or yaml. Example: --format json")] = None,
    data: DataOption = None,
) -> None:
    """The symposium's statements (座谈会发言): as a table, or one whole.

    \b
    Examples:
      reformctl voices
      reformctl voices 3
      reformctl voices --task G6 --format json
    """
    from ..errors import UsageError
    from ..query import get_task, get_voice, task_key, voice_detail, voice_key
    from ..render import VOICE_COLUMNS, record, voice_view

    if voice is not None and task is not None:
        raise UsageError(_("give a statement number or --task, not both"),
                         hint=_("`reformctl voices --task G6` lists the statements on task G6"))
    if task is not None:
        task_key(task)
    if voice is not None:
        voice_key(voice)
        fmt = "text" if format in (None, "table") else format
        if fmt not in ("text", "json", "yaml"):
            raise UsageError(
                _("one statement is shown as text, json or yaml, not {format}").format(format=fmt),
                hint=_("without a number, `reformctl voices --format {format}` lists them all")
                .format(format=fmt))
        with browsing(data) as ledger:
            emit(record(voice_detail(ledger, get_voice(ledger, voice)), fmt, voice_view))
        return
    with browsing(data) as ledger:
        chosen = ledger.voices
        nothing = _("the ledger has no statements")
        if task is not None:
            found = get_task(ledger, task)
            chosen = ledger.voices_for(found.id)
            nothing = _("no statement bears on task {id} ({ref})").format(id=found.id,
                                                                          ref=found.ref)
        emit_listing([voice_detail(ledger, v) for v in chosen], VOICE_COLUMNS,
                     "table" if format in (None, "text") else format, nothing)
