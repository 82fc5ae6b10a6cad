"""Commands that change the ledger (update, add) and the one that reads its record (log)."""

from __future__ import annotations

import os
from datetime import datetime
from typing import TYPE_CHECKING, Annotated, Any

import typer

from ..i18n import _
from ..render.formats import WriteFormat
from . import DataOption, app, emit, ledger_dir, say
from .args import text_value, texts
from .browse import ListingFormatOption, emit_listing
from .complete import complete_level, complete_status, complete_task
from .help import Command

if TYPE_CHECKING:
    from ..edit import TaskIndex
    from ..models import Task
    from ..transaction import Change, Outcome, Planner

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
        return texts("--by", [by])[0]
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
            _("--at '{value}' is not a time; write it like 2018-05-02T10:00+08:00 or "
              "2018-05-02").format(value=at)
        ) from None


def _report(outcome: Outcome, dry_run: bool) -> None:
    """The diff for --dry-run; otherwise one line per changed task, on stderr."""
    if dry_run:
        from ..render.diff import unified_diff

        emit(unified_diff(outcome.before, outcome.after, outcome.path))
        say(_("dry run: nothing was written"))


WriteFormatOption = Annotated[WriteFormat, typer.Option(
    "--format", "-f", metavar="FORMAT",
    help="text: messages on stderr (and add's new id on stdout); json: one object on stdout "
    "saying what changed (written, dry_run, added, updated, unchanged). Example: --format json")]


def _contradictions(pairs: list[tuple[str, Any, str, Any]]) -> None:
    """Options that ask for opposite things are a usage error, never a silent winner."""
    from ..errors import UsageError

    for set_name, set_value, other_name, other_value in pairs:
        if isinstance(set_value, list | tuple):
            both = [v for v in set_value if v in (other_value or ())]
            if both:
                raise UsageError(
                    _("{option} and {other} both name '{value}'; give it to one of them").format(
                        option=set_name, other=other_name, value=both[0]))
        elif set_value is not None and set_value is not False and other_value:
            raise UsageError(_("{option} and {other} contradict each other; give one").format(
                option=set_name, other=other_name))


def _settable(option: str, clear: str, value: str | None) -> str | None:
    """A value for a field that can be cleared: an empty one points to the clearing option."""
    from ..errors import UsageError

    if value is not None and not value.strip():
        raise UsageError(_("{option} needs a value; an empty one was given").format(option=option),
                         hint=_("to remove the value, use {option}").format(option=clear))
    return text_value(option, value)


def _emit_result(outcome: Outcome, unchanged: list[Task], dry_run: bool) -> None:
    from ..edit import change_summary
    from ..render import to_json

    emit(to_json(change_summary(outcome.change.updated, outcome.change.added, unchanged,
                                dry_run=dry_run, written=outcome.written)))


def _v(value: object) -> str:
    if isinstance(value, list):
        return "[" + ", ".join(str(v) for v in value) + "]"
    return "—" if value is None else str(value)


def _say_updated(outcome: Outcome) -> None:
    from .. import edit

    for old, new in outcome.change.updated:
        _old, entry = edit.added_entry(old, new)
        # the fields and values as the file writes them (status todo → done)
        what = ", ".join(f"{k} {_v(a)} → {_v(b)}" for k, (a, b) in entry.changes.items())
        if what:
            say(_("updated task {id} ({ref}): {changes}").format(id=new.id, ref=new.ref,
                                                                 changes=what))
        else:
            say(_("updated task {id} ({ref}): history entry added").format(id=new.id,
                                                                          ref=new.ref))


RelatedOption = Annotated[list[str] | None, typer.Option(
    metavar="ID", show_default=False, autocompletion=complete_task,
    help="A task carrying the same work at another level (id or ref); the link is made both "
    "ways, and each side's history records it. Repeatable.")]


