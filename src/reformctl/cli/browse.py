"""Reading commands: list, show, voices."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

import typer

from . import DataOption, app, emit, ledger_dir

ListingFormat = Literal["table", "json", "csv", "markdown", "yaml"]
RecordFormat = Literal["text", "json", "yaml"]
SortKey = Literal["id", "due", "status", "level", "progress"]

ListingFormatOption = Annotated[
    ListingFormat,
    typer.Option("--format", "-f", help="Output format: table (terminal), json, csv, markdown "
                 "(GitHub table) or yaml."),
]
RecordFormatOption = Annotated[
    RecordFormat, typer.Option("--format", "-f", help="Output format: text, json or yaml.")
]


@app.command("list")
def list_tasks(
    level: Annotated[list[str] | None, typer.Option(
        "--level", "-l", metavar="LEVEL", show_default=False,
        help="Only this level: district|federation|grassroots, D|F|G, or 区级|区总工会|基层. "
        "Repeatable.")] = None,
    status: Annotated[list[str] | None, typer.Option(
        "--status", "-s", metavar="STATUS", show_default=False,
        help="Only this status: todo|in-progress|done|blocked|dropped, or "
        "未开始|进行中|已完成|受阻|已取消. Repeatable.")] = None,
    owner: Annotated[str | None, typer.Option(
        metavar="TEXT", help="Only tasks whose owner or a partner contains TEXT.")] = None,
    tag: Annotated[list[str] | None, typer.Option(
        metavar="TAG", show_default=False, help="Only tasks with this tag. Repeatable (any).")
    ] = None,
    search: Annotated[str | None, typer.Option(
        metavar="TEXT", help="Only tasks whose text, title or owner contains TEXT.")] = None,
    overdue: Annotated[bool, typer.Option(
        "--overdue/--no-overdue",
        help="Only tasks past their due date (as of --as-of) and not done or dropped.")] = False,
    due_before: Annotated[str | None, typer.Option(
        metavar="DATE", help="Only tasks due before DATE (YYYY-MM-DD).")] = None,
    as_of: Annotated[str | None, typer.Option(
        metavar="DATE", help="The day --overdue counts from (YYYY-MM-DD). Default: today.")
    ] = None,
    sort: Annotated[SortKey, typer.Option(help="Sort by this field.")] = "id",
    reverse: Annotated[bool, typer.Option("--reverse/--no-reverse",
                                          help="Reverse the order.")] = False,
    limit: Annotated[int | None, typer.Option(
        min=0, metavar="N", help="Show at most N tasks.")] = None,
    format: ListingFormatOption = "table",
    data: DataOption = None,
) -> None:
    """List tasks, filtered and sorted.

    \b
    Examples:
      reformctl list --level grassroots
      reformctl list --level 基层 --status todo --format json
      reformctl list --overdue --as-of 2019-01-15 --sort due
      reformctl list --search 经费 --format markdown
    """
    from ..query import TaskFilter, parse_date, parse_level, parse_status, select, sort_tasks
    from ..query import task_record
    from ..render import TASK_COLUMNS, listing
    from ..storage import open_ledger

    flt = TaskFilter(
        levels=frozenset(parse_level(v) for v in level or ()),
        statuses=frozenset(parse_status(v) for v in status or ()),
        owner=owner,
        tags=frozenset(tag or ()),
        search=search,
        overdue_on=(parse_date(as_of, "--as-of") if as_of else date.today()) if overdue else None,
        due_before=parse_date(due_before, "--due-before") if due_before else None,
    )
    ledger = open_ledger(ledger_dir(data))
    tasks = sort_tasks(select(ledger.tasks, flt), sort, reverse)
    if limit is not None:
        tasks = tasks[:limit]
    emit(listing([task_record(t) for t in tasks], TASK_COLUMNS, format))


@app.command()
def show(
    task: Annotated[str, typer.Argument(metavar="ID", help="Task id (3) or ref (D3, F3, G3).")],
    format: RecordFormatOption = "text",
    data: DataOption = None,
) -> None:
    """Show one task whole: fields, related tasks, statements, history.

    \b
    Examples:
      reformctl show G3
      reformctl show 22 --format json
    """
    from ..query import get_task, task_detail
    from ..render import record, task_view
    from ..storage import open_ledger

    ledger = open_ledger(ledger_dir(data))
    emit(record(task_detail(ledger, get_task(ledger, task)), format, task_view))


@app.command()
def voices(
    voice: Annotated[str | None, typer.Argument(
        metavar="[ID]", show_default=False, help="Show this statement whole.")] = None,
    task: Annotated[str | None, typer.Option(
        metavar="ID", help="Only statements that bear on this task (id or ref).")] = None,
    format: Annotated[ListingFormat | None, typer.Option(
        "--format", "-f", show_default=False,
        help="Listing: table, json, csv, markdown, yaml (default table). One statement: text, "
        "json, yaml (default text).")] = None,
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
    from ..query import get_task, get_voice, voice_detail
    from ..render import VOICE_COLUMNS, listing, record, voice_view
    from ..storage import open_ledger

    ledger = open_ledger(ledger_dir(data))
    if voice is not None:
        fmt = format or "text"
        if fmt not in ("text", "table", "json", "yaml"):
            raise UsageError(f"one statement is shown as text, json or yaml, not {fmt}")
        emit(record(voice_detail(ledger, get_voice(ledger, voice)),
                    "text" if fmt == "table" else fmt, voice_view))
        return
    chosen = ledger.voices
    if task is not None:
        chosen = ledger.voices_for(get_task(ledger, task).id)
    emit(listing([voice_detail(ledger, v) for v in chosen], VOICE_COLUMNS, format or "table"))
