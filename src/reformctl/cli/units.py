"""Commands for a district of units: the git merge driver, unit ledgers kept in step with the
plan (sync-plan), the roll-up of many ledgers, and ``check`` of many ledgers."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from ..errors import EXIT_OK, EXIT_PROBLEM
from ..i18n import _
from ..render.formats import RollupFormat, WriteFormat
from . import DataOption, app, emit, ledger_dir, say
from .help import Command


@app.command("merge-driver", cls=Command)
def merge_driver(
    base: Annotated[Path, typer.Argument(
        metavar="FILE", help="%O: the common ancestor's version (git gives it).")],
    ours: Annotated[Path, typer.Argument(
        metavar="FILE", help="%A: our version; the merged result is written here.")],
    theirs: Annotated[Path, typer.Argument(
        metavar="FILE", help="%B: their version.")],
    path: Annotated[str, typer.Argument(
        metavar="FILE", help="%P: the file's path in the repository (data/tasks.yaml).")] = "",
) -> None:
    """The git merge driver for the ledger's data files: histories merged entry by entry.

    Two branches that each add history entries to one task merge with all the entries in time
    order; changes to different fields of a task merge; the same field set to two different
    values is a conflict, left between conflict markers (exit 1). The merged file must pass
    `reformctl check`, or the merge fails. Lines outside the merged tasks stay byte for byte.
    `reformctl init` writes the .gitattributes line (data/*.yaml merge=reformctl); enable the
    driver once per clone with the second example.

    \b
    Examples:
      git config merge.reformctl.name reformctl
      git config merge.reformctl.driver "reformctl merge-driver %O %A %B %P"
    """
    from ..fileio import atomic_write
    from ..merge import merge_files
    from ..units import read_merge_input

    shown = path or str(ours)
    raw = read_merge_input(base, ours, theirs)
    merged = merge_files(raw[0], raw[1], raw[2], shown)
    atomic_write(ours, merged.text.encode("utf-8", "surrogateescape"))
    if merged.clean:
        raise typer.Exit(EXIT_OK)
    for conflict in merged.conflicts:
        say(_("reformctl merge-driver: {path}: conflict in {where}: both sides changed it "
              "since the common version; resolve it between the markers").format(
                  path=shown, where=conflict))
    for problem in merged.problems[:20]:
        say(_("reformctl merge-driver: {path}: the merged file would not pass the check: "
              "{problem}").format(path=shown, problem=problem.message))
    if not merged.conflicts and not merged.problems:
        say(_("reformctl merge-driver: {path}: git's line merge left conflicts; resolve them "
              "between the markers").format(path=shown))
    raise typer.Exit(EXIT_PROBLEM)


def check_many(paths: list[Path], format: str | None, strict: bool) -> None:
    """``reformctl check DIR...``: every ledger found, every problem with its path, one summary;
    exits (0 clean, 1 problems)."""
    import os

    from ..i18n import ngettext
    from ..loader import load
    from ..render.check import check_output, check_summary, check_terminal
    from ..units import find_ledgers
    from . import console, emit

    fmt = format or ("github" if os.environ.get("GITHUB_ACTIONS") == "true" else "text")
    ledgers = find_ledgers(paths)
    diags = []
    lines_of: dict[str, list[str]] = {}
    tasks = 0
    out = console()
    terminal = fmt == "text" and out.is_terminal
    for where in ledgers:
        loaded = load(where)
        diags += loaded.diagnostics
        if loaded.ledger is not None:
            tasks += len(loaded.ledger.tasks)
        if terminal:
            lines_of.update({t.path: t.text.split("\n") for t in loaded.texts.values()})
    if terminal:
        out.print(check_terminal(diags, lines_of), soft_wrap=True)
    else:
        emit(check_output(diags, fmt))
    errors = sum(1 for d in diags if d.is_error)
    warnings = len(diags) - errors
    count = ngettext("{count} ledger", "{count} ledgers", len(ledgers)).format(
        count=len(ledgers))
    if fmt == "text":
        if diags:
            say(check_summary(errors, warnings, count))
        else:
            say(_("{ledgers}: no problems ({tasks})").format(
                ledgers=count,
                tasks=ngettext("{count} task", "{count} tasks", tasks).format(count=tasks)))
    failed = errors > 0 or (strict and warnings > 0)
    raise typer.Exit(EXIT_PROBLEM if failed else EXIT_OK)


def init_unit(directory: Path, unit: str | None, plan_from: Path | None, levels: list[str],
              tasks: list[str], empty: bool, title: str | None, year: int | None) -> None:
    """``reformctl init DIR --unit NAME --plan DISTRICT_DIR``."""
    from ..errors import UsageError
    from ..fileio import display
    from ..ledgers import LedgerDir
    from ..ledgers import init as write_ledger
    from ..units import read_plan, resolve_selection, unit_ledger
    from .args import text_value

    if plan_from is None:
        raise UsageError(_("--level and --task choose the plan's tasks: use them with --plan"),
                         hint=_("reformctl init DIR --unit NAME --plan DISTRICT_DIR"))
    if empty or title is not None or year is not None:
        raise UsageError(_("--plan derives a unit's ledger from the plan: --empty, --title and "
                           "--year do not go with it"),
                         hint=_("reformctl init DIR --unit NAME --plan DISTRICT_DIR"))
    name = text_value("--unit", unit)
    if name is None:
        raise UsageError(_("--plan needs --unit NAME: the unit whose ledger this is"),
                         hint=_("reformctl init DIR --unit NAME --plan DISTRICT_DIR"))
    plan = read_plan(plan_from)
    chosen, ids = resolve_selection(plan.ledger, levels, tasks)
    files = unit_ledger(plan, name, chosen, ids)
    done = write_ledger(directory.expanduser(), data=files)
    for path, content in done.kept.items():
        lines = "\n".join(f"    {line}" for line in content.splitlines())
        say(_("reformctl: {path} is already there and was left as it is; reformctl would have "
              "written:\n{lines}").format(path=display(path), lines=lines))
    from ..loader import open_ledger

    count = len(open_ledger(LedgerDir(done.data, "--data")).tasks)
    say(_("reformctl: wrote the ledger of {unit} into {directory}: {count} tasks of the plan "
          "{plan} ({sha}); check it with `reformctl check`, bring it up to date with "
          "`reformctl sync-plan --plan {plan_dir}`").format(
              unit=name, directory=display(done.directory), count=count,
              plan=plan.ledger.plan.title, sha=plan.sha256[:12],
              plan_dir=display(plan.where.path)))


@app.command("sync-plan", cls=Command)
def sync_plan(
    directories: Annotated[list[Path] | None, typer.Argument(
        metavar="DIR", show_default=False,
        help="Unit ledgers to bring up to date (as check takes them: data directories, "
        "directories init was given, or a directory searched below). Default: the ledger of "
        "--data.")] = None,
    plan_from: Annotated[Path, typer.Option(
        "--plan", metavar="DIR", show_default=False,
        help="The district's plan the unit ledgers were derived from.")] = Path("."),
    dry_run: Annotated[bool, typer.Option(
        "--dry-run/--no-dry-run", help="Say what would change and write nothing.")] = False,
    format: Annotated[WriteFormat, typer.Option(
        "--format", "-f", metavar="FORMAT",
        help="text (one line per change) or json (for tools).")] = "text",
    data: DataOption = None,
) -> None:
    """Bring unit ledgers up to date after the plan changed: tasks the plan gained are added,
    and each task's text, title, level, number, deadline, tags and related tasks are taken from
    the plan. A unit's status, progress, owner, partners and history are never touched; tasks
    the plan no longer gives the unit are kept and listed. Says what it changed.

    \b
    Examples:
      reformctl sync-plan --plan ../district --dry-run
      reformctl sync-plan units/ --plan district
    """
    from ..fileio import display
    from ..units import find_ledgers, read_plan
    from ..units import sync_plan as sync

    plan = read_plan(plan_from)
    if directories:
        ledgers = find_ledgers(directories)
    else:
        where = ledger_dir(data, announce_sample=False)
        where.require_writable()
        ledgers = [where]
    results = [sync(where, plan, dry_run=dry_run) for where in ledgers]
    if format == "json":
        from ..render import to_json

        emit(to_json({"dry_run": dry_run, "plan": {"path": display(plan.where.path),
                                                     "sha256": plan.sha256},
                      "units": [r.summary() for r in results]}))
    else:
        from ..render.rollup import sync_lines

        emit(sync_lines(results, dry_run))


@app.command(cls=Command)
def rollup(
    directories: Annotated[list[Path], typer.Argument(
        metavar="DIR", show_default=False,
        help="Unit ledgers (data directories, directories init was given, or a directory "
        "searched for data/tasks.yaml below it).")],
    plan_from: Annotated[Path | None, typer.Option(
        "--plan", metavar="DIR", show_default=False,
        help="The district's plan the units were derived from. Default: the one ledger among "
        "DIR... that is not derived from a plan, when the units name its title.")] = None,
    as_of: Annotated[str | None, typer.Option(
        "--as-of", metavar="DATE",
        help="Roll up the ledgers as they stood at the end of this day (YYYY-MM-DD): later "
        "history is undone. Default: today.")] = None,
    quiet_since: Annotated[str | None, typer.Option(
        "--quiet-since", metavar="DATE",
        help="List the units with no update on or after this day. Default: 30 days before "
        "--as-of.")] = None,
    format: Annotated[RollupFormat, typer.Option(
        "--format", "-f", metavar="FORMAT",
        help="table (text), markdown, html (one self-contained file), xlsx (a sheet per "
        "table; install reformctl[xlsx]), docx (Word; install reformctl[office]), csv (one row "
        "per unit and task) or json (documented shape reformctl.rollup/1, one record a line); "
        "xlsx and docx need --output or a pipe.")] = "table",
    output: Annotated[Path | None, typer.Option(
        "--output", "-o", metavar="FILE", dir_okay=False,
        help="Write the roll-up to FILE (replaced atomically) instead of stdout.")] = None,
) -> None:
    """Roll up many unit ledgers: the task x unit matrix of statuses, completion per unit and
    per task, units behind schedule, evidence per unit, units with no recent update, and the
    symposium's commitments next to the speaking unit's progress.

    Units that disagree with the plan (a task id the plan does not have, a changed task text,
    an older version of the plan, a ledger with errors) are listed, not silently joined.

    \b
    Examples:
      reformctl rollup units/ --plan district
      reformctl rollup units/ --plan district --as-of 2018-06-30 --format markdown
      reformctl rollup units/ --plan district --format xlsx --output rollup.xlsx
      reformctl rollup units/ --plan district --format docx --output rollup.docx
    """
    from datetime import date

    from ..errors import UsageError
    from ..query import parse_date
    from ..render.rollup import rollup_output, rollup_view
    from ..rollup import build_rollup
    from ..units import rollup_inputs
    from .report import stdout_is_terminal

    day = parse_date(as_of, "--as-of") if as_of else date.today()
    quiet = parse_date(quiet_since, "--quiet-since") if quiet_since else None
    terminal = output is None and stdout_is_terminal()
    if format == "xlsx" and terminal:
        raise UsageError(
            _("an xlsx workbook is binary and would garble the terminal"),
            hint=_("write it to a file: reformctl rollup DIR... --format xlsx --output "
                   "rollup.xlsx"))
    if format == "docx" and terminal:
        raise UsageError(
            _("a docx document is binary and would garble the terminal"),
            hint=_("write it to a file: reformctl rollup DIR... --format docx --output "
                   "rollup.docx"))
    plan, units = rollup_inputs(directories, plan_from)
    data = build_rollup(plan, units, day, quiet)
    if format == "table" and terminal:  # colour, fitted to the terminal's width
        emit(rollup_view(data))
        return
    content = rollup_output(data, format)
    if output is None:
        emit(content)
        return
    from ..fileio import display, write_file
    from ..render import csv_bytes

    write_file(output, content if isinstance(content, bytes) else
               csv_bytes(content, bom=format == "csv"))
    say(_("reformctl: wrote the {format} roll-up to {path}").format(format=format,
                                                                    path=display(output)))