@app.command(cls=Command)
def update(
    tasks: Annotated[list[str], typer.Argument(
        metavar="ID", help="Tasks to update: ids (3) or refs (D3, F3, G3).",
        autocompletion=complete_task)],
    status: Annotated[str | None, typer.Option(
        "--status", "-s", metavar="STATUS", show_default=False, autocompletion=complete_status,
        help="New status: todo|in-progress|done|blocked|dropped (or 未开始|进行中|已完成|受阻|已取消). "
        "done also sets progress 100 unless --progress (or --clear-progress) is given.")] = None,
    progress: Annotated[int | None, typer.Option(
        "--progress", "-p", min=0, max=100, metavar="0..100", show_default=False,
        help="Percent done.")] = None,
    clear_progress: Annotated[bool, typer.Option(
        "--clear-progress", show_default=False, help="Remove the percent done.")] = False,
    owner: Annotated[str | None, typer.Option(
        metavar="UNIT", show_default=False, help="The lead unit.")] = None,
    clear_owner: Annotated[bool, typer.Option(
        "--clear-owner", show_default=False, help="Remove the lead unit.")] = False,
    due: Annotated[str | None, typer.Option(
        metavar="DATE", show_default=False,
        help="New deadline: YYYY-MM-DD, or relative to today (+2w, eom, eoq).")] = None,
    clear_due: Annotated[bool, typer.Option(
        "--clear-due", show_default=False, help="Remove the deadline.")] = False,
    text: Annotated[str | None, typer.Option(
        "--text", metavar="TEXT", show_default=False,
        help="The task's text, as the plan words it (replaces the whole text).")] = None,
    title: Annotated[str | None, typer.Option(
        metavar="TEXT", show_default=False, help="The short English gloss.")] = None,
    clear_title: Annotated[bool, typer.Option(
        "--clear-title", show_default=False, help="Remove the short gloss.")] = False,
    add_tag: Annotated[list[str] | None, typer.Option(
        "--add-tag", metavar="TAG", show_default=False,
        help="Add a theme (kept once). Repeatable.")] = None,
    remove_tag: Annotated[list[str] | None, typer.Option(
        "--remove-tag", metavar="TAG", show_default=False,
        help="Remove a theme. Repeatable.")] = None,
    add_partner: Annotated[list[str] | None, typer.Option(
        "--add-partner", metavar="UNIT", show_default=False,
        help="Add a partner unit (kept once). Repeatable.")] = None,
    remove_partner: Annotated[list[str] | None, typer.Option(
        "--remove-partner", metavar="UNIT", show_default=False,
        help="Remove a partner unit. Repeatable.")] = None,
    add_related: Annotated[list[str] | None, typer.Option(
        "--add-related", metavar="ID", show_default=False, autocompletion=complete_task,
        help="Link a task carrying the same work at another level (id or ref), both ways: each "
        "side's history records it. Repeatable.")] = None,
    remove_related: Annotated[list[str] | None, typer.Option(
        "--remove-related", metavar="ID", show_default=False, autocompletion=complete_task,
        help="Unlink a related task, both ways. Repeatable.")] = None,
    note: NoteOption = None,
    evidence: Annotated[list[str] | None, typer.Option(
        "--evidence", "-e", metavar="DOC", show_default=False,
        help="Evidence (佐证材料): a document, link or file that proves the work. Repeatable.")
    ] = None,
    by: ByOption = None,
    at: AtOption = None,
    dry_run: DryRunOption = False,
    format: WriteFormatOption = "text",
    data: DataOption = None,
) -> None:
    """Change tasks and record the change in their history.

    Several tasks change together, in one write. Each changed task gets one history entry (when,
    who, changes {field: [old, new]}, note, evidence). A note or evidence alone is an update too.
    Setting a value a task already has writes nothing and says so. A single value is set with
    --FIELD and removed with --clear-FIELD; a list gains an item with --add-ITEM and loses one
    with --remove-ITEM. Options that contradict each other are refused.

    \b
    Examples:
      reformctl update 3 --status done --note 已印发 --evidence 区总工会〔2018〕12号.pdf
      reformctl update G3 G4 --status in-progress --by 王芳
      reformctl update F2 --due 2019-03-31 --note 延期至一季度 --dry-run
      reformctl update D3 --text "广泛开展争当金牌工人活动。" --add-tag craftsmanship
      reformctl update F4 --add-related G2 --clear-due --format json
    """
    from .. import edit
    from ..errors import UsageError
    from ..query import get_task, parse_date, parse_status

    tags = texts("--add-tag", add_tag), texts("--remove-tag", remove_tag)
    partners = texts("--add-partner", add_partner), texts("--remove-partner", remove_partner)
    _contradictions([
        ("--owner", owner, "--clear-owner", clear_owner),
        ("--due", due, "--clear-due", clear_due),
        ("--title", title, "--clear-title", clear_title),
        ("--progress", progress, "--clear-progress", clear_progress),
        ("--add-tag", tags[0], "--remove-tag", tags[1]),
        ("--add-partner", partners[0], "--remove-partner", partners[1]),
    ])
    request = edit.Update(
        status=parse_status(status) if status is not None else None,
        progress=progress,
        owner=_settable("--owner", "--clear-owner", owner),
        due=parse_date(due, "--due") if due is not None else None,
        text=text_value("--text", text),
        title=_settable("--title", "--clear-title", title),
        clear=frozenset(name for name, flag in (
            ("owner", clear_owner), ("due", clear_due), ("title", clear_title),
            ("progress", clear_progress)) if flag),
        add_tags=tuple(tags[0]), remove_tags=tuple(tags[1]),
        add_partners=tuple(partners[0]), remove_partners=tuple(partners[1]),
        note=text_value("--note", note),
        evidence=tuple(texts("--evidence", evidence)),
    )
    if request.is_empty() and not add_related and not remove_related:
        raise UsageError(_(
            "nothing to update: give at least one of --status, --progress, --owner, --due, "
            "--text, --title, --add-tag, --add-partner, --add-related (or their --remove-/"
            "--clear- forms), --note, --evidence"))
    who, when = _who(by), _when(at)
    unchanged: list[Task] = []

    def plan(ledger: TaskIndex, now: datetime) -> Change:  # under the lock, the ledger as it is
        from dataclasses import replace

        from ..transaction import Change

        named = list({t.id: t for t in (get_task(ledger, key) for key in tasks)}.values())
        links = [get_task(ledger, key).id for key in add_related or ()]
        unlinks = [get_task(ledger, key).id for key in remove_related or ()]
        _contradictions([("--add-related", links, "--remove-related", unlinks)])
        resolved = replace(request, add_related=tuple(dict.fromkeys(links)),
                           remove_related=tuple(dict.fromkeys(unlinks)))
        updated, same = edit.plan_update(named, resolved, who, when or now, ledger.task)
        unchanged[:] = same
        return Change(updated=updated)

    outcome = _change(data, plan, dry_run)
    if format == "json":
        _emit_result(outcome, unchanged, dry_run)
        return
    for task in unchanged:
        say(_("task {id} ({ref}) already has these values: nothing to write for it").format(
            id=task.id, ref=task.ref))
    _report(outcome, dry_run)
    if outcome.written:
        _say_updated(outcome)


