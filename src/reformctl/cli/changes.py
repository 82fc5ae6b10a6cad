"""Commands that change the ledger (update, add) and the one that reads its record (log)."""

from __future__ import annotations

import os
from datetime import datetime
from typing import TYPE_CHECKING, Annotated

import typer

from . import DataOption, app, emit, ledger_dir, say
from .browse import ListingFormatOption, emit_listing
from .complete import complete_level, complete_status, complete_task

if TYPE_CHECKING:
    from ..storage import Outcome

USER_ENV = "REFORMCTL_USER"

ByOption = Annotated[str | None, typer.Option(
    "--by", metavar="NAME", show_default=False,
    help=f"Who makes the change. Default: ${USER_ENV}, else git's user.name, else the login "
    "name.")]
AtOption = Annotated[str | None, typer.Option(
    "--at", metavar="TIME", show_default=False,
    help="When it happened, ISO 8601 (2018-05-02T10:00+08:00; a date alone is midnight; no "
    "offset means this machine's). Default: now, taken when writing. A back-dated entry goes "
    "in its place in the history.")]
DryRunOption = Annotated[bool, typer.Option(
    "--dry-run/--no-dry-run", help="Print the change as a unified diff and write nothing.")]
NoteOption = Annotated[str | None, typer.Option(
    "--note", metavar="TEXT", show_default=False, help="A note for the history entry.")]


def _who(by: str | None) -> str:
    """--by, else $REFORMCTL_USER, else git's user.name, else the login name."""
    if by is not None:
        return _texts("--by", [by])[0]
    if os.environ.get(USER_ENV, "").strip():
        return os.environ[USER_ENV].strip()
    import subprocess

    try:
        name = subprocess.run(["git", "config", "user.name"], capture_output=True, text=True,
                              timeout=5, check=False).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        name = ""
    if name:
        return name
    import getpass

    try:
        return getpass.getuser()
    except (OSError, KeyError):
        return "unknown"


def _when(at: str | None) -> datetime | None:
    if at is None:
        return None
    from ..errors import UsageError

    try:
        moment = datetime.fromisoformat(at.strip())
        return moment if moment.tzinfo else moment.astimezone()
    except (ValueError, OverflowError):
        raise UsageError(
            f"--at '{at}' is not a time; write it like 2018-05-02T10:00+08:00 or 2018-05-02"
        ) from None


def _texts(option: str, values: list[str] | tuple[str, ...] | None) -> list[str]:
    """Command-line words as they go into the ledger: valid text, stripped, none empty."""
    from ..errors import UsageError

    out = []
    for value in values or ():
        if any("\ud800" <= ch <= "\udfff" for ch in value):
            raise UsageError(f"{option} is not valid UTF-8 text; check the terminal's encoding")
        if not value.strip():
            raise UsageError(f"{option} needs a value; an empty one was given")
        out.append(value.strip())
    return out


def _text(option: str, value: str | None) -> str | None:
    return None if value is None else _texts(option, [value])[0]


def _report(outcome: Outcome, dry_run: bool) -> None:
    """The diff for --dry-run; otherwise one line per changed task, on stderr."""
    if dry_run:
        from ..render.diff import unified_diff

        emit(unified_diff(outcome.before, outcome.after, outcome.path))
        say("dry run: nothing was written")


