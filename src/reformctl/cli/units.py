"""Commands for a district of units: the git merge driver, unit ledgers kept in step with the
plan (sync-plan), the roll-up of many ledgers, and ``check`` of many ledgers."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from ..errors import EXIT_OK, EXIT_PROBLEM
from ..i18n import _
from . import app, say
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
    driver once per clone:

    \b
      git config merge.reformctl.driver "reformctl merge-driver %O %A %B %P"

    \b
    Examples:
      git config merge.reformctl.name "reformctl ledger merge"
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