def _change(data: str | None, plan: Planner, dry_run: bool) -> Outcome:
    from ..transaction import change_ledger

    return change_ledger(ledger_dir(data), plan, dry_run=dry_run, on_wait=say)


@app.command(cls=Command)
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
        metavar="DATE", show_default=False,
        help="Deadline: YYYY-MM-DD, or relative to today (+2w, eom, eoq).")] = None,
    status: Annotated[str | None, typer.Option(
        "--status", "-s", metavar="STATUS", show_default=False, autocompletion=complete_status,
        help="Initial status (default todo).")] = None,
    progress: Annotated[int | None, typer.Option(
        min=0, max=100, metavar="0..100", show_default=False, help="Percent done.")] = None,
    tag: Annotated[list[str] | None, typer.Option(
        metavar="TAG", show_default=False, help="A theme. Repeatable.")] = None,
    related: RelatedOption = None,
    note: NoteOption = None,
    by: ByOption = None,
    at: AtOption = None,
    dry_run: DryRunOption = False,
    format: WriteFormatOption = "text",
    data: DataOption = None,
) -> None:
    """Add a task at a level, with the next free id and the next number in its level.

    The new task goes after the last task of its level; its history starts with an entry that
    records its creation. Prints the new task's id on stdout (with --format json, an object with
    its id and ref, and the related tasks whose history recorded the link).

    \b
    Examples:
      reformctl add --level grassroots "在全区推行职工书屋建设。" --due 2018-12-31 --tag services
      reformctl add -l F "建立工会经费使用公示制度。" --related G4 --owner 经审会
      reformctl add -l D "新任务。" --format json
    """
    from .. import edit
    from ..query import get_task, parse_date, parse_level, parse_status

    text = texts(_("the task text"), [text])[0]
    note = text_value("--note", note)
    fields: dict[str, object] = {
        k: v for k, v in {
            "title": text_value("--title", title), "owner": text_value("--owner", owner),
            "partners": texts("--partner", partner) or None,
            "due": parse_date(due, "--due") if due else None,
            "status": parse_status(status) if status else None,
            "progress": progress, "tags": texts("--tag", tag) or None,
        }.items() if v is not None
    }
    lvl = parse_level(level)
    who, when = _who(by), _when(at)

    def plan(ledger: TaskIndex, now: datetime) -> Change:
        from ..transaction import Change

        links = list({t.id: t for t in (get_task(ledger, key) for key in related or ())}.values())
        task = edit.new_task(ledger, lvl, text, {**fields, "related": [t.id for t in links]}, who,
                             when or now, note)
        change = Change(added=[task])
        for other in links:  # the other side of each link, recorded in its history
            new = edit.apply_update(other, edit.Update(add_related=(task.id,)), who, when or now)
            if new is not None:
                change.updated.append((other, new))
        return change

    outcome = _change(data, plan, dry_run)
    if format == "json":
        _emit_result(outcome, [], dry_run)
        return
    _report(outcome, dry_run)
    task = outcome.change.added[0]
    if outcome.written:
        emit(f"{task.id}\n")
        say(_("added task {id} ({ref})").format(id=task.id, ref=task.ref))


@app.command(cls=Command)
def log(
    task: Annotated[str | None, typer.Argument(
        metavar="ID", show_default=False, help="Only this task's history (id or ref).",
        autocompletion=complete_task)] = None,
    since: Annotated[str | None, typer.Option(
        metavar="DATE", show_default=False,
        help="Only entries on or after DATE (YYYY-MM-DD, or relative to today: -1w, som).")
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
    from .browse import browsing

    with browsing(data) as ledger:  # a broken ledger: what could be read, then exit 1
        chosen = get_task(ledger, task) if task is not None else None
        records = history_records(ledger, chosen, parse_date(since, "--since") if since else None)
        if limit is not None:
            records = records[:limit]
        emit_listing(records, HISTORY_COLUMNS, format, _("no history entries match"))