@app.command()
def update(
    tasks: Annotated[list[str], typer.Argument(
        metavar="ID", help="Tasks to update: ids (3) or refs (D3, F3, G3).",
        autocompletion=complete_task)],
    status: Annotated[str | None, typer.Option(
        "--status", "-s", metavar="STATUS", show_default=False, autocompletion=complete_status,
        help="New status: todo|in-progress|done|blocked|dropped (or 未开始|进行中|已完成|受阻|已取消). "
        "done also sets progress 100 unless --progress is given.")] = None,
    progress: Annotated[int | None, typer.Option(
        "--progress", "-p", min=0, max=100, metavar="0..100", show_default=False,
        help="Percent done.")] = None,
    owner: Annotated[str | None, typer.Option(
        metavar="UNIT", show_default=False, help="The lead unit.")] = None,
    due: Annotated[str | None, typer.Option(
        metavar="DATE", show_default=False, help="New deadline, YYYY-MM-DD.")] = None,
    note: NoteOption = None,
    evidence: Annotated[list[str] | None, typer.Option(
        "--evidence", "-e", metavar="DOC", show_default=False,
        help="Evidence (佐证材料): a document, link or file that proves the work. Repeatable.")
    ] = None,
    by: ByOption = None,
    at: AtOption = None,
    dry_run: DryRunOption = False,
    data: DataOption = None,
) -> None:
    """Change tasks and record the change in their history.

    Several tasks change together, in one write. Each changed task gets one history entry (when,
    who, changes {field: [old, new]}, note, evidence). A note or evidence alone is an update too.
    Setting a value a task already has writes nothing and says so.

    \b
    Examples:
      reformctl update 3 --status done --note 已印发 --evidence 区总工会〔2018〕12号.pdf
      reformctl update G3 G4 --status in-progress --by 王芳
      reformctl update F2 --due 2019-03-31 --note 延期至一季度 --dry-run
    """
    from .. import edit
    from ..errors import UsageError
    from ..query import get_task, parse_date, parse_status
    from ..storage import Change, change_ledger

    request = edit.Update(
        status=parse_status(status) if status is not None else None,
        progress=progress,
        owner=_text("--owner", owner),
        due=parse_date(due, "--due") if due is not None else None,
        note=_text("--note", note),
        evidence=tuple(_texts("--evidence", evidence)),
    )
    if request.is_empty():
        raise UsageError(
            "nothing to update: give at least one of --status, --progress, --owner, --due, "
            "--note, --evidence")
    who, when = _who(by), _when(at)
    unchanged: list[str] = []

    def plan(ledger, now):  # runs under the lock, on the ledger as it is then
        change = Change()
        seen = set()
        for key in tasks:
            task = get_task(ledger, key)
            if task.id in seen:
                continue
            seen.add(task.id)
            new = edit.apply_update(task, request, who, when or now)
            if new is None:
                unchanged.append(f"task {task.id} ({task.ref})")
            else:
                change.updated.append((task, new))
        return change

    where = ledger_dir(data)
    outcome = change_ledger(where, plan, dry_run=dry_run)
    for name in unchanged:
        say(f"{name} already has these values: nothing to write for it")
    _report(outcome, dry_run)
    if outcome.written:
        for old, new in outcome.change.updated:
            _, entry = edit.added_entry(old, new)
            what = ", ".join(f"{k} {_v(a)} → {_v(b)}" for k, (a, b) in entry.changes.items())
            say(f"updated task {new.id} ({new.ref}): {what or 'history entry added'}")


def _v(value: object) -> str:
    return "—" if value is None else str(value)


