"""The report command: the ledger as of a day, for a leadership meeting, in six formats."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, Literal

import typer

from ..i18n import _
from ..render.formats import ReportFormat
from . import DataOption, app, emit, ledger_dir, say
from .complete import complete_level
from .help import Command

Every = Literal["month", "week"]


def stdout_is_terminal() -> bool:
    try:
        return sys.stdout.isatty()
    except (AttributeError, ValueError):
        return False


@app.command(cls=Command)
def report(
    format: Annotated[ReportFormat, typer.Option(
        "--format", "-f", metavar="FORMAT",
        help="text (terminal), markdown (GitHub), html (one self-contained file), json "
        "(documented shape reformctl.report/1), csv (one row per task), xlsx (install "
        "reformctl[xlsx]) or docx (Word, in the layout of official documents; install "
        "reformctl[office]); xlsx and docx need --output or a pipe.")] = "text",
    as_of: Annotated[str | None, typer.Option(
        "--as-of", metavar="DATE",
        help="Report the ledger as it stood at the end of this day (YYYY-MM-DD, or relative: "
        "eom-1, -1w): later history is undone. Default: today.")] = None,
    since: Annotated[str | None, typer.Option(
        metavar="DATE",
        help="The period the report looks back on starts on this day (YYYY-MM-DD, or relative "
        "to --as-of: -1m, som, soq): what was completed, started, blocked or dropped, deadlines "
        "moved, evidence added, tasks that became overdue, and every change recorded. Default: "
        "the month before --as-of.")
    ] = None,
    every: Annotated[Every, typer.Option(
        "--every", metavar="PERIOD",
        help="The trend of completion has a point at every month end (month) or week end, "
        "Sunday (week), from the plan's start to --as-of.")] = "month",
    level: Annotated[str | None, typer.Option(
        "--level", "-l", metavar="LEVEL", autocompletion=complete_level,
        help="Only this level, in every section: district|federation|grassroots, D|F|G, or "
        "区级|区总工会|基层.")] = None,
    output: Annotated[Path | None, typer.Option(
        "--output", "-o", metavar="FILE", dir_okay=False,
        help="Write the report to FILE (replaced atomically) instead of stdout.")] = None,
    data: DataOption = None,
) -> None:
    """The report for a leadership meeting: completion per level and its trend, overdue tasks,
    moved deadlines, every task, what changed in the period, the symposium, and work carried at
    two levels.

    The same ledger and --as-of always give byte-identical output, so reports can be
    committed and compared.

    \b
    Examples:
      reformctl report
      reformctl report --format markdown --as-of 2018-06-30 --lang zh > report.md
      reformctl report --format html --output report.html
      reformctl report --format xlsx --output 台账.xlsx --level 基层
      reformctl report --format docx --output report.docx --as-of 2018-06-30
      reformctl report --format json --since 2018-05-01
      reformctl report --as-of eom-1 --since som --format markdown
      reformctl report --as-of eoq-1 --since -3m --every week --format html -o q.html
    """
    from ..errors import UsageError
    from ..fileio import display
    from ..i18n import current
    from ..loader import open_ledger
    from ..query import parse_date, parse_level, today
    from ..render.report import render_report, terminal_view
    from ..reports import build_report

    day = parse_date(as_of, "--as-of") if as_of else today()
    start = parse_date(since, "--since", relative_to=day) if since else None
    if start is not None and start > day:
        raise UsageError(_("--since {since} is after --as-of {as_of}; the activity would be "
                           "empty").format(since=start, as_of=day))
    chosen_level = parse_level(level) if level is not None else None
    if format == "xlsx" and output is None and stdout_is_terminal():
        raise UsageError(
            _("an xlsx workbook is binary and would garble the terminal"),
            hint=_("write it to a file: reformctl report --format xlsx --output report.xlsx"),
        )
    if format == "docx" and output is None and stdout_is_terminal():
        raise UsageError(
            _("a docx document is binary and would garble the terminal"),
            hint=_("write it to a file: reformctl report --format docx --output report.docx"),
        )

    where = ledger_dir(data)
    source = {"ledger": "sample" if where.read_only else display(where.path),
              "origin": where.origin}
    language = current()
    data_ = build_report(open_ledger(where), day, level=chosen_level, since=start, source=source,
                         every=every)

    if format == "text" and output is None and stdout_is_terminal():
        # colour, at the terminal's width: tables wrap within their cells or stack to fit
        from . import console

        out = console()
        view, out.width = terminal_view(data_, language, out.width)
        out.print(view)
        return
    if format == "json" and output is None:  # written in pieces as it is encoded
        from ..render import json_chunks

        emit(json_chunks(data_))
        return
    content = render_report(data_, format, language)
    if output is not None:
        from ..render import csv_bytes

        payload = (content if isinstance(content, bytes) else  # CSV files: with a BOM for Excel
                   csv_bytes(content, bom=format == "csv"))
        from ..fileio import write_file

        write_file(output, payload)
        say(_("reformctl: wrote the {format} report to {path}").format(format=format,
                                                                       path=display(output)))
        return
    emit(content)