@app.command()
def add(
    text: Annotated[str, typer.Argument(metavar="TEXT", help="The task, as the plan words it.")],
    level: Annotated[str, typer.Option(
        "--level", "-l", metavar="LEVEL", show_default=False, autocompletion=complete_level,
        help="district|federation|grassroots (D|F|G, 区级|区总工会|基层). Required.")],
    title: Annotated[str | None, typer.Option(
        metavar="TEXT", show_default=False, help="A short English gloss.")] = None,
    owner: Annotated[str | None, typer.Option(
        metavar="UNIT", show_default=False, help="The lead unit.")] = None,
    partner: Annotated[list[str] | None, typer.Option(
        metavar="UNIT", show_default=False, help="A partner unit. Repeatable.")] = None,
    due: Annotated[str | None, typer.Option(
        metavar="DATE", show_default=False, help="Deadline, YYYY-MM-DD.")] = None,
    status: Annotated[str | None, typer.Option(
        "--status", "-s", metavar="STATUS", show_default=False, autocompletion=complete_status,
        help="Initial status (default todo).")] = None,
    progress: Annotated[int | None, typer.Option(
        min=0, max=100, metavar="0..100", show_default=False, help="Percent done.")] = None,
    tag: Annotated[list[str] | None, typer.Option(
        metavar="TAG", show_default=False, help="A theme. Repeatable.")] = None,
    related: Annotated[list[str] | None, typer.Option(
        metavar="ID", show_default=False, autocompletion=complete_task,
        help="A task carrying the same work at another level (id or ref); the link is made "
        "both ways. Repeatable.")] = None,
    note: NoteOption = None,
    by: ByOption = None,
    at: AtOption = None,
    dry_run: DryRunOption = False,
    data: DataOption = None,
) -> None:
    """Add a task at a level, with the next free id and the next number in its level.

    The new task goes after the last task of its level; its history starts with an entry that
    records its creation. Prints the new task's id on stdout.

    \b
    Examples:
      reformctl add --level grassroots "在全区推行职工书屋建设。" --due 2018-12-31 --tag services
      reformctl add -l F "建立工会经费使用公示制度。" --related G4 --owner 经审会
    """
    from .. import edit
    from ..query import get_task, parse_date, parse_level, parse_status
    from ..storage import Change, change_ledger

    text = _texts("the task text", [text])[0]
    note = _text("--note", note)
    fields: dict[str, object] = {
        k: v for k, v in {
            "title": _text("--title", title), "owner": _text("--owner", owner),
            "partners": _texts("--partner", partner) or None,
            "due": parse_date(due, "--due") if due else None,
            "status": parse_status(status) if status else None,
            "progress": progress, "tags": _texts("--tag", tag) or None,
        }.items() if v is not None
    }
    lvl = parse_level(level)
    who, when = _who(by), _when(at)

    def plan(ledger, now):
        links = []
        for key in related or ():
            other = get_task(ledger, key)
            if other.id not in [t.id for t in links]:
                links.append(other)
        task = edit.new_task(ledger, lvl, text,
                             {**fields, "related": [t.id for t in links]}, who, when or now, note)
        change = Change(added=[task])
        for other in links:
            if task.id not in other.related:
                change.updated.append(
                    (other, other.model_copy(update={"related": [*other.related, task.id]})))
        return change

    outcome = change_ledger(ledger_dir(data), plan, dry_run=dry_run)
    _report(outcome, dry_run)
    task = outcome.change.added[0]
    if outcome.written:
        emit(f"{task.id}\n")
        say(f"added task {task.id} ({task.ref})")


@app.command()
def log(
    task: Annotated[str | None, typer.Argument(
        metavar="ID", show_default=False, help="Only this task's history (id or ref).",
        autocompletion=complete_task)] = None,
    since: Annotated[str | None, typer.Option(
        metavar="DATE", show_default=False, help="Only entries on or after DATE (YYYY-MM-DD).")
    ] = None,
    limit: Annotated[int | None, typer.Option(
        min=0, metavar="N", show_default=False, help="Show at most N entries.")] = None,
    format: ListingFormatOption = "table",
    data: DataOption = None,
) -> None:
    """The history of changes, across tasks or of one, newest first.

    \b
    Examples:
      reformctl log
      reformctl log G3
      reformctl log --since 2018-06-01 --format csv
    """
    from ..query import get_task, history_records, parse_date
    from ..render import HISTORY_COLUMNS
    from ..storage import open_ledger

    ledger = open_ledger(ledger_dir(data))
    chosen = get_task(ledger, task) if task is not None else None
    records = history_records(ledger, chosen, parse_date(since, "--since") if since else None)
    if limit is not None:
        records = records[:limit]
    emit_listing(records, HISTORY_COLUMNS, format, "no history entries match")
